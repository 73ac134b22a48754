package otlpcapture

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Request is one stored request.
type Request struct {
	Seq    int
	Signal string // logs, metrics or traces
	Path   string
	Proto  bool // OTLP/protobuf, else OTLP/JSON
	Body   []byte
}

// Load reads every request stored in dir, in arrival order.
func Load(dir string) ([]Request, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Request
	for _, de := range des {
		name := de.Name()
		stem, ext, ok := strings.Cut(name, ".")
		if !ok || (ext != "json" && ext != "pb") {
			continue
		}
		num, signal, ok := strings.Cut(stem, "-")
		if !ok {
			continue
		}
		seq, err := strconv.Atoi(num)
		if err != nil || (signal != "logs" && signal != "metrics" && signal != "traces") {
			continue
		}
		path := filepath.Join(dir, name)
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, Request{Seq: seq, Signal: signal, Path: path, Proto: ext == "pb", Body: body})
	}
	slices.SortFunc(out, func(a, b Request) int { return a.Seq - b.Seq })
	return out, nil
}

// Logs decodes a logs request.
func (r Request) Logs() (plog.Logs, error) {
	req := plogotlp.NewExportRequest()
	if err := r.unmarshal(req.UnmarshalProto, req.UnmarshalJSON); err != nil {
		return plog.Logs{}, err
	}
	return req.Logs(), nil
}

// Metrics decodes a metrics request.
func (r Request) Metrics() (pmetric.Metrics, error) {
	req := pmetricotlp.NewExportRequest()
	if err := r.unmarshal(req.UnmarshalProto, req.UnmarshalJSON); err != nil {
		return pmetric.Metrics{}, err
	}
	return req.Metrics(), nil
}

// Traces decodes a traces request.
func (r Request) Traces() (ptrace.Traces, error) {
	req := ptraceotlp.NewExportRequest()
	if err := r.unmarshal(req.UnmarshalProto, req.UnmarshalJSON); err != nil {
		return ptrace.Traces{}, err
	}
	return req.Traces(), nil
}

func (r Request) unmarshal(proto, json func([]byte) error) error {
	f := json
	if r.Proto {
		f = proto
	}
	err := f(r.Body)
	if err != nil && r.Path != "" {
		return fmt.Errorf("%s: %w", r.Path, err)
	}
	return err
}
