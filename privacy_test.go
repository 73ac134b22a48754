package analyticsexporter

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/sinktest"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// loadPrivacyConfig unmarshals an entry of testdata/privacy.yaml over the
// default config.
func loadPrivacyConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "privacy.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(name)
	require.NoError(t, err)
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestPrivacyConfigDefault(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, PrivacyConfig{Content: "drop", Identities: "hash", MaxValueBytes: 4096}, cfg.Privacy)
	assert.Equal(t, convert.Privacy{DropContent: true, Identities: convert.IdentitiesHash, MaxValueBytes: 4096},
		cfg.Privacy.options())
	assert.Equal(t, convert.DefaultPrivacy(), cfg.Privacy.options(), "the converter's defaults are the config's")
	assert.True(t, cfg.Privacy.identitiesDropped(), "no key by default: identities are dropped")
}

func TestPrivacyConfigFull(t *testing.T) {
	cfg := loadPrivacyConfig(t, "full")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, PrivacyConfig{
		Content:            "keep",
		ContentAttributes:  []string{"my_app.prompt", "my_app.messages.*"},
		Identities:         "hash",
		IdentityAttributes: []string{"my_app.login"},
		HashKey:            "a key of at least thirty-two bytes",
		MaxValueBytes:      0,
	}, cfg.Privacy)
	assert.Equal(t, convert.Privacy{
		ContentAttributes:  []string{"my_app.prompt", "my_app.messages.*"},
		Identities:         convert.IdentitiesHash,
		IdentityAttributes: []string{"my_app.login"},
		HashKey:            []byte("a key of at least thirty-two bytes"),
	}, cfg.Privacy.options())
	assert.False(t, cfg.Privacy.identitiesDropped())

	cfg = loadPrivacyConfig(t, "drop_identities")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, convert.IdentitiesDrop, cfg.Privacy.options().Identities)
}

func TestPrivacyConfigInvalid(t *testing.T) {
	tests := map[string]string{
		"bad_content":                   `privacy::content: must be drop or keep, got "redact"`,
		"bad_identities":                `privacy::identities: must be hash, drop or keep, got "encrypt"`,
		"empty_content_attribute":       "privacy::content_attributes::1: attribute key must not be empty",
		"bad_content_pattern":           `privacy::content_attributes::0: "my_app.*.text": * is allowed only as a trailing .* (prefix.*)`,
		"content_attribute_is_identity": `privacy::content_attributes::0: "user.email" is an identity attribute`,
		"empty_identity_attribute":      "privacy::identity_attributes::0: attribute key must not be empty",
		"identity_attribute_pattern":    `privacy::identity_attributes::0: "user.*": identity attributes are exact keys`,
		"short_hash_key":                "privacy::hash_key: must be at least 32 bytes, got 5",
		"negative_max_value_bytes":      "privacy::max_value_bytes: must be >= 0 (0 = no limit), got -1",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			err := confmap.Validate(loadPrivacyConfig(t, name))
			require.Error(t, err)
			assert.Equal(t, want, err.Error(), "one rule broken, one error, naming the key")
		})
	}
	// The key itself never shows in an error.
	err := confmap.Validate(loadPrivacyConfig(t, "short_hash_key"))
	assert.NotContains(t, err.Error(), "short")
}

// privacyLogs has a prompt, an email address and a long value, Claude
// Code shaped.
func privacyLogs() plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "claude-code")
	rl.Resource().Attributes().PutStr("user.email", "dev@example.com")
	r := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	r.SetTimestamp(pcommon.NewTimestampFromTime(testTime))
	r.Body().SetStr("claude_code.tool_result")
	r.Attributes().PutStr("event.name", "tool_result")
	r.Attributes().PutStr("session.id", "sess-1")
	r.Attributes().PutStr("user.email", "dev@example.com")
	r.Attributes().PutStr("tool_name", "Bash")
	r.Attributes().PutStr("success", "true")
	r.Attributes().PutStr("tool_parameters", `{"full_command":"cat secrets.txt"}`)
	r.Attributes().PutStr("error", strings.Repeat("e", 5000))
	return ld
}

// TestPrivacyInTheExporter writes records through the exporter with a hash
// key: the files hold no address and no command, and the redactions are
// counted by action.
func TestPrivacyInTheExporter(t *testing.T) {
	tt, set := telemetrySettings(t)
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Sessions.Enabled = false
	cfg.Privacy.HashKey = "0123456789abcdef0123456789abcdef"
	require.NoError(t, confmap.Validate(cfg))
	p := newPipelines(t, "privacy", cfg, set)
	startAll(t, p.logs)
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), privacyLogs()))
	require.NoError(t, p.logs.ConsumeLogs(context.Background(), privacyLogs()))
	require.NoError(t, p.logs.Shutdown(context.Background()))
	require.NoError(t, p.metrics.Shutdown(context.Background()))

	mac := hmac.New(sha256.New, []byte("0123456789abcdef0123456789abcdef"))
	mac.Write([]byte("dev@example.com"))
	want := "hmac-sha256:" + hex.EncodeToString(mac.Sum(nil))
	entries := sinktest.ReadMaps(t, dir)
	require.Len(t, entries, 2)
	for _, e := range entries {
		assert.Equal(t, want, e["user_id"], "user.email became the user id, hashed")
		data := e["data"].(map[string]any)
		assert.NotContains(t, data, "tool_parameters")
		assert.EqualValues(t, len(`{"full_command":"cat secrets.txt"}`), data["tool_parameters_bytes"])
		assert.True(t, strings.HasSuffix(data["error"].(string), "…[truncated: 5000 bytes]"), "error cut")
		assert.Equal(t, want, e["metadata"].(map[string]any)["resource"].(map[string]any)["user.email"])
	}
	b := readLines(t, dir)
	assert.NotContains(t, string(b), "example.com")
	assert.NotContains(t, string(b), "secrets.txt")

	// Per entry: tool_parameters dropped, error cut, user.email hashed in
	// user_id and in the resource.
	assert.Equal(t, map[string]int64{"dropped": 2, "hashed": 4, "truncated": 2},
		sumByAttr(t, tt, "otelcol_analytics_attributes_redacted", "action"))
}

func TestPrivacyLogsDroppedIdentities(t *testing.T) {
	for _, key := range []string{"", "0123456789abcdef0123456789abcdef"} {
		core, logs := observer.New(zapcore.InfoLevel)
		set := nopSettings()
		set.Logger = zap.New(core)
		cfg := testConfig(t.TempDir())
		cfg.Privacy.HashKey = configopaque.String(key)
		p := newPipelines(t, "privacy_log", cfg, set)
		startAll(t, p.logs, p.metrics)
		require.NoError(t, p.logs.Shutdown(context.Background()))
		require.NoError(t, p.metrics.Shutdown(context.Background()))
		n := logs.FilterMessageSnippet("privacy::hash_key is empty").Len()
		if key == "" {
			assert.Equal(t, 1, n, "said once per exporter ID")
		} else {
			assert.Zero(t, n)
		}
	}
}

// readLines returns every line of the sink directory dir, as the files
// hold them (decompressed).
func readLines(t *testing.T, dir string) []byte {
	t.Helper()
	r, err := jsonl.NewReader(dir, jsonl.Options{})
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	var out []byte
	for {
		line, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		out = append(append(out, line...), '\n')
	}
}

// TestPrivacyActionEnum keeps metadata.yaml's action enum true to the
// converter's actions, in order.
func TestPrivacyActionEnum(t *testing.T) {
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	attrs := cm.ToStringMap()["attributes"].(map[string]any)
	var want []any
	for _, a := range convert.RedactActions {
		want = append(want, a)
	}
	assert.Equal(t, want, attrs["action"].(map[string]any)["enum"])
}
