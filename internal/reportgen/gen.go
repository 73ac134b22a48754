// Package reportgen writes synthetic exporter output directories: a team's
// agent sessions over some days, in the exporter's file layout and entry
// format, for the report command's tests and benchmarks.
package reportgen

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/analyticsexporter/analyticsexporter/internal/encode"
)

// Config says what to generate.
type Config struct {
	Dirs  []string  // output directories; users are spread over them
	Users int       // number of users
	Days  int       // number of days
	Start time.Time // first day (UTC midnight)
	Seed  uint64
	// Compression per directory, cycled: "gzip", "zstd", "none" or
	// "mixed" (gzip rotated files and a plain last file, like a live exporter).
	Compression []string
	// LinesPerFile is when a file is rotated (default 20000).
	LinesPerFile int
}

// Stats are counts of what was written.
type Stats struct {
	Lines, Sessions int
	Files           int
	Bytes           int64 // uncompressed
}

type agentKind struct {
	service string
	models  []string
	tools   []string
	cost    bool // reports cost_usd
	errors  []string
}

var agents = []agentKind{
	{"claude-code", []string{"claude-sonnet-4-5-20250929", "claude-opus-4-1", "claude-haiku-4-5"}, []string{"Bash", "Read", "Edit", "Write", "Grep", "Glob", "WebFetch"}, true, []string{"rate_limit_error", "overloaded_error", "Error:ENOENT"}},
	{"gemini-cli", []string{"gemini-2.5-pro", "gemini-2.5-flash"}, []string{"read_file", "run_shell_command", "replace", "glob", "web_fetch"}, false, []string{"RESOURCE_EXHAUSTED", "DEADLINE_EXCEEDED"}},
	{"codex_cli_rs", []string{"gpt-5-codex", "gpt-5.1-codex-mini"}, []string{"shell", "apply_patch", "read_file"}, false, []string{"stream_error", "timeout"}},
	{"support-bot", []string{"acme-llm-7b", ""}, []string{"search_kb", "create_ticket"}, false, []string{"PaymentDeclined", "timeout"}},
}

type line struct {
	ts   int64
	data []byte
}

// Generate writes the directories and returns what it wrote.
func Generate(cfg Config) (Stats, error) {
	if cfg.LinesPerFile <= 0 {
		cfg.LinesPerFile = 20000
	}
	if len(cfg.Compression) == 0 {
		cfg.Compression = []string{"gzip"}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	var st Stats
	perDir := make([][]line, len(cfg.Dirs))
	for u := 0; u < cfg.Users; u++ {
		user := fmt.Sprintf("user-%03d@example.com", u)
		ag := agents[u%len(agents)]
		if u%7 == 6 {
			ag = agents[3]
		} else if ag.service == "support-bot" {
			ag = agents[0]
		}
		d := u % len(cfg.Dirs)
		for day := 0; day < cfg.Days; day++ {
			date := cfg.Start.AddDate(0, 0, day)
			n := rng.IntN(3)
			if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
				n = rng.IntN(2) * rng.IntN(2)
			}
			for s := 0; s < n; s++ {
				start := date.Add(time.Duration(6*3600+rng.IntN(15*3600)) * time.Second).Add(time.Duration(rng.IntN(1e6)) * time.Microsecond)
				id := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()>>16)
				ls := session(rng, ag, user, id, start, s%5 == 4)
				perDir[d] = append(perDir[d], ls...)
				st.Sessions++
			}
		}
	}
	for i, dir := range cfg.Dirs {
		ls := perDir[i]
		slices.SortStableFunc(ls, func(a, b line) int { return cmp.Compare(a.ts, b.ts) })
		n, b, err := writeDir(dir, ls, cfg.Compression[i%len(cfg.Compression)], cfg.LinesPerFile)
		if err != nil {
			return st, err
		}
		st.Files += n
		st.Bytes += b
		st.Lines += len(ls)
	}
	return st, nil
}

// session returns the lines of one session; twoSpans splits it by an idle
// gap into two spans (two session_start/session_end pairs, one id).
func session(rng *rand.Rand, ag agentKind, user, id string, start time.Time, twoSpans bool) []line {
	var out []line
	t := start
	model := ag.models[rng.IntN(len(ag.models))]
	spans := 1
	if twoSpans {
		spans = 2
	}
	for span := 0; span < spans; span++ {
		first := t
		out = append(out, synthStart(t, id, user, model))
		prompts := 1 + rng.IntN(6)
		var inTok, outTok, crTok, ccTok, rTok int64
		var tools, fails, errs, records int
		cost := -1.0
		for p := 0; p < prompts; p++ {
			t = t.Add(time.Duration(5+rng.IntN(120)) * time.Second)
			for r := 0; r < 1+rng.IntN(3); r++ {
				t = t.Add(time.Duration(1000+rng.IntN(20000)) * time.Millisecond)
				in := int64(500 + rng.IntN(30000))
				cr := int64(0)
				if rng.IntN(3) > 0 {
					cr = in * int64(rng.IntN(90)) / 100
				}
				cc := int64(0)
				if rng.IntN(4) == 0 {
					cc = (in - cr) / 2
				}
				o := int64(50 + rng.IntN(3000))
				reason := int64(0)
				if ag.service != "claude-code" && rng.IntN(2) == 0 {
					reason = o / 3
				}
				inTok, outTok, crTok, ccTok, rTok = inTok+in, outTok+o, crTok+cr, ccTok+cc, rTok+reason
				l, c := tokenUsage(rng, ag, t, id, user, model, in, o, cr, cc, reason)
				out = append(out, l)
				if c >= 0 {
					cost = max(cost, 0) + c
				}
				records++
			}
			for k := 0; k < rng.IntN(5); k++ {
				t = t.Add(time.Duration(200+rng.IntN(5000)) * time.Millisecond)
				ok := rng.IntN(10) > 0
				out = append(out, toolUse(rng, ag, t, id, user, ok))
				tools++
				if !ok {
					fails++
				}
				records++
			}
			if rng.IntN(12) == 0 {
				t = t.Add(time.Second)
				out = append(out, errorLine(rng, ag, t, id, user))
				errs++
				records++
			}
			if rng.IntN(10) == 0 {
				out = append(out, perfLine(rng, ag, t, id, user))
				records++
			}
		}
		old := rng.IntN(10) == 0 // a session_end written before prompts and the token kinds existed
		out = append(out, synthEnd(first, t, id, user, model, prompts, old, [5]int64{inTok, outTok, crTok, ccTok, rTok}, tools, fails, errs, records, cost))
		t = t.Add(45 * time.Minute)
	}
	return out
}

func head(t time.Time, typ, id, user string) []byte {
	return encode.EntryHead(nil, t, typ, id, user)
}

func resource(b []byte, ag agentKind, event string) []byte {
	b = append(b, `,"metadata":{"signal":"log","event_name":`...)
	b = encode.String(b, event)
	b = append(b, `,"severity":"Info","scope":{"name":`...)
	b = encode.String(b, ag.service)
	b = append(b, `,"version":""},"resource":{"os.type":"linux","service.name":`...)
	b = encode.String(b, ag.service)
	return append(b, `,"service.version":"1.0.0"}}}`...)
}

const synthMeta = `,"metadata":{"signal":"session","synthesized":true}}`

func synthStart(t time.Time, id, user, model string) line {
	b := head(t, "session_start", id, user)
	b = append(b, `{"project_path":"/src/app","model":`...)
	b = encode.String(b, model)
	b = append(b, `,"synthesized":true}`+synthMeta...)
	return line{t.UnixMicro(), b}
}

func synthEnd(first, last time.Time, id, user, model string, prompts int, old bool, tok [5]int64, tools, fails, errs, records int, cost float64) line {
	b := head(last, "session_end", id, user)
	b = append(b, `{"duration_seconds":`...)
	b = encode.Float(b, float64(last.Sub(first))/1e9)
	b = append(b, `,"token_count":`...)
	b = encode.Int(b, tok[0]+tok[1])
	b = append(b, `,"model":`...)
	b = encode.String(b, model)
	b = append(b, `,"project_path":"/src/app"`...)
	if !old {
		b = append(b, `,"prompts":`...)
		b = encode.Int(b, int64(prompts))
	}
	b = append(b, `,"input_tokens":`...)
	b = encode.Int(b, tok[0])
	b = append(b, `,"output_tokens":`...)
	b = encode.Int(b, tok[1])
	if !old {
		b = append(b, `,"cache_read_tokens":`...)
		b = encode.Int(b, tok[2])
		b = append(b, `,"cache_creation_tokens":`...)
		b = encode.Int(b, tok[3])
		b = append(b, `,"reasoning_tokens":`...)
		b = encode.Int(b, tok[4])
	}
	b = append(b, `,"tool_uses":`...)
	b = encode.Int(b, int64(tools))
	if !old {
		b = append(b, `,"tool_failures":`...)
		b = encode.Int(b, int64(fails))
	}
	b = append(b, `,"errors":`...)
	b = encode.Int(b, int64(errs))
	b = append(b, `,"cost_usd":`...)
	if cost < 0 {
		b = append(b, "null"...)
	} else {
		b = encode.Float(b, cost)
	}
	b = append(b, `,"records":`...)
	b = encode.Int(b, int64(records))
	b = append(b, `,"start_timestamp":`...)
	b = encode.Timestamp(b, first)
	b = append(b, `,"end_reason":"idle_timeout","start_synthesized":true,"synthesized":true}`+synthMeta...)
	return line{last.UnixMicro(), b}
}

// tokenUsage returns a token_usage line and the cost it reports (-1 when none).
func tokenUsage(rng *rand.Rand, ag agentKind, t time.Time, id, user, model string, in, out, cr, cc, reason int64) (line, float64) {
	b := head(t, "token_usage", id, user)
	b = append(b, `{"model":`...)
	if model == "" {
		b = append(b, "null"...)
	} else {
		b = encode.String(b, model)
	}
	b = append(b, `,"input_tokens":`...)
	b = encode.Int(b, in)
	b = append(b, `,"output_tokens":`...)
	b = encode.Int(b, out)
	b = append(b, `,"cache_read_tokens":`...)
	b = encode.Int(b, cr)
	b = append(b, `,"cache_creation_tokens":`...)
	if ag.service == "codex_cli_rs" {
		b = append(b, "null"...)
	} else {
		b = encode.Int(b, cc)
	}
	b = append(b, `,"reasoning_tokens":`...)
	if ag.service == "claude-code" {
		b = append(b, "null"...)
	} else {
		b = encode.Int(b, reason)
	}
	b = append(b, `,"cost_usd":`...)
	cost := -1.0
	if ag.cost {
		// A float as an agent computes it: noise in the last digits, and
		// now and then a cost below a micro-dollar (exponent form).
		f := float64(in)*3e-6 + float64(out)*15e-6 + float64(rng.IntN(1000))*1e-9
		if rng.IntN(50) == 0 {
			f = float64(1+rng.IntN(9)) * 1e-7
		}
		b = encode.Float(b, f)
		cost = f
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"duration_ms":`...)
	d := int64(math.Exp(6.5 + rng.NormFloat64()*0.8))
	if ag.service == "claude-code" {
		b = encode.String(b, fmt.Sprint(d)) // Claude Code sends it as a string
	} else {
		b = encode.Int(b, d)
	}
	b = append(b, '}')
	b = resource(b, ag, "api_request")
	return line{t.UnixMicro(), b}, cost
}

func toolUse(rng *rand.Rand, ag agentKind, t time.Time, id, user string, ok bool) line {
	b := head(t, "tool_use", id, user)
	b = append(b, `{"tool_name":`...)
	b = encode.String(b, ag.tools[rng.IntN(len(ag.tools))])
	b = append(b, `,"success":`...)
	b = encode.Bool(b, ok)
	b = append(b, `,"duration_ms":`...)
	if rng.IntN(20) == 0 {
		b = append(b, "null"...)
	} else {
		b = encode.Float(b, math.Round(math.Exp(4+rng.NormFloat64()*1.5)*10)/10)
	}
	b = append(b, '}')
	b = resource(b, ag, "tool_result")
	return line{t.UnixMicro(), b}
}

func errorLine(rng *rand.Rand, ag agentKind, t time.Time, id, user string) line {
	b := head(t, "error_occurred", id, user)
	b = append(b, `{"error_type":`...)
	if rng.IntN(10) == 0 {
		b = append(b, "null"...)
	} else {
		b = encode.String(b, ag.errors[rng.IntN(len(ag.errors))])
	}
	b = append(b, `,"error_message":"request failed","stack_trace":null}`...)
	b = resource(b, ag, "api_error")
	return line{t.UnixMicro(), b}
}

func perfLine(rng *rand.Rand, ag agentKind, t time.Time, id, user string) line {
	b := head(t, "performance", id, user)
	b = append(b, `{"operation":"gen_ai.client.operation.duration","duration_ms":`...)
	b = encode.Float(b, math.Round(math.Exp(7+rng.NormFloat64()*0.5)))
	b = append(b, `,"success":true}`...)
	b = resource(b, ag, "gen_ai.client.operation.duration")
	return line{t.UnixMicro(), b}
}

// writeDir writes lines into dir/metrics in rotated files.
func writeDir(dir string, ls []line, compression string, perFile int) (files int, size int64, err error) {
	mdir := filepath.Join(dir, "metrics")
	if err := os.MkdirAll(mdir, 0o750); err != nil {
		return 0, 0, err
	}
	var buf bytes.Buffer
	prev := int64(math.MinInt64)
	for i := 0; i < len(ls); i += perFile {
		chunk := ls[i:min(i+perFile, len(ls))]
		buf.Reset()
		for _, l := range chunk {
			buf.Write(l.data)
			buf.WriteByte('\n')
		}
		size += int64(buf.Len())
		ts := max(chunk[0].ts, prev+1)
		prev = ts
		t := time.UnixMicro(ts).UTC()
		stem := fmt.Sprintf("metrics_%s_%06d", t.Format("20060102_150405"), t.Nanosecond()/1000)
		last := i+perFile >= len(ls)
		var name string
		var content []byte
		switch {
		case compression == "none" || compression == "mixed" && last:
			name, content = stem+".jsonl", buf.Bytes()
		case compression == "zstd":
			enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
			if err != nil {
				return files, size, err
			}
			name, content = stem+".jsonl.zst", enc.EncodeAll(buf.Bytes(), nil)
			enc.Close()
		default:
			var gz bytes.Buffer
			w, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
			_, _ = w.Write(buf.Bytes())
			if err := w.Close(); err != nil {
				return files, size, err
			}
			name, content = stem+".jsonl.gz", gz.Bytes()
		}
		if err := os.WriteFile(filepath.Join(mdir, name), content, 0o600); err != nil {
			return files, size, err
		}
		files++
	}
	return files, size, nil
}
