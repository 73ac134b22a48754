package sessions

import "math"

// kind is the part of an entry's type the rules and the totals depend on.
type kind uint8

const (
	kindOther kind = iota
	kindStart
	kindEnd
	kindToolUse
	kindError
	kindTokenUsage
)

func kindOf(typ string) kind {
	switch typ {
	case typeSessionStart:
		return kindStart
	case typeSessionEnd:
		return kindEnd
	case typeToolUse:
		return kindToolUse
	case typeError:
		return kindError
	case typeTokenUsage:
		return kindTokenUsage
	}
	return kindOther
}

// record is what a span takes from one entry, reduced once: the type as a
// kind, the time as unix ns, tokens that count (those of a token_usage
// entry, at least 0) and a cost that adds (finite).
type record struct {
	slot                   int32 // the Batch slot of its session id (Commit)
	kind                   kind
	timed                  bool  // t holds the record time; else it is the tracker clock
	t                      int64 // unix ns
	userID, model, project string
	inTok, outTok          int64
	cost                   float64
}

func (r *record) set(e *Entry) {
	r.kind = kindOf(e.Type)
	r.timed = !e.Time.IsZero()
	r.t = 0
	if r.timed {
		r.t = e.Time.UnixNano()
	}
	r.userID, r.model, r.project = e.UserID, e.Model, e.ProjectPath
	r.inTok, r.outTok = 0, 0
	if r.kind == kindTokenUsage {
		r.inTok, r.outTok = max(e.InputTokens, 0), max(e.OutputTokens, 0)
	}
	r.cost = e.CostUSD
	if math.IsNaN(r.cost) || math.IsInf(r.cost, 0) {
		r.cost = 0
	}
}

// time is the record time, or now when the entry had none.
func (r *record) time(now int64) int64 {
	if r.timed {
		return r.t
	}
	return now
}
