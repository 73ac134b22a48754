//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/internal/testbinary"
)

// TestPrivacyDefaults sends the agents' payloads to the built Collector with
// the default privacy rules and a hash_key taken from the environment
// (${env:...}, as the documentation advises): no address reaches the files,
// user.email becomes its HMAC-SHA256 under that key, and the Collector
// counts what was redacted.
func TestPrivacyDefaults(t *testing.T) {
	const env = "ANALYTICS_E2E_HASH_KEY"
	key := "e2e-hash-key-0123456789-0123456789"
	t.Setenv(env, key)
	c := startCollector(t, `
compression: none
sessions:
  enabled: false
privacy:
  hash_key: ${env:`+env+`}
`)
	s := newSender(t, c)
	root := testbinary.RepoRoot(t)
	for _, name := range []string{"claude_code_logs", "codex_logs", "gemini_cli_logs"} {
		p := loadPayload(t, filepath.Join(root, "testdata", "payloads", name+".json"), name)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := s.send(ctx, "http/json", p)
		cancel()
		if err != nil {
			t.Fatalf("export of %s refused: %v", name, err)
		}
	}
	redacted := scrapeCounter(t, c.metricsAddr, "otelcol_analytics_attributes_redacted")
	c.stop(t)

	files := sinktest.RawFiles(t, c.outDir)
	if len(files) == 0 {
		t.Fatal("no output")
	}
	for _, addr := range []string{"dev@example.com", "cx@example.com"} {
		if bytes.Contains(files, []byte(addr)) {
			t.Errorf("%s in the files", addr)
		}
	}
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte("dev@example.com"))
	want := `"user.email":"hmac-sha256:` + hex.EncodeToString(mac.Sum(nil)) + `"`
	if !bytes.Contains(files, []byte(want)) {
		t.Errorf("no %s in the files: the key from the environment was not used", want)
	}
	if redacted == 0 {
		t.Error("otelcol_analytics_attributes_redacted is 0")
	}
}
