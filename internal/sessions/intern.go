package sessions

import "strings"

// Bounds of a shard's interner: it keeps at most maxInterned strings of at
// most maxInternLen bytes, and at most maxInternBytes in all; reaching a
// bound empties it.
const (
	maxInterned    = 64
	maxInternLen   = 256
	maxInternBytes = 8 << 10
)

// interner holds the span strings (model, user id, project path) that
// changed within a span, so a value that comes back, as Claude Code's main
// and small models alternate within a session, is shared instead of copied
// again. The first value of a span is copied without interning it: most
// spans keep one user id and one project path for good, and interning
// every new session's values would churn the table. Guarded by the shard
// lock.
type interner struct {
	m     map[string]string
	bytes int
}

// keep returns what a span's string field cur becomes after a record with
// v: cur when v is empty or equal to it, else a copy of v the span may keep
// (the record's strings belong to the caller).
func (in *interner) keep(cur, v string) string {
	if v == "" || v == cur {
		return cur
	}
	return in.change(cur, v)
}

// change is keep's slow path (kept apart so that keep inlines).
func (in *interner) change(cur, v string) string {
	if cur == "" {
		return strings.Clone(v)
	}
	return in.get(v)
}

// get returns the interned copy of v, interning a copy first if needed.
func (in *interner) get(v string) string {
	if c, ok := in.m[v]; ok {
		return c
	}
	c := strings.Clone(v)
	if len(c) > maxInternLen {
		return c
	}
	if in.m == nil {
		in.m = make(map[string]string)
	} else if len(in.m) >= maxInterned || in.bytes+len(c) > maxInternBytes {
		clear(in.m)
		in.bytes = 0
	}
	in.m[c] = c
	in.bytes += len(c)
	return c
}
