package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// capturesDir holds the stored captures, one directory per agent version.
const capturesDir = "../testdata/agents"

// runInfo is run.json: how a capture was made.
type runInfo struct {
	Agent    string            `json:"agent"`
	Version  string            `json:"version"`
	Scenario string            `json:"scenario"`
	Argv     [][]string        `json:"argv"`
	Env      map[string]string `json:"env,omitempty"`
	Files    map[string]string `json:"files,omitempty"` // settings files written for the agent
}

// capture is one stored run of one scenario by one agent.
type capture struct {
	dir    string
	info   runInfo
	served []mockmodel.Served
}

func (c capture) otlpDir() string { return filepath.Join(c.dir, "otlp") }

func (c capture) name() string { return c.info.Agent + "-" + c.info.Version + "/" + c.info.Scenario }

// loadCaptures returns every capture under capturesDir.
func loadCaptures(t *testing.T) []capture {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(capturesDir, "*", "*", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []capture
	for _, runFile := range dirs {
		dir := filepath.Dir(runFile)
		c := capture{dir: dir}
		b, err := os.ReadFile(runFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &c.info); err != nil {
			t.Fatalf("%s: %v", runFile, err)
		}
		if c.served, err = mockmodel.ReadServed(filepath.Join(dir, "mock.json")); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// scenarioNamed returns the scenario of a capture.
func scenarioNamed(t *testing.T, name string) mockmodel.Scenario {
	t.Helper()
	for _, sc := range mockmodel.Scenarios {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("unknown scenario %q", name)
	return mockmodel.Scenario{}
}
