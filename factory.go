package analyticsexporter

import (
	"slices"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
	"github.com/analyticsexporter/analyticsexporter/internal/sessions"
	"github.com/analyticsexporter/analyticsexporter/jsonl"
)

// NewFactory returns the factory of the `analytics` exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(
		metadata.Type,
		createDefaultConfig,
		exporter.WithLogs(createLogs, metadata.LogsStability),
		exporter.WithMetrics(createMetrics, metadata.MetricsStability),
		exporter.WithTraces(createTraces, metadata.TracesStability),
	)
}

// The defaults of the exporter's own keys. Those that a package below has
// too (rotation, modes, identity attributes, sessions) are taken from it, so
// each is defined once.
const (
	defaultDirectory     = "./analytics"
	defaultTypeAttribute = "analytics.type"
	defaultUnmatched     = "drop"
)

func createDefaultConfig() component.Config {
	return &Config{
		Directory: defaultDirectory,
		Rotation: RotationConfig{
			MaxMegabytes: float64(jsonl.DefaultMaxBytes) / (1 << 20),
			MaxFiles:     jsonl.DefaultMaxFiles,
		},
		Compression:         jsonl.CompressionGzip,
		FileMode:            formatMode(jsonl.DefaultFileMode),
		DirMode:             formatMode(jsonl.DefaultDirMode),
		TypeAttribute:       defaultTypeAttribute,
		BuiltinRules:        true,
		Unmatched:           defaultUnmatched,
		SessionIDAttributes: slices.Clone(convert.DefaultSessionIDAttributes),
		UserIDAttributes:    slices.Clone(convert.DefaultUserIDAttributes),
		Sessions: SessionsConfig{
			Enabled:     true,
			IdleTimeout: sessions.DefaultIdleTimeout,
			MaxTracked:  sessions.DefaultMaxTracked,
		},
		Traces: TracesConfig{
			SessionWait:      convert.DefaultSessionWait,
			MaxHeld:          convert.DefaultMaxHeld,
			MaxHeldMegabytes: convert.DefaultMaxHeldBytes >> 20,
			MaxRemembered:    convert.DefaultMaxRemembered,
		},
		Privacy:       defaultPrivacyConfig(),
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		QueueConfig:   metadata.NewDefaultSendingQueueConfig(),
	}
}
