package convert

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/deltas"
	"github.com/analyticsexporter/analyticsexporter/internal/encode"
	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
)

// scratch is the reusable state of one AppendLogs/AppendMetrics call: the
// current record's and resource's attributes, the encoded metadata tail of
// the current scope, and the record context the derivations read. Pooled,
// so a steady stream of batches allocates nothing per record.
type scratch struct {
	rec, res *attrSet
	log      mapping.Log
	met      mapping.Metric
	resJSON  []byte // the resource attributes as a JSON object
	scope    pcommon.InstrumentationScope
	tail     []byte // `"scope":{…},"resource":{…}}` for scope, empty until its first entry
	resSID   string // the resource's session id
	resUID   string
	sid      string // the current entry's session id
	ctx      recordCtx
	pt       point
	tok      tokens
	info     EntryInfo
	// The current point's increment (hasDelta), when it is cumulative;
	// hash and buckets are reused for computing it.
	delta    deltas.Delta
	hasDelta bool
	hash     *deltas.Hash
	keyBuf   []byte // a point's attributes, encoded for its stream key
	joinBuf  []byte // the join key being looked up
	buckets  []uint64
	cum      *deltas.Lazy // the call's cumulative state, nil = none
	jb       *JoinBatch   // the call's join store batch, nil = none
	span     mapping.Span
	spans    spanCall
	sp       spanRec
	// obs is the call's Observer; observing is set when there is one.
	obs       Observer
	observing bool
	sidCache  idCache
	uidCache  idCache
	// nameCache and sevCache: metadata event_name and severity.
	nameCache, sevCache idCache
	times               encode.TimeCache
	priv                privScratch
}

// recordCtx is what the derivations of named fields need to know about the
// record besides its attributes.
type recordCtx struct {
	metric     bool
	span       bool
	name, unit string
	body       pcommon.Value // logs
	hasValue   bool          // metric: value (sum/gauge) or sum (distributions)
	value      float64
	hasMean    bool // distributions with count > 0 and a sum
	mean       float64
	tokenField string // token_usage field the value belongs to
	isCost     bool
	// tokens: how the record's sender counts tokens.
	tokens mapping.TokenCounting
	// exitCode of a shell command, read by derExitCode (hasExit).
	exitCode int64
	hasExit  bool
}

type scratchPool struct {
	p   sync.Pool
	tbl *keyTable
}

func (sp *scratchPool) init(tbl *keyTable) {
	sp.tbl = tbl
	sp.p.New = func() any {
		return &scratch{rec: newAttrSet(tbl), res: newAttrSet(tbl)}
	}
}

func (sp *scratchPool) get() *scratch { return sp.p.Get().(*scratch) }

// observe sets the call's Observer (nil: none, and EntryInfo is not
// filled).
func (sc *scratch) observe(obs Observer) {
	sc.obs, sc.observing = obs, obs != nil
}

// put returns sc unless a huge record left big buffers in it.
func (sp *scratchPool) put(sc *scratch) {
	const keepBytes = 1 << 20
	if cap(sc.resJSON) > keepBytes || cap(sc.tail) > keepBytes || cap(sc.rec.ids) > 1<<14 {
		return
	}
	// Drop every reference into the caller's pdata, so a pooled scratch
	// does not keep a batch alive.
	sc.ctx, sc.pt, sc.info, sc.delta = recordCtx{}, point{}, EntryInfo{}, deltas.Delta{}
	sc.obs, sc.cum, sc.jb = nil, nil, nil
	sc.log, sc.met, sc.span, sc.sp = mapping.Log{}, mapping.Metric{}, mapping.Span{}, spanRec{}
	sc.scope = pcommon.InstrumentationScope{}
	sc.spans.reset()
	sc.resSID, sc.resUID, sc.sid = "", "", ""
	for _, ic := range [...]*idCache{&sc.sidCache, &sc.uidCache, &sc.nameCache, &sc.sevCache} {
		ic.reset()
	}
	for _, a := range [2]*attrSet{sc.rec, sc.res} {
		clear(a.vals[:cap(a.vals)])
		a.m = pcommon.Map{}
	}
	sp.p.Put(sc)
}
