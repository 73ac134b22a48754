package report

import (
	"errors"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// entryType is one of the ten entry types; typeNone marks a line that is
// not an entry.
type entryType uint8

const (
	typeNone entryType = iota
	typeSessionStart
	typeSessionEnd
	typeToolUse
	typeAgentExecution
	typeCheckpointCreated
	typeHookTriggered
	typeCommandExecuted
	typeErrorOccurred
	typeTokenUsage
	typePerformance
)

var typeNames = map[string]entryType{
	"session_start":      typeSessionStart,
	"session_end":        typeSessionEnd,
	"tool_use":           typeToolUse,
	"agent_execution":    typeAgentExecution,
	"checkpoint_created": typeCheckpointCreated,
	"hook_triggered":     typeHookTriggered,
	"command_executed":   typeCommandExecuted,
	"error_occurred":     typeErrorOccurred,
	"token_usage":        typeTokenUsage,
	"performance":        typePerformance,
}

// Token kinds, in the order of entry.tok.
const (
	kInput = iota
	kOutput
	kCacheRead
	kCacheCreation
	kReasoning
	numKinds
)

// field is one scalar value read from a line: its JSON kind and its text
// (a string's content with escapes resolved, a number's literal).
type field struct {
	kind byte // 0 absent, 'n' null, 's' string, '0' number, 't' true, 'f' false, 'o' object or array
	text []byte
}

func (f field) present() bool { return f.kind != 0 && f.kind != 'n' }

// entry is what the report reads from one line. The byte slices point into
// the line or into the scanner's buffer: valid until the next line.
type entry struct {
	ts      int64 // Unix microseconds
	typ     entryType
	session field
	user    field
	svc     field // metadata.resource["service.name"]

	// data fields, whatever the type
	model, cost, durationMs, success, toolName, errorType, operation, prompts, durationSec field
	tok                                                                                    [numKinds]field
}

// errForeign is a line that is not an entry.
var errForeign = errors.New("not an entry")

// scanner parses lines; its buffer holds unescaped strings.
type scanner struct {
	buf []byte
	b   []byte
	i   int
	e   *entry
}

// parse fills e from line: the line must be one JSON object (checked in
// full) with a timestamp and one of the ten types.
func (s *scanner) parse(line []byte, e *entry) error {
	*e = entry{}
	s.buf, s.b, s.i, s.e = s.buf[:0], line, 0, e
	s.ws()
	var ts field
	var typ field
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "timestamp":
			return s.scalar(&ts)
		case "type":
			return s.scalar(&typ)
		case "session_id":
			return s.scalar(&e.session)
		case "user_id":
			return s.scalar(&e.user)
		case "data":
			return s.objectOrSkip(s.dataKey)
		case "metadata":
			return s.objectOrSkip(s.metadataKey)
		}
		return s.skip()
	})
	if err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return errForeign
	}
	if typ.kind != 's' || ts.kind != 's' {
		return errForeign
	}
	e.typ = typeNames[string(typ.text)]
	if e.typ == typeNone {
		return errForeign
	}
	t, ok := parseTimestamp(ts.text)
	if !ok {
		return errForeign
	}
	e.ts = t
	if e.session.kind != 's' {
		e.session = field{}
	}
	if e.user.kind != 's' {
		e.user = field{}
	}
	if e.svc.kind != 's' {
		e.svc = field{}
	}
	return nil
}

func (s *scanner) dataKey(key []byte) error {
	e := s.e
	var f *field
	switch string(key) {
	case "model":
		f = &e.model
	case "cost_usd":
		f = &e.cost
	case "duration_ms":
		f = &e.durationMs
	case "success":
		f = &e.success
	case "tool_name":
		f = &e.toolName
	case "error_type":
		f = &e.errorType
	case "operation":
		f = &e.operation
	case "prompts":
		f = &e.prompts
	case "duration_seconds":
		f = &e.durationSec
	case "input_tokens":
		f = &e.tok[kInput]
	case "output_tokens":
		f = &e.tok[kOutput]
	case "cache_read_tokens":
		f = &e.tok[kCacheRead]
	case "cache_creation_tokens":
		f = &e.tok[kCacheCreation]
	case "reasoning_tokens":
		f = &e.tok[kReasoning]
	default:
		return s.skip()
	}
	return s.scalar(f)
}

func (s *scanner) metadataKey(key []byte) error {
	if string(key) == "resource" {
		return s.objectOrSkip(func(key []byte) error {
			if string(key) == "service.name" {
				return s.scalar(&s.e.svc)
			}
			return s.skip()
		})
	}
	return s.skip()
}

// objectOrSkip reads an object with fn per key, or skips a value of another kind.
func (s *scanner) objectOrSkip(fn func(key []byte) error) error {
	if s.i < len(s.b) && s.b[s.i] == '{' {
		return s.object(fn)
	}
	return s.skip()
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// object reads {"key": value, ...} calling fn at each value (after the
// colon and whitespace); fn must consume the value.
func (s *scanner) object(fn func(key []byte) error) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return errForeign
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key, err := s.str()
		if err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errForeign
		}
		s.i++
		s.ws()
		if err := fn(key); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return errForeign
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errForeign
		}
	}
}

// scalar reads any value into f; objects and arrays are skipped and marked 'o'.
func (s *scanner) scalar(f *field) error {
	if s.i >= len(s.b) {
		return errForeign
	}
	switch c := s.b[s.i]; {
	case c == '"':
		t, err := s.str()
		*f = field{kind: 's', text: t}
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		if err := s.number(); err != nil {
			return err
		}
		*f = field{kind: '0', text: s.b[start:s.i]}
		return nil
	case c == 't':
		*f = field{kind: 't'}
		return s.lit("true")
	case c == 'f':
		*f = field{kind: 'f'}
		return s.lit("false")
	case c == 'n':
		*f = field{kind: 'n'}
		return s.lit("null")
	case c == '{' || c == '[':
		*f = field{kind: 'o'}
		return s.skip()
	}
	return errForeign
}

func (s *scanner) lit(w string) error {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return errForeign
	}
	s.i += len(w)
	return nil
}

// maxDepth bounds the nesting skip follows (the exporter writes at most 32).
const maxDepth = 512

// skip checks and passes over one value.
func (s *scanner) skip() error { return s.skipDepth(0) }

func (s *scanner) skipDepth(depth int) error {
	if s.i >= len(s.b) {
		return errForeign
	}
	switch c := s.b[s.i]; c {
	case '{', '[':
		if depth >= maxDepth {
			return errForeign
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		s.i++
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == closer {
			s.i++
			return nil
		}
		for {
			s.ws()
			if c == '{' {
				if _, err := s.str(); err != nil {
					return err
				}
				s.ws()
				if s.i >= len(s.b) || s.b[s.i] != ':' {
					return errForeign
				}
				s.i++
				s.ws()
			}
			if err := s.skipDepth(depth + 1); err != nil {
				return err
			}
			s.ws()
			if s.i >= len(s.b) {
				return errForeign
			}
			switch s.b[s.i] {
			case ',':
				s.i++
			case closer:
				s.i++
				return nil
			default:
				return errForeign
			}
		}
	default:
		var f field
		return s.scalar(&f)
	}
}

// number checks a JSON number literal at s.i and passes over it.
func (s *scanner) number() error {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return errForeign
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return errForeign
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return errForeign
		}
	}
	s.i = i
	return nil
}

// str reads a string at s.i and returns its content: a slice of the line
// when it has no escapes, else the unescaped bytes in s.buf. Control
// characters and invalid UTF-8 are errors, as in strict JSON.
func (s *scanner) str() ([]byte, error) {
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		return nil, errForeign
	}
	start := s.i + 1
	i := start
	for i < len(b) {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i == len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return b[start:i], nil
		case c == '\\':
			return s.strSlow(start)
		case c < 0x20:
			return nil, errForeign
		case c < utf8.RuneSelf:
			i++
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				return nil, errForeign
			}
			i += n
		}
	}
	return nil, errForeign
}

// plainByte marks the bytes a string holds as they are: printable ASCII
// other than '"' and '\\'.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// strSlow unescapes a string that holds a backslash into s.buf.
func (s *scanner) strSlow(start int) ([]byte, error) {
	b := s.b
	out := len(s.buf)
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return s.buf[out:], nil
		case c < 0x20:
			return nil, errForeign
		case c != '\\':
			if c >= utf8.RuneSelf {
				r, n := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && n == 1 {
					return nil, errForeign
				}
				s.buf = append(s.buf, b[i:i+n]...)
				i += n
				continue
			}
			s.buf = append(s.buf, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return nil, errForeign
		}
		i++
		switch b[i] {
		case '"', '\\', '/':
			s.buf = append(s.buf, b[i])
		case 'b':
			s.buf = append(s.buf, '\b')
		case 'f':
			s.buf = append(s.buf, '\f')
		case 'n':
			s.buf = append(s.buf, '\n')
		case 'r':
			s.buf = append(s.buf, '\r')
		case 't':
			s.buf = append(s.buf, '\t')
		case 'u':
			r, ok := hex4(b, i+1)
			if !ok {
				return nil, errForeign
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(0), false
				if i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					r2, ok2 = hex4(b, i+3)
				}
				if d := utf16.DecodeRune(r, r2); ok2 && d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			s.buf = utf8.AppendRune(s.buf, r)
		default:
			return nil, errForeign
		}
		i++
	}
	return nil, errForeign
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// parseTimestamp reads the exporter's YYYY-MM-DDTHH:MM:SS.ffffff+00:00
// quickly, and any other RFC 3339 time through the time package.
func parseTimestamp(b []byte) (int64, bool) {
	if len(b) == 32 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' &&
		b[19] == '.' && string(b[26:]) == "+00:00" {
		y, ok1 := digits(b[0:4])
		mo, ok2 := digits(b[5:7])
		d, ok3 := digits(b[8:10])
		h, ok4 := digits(b[11:13])
		mi, ok5 := digits(b[14:16])
		sec, ok6 := digits(b[17:19])
		us, ok7 := digits(b[20:26])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && mo >= 1 && mo <= 12 && d >= 1 &&
			d <= daysIn(y, mo) && h < 24 && mi < 60 && sec < 60 {
			days := daysFromCivil(y, mo, d)
			return (days*86400+h*3600+mi*60+sec)*1e6 + us, true
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}

func digits(b []byte) (int64, bool) {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func daysIn(y, m int64) int64 {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to y-m-d
// (proleptic Gregorian).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// intValue reads an integer field: a JSON integer or a string holding one.
// ok is false for a present value that is not one.
func (f field) intValue() (v int64, present, ok bool) {
	if !f.present() {
		return 0, false, true
	}
	if f.kind != '0' && (f.kind != 's' || !isNumberText(f.text)) {
		return 0, true, false
	}
	v, err := strconv.ParseInt(string(f.text), 10, 64)
	return v, true, err == nil
}

// floatValue reads a number field: a JSON number or a string holding one.
func (f field) floatValue() (v float64, present, ok bool) {
	if !f.present() {
		return 0, false, true
	}
	if f.kind != '0' && (f.kind != 's' || !isNumberText(f.text)) {
		return 0, true, false
	}
	v, err := strconv.ParseFloat(string(f.text), 64)
	if err != nil || v != v || v > 1e300 || v < -1e300 {
		return 0, true, false
	}
	return v, true, true
}
