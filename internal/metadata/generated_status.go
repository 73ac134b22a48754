// Code written by hand in the shape mdatagen v0.165.0 generates (mdatagen is
// not available here); metadata.yaml is kept true to it by a test.

// Package metadata contains the telemetry and build information of the
// analytics exporter component.
package metadata

import (
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

var (
	// Type is the component type, `analytics`.
	Type = component.MustNewType("analytics")
	// ScopeName is the instrumentation scope of the component's own telemetry.
	ScopeName = "github.com/analyticsexporter/analyticsexporter"
)

const (
	// LogsStability is the stability of the logs exporter.
	LogsStability = component.StabilityLevelAlpha
	// MetricsStability is the stability of the metrics exporter.
	MetricsStability = component.StabilityLevelAlpha
	// TracesStability is the stability of the traces exporter.
	TracesStability = component.StabilityLevelAlpha
)

// NewDefaultSendingQueueConfig returns the sending queue default declared in
// metadata.yaml: present but disabled, so an export that returns success has
// been written.
func NewDefaultSendingQueueConfig() configoptional.Optional[exporterhelper.QueueBatchConfig] {
	cfg := exporterhelper.NewDefaultQueueConfig()
	batchCfg := *cfg.Batch.GetOrInsertDefault()
	cfg.Batch = configoptional.Default(batchCfg)
	return configoptional.Default(cfg)
}
