package scale

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/analyticsexporter/analyticsexporter/internal/convert"
)

// notRouted are the exporter's default session id attributes the gateway
// does not route by, and why. The load-balancing exporter's key is the
// tuple of every routing attribute present, not the first one, so an
// attribute that a sender puts on only part of a session's data would send
// that part to another backend.
var notRouted = map[string]string{
	"gen_ai.conversation.id": "Claude Code and Gemini CLI put it on their spans beside session.id, which alone is on their logs and metrics",
	"thread.id":              "an OS thread number on most of Codex's spans (and on OTel logging bridges' records)",
}

// TestGatewayRoutingAttributes keeps gateway/config.yaml in step with the
// analytics exporter: the load_balancing exporter routes by attributes, its
// routing_attributes are the exporter's default session id attributes in
// their order less notRouted, and logs, metrics and traces all go through
// it; gateway/backend.yaml writes all three with the analytics exporter. An
// attribute added to the exporter's defaults fails this test until it is
// routed or listed in notRouted with its reason.
func TestGatewayRoutingAttributes(t *testing.T) {
	var gw struct {
		Exporters struct {
			LoadBalancing struct {
				RoutingKey        string   `yaml:"routing_key"`
				RoutingAttributes []string `yaml:"routing_attributes"`
			} `yaml:"load_balancing"`
		} `yaml:"exporters"`
		Service service `yaml:"service"`
	}
	readYAML(t, "config.yaml", &gw)
	lb := gw.Exporters.LoadBalancing
	var want []string
	for _, a := range convert.DefaultSessionIDAttributes {
		if _, skip := notRouted[a]; !skip {
			want = append(want, a)
		}
	}
	for a := range notRouted {
		if !slices.Contains(convert.DefaultSessionIDAttributes, a) {
			t.Errorf("notRouted lists %q, which is not a default session id attribute any more", a)
		}
	}
	if lb.RoutingKey != "attributes" || !slices.Equal(lb.RoutingAttributes, want) {
		t.Errorf("gateway/config.yaml: routing_key %q, routing_attributes %q; want attributes, %q", lb.RoutingKey, lb.RoutingAttributes, want)
	}
	gw.Service.check(t, "gateway/config.yaml", "load_balancing")

	var be struct {
		Service service `yaml:"service"`
	}
	readYAML(t, "backend.yaml", &be)
	be.Service.check(t, "gateway/backend.yaml", "analytics")
}

type service struct {
	Pipelines map[string]struct {
		Receivers []string `yaml:"receivers"`
		Exporters []string `yaml:"exporters"`
	} `yaml:"pipelines"`
}

// check asserts a logs, a metrics and a traces pipeline from the otlp
// receiver to exporter.
func (s service) check(t *testing.T, file, exporter string) {
	t.Helper()
	for _, sig := range []string{"logs", "metrics", "traces"} {
		p, ok := s.Pipelines[sig]
		if !ok || !slices.Equal(p.Receivers, []string{"otlp"}) || !slices.Equal(p.Exporters, []string{exporter}) {
			t.Errorf("%s: %s pipeline %+v (present %v), want otlp -> %s", file, sig, p, ok, exporter)
		}
	}
}

// readYAML decodes gateway/<name>.
func readYAML(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "gateway", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("gateway/%s: %v", name, err)
	}
}
