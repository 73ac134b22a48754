// Package convert turns OTLP logs and metrics (pdata) into analytics entry
// lines: it resolves each record's type (package mapping), builds its data
// and metadata objects, and encodes one JSON line per entry (package encode).
package convert

import (
	"time"

	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/analyticsexporter/analyticsexporter/internal/mapping"
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

// Options configures a Converter (the exporter's config).
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
}

// Observer watches the entries of one AppendLogsObserved/AppendMetricsObserved
// call (the session tracker), so the caller can collect what a batch holds
// and act on it only once the batch is written.
type Observer interface {
	// Entry is called for every entry, right after its line was appended.
	// keep=false cuts that line back out of dst; it is counted in
	// Stats.DroppedDuplicate, not in Written. The *EntryInfo is valid only
	// during the call.
	Entry(info *EntryInfo) (keep bool)
}

// Default identity attribute lists: the first one present on a record (or
// its resource) is its session id, its user id.
var (
	DefaultSessionIDAttributes = []string{"session.id", "gen_ai.conversation.id", "conversation.id"}
	DefaultUserIDAttributes    = []string{"user.id", "enduser.id", "user.account_uuid", "user.email", "installation.id"}
)

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

// Types are the ten entry types, in the order of the entry format.
var Types = mapping.Names

// NumTypes is the number of entry types.
const NumTypes = mapping.NumTypes

// Stats counts what one conversion did. The exporter adds them to its telemetry.
type Stats struct {
	Written          [NumTypes]int64 // per type, indexed like Types
	DroppedUnmatched int64
	DroppedInvalid   int64 // records that could not be converted
	InvalidOverride  int64 // override attribute with a value that is not a type
	CoercionFailed   int64 // named fields kept as they came
	// DroppedDuplicate counts entries a per-call Observer rejected (the
	// session tracker's duplicate session_start/session_end).
	DroppedDuplicate int64
}

// Converter converts pdata to entry lines. Immutable after New; safe for
// concurrent use.
type Converter struct {
	opts     Options
	now      func() time.Time
	resolver *mapping.Resolver
	keys     keyTable
	plans    [NumTypes]*plan
	rules    []*plan // per user rule: its plan, nil = the type's default
	ids      idKeys
	special  specialKeys
	pool     scratchPool
	logSize  sizeHint // bytes per log entry line, to size dst once per call
	metSize  sizeHint // bytes per metric entry line
}
