//go:build reliability

package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"google.golang.org/grpc/status"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// sharedDir is ../shared next to the repository, or "" when absent.
func sharedDir(t testing.TB) string {
	d := filepath.Join(testbinary.RepoRoot(t), "..", "shared")
	if _, err := os.Stat(filepath.Join(d, "tools", "seedcheck.py")); err != nil {
		return ""
	}
	return d
}

// seedcheck runs ../shared/tools/seedcheck.py over base when ../shared
// exists; it returns "skipped" with the reason otherwise.
func seedcheck(t *testing.T, base string) string {
	t.Helper()
	shared := sharedDir(t)
	if shared == "" {
		t.Log("seedcheck skipped: ../shared/tools/seedcheck.py not found (a user's clone has no ../shared)")
		return "skipped (no ../shared)"
	}
	out, err := exec.Command("python3", filepath.Join(shared, "tools", "seedcheck.py"), base, "--quiet").CombinedOutput()
	if err != nil {
		t.Errorf("seedcheck failed: %v\n%s", err, testproc.Tail(string(out), 3000))
		return "FAILED"
	}
	return "passed"
}

// outcome is what the Collector answered to one hostile payload.
type outcome struct {
	name  string
	units int // records or data points
	err   error
}

// TestHostileInput sends OTLP payloads with NaN and infinities, invalid
// UTF-8 in keys and values, empty and duplicate keys, 1 MiB strings, deep
// nesting, bytes, extreme timestamps, unusual metric kinds and every value
// type in every named field. The Collector must stay up, every line must
// pass the schema check (and seedcheck), and every record must be either
// written or counted as dropped in the Collector's own telemetry.
func TestHostileInput(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	ec := analyticsExporter(base)
	ec["rules"] = fieldRules()
	ec["sessions"] = map[string]any{"enabled": false} // no synthesized entries: exact accounting
	ec["metrics"] = map[string]any{"include_buckets": true}
	c := launch(t, singleExporter(ec, true))
	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	outcomes := sendHostile(ctx, t, c, client)
	beforeEmpty := scrape(t, c)
	_, emptyErr := client.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(emptyMetric()))
	afterEmpty := scrape(t, c)
	emptyDropped := sum(afterEmpty, "otelcol_analytics_entries_dropped") - sum(beforeEmpty, "otelcol_analytics_entries_dropped")
	l := newLedger(50, 0)
	sendN(t, c, l, 100) // still serving ordinary traffic
	samples := scrape(t, c)
	c.stop()

	accepted, table := tally(t, outcomes)
	accepted += 100 + int(emptyDropped)
	byCase := map[string][]entryView{}
	ro := readBackWith(t, base, func(e schema.Entry, line []byte) {
		if v, ok := viewOf(e, line); ok {
			byCase[v.caseName] = append(byCase[v.caseName], v)
		}
	})
	rep := checkWithSchemaDir(t, base)
	seed := seedcheck(t, base)
	written := sum(samples, "otelcol_analytics_entries_written")
	dropped := sum(samples, "otelcol_analytics_entries_dropped")
	unmatched := sum(samples, "otelcol_analytics_entries_dropped", `reason="unmatched"`)
	invalid := sum(samples, "otelcol_analytics_entries_dropped", `reason="invalid"`)

	figure(t, "payloads: %s; empty_metric=%v counted_dropped=%.0f", strings.Join(table, " "), status.Code(emptyErr), emptyDropped)
	figure(t, "units_accepted=%d lines=%d written_metric=%.0f dropped_metric=%.0f (unmatched %.0f, invalid %.0f) invalid_override_metric=%.0f coercion_failures_metric=%.0f bad_lines=%d schema_dir_bad=%d seedcheck=%s collector_up_to_the_end=true",
		accepted, ro.lines, written, dropped, unmatched, invalid, sum(samples, "otelcol_analytics_invalid_override_values"),
		sum(samples, "otelcol_analytics_coercion_failures"), ro.bad, rep.BadCount, seed)

	if ro.bad != 0 || rep.BadCount != 0 {
		t.Errorf("bad lines: %d %v %v", ro.bad, ro.badSample, rep.Bad)
	}
	if float64(ro.lines) != written {
		t.Errorf("%d lines on disk but entries_written says %.0f", ro.lines, written)
	}
	if float64(ro.lines)+dropped != float64(accepted) {
		t.Errorf("accounting: %d lines + %.0f dropped != %d records and points accepted (a record vanished uncounted)\n%s",
			ro.lines, dropped, accepted, describe(samples))
	}
	if unmatched < 5 { // override_invalid, override_map, empty_record, 3 unmatched points (at least)
		t.Errorf("unmatched drops %.0f, want at least 5", unmatched)
	}
	checkHostileContent(t, byCase)
}

// sendHostile exports every hostile case, one request each, and fails the
// test the moment the Collector is gone.
func sendHostile(ctx context.Context, t *testing.T, c *collector, client *otlpClient) []outcome {
	t.Helper()
	var outcomes []outcome
	alive := func(name string) {
		if !c.Running() {
			t.Fatalf("collector died on %s\n%s", name, c.Tail(4000))
		}
	}
	for _, lc := range hostileLogs(t) {
		outcomes = append(outcomes, outcome{lc.name, lc.records, client.exportLogs(ctx, lc.build())})
		alive(lc.name)
	}
	for _, mc := range hostileMetrics() {
		_, err := client.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(mc.build()))
		outcomes = append(outcomes, outcome{mc.name, mc.points, err})
		alive(mc.name)
	}
	return outcomes
}

// tally adds up the units of the accepted payloads and lists every answer.
// Only deep_200 may be refused (pdata's decoder stops at 100 levels).
func tally(t *testing.T, outcomes []outcome) (accepted int, table []string) {
	t.Helper()
	for _, o := range outcomes {
		if o.err == nil {
			accepted += o.units
			table = append(table, o.name+"=ok")
			continue
		}
		table = append(table, fmt.Sprintf("%s=%v", o.name, status.Code(o.err)))
		if o.name != "deep_200" {
			t.Errorf("%s refused: %v", o.name, o.err)
		}
	}
	return accepted, table
}

// entryView is one written entry of a hostile case, decoded.
type entryView struct {
	caseName string
	line     string
	e        schema.Entry
	data     map[string]any
}

func viewOf(e schema.Entry, line []byte) (entryView, bool) {
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil {
		return entryView{}, false
	}
	name, ok := data["rel.case"].(string)
	if !ok {
		return entryView{}, false
	}
	return entryView{caseName: name, line: string(line), e: e, data: data}, true
}

// checkHostileContent spot-checks what the entry format promises for each
// case.
func checkHostileContent(t *testing.T, byCase map[string][]entryView) {
	t.Helper()
	first := func(name string) (entryView, bool) {
		if len(byCase[name]) == 0 {
			t.Errorf("case %s: no entry written", name)
			return entryView{}, false
		}
		return byCase[name][0], true
	}
	if v, ok := first("nan_inf"); ok {
		if x, present := v.data["nan"]; !present || x != nil {
			t.Errorf("nan_inf: NaN attribute is %v (present %v), want null", x, present)
		}
	}
	if v, ok := first("invalid_utf8"); ok {
		if _, present := v.data["k\ufffd"]; !present || v.data["k\ufffd"] != "v\ufffd\ufffd" {
			t.Errorf("invalid_utf8: want key k\\ufffd = v\\ufffd\\ufffd, line %.300s", v.line)
		}
	}
	if v, ok := first("dup_keys"); ok {
		if v.data["dupA"] != "second" || strings.Count(v.line, `"dupA"`) != 2 { // once top level, once in nest
			t.Errorf("dup_keys: want the last value once per object, line %.300s", v.line)
		}
	}
	if v, ok := first("bytes"); ok && v.data["rel.bytes"] != "AQID" {
		t.Errorf("bytes: rel.bytes = %v, want base64 AQID", v.data["rel.bytes"])
	}
	if v, ok := first("huge_1mib"); ok {
		// privacy::max_value_bytes (4096 by default) cuts the attribute and
		// the named field to 4096 bytes (2-byte runes: a rune boundary) and
		// notes their size; the 64 KiB key stays.
		const cut = "…[truncated: 1048576 bytes]"
		for _, k := range []string{"rel.huge", "tool_name"} {
			if s, _ := v.data[k].(string); !strings.HasSuffix(s, cut) || len(s) != 4096+len(cut) {
				t.Errorf("huge_1mib: %s is %d bytes, want 4096 and %q", k, len(s), cut)
			}
		}
	}
	if v, ok := first("ts_zero"); ok && time.Since(v.e.Timestamp) > time.Hour {
		t.Errorf("ts_zero: timestamp %v, want about now (no time: now)", v.e.Timestamp)
	}
	// A session_start or session_end whose session id is no value is not
	// written (counted as no_session).
	noSession := 0
	for _, set := range valueKinds {
		v := pcommon.NewValueEmpty()
		set(v)
		if v.AsString() == "" {
			noSession += 2
		}
	}
	if n, want := len(byCase["every_type_in_named_fields"]), len(namedFields)*len(valueKinds)-noSession; n != want || noSession == 0 {
		t.Errorf("every_type_in_named_fields: %d entries, want %d (%d without a session id)", n, want, noSession)
	}
	var stamps []string
	for _, name := range []string{"ts_zero", "ts_max_int64", "ts_max_uint64", "metric_timestamps"} {
		for _, v := range byCase[name] {
			stamps = append(stamps, name+"="+v.e.Timestamp.Format(schema.TimestampLayout))
		}
	}
	figure(t, "extreme timestamps written as: %s", strings.Join(stamps, " "))
	var seen []string
	for name, vs := range byCase {
		seen = append(seen, fmt.Sprintf("%s:%d", name, len(vs)))
	}
	sort.Strings(seen)
	t.Logf("entries per case: %s", strings.Join(seen, " "))
	if os.Getenv("RELIABILITY_DUMP") != "" {
		for name, vs := range byCase {
			for _, v := range vs {
				t.Logf("%s: %.600s", name, v.line)
			}
		}
	}
}

// TestTimestampBeyondInt64NotWrapped: an OTLP timestamp is a uint64 of
// nanoseconds; one past math.MaxInt64 must not wrap around into 1969 (the
// entry's timestamp is the record's time: a far-future time stays far in
// the future, or is treated as absent, never as a time before the epoch).
func TestTimestampBeyondInt64NotWrapped(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	c := launch(t, singleExporter(analyticsExporter(base), true))
	client := dial(t, c.ports.grpc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var logsCase logCase
	for _, lc := range hostileLogs(t) {
		if lc.name == "ts_max_uint64" {
			logsCase = lc
		}
	}
	if err := client.exportLogs(ctx, logsCase.build()); err != nil {
		t.Fatal(err)
	}
	for _, mc := range hostileMetrics() {
		if mc.name == "metric_timestamps" {
			if _, err := client.metrics.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(mc.build())); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.stop()
	var wrapped []string
	readBackWith(t, base, func(e schema.Entry, line []byte) {
		if e.Timestamp.Year() < 1970 {
			wrapped = append(wrapped, fmt.Sprintf("%s (%.120s)", e.Timestamp.Format(schema.TimestampLayout), line))
		}
	})
	figure(t, "entries_with_wrapped_timestamp=%d", len(wrapped))
	if len(wrapped) > 0 {
		t.Errorf("a uint64 timestamp above MaxInt64 wrapped to before 1970 (internal/convert/logs.go appendHead: ts.AsTime() converts to int64): %v", wrapped)
	}
}
