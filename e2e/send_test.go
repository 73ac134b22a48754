//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// payload is one OTLP/JSON file of testdata/payloads, decoded.
type payload struct {
	name    string
	logs    *plogotlp.ExportRequest    // set for a logs payload
	metrics *pmetricotlp.ExportRequest // set for a metrics payload
}

// records counts the log records or metric data points of p.
func (p payload) records() int {
	if p.logs != nil {
		return p.logs.Logs().LogRecordCount()
	}
	return p.metrics.Metrics().DataPointCount()
}

// loadPayload decodes an OTLP/JSON export request; the top-level key tells
// logs from metrics.
func loadPayload(t *testing.T, path, name string) payload {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := payload{name: name}
	switch {
	case bytes.Contains(raw, []byte(`"resourceLogs"`)):
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalJSON(raw); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p.logs = &req
	case bytes.Contains(raw, []byte(`"resourceMetrics"`)):
		req := pmetricotlp.NewExportRequest()
		if err := req.UnmarshalJSON(raw); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		p.metrics = &req
	default:
		t.Fatalf("%s: neither resourceLogs nor resourceMetrics", path)
	}
	return p
}

// sender sends payloads to one Collector over the three OTLP transports.
type sender struct {
	httpBase string
	http     *http.Client
	logs     plogotlp.GRPCClient
	metrics  pmetricotlp.GRPCClient
}

func newSender(t *testing.T, c *collector) *sender {
	t.Helper()
	conn, err := grpc.NewClient(c.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &sender{
		httpBase: "http://" + c.httpAddr,
		http:     &http.Client{Timeout: 30 * time.Second},
		logs:     plogotlp.NewGRPCClient(conn),
		metrics:  pmetricotlp.NewGRPCClient(conn),
	}
}

// send exports p over one transport ("http/json", "http/protobuf" or
// "grpc") and returns an error unless the Collector accepted all of it.
func (s *sender) send(ctx context.Context, transport string, p payload) error {
	switch transport {
	case "grpc":
		return s.sendGRPC(ctx, p)
	case "http/json":
		if p.logs != nil {
			return s.post(ctx, "/v1/logs", "application/json", p.logs.MarshalJSON)
		}
		return s.post(ctx, "/v1/metrics", "application/json", p.metrics.MarshalJSON)
	case "http/protobuf":
		if p.logs != nil {
			return s.post(ctx, "/v1/logs", "application/x-protobuf", p.logs.MarshalProto)
		}
		return s.post(ctx, "/v1/metrics", "application/x-protobuf", p.metrics.MarshalProto)
	}
	return fmt.Errorf("unknown transport %q", transport)
}

func (s *sender) sendGRPC(ctx context.Context, p payload) error {
	if p.logs != nil {
		resp, err := s.logs.Export(ctx, *p.logs)
		if err != nil {
			return err
		}
		if n := resp.PartialSuccess().RejectedLogRecords(); n != 0 {
			return fmt.Errorf("%d log records rejected: %s", n, resp.PartialSuccess().ErrorMessage())
		}
		return nil
	}
	resp, err := s.metrics.Export(ctx, *p.metrics)
	if err != nil {
		return err
	}
	if n := resp.PartialSuccess().RejectedDataPoints(); n != 0 {
		return fmt.Errorf("%d data points rejected: %s", n, resp.PartialSuccess().ErrorMessage())
	}
	return nil
}

// post sends one OTLP/HTTP request; anything but 200 with no rejected
// records is an error.
func (s *sender) post(ctx context.Context, path, contentType string, marshal func() ([]byte, error)) error {
	body, err := marshal()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.httpBase+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, resp.Status, respBody)
	}
	return checkHTTPPartialSuccess(path, resp.Header.Get("Content-Type"), respBody)
}

// checkHTTPPartialSuccess decodes an OTLP/HTTP response body (same encoding
// as the request) and fails on rejected records.
func checkHTTPPartialSuccess(path, contentType string, body []byte) error {
	unmarshal := func(u interface {
		UnmarshalJSON([]byte) error
		UnmarshalProto([]byte) error
	},
	) error {
		if strings.Contains(contentType, "json") {
			return u.UnmarshalJSON(body)
		}
		return u.UnmarshalProto(body)
	}
	if strings.HasSuffix(path, "/logs") {
		resp := plogotlp.NewExportResponse()
		if err := unmarshal(resp); err != nil {
			return fmt.Errorf("POST %s: response: %w", path, err)
		}
		if n := resp.PartialSuccess().RejectedLogRecords(); n != 0 {
			return fmt.Errorf("POST %s: %d log records rejected: %s", path, n, resp.PartialSuccess().ErrorMessage())
		}
		return nil
	}
	if strings.HasSuffix(path, "/traces") {
		resp := ptraceotlp.NewExportResponse()
		if err := unmarshal(resp); err != nil {
			return fmt.Errorf("POST %s: response: %w", path, err)
		}
		if n := resp.PartialSuccess().RejectedSpans(); n != 0 {
			return fmt.Errorf("POST %s: %d spans rejected: %s", path, n, resp.PartialSuccess().ErrorMessage())
		}
		return nil
	}
	resp := pmetricotlp.NewExportResponse()
	if err := unmarshal(resp); err != nil {
		return fmt.Errorf("POST %s: response: %w", path, err)
	}
	if n := resp.PartialSuccess().RejectedDataPoints(); n != 0 {
		return fmt.Errorf("POST %s: %d data points rejected: %s", path, n, resp.PartialSuccess().ErrorMessage())
	}
	return nil
}
