package jsonl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// File names are <prefix>YYYYMMDD_HHMMSS_ffffff.jsonl[.gz|.zst] in UTC
// (Options.FilePrefix, "metrics_" by default). The stem (the name without
// extension) carries the creation time to the microsecond; the sink never
// hands out the same microsecond twice (see Sink.nextStem), so stems are
// unique and sort in creation order.
const (
	// secondsLayout is the stamp up to the seconds; "_" and six digits of
	// microseconds follow.
	secondsLayout = "20060102_150405"
	stampLen      = len(secondsLayout + "_000000")
	extPlain      = ".jsonl"
	extGzip       = ".jsonl.gz"
	extZstd       = ".jsonl.zst"
	extTmp        = ".tmp"
	lockName      = ".lock"
)

// naming is the file naming of one sink directory: the names begin with
// prefix.
type naming struct{ prefix string }

func (n naming) stemLen() int { return len(n.prefix) + stampLen }

// stemAt returns the stem for a creation time given in Unix microseconds.
func (n naming) stemAt(micros int64) string {
	t := time.UnixMicro(micros).UTC()
	buf := make([]byte, 0, n.stemLen())
	buf = append(buf, n.prefix...)
	buf = t.AppendFormat(buf, secondsLayout)
	buf = fmt.Appendf(buf, "_%06d", t.Nanosecond()/1000)
	return string(buf)
}

// parseStem returns the creation time (Unix microseconds) a stem encodes.
func (n naming) parseStem(stem string) (int64, bool) {
	stamp, ok := strings.CutPrefix(stem, n.prefix)
	const micros = len(secondsLayout) + 1 // where the microseconds start
	if !ok || len(stamp) != stampLen || stamp[micros-1] != '_' {
		return 0, false
	}
	t, err := time.Parse(secondsLayout, stamp[:micros-1])
	if err != nil {
		return 0, false
	}
	us, err := strconv.Atoi(stamp[micros:])
	if err != nil || us < 0 || stamp[micros] == '+' || stamp[micros] == '-' {
		return 0, false
	}
	return t.UnixMicro() + int64(us), true
}

// fileKind is what a directory entry is to the sink.
type fileKind int

const (
	kindOther fileKind = iota
	kindPlain
	kindGzip
	kindZstd
	kindTmp
)

// classify splits a directory entry name into its stem and kind; names that
// are not the sink's own are kindOther and are left alone.
func (n naming) classify(name string) (stem string, kind fileKind) {
	if len(name) < n.stemLen() {
		return "", kindOther
	}
	stem, rest := name[:n.stemLen()], name[n.stemLen():]
	if _, ok := n.parseStem(stem); !ok {
		return "", kindOther
	}
	switch {
	case rest == extPlain:
		return stem, kindPlain
	case rest == extGzip:
		return stem, kindGzip
	case rest == extZstd:
		return stem, kindZstd
	case strings.HasSuffix(rest, extTmp) && strings.HasPrefix(rest, extPlain):
		return stem, kindTmp
	}
	return "", kindOther
}

// compressedExt is the extension a compression gives rotated files.
func compressedExt(c Compression) string {
	switch c {
	case CompressionGzip:
		return extGzip
	case CompressionZstd:
		return extZstd
	}
	return extPlain
}
