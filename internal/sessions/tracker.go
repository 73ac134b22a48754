package sessions

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// Entry types the tracker reacts to.
const (
	typeSessionStart = "session_start"
	typeSessionEnd   = "session_end"
	typeToolUse      = "tool_use"
	typeError        = "error_occurred"
	typeTokenUsage   = "token_usage"
)

// Defaults for zero Options fields.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxTracked  = 10000
	// DefaultPersistInterval is the snapshot cadence of Tick.
	DefaultPersistInterval = time.Minute
	// DefaultMaxPending is the outbox bound: about 30,000 lines.
	DefaultMaxPending = 16 << 20
)

// shardThreshold is the MaxTracked from which the tracker splits into
// shards. Below it one lock and one exact LRU order serve every session.
const (
	shardThreshold = 4096
	maxShards      = 16
)

// Entry is what the tracker needs to know about one record of a session:
// an entry written, or a record that became no entry (Type ""), which
// counts for the session's timing and prompts only. Its fields match
// convert.EntryInfo one to one, so the exporter can convert a
// *convert.EntryInfo with (*sessions.Entry)(info).
type Entry struct {
	Type string
	Time time.Time
	// Start, when not zero, is the start of the interval the record covers
	// (a metric point's start time): the session began no later.
	Start              time.Time
	SessionID, UserID  string
	Model, ProjectPath string
	// Token counts of a token_usage entry, by kind (see the package doc).
	InputTokens, OutputTokens, CacheReadTokens, CacheCreationTokens, ReasoningTokens int64

	CostUSD float64
	HasCost bool // the record had a cost (CostUSD may be 0)
	Prompt  bool // the record is a user prompt
	Failed  bool // a tool_use that did not succeed

	// Synthesized entries (written by a tracker) are ignored.
	Synthesized bool
}

// Options configures a Tracker. Zero values take the defaults.
type Options struct {
	// IdleTimeout closes a span that had no record for this long.
	IdleTimeout time.Duration
	// MaxTracked bounds the open spans (and, separately, the remembered
	// closed ones); the least recently seen span is closed first.
	MaxTracked int
	// Now is the tracker clock (nil = time.Now).
	Now func() time.Time
	// Store, when set, keeps open spans across restarts (see Persist, Load).
	Store Store
	// StoreKey is the key of the snapshot in Store ("" = "sessions").
	StoreKey string
	// PersistInterval is how often Tick persists a changed state
	// (0 = DefaultPersistInterval).
	PersistInterval time.Duration
	// MaxPending bounds the bytes waiting in the outbox (0 =
	// DefaultMaxPending); lines beyond it are dropped and counted.
	MaxPending int
}

// Tracker tracks session spans. Safe for concurrent use: sessions are spread
// over shards with one lock each.
type Tracker struct {
	idle   int64 // IdleTimeout in ns
	every  time.Duration
	maxOut int
	now    func() time.Time
	store  Store
	key    string
	seed   maphash.Seed
	shards []shard
	mask   uint64

	persistMu   sync.Mutex // serializes Persist and Load; guards force, snapshotBuf
	force       bool       // the next Persist writes even if nothing changed
	snapshotBuf []byte
	lastPersist time.Time // of Tick
	outMu       sync.Mutex
	outbox      []byte       // lines waiting for the next write (Requeue, Load)
	outLen      atomic.Int64 // len(outbox), read without the lock
	outDrops    int64
}

// New returns a Tracker. It never fails: invalid values take the defaults.
func New(opts Options) *Tracker {
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.MaxTracked <= 0 {
		opts.MaxTracked = DefaultMaxTracked
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.StoreKey == "" {
		opts.StoreKey = "sessions"
	}
	if opts.PersistInterval <= 0 {
		opts.PersistInterval = DefaultPersistInterval
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = DefaultMaxPending
	}
	n := 1
	if opts.MaxTracked >= shardThreshold {
		n = maxShards
	}
	t := &Tracker{
		idle:   int64(opts.IdleTimeout),
		every:  opts.PersistInterval,
		maxOut: opts.MaxPending,
		now:    opts.Now,
		store:  opts.Store,
		key:    opts.StoreKey,
		seed:   maphash.MakeSeed(),
		shards: make([]shard, n),
		mask:   uint64(n - 1),
	}
	for i := range t.shards {
		t.shards[i].init(opts.MaxTracked / n)
	}
	return t
}

func (t *Tracker) shard(id string) *shard { return &t.shards[t.shardIndex(id)] }

func (t *Tracker) shardIndex(id string) int {
	if t.mask == 0 {
		return 0
	}
	return int(maphash.String(t.seed, id) & t.mask)
}

// Expire appends a session_end line for every span idle for IdleTimeout at
// now, and forgets closed spans remembered longer than IdleTimeout.
func (t *Tracker) Expire(dst []byte, now time.Time) []byte {
	ns := now.UnixNano()
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		dst = sh.expire(dst, ns, t.idle)
		sh.mu.Unlock()
	}
	return dst
}

// CloseAll appends a session_end line (end_reason "shutdown") for every open
// span and closes it.
func (t *Tracker) CloseAll(dst []byte) []byte {
	ns := t.now().UnixNano()
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for sh.open.prev != &sh.open {
			sh.stats.EndedShutdown++
			dst = sh.closeSpan(dst, sh.open.prev, ns, reasonShutdown)
		}
		sh.mu.Unlock()
	}
	return dst
}

// Stats counts what a Tracker did since New.
type Stats struct {
	Open            int   // open spans now
	Started         int64 // spans opened
	StartsWritten   int64 // synthesized session_start lines
	EndsWritten     int64 // synthesized session_end lines (all reasons)
	EndedExplicit   int64 // spans closed by an explicit session_end
	EndedIdle       int64 // spans closed by IdleTimeout
	EndedMaxTracked int64 // spans closed to respect MaxTracked
	EndedShutdown   int64 // spans closed by CloseAll
	DuplicateStarts int64 // session_start for an open span (keep=false)
	DuplicateEnds   int64 // session_end for a closed span (keep=false)
	Late            int64 // records after an explicit end, absorbed
	OutboxDropped   int64 // lines dropped because the outbox was full
}

// Stats returns the counters summed over all shards.
func (t *Tracker) Stats() Stats {
	var s Stats
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		s.Open += sh.nOpen
		c := &sh.stats
		s.Started += c.Started
		s.StartsWritten += c.StartsWritten
		s.EndsWritten += c.EndsWritten
		s.EndedExplicit += c.EndedExplicit
		s.EndedIdle += c.EndedIdle
		s.EndedMaxTracked += c.EndedMaxTracked
		s.EndedShutdown += c.EndedShutdown
		s.DuplicateStarts += c.DuplicateStarts
		s.DuplicateEnds += c.DuplicateEnds
		s.Late += c.Late
		sh.mu.Unlock()
	}
	t.outMu.Lock()
	s.OutboxDropped = t.outDrops
	t.outMu.Unlock()
	return s
}
