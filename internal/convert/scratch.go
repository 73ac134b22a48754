package convert

import (
	"sync"

	"go.opentelemetry.io/collector/pdata/pcommon"

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
	ctx      recordCtx
	pt       point
	info     EntryInfo
	obs      Observer // the call's Observer; nil: info is not filled
	sidCache idCache
	uidCache idCache
	// nameCache and sevCache: metadata event_name and severity.
	nameCache, sevCache idCache
	times               encode.TimeCache
}

// recordCtx is what the derivations of named fields need to know about the
// record besides its attributes.
type recordCtx struct {
	metric     bool
	name, unit string
	body       pcommon.Value // logs
	hasValue   bool          // metric: value (sum/gauge) or sum (distributions)
	value      float64
	hasMean    bool // distributions with count > 0 and a sum
	mean       float64
	tokenField string // token_usage field the value belongs to
	isCost     bool
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

// put returns sc unless a huge record left big buffers in it.
func (sp *scratchPool) put(sc *scratch) {
	const keepBytes = 1 << 20
	if cap(sc.resJSON) > keepBytes || cap(sc.tail) > keepBytes || cap(sc.rec.ids) > 1<<14 {
		return
	}
	// Drop every reference into the caller's pdata, so a pooled scratch
	// does not keep a batch alive.
	sc.ctx, sc.pt, sc.info = recordCtx{}, point{}, EntryInfo{}
	sc.obs = nil
	sc.log, sc.met = mapping.Log{}, mapping.Metric{}
	sc.scope = pcommon.InstrumentationScope{}
	sc.resSID, sc.resUID = "", ""
	for _, ic := range [...]*idCache{&sc.sidCache, &sc.uidCache, &sc.nameCache, &sc.sevCache} {
		ic.reset()
	}
	for _, a := range [2]*attrSet{sc.rec, sc.res} {
		clear(a.vals[:cap(a.vals)])
		a.m = pcommon.Map{}
	}
	sp.p.Put(sc)
}
