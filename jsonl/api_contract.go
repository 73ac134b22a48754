package jsonl

// CONTRACT STUB (to be replaced by the implementation; signatures are fixed,
// other packages already code against them).

import (
	"errors"
	"os"
	"time"
)

// Compression names how rotated files are compressed.
type Compression string

// The supported compressions.
const (
	CompressionGzip Compression = "gzip"
	CompressionZstd Compression = "zstd"
	CompressionNone Compression = "none"
)

// Options configures a Sink. The zero value of each field means its default.
type Options struct {
	MaxBytes    int64         // rotate before the live file would pass this; 0 = 100 MiB
	MaxFiles    int           // data files kept, live one included; 0 = 10
	MaxAge      time.Duration // 0 = keep by count only
	Interval    time.Duration // 0 = rotate by size only
	Compression Compression   // "" = gzip
	Fsync       bool          // fsync before Append returns
	FileMode    os.FileMode   // 0 = 0600
	DirMode     os.FileMode   // 0 = 0700
	// Now is the clock (nil = time.Now); tests pass a fake one.
	Now func() time.Time
	// Events, when set, is told of rotations and compressions (for the
	// exporter's telemetry and logs). Called from the sink's goroutines;
	// must be cheap and must not call back into the Sink.
	Events Events
}

// Events receives notice of what the sink did in the background.
type Events interface {
	Rotated(closedFile, newFile string)
	Compressed(file string, inBytes, outBytes int64, took time.Duration, err error)
	Removed(file string, reason string)
}

// Stats are cumulative counters of one Sink.
type Stats struct {
	Batches, Bytes, Rotations, Compressions, CompressErrors int64
}

// Sink appends batches of lines to rotating files. Safe for concurrent use.
type Sink struct{}

// Open creates <dir>/metrics, takes the directory lock, recovers what a crash
// left, and returns a Sink ready for Append.
func Open(dir string, opts Options) (*Sink, error) { return nil, errors.New("unimplemented") }

// Append writes batch (one or more whole lines, each ending in '\n') with one
// write; on error nothing of it remains in the file.
func (s *Sink) Append(batch []byte) error { return errors.New("unimplemented") }

// Stats returns the sink's counters.
func (s *Sink) Stats() Stats { return Stats{} }

// Dir returns the directory holding the data files (<dir>/metrics).
func (s *Sink) Dir() string { return "" }

// Close finishes background compression, closes the file and releases the lock.
func (s *Sink) Close() error { return nil }

// Reader yields every line of a sink directory in file order (.gz, .zst and plain).
type Reader struct{}

// NewReader opens the sink directory dir (the same dir given to Open) for reading.
func NewReader(dir string) (*Reader, error) { return nil, errors.New("unimplemented") }

// Next returns the next line without its '\n'; io.EOF at the end. The slice is
// valid until the next call.
func (r *Reader) Next() ([]byte, error) { return nil, errors.New("unimplemented") }

// Close releases the reader's open file.
func (r *Reader) Close() error { return nil }
