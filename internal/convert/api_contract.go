// Package convert turns OTLP logs and metrics (pdata) into analytics entry
// lines: it resolves each record's type (package mapping), builds its data
// and metadata objects, and encodes one JSON line per entry (package encode).
package convert

// CONTRACT STUB (to be replaced by the implementation; signatures are fixed,
// other packages already code against them).

import (
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Rule is one user mapping rule: when every set condition of Match holds, the
// record becomes Type, with named fields read from the attributes in Fields.
type Rule struct {
	Event       string              // glob on the event name (with or without tool prefix)
	Metric      string              // glob on the metric name
	SeverityMin plog.SeverityNumber // 0 = any
	Attributes  map[string]string   // attribute equality; value "*" = present with any value
	Type        string
	Fields      map[string]string // named field -> attribute key
}

// Options configures a Converter (SPEC §2–§4, the exporter's config).
type Options struct {
	TypeAttribute       string // "" = no override attribute
	BuiltinRules        bool
	Unmatched           string // "" or "drop" = drop; else one of the ten types
	SessionIDAttributes []string
	UserIDAttributes    []string
	Rules               []Rule
	IncludeBuckets      bool
	// Now is the clock for records with no timestamp (nil = time.Now).
	Now func() time.Time
	// Observe, when set, is called for every entry written (the session tracker).
	Observe func(*EntryInfo)
}

// EntryInfo describes one written entry, for the session tracker.
type EntryInfo struct {
	Type                      string
	Time                      time.Time
	SessionID, UserID         string
	Model, ProjectPath        string
	InputTokens, OutputTokens int64
	CostUSD                   float64
	Synthesized               bool
}

// Types are the ten entry types, in SPEC §1 order.
var Types = [NumTypes]string{"session_start", "session_end", "tool_use", "agent_execution",
	"checkpoint_created", "hook_triggered", "command_executed", "error_occurred",
	"token_usage", "performance"}

// NumTypes is the number of entry types.
const NumTypes = 10

// Stats counts what one conversion did. The exporter adds them to its telemetry.
type Stats struct {
	Written          [NumTypes]int64 // per type, indexed like Types
	DroppedUnmatched int64
	DroppedInvalid   int64 // records that could not be converted
	InvalidOverride  int64 // override attribute with a value that is not a type
	CoercionFailed   int64 // named fields kept as they came
}

// Converter converts pdata to entry lines. Immutable after New; safe for
// concurrent use.
type Converter struct{}

// New validates opts (errors name the config key) and returns a Converter.
func New(opts Options) (*Converter, error) { return &Converter{}, nil }

// AppendLogs appends one line per converted log record to dst.
func (c *Converter) AppendLogs(dst []byte, ld plog.Logs, st *Stats) []byte { return dst }

// AppendMetrics appends one line per converted metric data point to dst.
func (c *Converter) AppendMetrics(dst []byte, md pmetric.Metrics, st *Stats) []byte { return dst }
