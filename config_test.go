package analyticsexporter

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// loadConfig unmarshals the entry name of testdata/config.yaml over the
// default config, the way the Collector does.
func loadConfig(t *testing.T, name string) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(name)
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig()
	if err := sub.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg.(*Config), nil
}

func TestConfigDefault(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, componenttest.CheckConfigStruct(cfg))
	require.NoError(t, confmap.Validate(cfg))

	// An empty section is the default config.
	unmarshalled := NewFactory().CreateDefaultConfig()
	require.NoError(t, confmap.New().Unmarshal(unmarshalled))
	assert.Equal(t, cfg, unmarshalled)

	assert.Equal(t, "./analytics", cfg.Directory)
	assert.Equal(t, RotationConfig{MaxMegabytes: 100, MaxFiles: 10}, cfg.Rotation)
	assert.Equal(t, jsonl.CompressionGzip, cfg.Compression)
	assert.Equal(t, "0600", cfg.FileMode)
	assert.Equal(t, "0700", cfg.DirMode)
	assert.Equal(t, "analytics.type", cfg.TypeAttribute)
	assert.True(t, cfg.BuiltinRules)
	assert.Equal(t, "drop", cfg.Unmatched)
	assert.Equal(t, SessionsConfig{Enabled: true, IdleTimeout: 30 * time.Minute, MaxTracked: 10000}, cfg.Sessions)
	assert.Equal(t, TracesConfig{SessionWait: 30 * time.Second, MaxHeld: 10000, MaxHeldMegabytes: 16, MaxRemembered: 100000}, cfg.Traces)
	assert.Equal(t, convert.DefaultSessionIDAttributes, cfg.SessionIDAttributes, "the session id keys are defined once")
	assert.Equal(t, 5*time.Second, cfg.Timeout)
	assert.True(t, cfg.BackOffConfig.Enabled, "retry is on by default")
	assert.False(t, cfg.QueueConfig.HasValue(), "no sending queue by default: success means written")
}

func TestConfigFull(t *testing.T) {
	cfg, err := loadConfig(t, "analytics/full")
	require.NoError(t, err)
	require.NoError(t, confmap.Validate(cfg))

	queue := exporterhelper.NewDefaultQueueConfig()
	queue.Batch = configoptional.Default(*queue.Batch.GetOrInsertDefault())
	queue.QueueSize = 50
	storage := component.MustNewIDWithName("file_storage", "analytics")
	retry := configretry.NewDefaultBackOffConfig()
	retry.InitialInterval, retry.MaxInterval, retry.MaxElapsedTime = time.Second, 10*time.Second, time.Minute

	want := &Config{
		Directory:           "/var/lib/otelcol/analytics",
		Rotation:            RotationConfig{MaxMegabytes: 0.0625, MaxFiles: 20, MaxAge: 168 * time.Hour, Interval: time.Hour},
		Compression:         jsonl.CompressionZstd,
		Fsync:               true,
		FileMode:            "0640",
		DirMode:             "0750",
		TypeAttribute:       "my.type",
		BuiltinRules:        false,
		Unmatched:           "performance",
		SessionIDAttributes: []string{"session.id", "thread.id"},
		UserIDAttributes:    []string{"user.id"},
		Rules: []RuleConfig{
			{
				Match:  MatchConfig{Event: "my_app.tool_*"},
				Type:   "tool_use",
				Fields: map[string]string{"tool_name": "tool", "duration_ms": "elapsed"},
			},
			{Match: MatchConfig{SeverityMin: 17, Attributes: map[string]string{"service.tier": "*"}}, Type: "error_occurred"},
			{Match: MatchConfig{Metric: "claude_code.*.usage"}, Type: "token_usage"},
			{Match: MatchConfig{Span: "my_app.run *", Attributes: map[string]string{"app.kind": "agent"}}, Type: "agent_execution"},
		},
		Metrics:       MetricsConfig{IncludeBuckets: true},
		Sessions:      SessionsConfig{Enabled: true, IdleTimeout: 10 * time.Minute, MaxTracked: 500, Storage: &storage},
		Traces:        TracesConfig{SessionWait: time.Minute, MaxHeld: 500, MaxHeldMegabytes: 2.5, MaxRemembered: 2000},
		Privacy:       defaultPrivacyConfig(),
		TimeoutConfig: exporterhelper.TimeoutConfig{Timeout: 2 * time.Second},
		BackOffConfig: retry,
		QueueConfig:   configoptional.Some(queue),
	}
	assert.Equal(t, want, cfg)
	assert.Equal(t, int64(64<<10), cfg.Rotation.maxBytes(), "0.0625 MiB is 64 KiB")
}

func TestConfigSessionsDisabledSkipsTheirChecks(t *testing.T) {
	cfg, err := loadConfig(t, "analytics/sessions_off")
	require.NoError(t, err)
	require.NoError(t, confmap.Validate(cfg))
}

// TestConfigInvalid runs every failing example of testdata/config.yaml
// through confmap.Validate, as the Collector does, and checks the error
// names the full key.
func TestConfigInvalid(t *testing.T) {
	tests := map[string]string{
		"empty_directory":                "directory: must not be empty",
		"bad_compression":                `compression: must be one of gzip, zstd, none, got "lz4"`,
		"negative_max_megabytes":         "rotation::max_megabytes: must be > 0, got -1",
		"zero_max_files":                 "rotation::max_files: must be >= 1, got 0",
		"negative_max_age":               "rotation::max_age: must be >= 0, got -1h0m0s",
		"negative_interval":              "rotation::interval: must be >= 0, got -5s",
		"file_mode_not_octal":            `file_mode: must be an octal permission between 0000 and 0777, got "0689"`,
		"file_mode_too_large":            `file_mode: must be an octal permission between 0000 and 0777, got "01777"`,
		"file_mode_owner_cannot_write":   `file_mode: must give the owner at least 0600, got "0400"`,
		"dir_mode_owner_cannot_enter":    `dir_mode: must give the owner at least 0700, got "0600"`,
		"bad_unmatched":                  `unmatched: must be drop or one of session_start,`,
		"empty_session_id_attribute":     "session_id_attributes::1: attribute key must not be empty",
		"empty_user_id_attribute":        "user_id_attributes::0: attribute key must not be empty",
		"rule_unknown_type":              `rules::0::type: must be one of session_start,`,
		"rule_empty_match":               "rules::1::match: must set at least one of event, metric, span, severity_min, attributes",
		"rule_bad_event_glob":            `rules::0::match::event: unsupported glob syntax '[' in "my_app.[tool": only * and ? are wildcards`,
		"rule_bad_metric_glob":           `rules::0::match::metric: unsupported glob syntax '{' in "gen_ai.{client,server}.*"`,
		"rule_event_and_metric":          "rules::0::match::event: event and metric exclude each other",
		"rule_span_and_event":            "rules::0::match::span: span excludes event and metric",
		"rule_bad_span_glob":             `rules::0::match::span: unsupported glob syntax '[' in "chat [model]"`,
		"traces_zero_session_wait":       "traces::session_wait: must be > 0, got 0s",
		"traces_zero_max_held":           "traces::max_held: must be >= 1, got 0",
		"traces_zero_max_held_megabytes": "traces::max_held_megabytes: must be > 0, got 0",
		"traces_zero_max_remembered":     "traces::max_remembered: must be >= 1, got 0",
		"rule_field_not_named":           "rules[0].fields.tool_nam: not a named field of tool_use",
		"rule_bad_severity_number":       "rules::0::match::severity_min: must be 1-24 or a severity name, got 30",
		"rule_empty_field":               `rules::0::fields: named field and attribute must not be empty, got "tool_name": ""`,
		"rule_empty_attribute_key":       "rules::0::match::attributes: attribute key must not be empty",
		"sessions_zero_idle_timeout":     "sessions::idle_timeout: must be > 0, got 0s",
		"sessions_zero_max_tracked":      "sessions::max_tracked: must be >= 1, got 0",
		"bad_retry":                      "retry_on_failure:",
		"bad_timeout":                    "timeout value must be greater than or equal to 0",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			cfg, err := loadConfig(t, "analytics/"+name)
			require.NoError(t, err)
			err = confmap.Validate(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
			// One rule broken, one error reported.
			assert.Len(t, strings.Split(err.Error(), "\n"), 1, "errors: %v", err)
		})
	}
}

// TestConfigUnmarshalErrors covers values the decoder rejects before
// Validate runs; its errors name the key too.
func TestConfigUnmarshalErrors(t *testing.T) {
	tests := map[string][]string{
		"rule_bad_severity_name": {"severity_min", `unknown severity "LOUD"`},
		"unquoted_file_mode":     {"file_mode"},
		"unknown_key":            {"directroy"},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(t, "analytics/"+name)
			require.Error(t, err)
			for _, w := range want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestSeverityText(t *testing.T) {
	tests := map[string]Severity{
		"":        0,
		"TRACE":   1,
		"debug":   5,
		"Info":    9,
		"INFO4":   12,
		"WARN":    13,
		"warning": 13,
		"ERROR":   17,
		"error2":  18,
		"FATAL4":  24,
		"17":      17,
	}
	for text, want := range tests {
		var s Severity
		require.NoError(t, s.UnmarshalText([]byte(text)), text)
		assert.Equal(t, want, s, text)
		// MarshalText gives a name UnmarshalText reads back as the same number.
		out, err := s.MarshalText()
		require.NoError(t, err)
		var back Severity
		require.NoError(t, back.UnmarshalText(out))
		assert.Equal(t, s, back, "round trip of %q via %q", text, out)
	}
	for _, bad := range []string{"ERROR5", "ERROR1", "LOUD", "25", "-1", "INFOX"} {
		var s Severity
		assert.Error(t, s.UnmarshalText([]byte(bad)), bad)
	}
}

func TestConfigDefaultSendingQueueMatchesMetadata(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	assert.Equal(t, metadata.NewDefaultSendingQueueConfig(), cfg.QueueConfig)
}
