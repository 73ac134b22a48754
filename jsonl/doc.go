// Package jsonl is a rotating, compressing, crash-safe JSON Lines file sink.
//
// It knows nothing of the OpenTelemetry Collector or of the entry schema: it
// takes batches of already-encoded lines and owns the files they land in,
// under <dir>/metrics/metrics_YYYYMMDD_HHMMSS_ffffff.jsonl (the
// subdirectory and the prefix are options).
//
// # Files
//
// A file's name is its creation time in UTC to the microsecond. A new name
// is max(now, previous+1µs), so names never repeat and sort in creation
// order however fast files rotate and even when the clock steps back; files
// are created with O_EXCL|O_NOFOLLOW and their mode set with fchmod, so a
// planted symlink is never followed and the umask does not matter.
// <dir>/metrics/.lock holds the flock(2) that keeps a second Sink (in this
// process or another) off the directory, and the holder's pid.
//
// # Writing
//
// Append writes a batch with one write(2) on an O_APPEND file; on error the
// file is truncated back, so a batch is whole or absent. The live file is
// rotated before a batch would take it past MaxBytes (never splitting a
// batch; a batch bigger than MaxBytes goes alone into a fresh file) and,
// when Interval is set, once it is older than Interval and not empty.
// Rotated files are compressed by one background goroutine (temporary
// name, fsync, rename, directory fsync, remove the plain file); Append
// never waits for it. Retention keeps MaxFiles files (live included),
// dropping the oldest by name, and with MaxAge drops files closed more than
// MaxAge ago. Without Fsync a process crash loses nothing Append returned
// (the data is in the page cache); with Fsync the data is also durable
// against power loss when Append returns.
//
// # Restart
//
// Open recovers what a crash left: .tmp files are removed and their
// compression redone, a plain file whose compressed twin is complete is
// removed, every plain file is cut back to its last '\n', and rotated
// plain files are queued for compression. The live file after a restart is
// the newest file if it is plain, below MaxBytes and younger than Interval:
// it is reopened for append. Otherwise a fresh file is started and the old
// one compressed. Close compresses every file rotated so far before it
// returns; the live file stays plain for the next Open. A crash during
// Close is recovered like any other.
package jsonl
