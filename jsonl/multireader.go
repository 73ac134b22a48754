package jsonl

import (
	"errors"
	"io"
)

// MultiReader yields the lines of several sink directories, for example
// the directories of the backends behind a gateway: every line of the
// first directory (in the order a Reader gives), then of the second, and so
// on. Dir names the directory of the last line returned.
type MultiReader struct {
	dirs    []string
	readers []*Reader
	cur     int
}

// NewMultiReader opens every directory (each the dir given to Open, with
// the same Options as NewReader takes) for reading; it fails, naming the
// directory, when one cannot be listed.
func NewMultiReader(opts Options, dirs ...string) (*MultiReader, error) {
	if len(dirs) == 0 {
		return nil, errors.New("jsonl: reader: no directory")
	}
	m := &MultiReader{dirs: dirs}
	for _, d := range dirs {
		r, err := NewReader(d, opts)
		if err != nil {
			m.Close()
			return nil, err
		}
		m.readers = append(m.readers, r)
	}
	return m, nil
}

// Next returns the next line without its '\n'; io.EOF after the last line
// of the last directory. The slice is valid until the next call.
func (m *MultiReader) Next() ([]byte, error) {
	for m.cur < len(m.readers) {
		line, err := m.readers[m.cur].Next()
		if !errors.Is(err, io.EOF) {
			return line, err
		}
		m.readers[m.cur].Close()
		m.cur++
	}
	return nil, io.EOF
}

// Dir is the directory the last line returned by Next came from.
func (m *MultiReader) Dir() string { return m.dirs[min(m.cur, len(m.dirs)-1)] }

// Close releases the open file of every directory.
func (m *MultiReader) Close() error {
	for _, r := range m.readers {
		r.Close()
	}
	return nil
}
