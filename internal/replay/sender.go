package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// Sender posts OTLP/HTTP requests the way an agent's OTel SDK does: a
// request is sent again after a connection error or a retryable status
// (429, 502, 503, 504), with a growing pause, until it is acknowledged
// (2xx), refused for good (any other status), or ctx ends.
type Sender struct {
	// Client sends the requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// Endpoint is the receiver's base URL, e.g. "http://127.0.0.1:4318".
	Endpoint string
	// Backoff is the first pause between attempts (default 50 ms); it
	// doubles up to a second.
	Backoff time.Duration
}

// Result is what a Send observed.
type Result struct {
	// Attempts counts the posts made, the acknowledged one included.
	Attempts int
	// Rejected is the partial-success count of the acknowledgement: items
	// the receiver accepted the request without.
	Rejected int64
}

// Send posts body to the signal's path until it is acknowledged. The error
// names the last failure; with a nil error the request was acknowledged.
func (s *Sender) Send(ctx context.Context, signal Signal, contentType string, body []byte) (Result, error) {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	pause := s.Backoff
	if pause <= 0 {
		pause = 50 * time.Millisecond
	}
	url := strings.TrimSuffix(s.Endpoint, "/") + "/v1/" + string(signal)
	var res Result
	for {
		res.Attempts++
		retry, err := s.post(ctx, client, url, signal, contentType, body, &res)
		if err == nil || !retry {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("%w (last attempt: %w)", ctx.Err(), err)
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// post makes one attempt; retry says whether another one may succeed.
func (s *Sender) post(ctx context.Context, client *http.Client, url string, signal Signal, contentType string, body []byte, res *Result) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := client.Do(req)
	if err != nil {
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	rbody, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return true, err
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		res.Rejected, err = rejected(signal, resp.Header.Get("Content-Type"), rbody)
		return false, err
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusBadGateway,
		resp.StatusCode == http.StatusServiceUnavailable, resp.StatusCode == http.StatusGatewayTimeout:
		return true, fmt.Errorf("%s: %s", url, resp.Status)
	}
	return false, fmt.Errorf("%s: %s: %s", url, resp.Status, bytes.TrimSpace(rbody))
}

// rejected reads the partial-success count of an export response.
func rejected(signal Signal, contentType string, body []byte) (int64, error) {
	if len(body) == 0 {
		return 0, nil
	}
	proto := !strings.HasPrefix(contentType, "application/json")
	switch signal {
	case Logs:
		r := plogotlp.NewExportResponse()
		if err := unmarshal(r.UnmarshalProto, r.UnmarshalJSON, proto, body); err != nil {
			return 0, fmt.Errorf("export response: %w", err)
		}
		return r.PartialSuccess().RejectedLogRecords(), nil
	case Metrics:
		r := pmetricotlp.NewExportResponse()
		if err := unmarshal(r.UnmarshalProto, r.UnmarshalJSON, proto, body); err != nil {
			return 0, fmt.Errorf("export response: %w", err)
		}
		return r.PartialSuccess().RejectedDataPoints(), nil
	case Traces:
		r := ptraceotlp.NewExportResponse()
		if err := unmarshal(r.UnmarshalProto, r.UnmarshalJSON, proto, body); err != nil {
			return 0, fmt.Errorf("export response: %w", err)
		}
		return r.PartialSuccess().RejectedSpans(), nil
	}
	return 0, errors.New("export response: unknown signal")
}

// unmarshal decodes an export response body in its encoding.
func unmarshal(fromProto, fromJSON func([]byte) error, proto bool, body []byte) error {
	if proto {
		return fromProto(body)
	}
	return fromJSON(body)
}
