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
	Span        string              // glob on the span name (with or without tool prefix)
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
	// Privacy drops, hashes and cuts attribute values (zero: nothing).
	Privacy Privacy
	// Now is the clock for records with no timestamp (nil = time.Now).
	Now func() time.Time
}

// Observer watches the records of one AppendLogsObserved/AppendMetricsObserved
// call, so the caller (the session tracker) can collect what a batch holds
// and act on it only once the batch is written.
type Observer interface {
	// Entry is called for every entry, right after its line was appended,
	// and for every record with a session id that became no entry
	// (info.Type ""; keep is then ignored). keep=false cuts the entry's
	// line back out of dst; it is counted in Stats.DroppedDuplicate, not in
	// Written. The *EntryInfo is valid only during the call.
	Entry(info *EntryInfo) (keep bool)
}

// Default identity attribute lists: the first one present on a record (or
// its resource) is its session id, its user id. The session ids, in order:
// the OTel session.id (Claude Code, Gemini CLI, OpenInference), the GenAI
// conventions' gen_ai.conversation.id, Codex's conversation.id on its log
// events and thread.id on some of its spans, OpenLLMetry's association
// property and the Vercel AI SDK's telemetry metadata (the key its
// tracing docs ask apps to use). thread.id names a session only as a
// string: as an integer it is the OS thread of the OTel conventions.
var (
	DefaultSessionIDAttributes = []string{"session.id", "gen_ai.conversation.id", "conversation.id", "thread.id",
		"traceloop.association.properties.session_id", "ai.telemetry.metadata.sessionId"}
	DefaultUserIDAttributes = []string{"user.id", "enduser.id", "user.account_uuid", "user.email", "installation.id"}
)

// StringOnlyIDAttributes are the identity attributes whose value names a
// session or user only when it is a string.
var StringOnlyIDAttributes = []string{"thread.id"}

// EntryInfo describes one record for the session tracker: an entry
// written, or (Type "") a record of a session that became no entry. Its
// fields match sessions.Entry one to one.
type EntryInfo struct {
	Type string
	Time time.Time
	// Start is the start of the interval a metric point covers (zero for
	// logs, and for a cumulative point counted from an earlier one).
	Start              time.Time
	SessionID, UserID  string
	Model, ProjectPath string
	// Token counts of a token_usage entry, in the entries' meaning.
	InputTokens, OutputTokens, CacheReadTokens, CacheCreationTokens, ReasoningTokens int64

	CostUSD float64
	HasCost bool // a cost was given (CostUSD may be 0)
	Prompt  bool // a user prompt
	Failed  bool // a tool_use that did not succeed

	Synthesized bool
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
	// DroppedIgnored counts records a built-in rule drops on purpose (an
	// agent's metrics that repeat its events, its internal timings).
	DroppedIgnored int64
	// DroppedUnchanged counts cumulative points that added nothing since
	// the stream's last point.
	DroppedUnchanged int64
	// DroppedNoSession counts session_start and session_end entries without
	// a session id.
	DroppedNoSession int64
	// Redacted counts attributes dropped, hashed and cut by the privacy
	// rules, indexed like RedactActions.
	Redacted [NumRedactActions]int64
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
	priv     *privacy
	pool     scratchPool
	logSize  sizeHint // bytes per log entry line, to size dst once per call
	metSize  sizeHint // bytes per metric entry line
	spanSize sizeHint // bytes per span (most make no line)
	spanKeys spanKeys
	strIDs   []int16 // StringOnlyIDAttributes
}
