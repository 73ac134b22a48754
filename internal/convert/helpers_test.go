package convert

import (
	"github.com/analyticsexporter/analyticsexporter/internal/deltas"

	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
)

// kv is one attribute for the pdata builders below.
type kv struct {
	k string
	v any
}

// putAll puts attributes in order. Put* would replace a repeated key, so a
// list with repeats goes through OTLP/JSON, whose unmarshaler keeps every
// member as a wire payload carries it.
func putAll(m pcommon.Map, kvs []kv) {
	seen := map[string]bool{}
	dup := false
	for _, a := range kvs {
		dup = dup || seen[a.k]
		seen[a.k] = true
	}
	if !dup {
		for _, a := range kvs {
			putValue(m.PutEmpty(a.k), a.v)
		}
		return
	}
	var items [][]byte
	for _, a := range kvs {
		items = append(items, attrJSON(a))
	}
	doc := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[` + string(bytes.Join(items, []byte(","))) + `]}]}]}]}`
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs([]byte(doc))
	if err != nil {
		panic(err)
	}
	ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().MoveTo(m)
}

// attrJSON is the OTLP/JSON form of one attribute.
func attrJSON(a kv) []byte {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	putValue(lr.Attributes().PutEmpty(a.k), a.v)
	b, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		panic(err)
	}
	var doc struct {
		ResourceLogs []struct {
			ScopeLogs []struct {
				LogRecords []struct {
					Attributes []json.RawMessage `json:"attributes"`
				} `json:"logRecords"`
			} `json:"scopeLogs"`
		} `json:"resourceLogs"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		panic(err)
	}
	return doc.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Attributes[0]
}

func putValue(v pcommon.Value, x any) {
	switch t := x.(type) {
	case nil:
	case string:
		v.SetStr(t)
	case int:
		v.SetInt(int64(t))
	case int64:
		v.SetInt(t)
	case float64:
		v.SetDouble(t)
	case bool:
		v.SetBool(t)
	case []byte:
		v.SetEmptyBytes().FromRaw(t)
	case []any:
		s := v.SetEmptySlice()
		for _, e := range t {
			putValue(s.AppendEmpty(), e)
		}
	case []kv:
		putAll(v.SetEmptyMap(), t)
	default:
		panic(fmt.Sprintf("putValue: %T", x))
	}
}

// logRec describes one log record.
type logRec struct {
	eventName string // the EventName field
	body      any
	sev       plog.SeverityNumber
	sevText   string
	time      int64 // unix nanos; 0 = unset
	observed  int64
	attrs     []kv
	traceID   [16]byte
	spanID    [8]byte
}

// logBatch builds plog.Logs with one resource and scope.
func logBatch(resource []kv, scope string, recs ...logRec) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	putAll(rl.Resource().Attributes(), resource)
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scope)
	for _, r := range recs {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetEventName(r.eventName)
		putValue(lr.Body(), r.body)
		lr.SetSeverityNumber(r.sev)
		lr.SetSeverityText(r.sevText)
		lr.SetTimestamp(pcommon.Timestamp(r.time))
		lr.SetObservedTimestamp(pcommon.Timestamp(r.observed))
		lr.SetTraceID(r.traceID)
		lr.SetSpanID(r.spanID)
		putAll(lr.Attributes(), r.attrs)
	}
	return ld
}

// fixedNow is the clock of every test converter.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 678901000, time.UTC)

// newConverter returns a converter with a fixed clock.
func newConverter(t testing.TB, opts Options) *Converter {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	return mustNew(t, opts)
}

// mustNew is New failing tb on an error; the clock and ids are opts' (the
// real ones unless set), as in the exporter.
func mustNew(tb testing.TB, opts Options) *Converter {
	tb.Helper()
	c, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// testConv is a Converter with a fixed clock whose lines get sequential ids
// (00000000-0000-4000-8000-000000000001, ...) in place of random ones, so
// lines are reproducible.
type testConv struct {
	*Converter
	n uint64
}

func testConverter(t testing.TB, opts Options) *testConv {
	t.Helper()
	return &testConv{Converter: newConverter(t, opts)}
}

func (c *testConv) AppendLogs(dst []byte, ld plog.Logs, st *Stats) []byte {
	return c.AppendLogsObserved(dst, ld, st, nil)
}

func (c *testConv) AppendLogsObserved(dst []byte, ld plog.Logs, st *Stats, obs Observer) []byte {
	return c.sequentialIDs(c.Converter.AppendLogsObserved(dst, ld, st, obs), len(dst))
}

func (c *testConv) AppendMetrics(dst []byte, md pmetric.Metrics, st *Stats) []byte {
	return c.AppendMetricsObserved(dst, md, st, nil, nil)
}

func (c *testConv) AppendMetricsObserved(dst []byte, md pmetric.Metrics, st *Stats, obs Observer, cum *deltas.Lazy) []byte {
	return c.sequentialIDs(c.Converter.AppendMetricsObserved(dst, md, st, obs, cum), len(dst))
}

// sequentialIDs overwrites the id of every line in b from start on.
func (c *testConv) sequentialIDs(b []byte, start int) []byte {
	const head = `{"id":"`
	for i := start; i < len(b); {
		if !bytes.HasPrefix(b[i:], []byte(head)) {
			panic(fmt.Sprintf("a line that does not start with its id: %.80q", b[i:]))
		}
		c.n++
		copy(b[i+len(head):], fmt.Sprintf("00000000-0000-4000-8000-%012x", c.n))
		end := bytes.IndexByte(b[i:], '\n')
		if end < 0 {
			break
		}
		i += end + 1
	}
	return b
}

// claudeUsageRule is the user rule the docs give for Claude Code's
// token.usage and cost.usage metrics (off by default: the api_request
// events count the same requests).
var claudeUsageRule = Rule{Metric: "claude_code.*.usage", Type: "token_usage"}

// defaultOptions is the exporter's default configuration.
func defaultOptions() Options {
	return Options{TypeAttribute: "analytics.type", BuiltinRules: true}
}

// entry is one decoded line.
type entry struct {
	ID        string         `json:"id"`
	Timestamp string         `json:"timestamp"`
	Type      string         `json:"type"`
	SessionID *string        `json:"session_id"`
	UserID    *string        `json:"user_id"`
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	raw       []byte
	dataKeys  []string // data keys in written order
}

// checkLines splits out into lines, checks each against the entry
// contract (schema.CheckLine: strict JSON, no duplicate keys, the seven keys
// in order...), and decodes them.
func checkLines(t testing.TB, out []byte) []entry {
	t.Helper()
	if len(out) > 0 && out[len(out)-1] != '\n' {
		t.Fatalf("output does not end in a newline: %q", tail(out))
	}
	var entries []entry
	for _, line := range bytes.SplitAfter(out, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		body := line[:len(line)-1]
		if !json.Valid(body) {
			t.Fatalf("invalid JSON: %s", body)
		}
		if _, err := schema.CheckLine(body); err != nil {
			t.Fatalf("line breaks the entry contract: %v\n%s", err, body)
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decode: %v\n%s", err, body)
		}
		e.raw = body
		e.dataKeys = objectKeys(t, body, "data")
		entries = append(entries, e)
	}
	return entries
}

// objectKeys returns the keys of the top-level member obj in order.
func objectKeys(t testing.TB, line []byte, obj string) []string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(line, &top); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(top[obj]))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func tail(b []byte) []byte {
	if len(b) > 80 {
		return b[len(b)-80:]
	}
	return b
}

// repoRoot is the module root (two levels up from this package).
func repoRoot(t testing.TB) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

// loadPayload reads testdata/payloads/name as logs or metrics.
func loadPayload(t testing.TB, path string) (plog.Logs, pmetric.Metrics, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`"resourceMetrics"`)) {
		md, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(b)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return plog.Logs{}, md, true
	}
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ld, pmetric.Metrics{}, false
}
