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
	// kindNone is a record that became no entry: it counts for the timing
	// and the prompts of its session only.
	kindNone
)

func kindOf(typ string) kind {
	switch typ {
	case "":
		return kindNone
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

// Token kinds, the indexes of record.tok and session.tok.
const (
	tokInput = iota
	tokOutput
	tokCacheRead
	tokCacheCreation
	tokReasoning
	numTok
)

// nanosPerDollar is the unit costs are summed in: whole nano-dollars add
// up exactly, where float64 sums of cents show noise (0.014159999999999999).
const nanosPerDollar = 1e9

// record is what a span takes from one entry, reduced once: the type as a
// kind, the times as unix ns, tokens that count (those of a token_usage
// entry, at least 0) and a cost that adds (finite, in nano-dollars).
type record struct {
	slot                    int32 // the Batch slot of its session id (Commit)
	kind                    kind
	timed                   bool // t holds the record time; else it is the tracker clock
	prompt, failed, hasCost bool
	t, start                int64 // unix ns; start 0 = none
	userID, model, project  string
	tok                     [numTok]int64
	costNano                int64
}

func (r *record) set(e *Entry) {
	r.kind = kindOf(e.Type)
	r.timed = !e.Time.IsZero()
	r.t, r.start = 0, 0
	if r.timed {
		r.t = e.Time.UnixNano()
	}
	if !e.Start.IsZero() {
		r.start = e.Start.UnixNano()
	}
	r.prompt, r.failed = e.Prompt, e.Failed && r.kind == kindToolUse
	r.userID, r.model, r.project = e.UserID, e.Model, e.ProjectPath
	r.tok = [numTok]int64{}
	if r.kind == kindTokenUsage {
		r.tok = [numTok]int64{max(e.InputTokens, 0), max(e.OutputTokens, 0), max(e.CacheReadTokens, 0),
			max(e.CacheCreationTokens, 0), max(e.ReasoningTokens, 0)}
	}
	r.hasCost, r.costNano = false, 0
	if e.HasCost && !math.IsNaN(e.CostUSD) && math.Abs(e.CostUSD) < 1e9 {
		r.hasCost, r.costNano = true, int64(math.Round(e.CostUSD*nanosPerDollar))
	}
}

// time is the record time, or now when the entry had none.
func (r *record) time(now int64) int64 {
	if r.timed {
		return r.t
	}
	return now
}

// begin is the earliest time the record covers: its start, else its time.
func (r *record) begin(now int64) int64 {
	if r.start != 0 {
		return min(r.start, r.time(now))
	}
	return r.time(now)
}
