package jsonl_test

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// A Reader reads back every line a sink directory holds, across rotated,
// compressed and live files, in the order they were written.
func ExampleReader() {
	dir, err := os.MkdirTemp("", "analytics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// Three batches; a small MaxBytes rotates after each one, and the
	// rotated files are compressed.
	sink, err := jsonl.Open(dir, jsonl.Options{MaxBytes: 40, MaxFiles: 10, Compression: jsonl.CompressionGzip})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, batch := range []string{
		`{"type":"session_start"}` + "\n",
		`{"type":"tool_use"}` + "\n" + `{"type":"token_usage"}` + "\n",
		`{"type":"session_end"}` + "\n",
	} {
		if err := sink.Append([]byte(batch)); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := sink.Close(); err != nil {
		fmt.Println(err)
		return
	}

	r, err := jsonl.NewReader(dir, jsonl.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(string(line))
	}
	// Output:
	// {"type":"session_start"}
	// {"type":"tool_use"}
	// {"type":"token_usage"}
	// {"type":"session_end"}
}
