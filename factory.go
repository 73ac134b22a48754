package analyticsexporter

import (
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
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

func createDefaultConfig() component.Config {
	return &Config{
		Directory: "./analytics",
		Rotation: RotationConfig{
			MaxMegabytes: 100,
			MaxFiles:     10,
		},
		Compression:         jsonl.CompressionGzip,
		FileMode:            "0600",
		DirMode:             "0700",
		TypeAttribute:       "analytics.type",
		BuiltinRules:        true,
		Unmatched:           "drop",
		SessionIDAttributes: slices.Clone(convert.DefaultSessionIDAttributes),
		UserIDAttributes:    slices.Clone(convert.DefaultUserIDAttributes),
		Sessions: SessionsConfig{
			Enabled:     true,
			IdleTimeout: 30 * time.Minute,
			MaxTracked:  10000,
		},
		Traces: TracesConfig{
			SessionWait:      convert.DefaultSessionWait,
			MaxHeld:          convert.DefaultMaxHeld,
			MaxHeldMegabytes: convert.DefaultMaxHeldBytes >> 20,
			MaxRemembered:    convert.DefaultMaxRemembered,
		},
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		QueueConfig:   metadata.NewDefaultSendingQueueConfig(),
	}
}
