package jsonl

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// GzipLevel is the klauspost gzip level used for rotated files. BestSpeed
// (level 1) was the fastest level on JSON lines (about 350 MB of input per
// CPU-second, ratio ~14; StatelessCompression and level 2 were slower), see
// BenchmarkCompress.
const GzipLevel = gzip.BestSpeed

// ZstdLevel is the klauspost zstd level used for rotated files.
const ZstdLevel = zstd.SpeedFastest

// compressor is the sink's background goroutine: it compresses rotated
// files, in the order they were rotated, and unlinks files retention
// dropped, so neither slows Append down. Appends only enqueue.
type compressor struct {
	s     *Sink
	ext   string
	mu    sync.Mutex
	queue []job
	wake  chan struct{}
	// failed are rotated files whose compression failed (a full disk, say);
	// they are queued again at the next rotation, which comes only after
	// appends succeeded again, up to maxCompressTries attempts each.
	failed []*fileEntry

	gz  *gzip.Writer
	zs  *zstd.Encoder
	buf []byte
}

// compress turns stem.jsonl into stem.jsonl.gz|.zst: write stem.<ext>.tmp,
// fsync it, rename it into place, fsync the directory, then remove the plain
// file. A crash at any step leaves either the plain file (and maybe a .tmp,
// which recovery removes) or a complete compressed file.
func (c *compressor) compress(e *fileEntry) {
	s := c.s
	s.filesMu.Lock()
	skip := e.gone || e.ext != extPlain
	s.filesMu.Unlock()
	if skip {
		return
	}
	plain, final := s.path(e.stem+extPlain), s.path(e.stem+c.ext)
	tmp := final + extTmp
	start := time.Now()
	in, out, err := c.writeTmp(plain, tmp)

	s.filesMu.Lock()
	gone := e.gone
	if err == nil && !gone {
		if err = os.Rename(tmp, final); err == nil {
			e.ext = c.ext
		}
	}
	s.filesMu.Unlock()

	if err != nil || gone {
		_ = removeIfExists(tmp) // best effort: start-up removes a leftover temporary
	}
	if gone {
		return
	}
	if err == nil {
		err = s.fs.SyncDir(s.dir)
		if rerr := removeIfExists(plain); err == nil {
			err = rerr
		}
	}
	if err != nil {
		c.retryLater(e) // before the count, so a caller seeing the count sees the retry queued
		s.compressErrors.Add(1)
		err = fmt.Errorf("jsonl: compress %s: %w", plain, err)
	} else {
		s.compressions.Add(1)
	}
	s.opts.Events.Compressed(final, in, out, time.Since(start), err)
}

// maxCompressTries bounds the attempts at one file within one Sink; a file
// that still fails stays plain until the next Open's recovery.
const maxCompressTries = 3

// retryLater keeps e for another attempt at the next rotation. Only the
// compressor goroutine touches e.compressTries.
func (c *compressor) retryLater(e *fileEntry) {
	e.compressTries++
	if e.compressTries >= maxCompressTries {
		return
	}
	c.mu.Lock()
	c.failed = append(c.failed, e)
	c.mu.Unlock()
}

// writeTmp compresses plain into a new tmp file and fsyncs it.
func (c *compressor) writeTmp(plain, tmp string) (in, out int64, err error) {
	src, err := os.OpenFile(plain, readFlags, 0)
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	dst, err := c.s.fs.OpenFile(tmp, createFlags, c.s.opts.FileMode)
	if err != nil {
		return 0, 0, err
	}
	in, err = c.encode(dst, src)
	if err == nil {
		err = dst.Chmod(c.s.opts.FileMode)
	}
	if err == nil {
		err = dst.Sync()
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = dst.Stat(); err == nil {
			out = fi.Size()
		}
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return in, out, err
}

// encode streams src through the configured encoder into dst. The encoders
// are reused across files.
func (c *compressor) encode(dst io.Writer, src io.Reader) (int64, error) {
	var enc io.WriteCloser
	switch c.s.opts.Compression {
	case CompressionZstd:
		if c.zs == nil {
			zs, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(ZstdLevel), zstd.WithEncoderConcurrency(1))
			if err != nil {
				return 0, err
			}
			c.zs = zs
		}
		c.zs.Reset(dst)
		enc = c.zs
	default:
		if c.gz == nil {
			gz, err := gzip.NewWriterLevel(nil, GzipLevel)
			if err != nil {
				return 0, err
			}
			c.gz = gz
		}
		c.gz.Reset(dst)
		enc = c.gz
	}
	if c.buf == nil {
		c.buf = make([]byte, 256<<10)
	}
	n, err := io.CopyBuffer(onlyWriter{enc}, src, c.buf)
	if cerr := enc.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// onlyWriter hides an encoder's ReadFrom so io.CopyBuffer uses our buffer.
type onlyWriter struct{ io.Writer }

// Decompress returns a reader of the lines of a data file, read from r,
// choosing by the file's name: a gzip or zstd decoder for a .jsonl.gz or
// .jsonl.zst file, r itself for a plain .jsonl file. done releases the
// decoder (not r). A name that is none of the three is an error.
func Decompress(name string, r io.Reader) (_ io.Reader, done func(), err error) {
	switch {
	case strings.HasSuffix(name, extGzip):
		return decoder(kindGzip, r)
	case strings.HasSuffix(name, extZstd):
		return decoder(kindZstd, r)
	case strings.HasSuffix(name, extPlain):
		return decoder(kindPlain, r)
	}
	return nil, nil, fmt.Errorf("jsonl: %s is not a data file name", name)
}

// decoder wraps r in the decompressor for kind; close releases it.
func decoder(kind fileKind, r io.Reader) (io.Reader, func(), error) {
	switch kind {
	case kindGzip:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case kindZstd:
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}
