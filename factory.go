package analyticsexporter

import (
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

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
		SessionIDAttributes: []string{"session.id", "gen_ai.conversation.id", "conversation.id"},
		UserIDAttributes:    []string{"user.id", "enduser.id", "user.account_uuid", "user.email", "installation.id"},
		Sessions: SessionsConfig{
			Enabled:     true,
			IdleTimeout: 30 * time.Minute,
			MaxTracked:  10000,
		},
		Privacy:       defaultPrivacyConfig(),
		TimeoutConfig: exporterhelper.NewDefaultTimeoutConfig(),
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		QueueConfig:   metadata.NewDefaultSendingQueueConfig(),
	}
}
