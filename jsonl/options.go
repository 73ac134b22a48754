package jsonl

import (
	"fmt"
	"os"
	"strings"
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

// Default option values, used where an Options field is zero.
const (
	DefaultMaxBytes   int64       = 100 << 20
	DefaultMaxFiles               = 10
	DefaultFileMode   os.FileMode = 0o600
	DefaultDirMode    os.FileMode = 0o700
	DefaultSubdir                 = "metrics"
	DefaultFilePrefix             = "metrics_"
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
	// Subdir is the directory under the sink's directory that holds the
	// files and the lock: one name, not a path ("" = "metrics").
	Subdir string
	// FilePrefix begins every data file's name, before its creation time
	// ("" = "metrics_"); it must not contain a path separator.
	FilePrefix string
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

// Reasons given to Events.Removed.
const (
	RemovedMaxFiles  = "max_files"       // retention by count
	RemovedMaxAge    = "max_age"         // retention by age
	RemovedTemporary = "temporary"       // a .tmp left by an interrupted compression
	RemovedCompleted = "compressed_twin" // a plain file whose compressed twin is complete
)

// withDefaults validates o and fills in the defaults. Errors name the field.
func (o Options) withDefaults() (Options, error) {
	switch {
	case o.MaxBytes < 0:
		return o, fmt.Errorf("jsonl: MaxBytes %d is negative", o.MaxBytes)
	case o.MaxFiles < 0:
		return o, fmt.Errorf("jsonl: MaxFiles %d is negative", o.MaxFiles)
	case o.MaxAge < 0:
		return o, fmt.Errorf("jsonl: MaxAge %v is negative", o.MaxAge)
	case o.Interval < 0:
		return o, fmt.Errorf("jsonl: Interval %v is negative", o.Interval)
	case o.FileMode&^os.ModePerm != 0:
		return o, fmt.Errorf("jsonl: FileMode %v has bits other than permissions", o.FileMode)
	case o.DirMode&^os.ModePerm != 0:
		return o, fmt.Errorf("jsonl: DirMode %v has bits other than permissions", o.DirMode)
	case o.Subdir == "." || o.Subdir == ".." || strings.ContainsAny(o.Subdir, `/\`+"\x00"):
		return o, fmt.Errorf("jsonl: Subdir %q is not a single directory name", o.Subdir)
	case strings.ContainsAny(o.FilePrefix, `/\`+"\x00"):
		return o, fmt.Errorf("jsonl: FilePrefix %q contains a path separator", o.FilePrefix)
	}
	if o.Subdir == "" {
		o.Subdir = DefaultSubdir
	}
	if o.FilePrefix == "" {
		o.FilePrefix = DefaultFilePrefix
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxFiles == 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.FileMode == 0 {
		o.FileMode = DefaultFileMode
	}
	if o.DirMode == 0 {
		o.DirMode = DefaultDirMode
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Events == nil {
		o.Events = noEvents{}
	}
	switch o.Compression {
	case "":
		o.Compression = CompressionGzip
	case CompressionGzip, CompressionZstd, CompressionNone:
	default:
		return o, fmt.Errorf("jsonl: Compression %q is not one of gzip, zstd, none", o.Compression)
	}
	return o, nil
}

type noEvents struct{}

func (noEvents) Rotated(string, string)                                {}
func (noEvents) Compressed(string, int64, int64, time.Duration, error) {}
func (noEvents) Removed(string, string)                                {}
