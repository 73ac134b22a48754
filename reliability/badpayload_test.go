//go:build reliability

package reliability

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// namedFields are the named fields of each entry type.
var namedFields = map[string][]string{
	"session_start":      {"project_path", "model"},
	"session_end":        {"duration_seconds", "token_count"},
	"tool_use":           {"tool_name", "success", "duration_ms"},
	"agent_execution":    {"agent_name", "success", "duration_ms"},
	"checkpoint_created": {"checkpoint_id"},
	"hook_triggered":     {"hook_name", "hook_event", "success", "duration_ms"},
	"command_executed":   {"command", "success", "duration_ms"},
	"error_occurred":     {"error_type", "error_message", "stack_trace"},
	"token_usage":        {"model", "input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "cost_usd"},
	"performance":        {"operation", "duration_ms", "success"},
}

// fieldRules maps event rel.fields.<type> to <type>, every named field read
// from attribute f.<field>, so each named field can be fed any value type.
func fieldRules() []any {
	var rules []any
	for typ, fields := range namedFields {
		m := map[string]any{}
		for _, f := range fields {
			m[f] = "f." + f
		}
		rules = append(rules, map[string]any{
			"match": map[string]any{"event": "rel.fields." + typ}, "type": typ, "fields": m,
		})
	}
	return rules
}

// valueKinds puts one value of every pdata type (and hostile variants) into v.
var valueKinds = map[string]func(v pcommon.Value){
	"empty":  func(pcommon.Value) {},
	"str":    func(v pcommon.Value) { v.SetStr("12x\xff\x00\u2028") },
	"numstr": func(v pcommon.Value) { v.SetStr("1e400") },
	"int":    func(v pcommon.Value) { v.SetInt(math.MinInt64) },
	"double": func(v pcommon.Value) { v.SetDouble(math.NaN()) },
	"inf":    func(v pcommon.Value) { v.SetDouble(math.Inf(-1)) },
	"bool":   func(v pcommon.Value) { v.SetBool(true) },
	"bytes":  func(v pcommon.Value) { v.SetEmptyBytes().FromRaw([]byte{0, 0xff, '"', '\n'}) },
	"map": func(v pcommon.Value) {
		m := v.SetEmptyMap()
		m.PutDouble("x", math.Inf(1))
		m.PutStr("", "\xfe")
	},
	"slice": func(v pcommon.Value) {
		s := v.SetEmptySlice()
		s.AppendEmpty().SetDouble(math.NaN())
		s.AppendEmpty().SetEmptyMap().PutStr("k\xff", "v")
	},
}

// logCase is one hostile log payload.
type logCase struct {
	name    string
	records int // log records in it
	build   func() plog.Logs
}

// newRecord appends a record labelled with its case to ld.
func newRecord(ld plog.Logs, name string) plog.LogRecord {
	if ld.ResourceLogs().Len() == 0 {
		ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	}
	r := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	r.Attributes().PutStr("rel.case", name)
	return r
}

func one(name string, fill func(r plog.LogRecord)) logCase {
	return logCase{name: name, records: 1, build: func() plog.Logs {
		ld := plog.NewLogs()
		fill(newRecord(ld, name))
		return ld
	}}
}

// nested returns a map nested depth levels deep under key "d".
func nested(m pcommon.Map, depth int) {
	for range depth {
		m = m.PutEmptyMap("d")
	}
	m.PutStr("bottom", "\xff")
}

// withDuplicateKeys marshals ld, renames every key "dupB" to "dupA" in the
// protobuf bytes (same length) and unmarshals it again: pdata keeps the
// duplicate KeyValues as they arrive on the wire.
func withDuplicateKeys(t testing.TB, ld plog.Logs) plog.Logs {
	t.Helper()
	raw, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.ReplaceAll(raw, []byte("dupB"), []byte("dupA"))
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(raw); err != nil {
		t.Fatal(err)
	}
	return req.Logs()
}

// hostileLogs are the log cases; every record carries rel.case.
func hostileLogs(t testing.TB) []logCase {
	mib := strings.Repeat("\u00e9", 1<<19) // 1 MiB of 2-byte runes
	cases := []logCase{
		one("nan_inf", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "performance")
			r.Attributes().PutDouble("nan", math.NaN())
			r.Attributes().PutDouble("inf", math.Inf(1))
			r.Attributes().PutDouble("duration_ms", math.Inf(-1))
			r.Body().SetDouble(math.NaN())
		}),
		one("invalid_utf8", func(r plog.LogRecord) {
			r.SetEventName("ev\xff")
			r.SetSeverityText("warn\xc3\x28")
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutStr("k\xff", "v\xfe\xff")
			r.Attributes().PutStr("tool_name", "t\xc3\x28")
			r.Attributes().PutStr("session.id", "s\xff")
			r.Body().SetStr("b\xff")
		}),
		one("control_chars", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutStr("k\n\"\\", "a\x00b\x1f\u2028\u2029\x7f\u0085")
		}),
		one("empty_keys", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutStr("", "empty key")
			r.Attributes().PutEmptyMap("m").PutInt("", 1)
		}),
		{name: "dup_keys", records: 1, build: func() plog.Logs {
			ld := plog.NewLogs()
			r := newRecord(ld, "dup_keys")
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutStr("dupA", "first")
			r.Attributes().PutStr("dupB", "second")
			nest := r.Attributes().PutEmptyMap("nest")
			nest.PutStr("dupA", "first")
			nest.PutStr("dupB", "second")
			return withDuplicateKeys(t, ld)
		}},
		one("huge_1mib", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutStr("rel.huge", mib)
			r.Attributes().PutStr("tool_name", mib)
			r.Attributes().PutStr(strings.Repeat("k", 64<<10), "long key")
			r.Body().SetStr(mib)
		}),
		one("deep_25", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			nested(r.Attributes().PutEmptyMap("deep"), 25)
			s := r.Attributes().PutEmptySlice("deepslice")
			for range 25 {
				s = s.AppendEmpty().SetEmptySlice()
			}
		}),
		one("deep_200", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			nested(r.Attributes().PutEmptyMap("deep"), 200)
		}),
		one("bytes", func(r plog.LogRecord) {
			r.Attributes().PutStr("analytics.type", "tool_use")
			r.Attributes().PutEmptyBytes("rel.bytes").FromRaw([]byte{1, 2, 3})
			r.Attributes().PutEmptyBytes("tool_name").FromRaw([]byte{0xff})
			r.Attributes().PutEmptyBytes("session.id").FromRaw([]byte("sess"))
			r.Body().SetEmptyBytes().FromRaw([]byte{0, 1})
		}),
		one("ts_zero", func(r plog.LogRecord) {
			r.SetTimestamp(0)
			r.SetObservedTimestamp(0)
			r.Attributes().PutStr("analytics.type", "tool_use")
		}),
		one("ts_max_int64", func(r plog.LogRecord) {
			r.SetTimestamp(pcommon.Timestamp(math.MaxInt64))
			r.Attributes().PutStr("analytics.type", "tool_use")
		}),
		one("ts_max_uint64", func(r plog.LogRecord) {
			r.SetTimestamp(pcommon.Timestamp(math.MaxUint64))
			r.Attributes().PutStr("analytics.type", "tool_use")
		}),
		one("severity_out_of_range", func(r plog.LogRecord) {
			r.SetSeverityNumber(plog.SeverityNumber(255))
			r.SetSeverityText("\xff")
			r.SetTraceID(pcommon.TraceID{0xff, 1})
			r.SetSpanID(pcommon.SpanID{0, 0xfe})
		}),
		one("override_invalid", func(r plog.LogRecord) { r.Attributes().PutStr("analytics.type", "bogus\xff") }),
		one("override_map", func(r plog.LogRecord) { r.Attributes().PutEmptyMap("analytics.type").PutStr("tool_use", "x") }),
		one("empty_record", func(plog.LogRecord) {}),
	}
	cases = append(cases, logCase{name: "every_type_in_named_fields", records: len(namedFields) * len(valueKinds),
		build: func() plog.Logs {
			ld := plog.NewLogs()
			for typ, fields := range namedFields {
				for kind, set := range valueKinds {
					r := newRecord(ld, "every_type_in_named_fields")
					r.SetEventName("rel.fields." + typ)
					r.Attributes().PutStr("rel.kind", kind)
					for _, f := range fields {
						set(r.Attributes().PutEmpty("f." + f))
						set(r.Attributes().PutEmpty(f))
					}
					set(r.Attributes().PutEmpty("session.id"))
					set(r.Attributes().PutEmpty("user.id"))
				}
			}
			return ld
		}})
	return cases
}
