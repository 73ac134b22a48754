package analyticsexporter

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
)

func TestFactoryTypeAndStability(t *testing.T) {
	f := NewFactory()
	assert.Equal(t, component.MustNewType("analytics"), f.Type())
	assert.Equal(t, component.StabilityLevelAlpha, f.LogsStability())
	assert.Equal(t, component.StabilityLevelAlpha, f.MetricsStability())
	assert.Equal(t, component.StabilityLevelAlpha, f.TracesStability())
}

func TestFactoryCreateWithDefaultConfig(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Directory = t.TempDir()
	set := exportertest.NewNopSettings(metadata.Type)

	logs, err := f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NotNil(t, logs)
	assert.False(t, logs.Capabilities().MutatesData)

	metrics, err := f.CreateMetrics(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NotNil(t, metrics)

	traces, err := f.CreateTraces(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NotNil(t, traces)

	// Created but never started: Shutdown is clean and opens nothing.
	require.NoError(t, logs.Shutdown(context.Background()))
	require.NoError(t, metrics.Shutdown(context.Background()))
	require.NoError(t, traces.Shutdown(context.Background()))
	assert.NoDirExists(t, cfg.Directory+"/metrics")

	// The full lifecycle with the default config works.
	logs, err = f.CreateLogs(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, logs.Start(context.Background(), componenttest.NewNopHost()))
	require.NoError(t, logs.Shutdown(context.Background()))
	assert.DirExists(t, cfg.Directory+"/metrics")
}
