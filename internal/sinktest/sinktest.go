// Package sinktest reads a sink directory back for end-to-end tests: every
// line through the product's own reader (jsonl.Reader), each checked against
// the entry contract (internal/schema), and the whole directory cross-checked
// with schema.CheckDir's independent reading.
package sinktest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/schema"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// ReadEntries returns every entry of the sink directory dir in file order. It
// fails tb on any bad line, on a read error, or when jsonl.Reader and
// schema.CheckDir disagree on the number of entries.
func ReadEntries(tb testing.TB, dir string) []schema.Entry {
	tb.Helper()
	rep, err := schema.CheckDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if !rep.OK() {
		tb.Fatalf("%d bad lines:\n%s", rep.BadCount, strings.Join(rep.Bad, "\n"))
	}
	r, err := jsonl.NewReader(dir)
	if err != nil {
		tb.Fatal(err)
	}
	defer r.Close()
	var out []schema.Entry
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		e, err := schema.CheckLine(line)
		if err != nil {
			tb.Fatalf("%v: %s", err, line)
		}
		out = append(out, e)
	}
	if len(out) != rep.Entries {
		tb.Fatalf("reader returned %d entries, the checker counted %d", len(out), rep.Entries)
	}
	return out
}
