package otlpcapture

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
)

// TestProxyStoresAndForwards: every request is stored decompressed, in
// arrival order, forwarded as it came, and Load reads it back as pdata.
func TestProxyStoresAndForwards(t *testing.T) {
	var upstreamGot [][]byte
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		upstreamGot = append(upstreamGot, b)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"partialSuccess":{}}`))
	}))
	defer upstream.Close()
	dir := t.TempDir()
	p, err := Start(dir, upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	ld := plog.NewLogs()
	ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello")
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(body)
	_ = zw.Close()

	post := func(path, encoding string, b []byte) int {
		req, _ := http.NewRequest(http.MethodPost, p.URL()+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if encoding != "" {
			req.Header.Set("Content-Encoding", encoding)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/v1/logs", "", body); code != http.StatusOK {
		t.Fatalf("plain: status %d", code)
	}
	if code := post("/v1/logs", "gzip", zipped.Bytes()); code != http.StatusOK {
		t.Fatalf("gzip: status %d", code)
	}
	if code := post("/v1/other", "", body); code != http.StatusNotFound {
		t.Fatalf("unknown path: status %d", code)
	}
	if len(upstreamGot) != 2 || !bytes.Equal(upstreamGot[1], zipped.Bytes()) {
		t.Fatalf("upstream got %d requests; the second must be the gzip body as sent", len(upstreamGot))
	}
	reqs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || reqs[0].Seq != 1 || reqs[1].Seq != 2 {
		t.Fatalf("stored %+v", reqs)
	}
	for _, r := range reqs {
		got, err := r.Logs()
		if err != nil {
			t.Fatal(err)
		}
		if s := got.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Str(); s != "hello" {
			t.Errorf("%s: body %q", r.Path, s)
		}
	}
	if c := p.Counts(); c["logs"] != 2 {
		t.Errorf("counts %v", c)
	}
}
