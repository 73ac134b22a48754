package sinktest

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// line is one entry line (with its '\n'); session is JSON (a quoted string
// or null), data a JSON object.
func line(n int, typ, session, data string) string {
	return fmt.Sprintf(`{"id":"0b7cb4e2-3d0f-4a5e-9a57-2f1c8f3f9d%02d","timestamp":"2026-11-26T21:50:07.123456+00:00",`+
		`"type":%q,"session_id":%s,"user_id":null,"data":%s,"metadata":{"signal":"log"}}`+"\n", n, typ, session, data)
}

// writeSink writes each batch with a real jsonl.Sink into a new directory,
// one file per batch (MaxBytes is below any batch), gzip-compressed on
// rotation, and returns the directory.
func writeSink(t *testing.T, batches ...string) string {
	t.Helper()
	dir := t.TempDir()
	s, err := jsonl.Open(dir, jsonl.Options{MaxBytes: 1, Compression: jsonl.CompressionGzip})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		if err := s.Append([]byte(b)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// recorder is a testing.TB whose Fatal and Fatalf record the message and
// end the calling goroutine, as testing.T's do.
type recorder struct {
	testing.TB
	msgs []string
}

func (*recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func (r *recorder) Error(args ...any) { r.msgs = append(r.msgs, fmt.Sprint(args...)) }

func (r *recorder) Fatal(args ...any) { r.Error(args...); runtime.Goexit() }

func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...); runtime.Goexit() }

// failure runs fn with a recorder on its own goroutine and returns what it
// reported; t fails if fn reported nothing.
func failure(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	if len(rec.msgs) == 0 {
		t.Fatal("no failure reported")
	}
	return strings.Join(rec.msgs, "\n")
}

func TestReadMapsInFileOrderAcrossCompressedFiles(t *testing.T) {
	dir := writeSink(t,
		line(1, "tool_use", `"s-1"`, `{"tool_name":"Bash","n":3}`),
		line(2, "token_usage", `null`, `{"input_tokens":10}`)+line(3, "session_end", `"s-1"`, `{"x":null}`),
	)
	files, err := filepath.Glob(filepath.Join(dir, "metrics", "metrics_*.jsonl*"))
	if err != nil || len(files) != 2 {
		t.Fatalf("the sink wrote %v (%v), want two files", files, err)
	}

	got := ReadMaps(t, dir)
	if want := []string{"tool_use", "token_usage", "session_end"}; !reflect.DeepEqual(Types(got), want) {
		t.Fatalf("types %v, want %v", Types(got), want)
	}
	if got[0]["session_id"] != "s-1" || got[1]["session_id"] != nil {
		t.Errorf("session_id %v, %v; want s-1 and nil for null", got[0]["session_id"], got[1]["session_id"])
	}
	if d := got[0]["data"].(map[string]any); d["tool_name"] != "Bash" || d["n"] != 3.0 {
		t.Errorf("data %v, want tool_name Bash and n float64 3", d)
	}
	entries := ReadEntries(t, dir)
	if len(entries) != 3 || entries[2].ID != got[2]["id"] {
		t.Errorf("ReadEntries gave %d entries (last id %v), ReadMaps last id %v", len(entries), entries, got[2]["id"])
	}
}

func TestReadMapsFailsOnABadLine(t *testing.T) {
	bad := strings.Replace(line(1, "tool_use", `"s-1"`, `{}`), `"type"`, `"kind"`, 1)
	dir := writeSink(t, line(2, "tool_use", `"s-1"`, `{}`), bad)
	msg := failure(t, func(tb testing.TB) { ReadMaps(tb, dir) })
	if !strings.Contains(msg, "1 bad lines") {
		t.Errorf("failure %q does not report the one bad line", msg)
	}
	failure(t, func(tb testing.TB) { ReadMaps(tb, filepath.Join(dir, "missing")) })
}

func TestReadMapsOfAnEmptySink(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "metrics"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := ReadMaps(t, dir); len(got) != 0 {
		t.Errorf("empty sink read as %v", got)
	}
}

func TestParseLines(t *testing.T) {
	b := line(1, "session_start", `"s-1"`, `{"synthesized":true}`) + line(2, "session_end", `"s-1"`, `{}`)
	got := ParseLines(t, []byte(b))
	if want := []string{"session_start", "session_end"}; !reflect.DeepEqual(Types(got), want) {
		t.Fatalf("types %v, want %v", Types(got), want)
	}
	if len(ParseLines(t, nil)) != 0 {
		t.Error("no lines parsed as some")
	}
	msg := failure(t, func(tb testing.TB) { ParseLines(tb, []byte(strings.TrimSuffix(b, "\n"))) })
	if !strings.Contains(msg, "newline") {
		t.Errorf("a torn last line failed with %q", msg)
	}
	failure(t, func(tb testing.TB) { ParseLines(tb, []byte("{}\n")) })
}

func TestOfTypeAndOnly(t *testing.T) {
	entries := ParseLines(t, []byte(line(1, "session_end", `"s-1"`, `{"n":1}`)+
		line(2, "session_end", `null`, `{"n":2}`)+
		line(3, "tool_use", `"s-1"`, `{"n":3}`)+
		line(4, "session_end", `"s-2"`, `{"n":4}`)+
		line(5, "session_end", `"s-2"`, `{"n":5}`)))

	if got := OfType(entries, "session_end", "s-2"); len(got) != 2 || got[0]["data"].(map[string]any)["n"] != 4.0 {
		t.Errorf("OfType session_end s-2 = %v, want the entries 4 and 5 in order", got)
	}
	if got := OfType(entries, "session_end", ""); len(got) != 0 {
		t.Errorf(`a null session_id matched "": %v`, got)
	}
	if d := Only(t, entries, "session_end", "s-1"); d["n"] != 1.0 {
		t.Errorf("Only returned %v, want the data of entry 1", d)
	}
	if msg := failure(t, func(tb testing.TB) { Only(tb, entries, "session_end", "s-2") }); !strings.Contains(msg, "got 2") {
		t.Errorf("two matches failed with %q", msg)
	}
	failure(t, func(tb testing.TB) { Only(tb, entries, "session_start", "s-1") })
	notObject := []map[string]any{{"type": "tool_use", "session_id": "s-1", "data": "x"}}
	if msg := failure(t, func(tb testing.TB) { Only(tb, notObject, "tool_use", "s-1") }); !strings.Contains(msg, "not an object") {
		t.Errorf("data that is not an object failed with %q", msg)
	}
}

func TestRawFilesInLexicalOrder(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"b": "2", "a/x": "1", "a/y": "", "c/d/e": "3"} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(RawFiles(t, dir)); got != "123" {
		t.Errorf("RawFiles = %q, want %q", got, "123")
	}
	if msg := failure(t, func(tb testing.TB) { RawFiles(tb, filepath.Join(dir, "missing")) }); msg == "" {
		t.Error("a missing directory did not fail")
	}
}

// TestReadEntriesOwnTheirData: every entry keeps its own data and metadata
// after later lines are read (the reader reuses its buffer).
func TestReadEntriesOwnTheirData(t *testing.T) {
	dir := t.TempDir()
	sink, err := jsonl.Open(dir, jsonl.Options{MaxBytes: 1 << 20, MaxFiles: 2})
	if err != nil {
		t.Fatal(err)
	}
	var lines []byte
	for i := range 3 {
		lines = append(lines, fmt.Sprintf(`{"id":"00000000-0000-4000-8000-00000000000%d","timestamp":"2026-01-01T00:00:00.000000+00:00","type":"tool_use","session_id":null,"user_id":null,"data":{"n":%d},"metadata":{"m":%d}}`+"\n", i+1, i, i)...)
	}
	if err := sink.Append(lines); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	for i, e := range ReadEntries(t, dir) {
		if want := fmt.Sprintf(`{"n":%d}`, i); string(e.Data) != want {
			t.Errorf("entry %d data %s, want %s", i, e.Data, want)
		}
		if want := fmt.Sprintf(`{"m":%d}`, i); string(e.Metadata) != want {
			t.Errorf("entry %d metadata %s, want %s", i, e.Metadata, want)
		}
	}
}
