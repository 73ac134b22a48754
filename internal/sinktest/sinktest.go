// Package sinktest reads a sink directory back for tests: every line through
// the product's own reader (jsonl.Reader), each checked against the entry
// contract (internal/schema), and the whole directory cross-checked with
// schema.CheckDir's independent reading. It also has the small filters the
// exporter's tests use on what they read back (Types, OfType, Only).
package sinktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
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
	var out []schema.Entry
	eachLine(tb, dir, func(_ []byte, e schema.Entry) { out = append(out, e) })
	return out
}

// ReadMaps returns every entry of the sink directory dir in file order, each
// decoded into a map as encoding/json decodes a JSON object into any (numbers
// as float64, null as nil). It makes the same checks as ReadEntries.
func ReadMaps(tb testing.TB, dir string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	eachLine(tb, dir, func(line []byte, _ schema.Entry) { out = append(out, decodeLine(tb, line)) })
	return out
}

// ParseLines returns the entries in b, lines as a sink holds them (each
// ending in '\n'), for output that has not been through a sink, such as the
// lines a sessions.Tracker appends. Each line is checked against the entry
// contract and decoded as ReadMaps decodes it; tb fails on a bad line or a
// last line without its '\n'.
func ParseLines(tb testing.TB, b []byte) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			tb.Fatalf("last line lacks its newline: %q", b)
		}
		line := b[:i]
		if _, err := schema.CheckLine(line); err != nil {
			tb.Fatalf("%v: %s", err, line)
		}
		out = append(out, decodeLine(tb, line))
		b = b[i+1:]
	}
	return out
}

// RawFiles returns the bytes of every regular file under dir (the lock and
// any compressed file included, as they are on disk) one after the other,
// in lexical order: what a search of the directory for a string sees.
func RawFiles(tb testing.TB, dir string) []byte {
	tb.Helper()
	root, err := os.OpenRoot(dir)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = root.Close() }()
	var all []byte
	err = fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := root.ReadFile(path)
		all = append(all, b...)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

// eachLine calls fn with every line of the sink directory dir (the line is
// only valid during the call) and its checked entry.
func eachLine(tb testing.TB, dir string, fn func(line []byte, e schema.Entry)) {
	tb.Helper()
	rep, err := schema.CheckDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if !rep.OK() {
		tb.Fatalf("%d bad lines:\n%s", rep.BadCount, strings.Join(rep.Bad, "\n"))
	}
	r, err := jsonl.NewReader(dir, jsonl.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer func() {
		if err := r.Close(); err != nil {
			tb.Error(err)
		}
	}()
	n := 0
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
		fn(line, e)
		n++
	}
	if n != rep.Entries {
		tb.Fatalf("reader returned %d entries, the checker counted %d", n, rep.Entries)
	}
}

func decodeLine(tb testing.TB, line []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		tb.Fatalf("%v: %s", err, line)
	}
	return m
}
