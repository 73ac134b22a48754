package jsonl

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchBatch is 1,000 JSON lines of about 400 bytes, varied like real
// entries so compression sees realistic input.
func benchBatch(tb testing.TB, seq int) []byte {
	var b bytes.Buffer
	for i := range 1000 {
		n := seq*1000 + i
		b.WriteString(`{"timestamp":"2026-11-26T21:00:00.`)
		b.WriteString(strings.Repeat("0", 6-len(strconv.Itoa(n%1000000))) + strconv.Itoa(n%1000000))
		b.WriteString(`Z","type":"tool_use","session_id":"5f0c6a52-8b7e-4c1a-9d55-`)
		b.WriteString(strconv.Itoa(100000000000 + n%7919))
		b.WriteString(`","user_id":"user-`)
		b.WriteString(strconv.Itoa(n % 37))
		b.WriteString(`","tool":"claude-code","tool_name":"Bash","duration_ms":`)
		b.WriteString(strconv.Itoa(n % 4099))
		b.WriteString(`,"success":true,"model":"claude-sonnet","input_tokens":`)
		b.WriteString(strconv.Itoa(n % 9001))
		b.WriteString(`,"output_tokens":`)
		b.WriteString(strconv.Itoa(n % 613))
		b.WriteString(`,"cost_usd":0.00`)
		b.WriteString(strconv.Itoa(n % 97))
		b.WriteString(`,"attributes":{"terminal.type":"xterm","app.version":"1.0.`)
		b.WriteString(strconv.Itoa(n % 50))
		b.WriteString(`"}}` + "\n")
	}
	return b.Bytes()
}

// BenchmarkAppend measures Append of 1,000 ~400-byte lines into the page
// cache with the default 100 MiB rotation and 10-file retention. With
// compression=gzip the rotated files are compressed on the background
// goroutine while the benchmark appends; Append must not slow down for it.
func BenchmarkAppend(b *testing.B) {
	for _, comp := range []Compression{CompressionNone, CompressionGzip} {
		b.Run("compression="+string(comp), func(b *testing.B) {
			batch := benchBatch(b, 0)
			s := mustOpen(b, b.TempDir(), Options{Compression: comp})
			defer mustClose(b, s)
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := s.Append(batch); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteBaseline is the ceiling BenchmarkAppend is measured
// against: the same batch written with a bare os.File.Write to a file that
// is truncated every 100 MiB. The ratio of the two, taken in one run, is
// the sink's own overhead on a shared machine.
func BenchmarkWriteBaseline(b *testing.B) {
	batch := benchBatch(b, 0)
	f, err := os.Create(filepath.Join(b.TempDir(), "raw.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var size int64
	b.SetBytes(int64(len(batch)))
	b.ReportAllocs()
	for b.Loop() {
		if size+int64(len(batch)) > DefaultMaxBytes {
			if err := f.Truncate(0); err != nil {
				b.Fatal(err)
			}
			if _, err := f.Seek(0, 0); err != nil {
				b.Fatal(err)
			}
			size = 0
		}
		n, err := f.Write(batch)
		if err != nil {
			b.Fatal(err)
		}
		size += int64(n)
	}
}

// BenchmarkCompress measures compressing one rotated file of the default
// size (100 MiB of lines) the way the background compressor does: read the
// plain file, encode, write a .tmp, fsync. MB/s is of input.
func BenchmarkCompress(b *testing.B) {
	var data bytes.Buffer
	for i := 0; ; i++ {
		batch := benchBatch(b, i)
		if int64(data.Len()+len(batch)) > DefaultMaxBytes {
			break
		}
		data.Write(batch)
	}
	for _, comp := range []Compression{CompressionGzip, CompressionZstd} {
		b.Run(string(comp), func(b *testing.B) {
			dir := b.TempDir()
			plain := filepath.Join(dir, "in.jsonl")
			if err := os.WriteFile(plain, data.Bytes(), 0o600); err != nil {
				b.Fatal(err)
			}
			c := newCompressor(&Sink{opts: Options{Compression: comp, FileMode: 0o600}, fs: osFS{}})
			var out int64
			b.SetBytes(int64(data.Len()))
			cpu := cpuTime()
			for b.Loop() {
				tmp := filepath.Join(dir, "out.tmp")
				_, n, err := c.writeTmp(plain, tmp)
				if err != nil {
					b.Fatal(err)
				}
				out = n
				os.Remove(tmp)
			}
			b.ReportMetric(float64(data.Len())/float64(out), "ratio")
			// Input MB per second of CPU the process used: what one
			// uncontended core would do, on a machine shared with builds.
			b.ReportMetric(float64(data.Len())*float64(b.N)/1e6/(cpuTime()-cpu).Seconds(), "MB/cpu-s")
		})
	}
}

// cpuTime is the user+system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err) // cannot fail for RUSAGE_SELF with a valid pointer
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
