package analyticsexporter

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
	"github.com/analyticsexporter/analyticsexporter/internal/metadata"
)

// TestMetadataYAMLMatchesCode keeps metadata.yaml true to the hand-written
// internal/metadata: type, stability per signal, and every telemetry metric
// (name, unit, description, kind), in both directions.
func TestMetadataYAMLMatchesCode(t *testing.T) {
	cm, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	md := cm.ToStringMap()

	assert.Equal(t, metadata.Type.String(), md["type"])
	status := md["status"].(map[string]any)
	assert.Equal(t, "exporter", status["class"])
	stability := status["stability"].(map[string]any)
	require.Len(t, stability, 1, "one stability level for every signal")
	assert.ElementsMatch(t, []any{"logs", "metrics", "traces"}, stability[strings.ToLower(metadata.LogsStability.String())])
	assert.ElementsMatch(t, []any{"logs", "metrics", "traces"}, stability[strings.ToLower(metadata.MetricsStability.String())])
	assert.ElementsMatch(t, []any{"logs", "metrics", "traces"}, stability[strings.ToLower(metadata.TracesStability.String())])

	attrs := md["attributes"].(map[string]any)
	typeEnum := attrs["type"].(map[string]any)["enum"].([]any)
	assert.Len(t, typeEnum, convert.NumTypes)
	for i, typ := range convert.Types {
		assert.Equal(t, typ, typeEnum[i])
	}
	assert.Equal(t, []any{"unmatched", "invalid", "duplicate", "ignored", "unchanged", "no_session"}, attrs["reason"].(map[string]any)["enum"])

	yamlMetrics := md["telemetry"].(map[string]any)["metrics"].(map[string]any)
	got, observable := recordEveryInstrument(t)
	assert.Len(t, got, len(yamlMetrics), "metrics in code vs metrics in metadata.yaml")
	for name, raw := range yamlMetrics {
		def := raw.(map[string]any)
		m, ok := got["otelcol_"+name]
		if !assert.True(t, ok, "metadata.yaml metric %s has no instrument", name) {
			continue
		}
		assert.Equal(t, def["unit"], m.Unit, name)
		assert.Equal(t, def["description"].(string)+" [Alpha]", m.Description, name)
		assert.Equal(t, "alpha", def["stability"], name)
		switch m.Data.(type) {
		case metricdata.Sum[int64]:
			if assert.Contains(t, def, "sum", name) {
				async, _ := def["sum"].(map[string]any)["async"].(bool)
				assert.Equal(t, observable["otelcol_"+name], async, "%s: async in metadata.yaml vs an observable instrument in code", name)
			}
		case metricdata.Histogram[float64]:
			assert.Contains(t, def, "histogram", name)
		default:
			t.Errorf("%s: unexpected kind %T", name, m.Data)
		}
	}
}

// recordEveryInstrument builds a TelemetryBuilder, records one value on
// each of its instruments (through its Register*Callback for observable
// ones) and returns what the SDK collected by name, and which names are
// observable.
func recordEveryInstrument(t *testing.T) (map[string]metricdata.Metrics, map[string]bool) {
	tt := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tt.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tt.NewTelemetrySettings())
	require.NoError(t, err)
	defer tb.Shutdown()

	v := reflect.ValueOf(tb).Elem()
	var observableFields []string
	for i := 0; i < v.NumField(); i++ {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		switch inst := v.Field(i).Interface().(type) {
		case metric.Int64ObservableCounter:
			name := v.Type().Field(i).Name
			observableFields = append(observableFields, name)
			register := reflect.ValueOf(tb).MethodByName("Register" + name + "Callback")
			require.True(t, register.IsValid(), "field %s: no Register%sCallback", name, name)
			cb := metric.Int64Callback(func(_ context.Context, o metric.Int64Observer) error {
				o.Observe(1)
				return nil
			})
			res := register.Call([]reflect.Value{reflect.ValueOf(cb)})
			require.Nil(t, res[0].Interface(), name)
		case metric.Int64Counter:
			inst.Add(context.Background(), 1)
		case metric.Float64Histogram:
			inst.Record(context.Background(), 1)
		default:
			t.Fatalf("field %s: unhandled instrument %T", v.Type().Field(i).Name, inst)
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tt.Reader.Collect(context.Background(), &rm))
	out, observable := map[string]metricdata.Metrics{}, map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != metadata.ScopeName {
			continue
		}
		for _, m := range sm.Metrics {
			require.True(t, strings.HasPrefix(m.Name, "otelcol_analytics_"), m.Name)
			out[m.Name] = m
		}
	}
	for _, f := range observableFields {
		observable[metricName(f)] = true
	}
	return out, observable
}

// metricName turns a TelemetryBuilder field name into its metric's name:
// AnalyticsBytesWritten -> otelcol_analytics_bytes_written.
func metricName(field string) string {
	var b strings.Builder
	b.WriteString("otelcol")
	for _, r := range field {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestMetadataScopeNameIsModulePath(t *testing.T) {
	gomod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(gomod), "module "+metadata.ScopeName+"\n"))
}
