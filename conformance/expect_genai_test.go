package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
	"github.com/analyticsexporter/analyticsexporter/internal/otlpcapture"
)

// The GenAI apps under conformance/genai, one per instrumentation of the
// openai client. Each runs tool_ok as one conversation: a shell agent asks
// the model, runs the command the model asks for with its tool
// run_shell_command, sends the output back and prints the answer.
var (
	// openaiOTel: the OpenTelemetry contrib instrumentation. Its chat spans
	// carry gen_ai.usage.input_tokens and output_tokens only (no cached or
	// reasoning count) and no session attribute: the app's invoke_agent
	// span, their parent, carries gen_ai.conversation.id.
	openaiOTel = genaiApp("openai-otel-instrumentation", "@opentelemetry/instrumentation-openai", "0.21.0", inputOutputOnly)
	// traceloopOpenAI: OpenLLMetry. Every span carries the session as the
	// association property traceloop.association.properties.session_id;
	// chat spans carry input and output tokens only.
	traceloopOpenAI = genaiApp("traceloop-openai", "@traceloop/instrumentation-openai", "0.27.0", inputOutputOnly)
	// vercelAI: the Vercel AI SDK's own spans. Every span carries the
	// session as ai.telemetry.metadata.sessionId; the model-call spans
	// (ai.generateText.doGenerate) carry cached and reasoning counts under
	// ai.usage.*.
	vercelAI = genaiApp("vercel-ai-sdk", "ai", "6.0.326", noCacheWrites)
)

// genaiApp is the spec of a GenAI app: its package pinned at version, the
// one conversation tool_ok with the tool run_shell_command, analytics from
// its spans, and unsent the token kinds its spans do not carry.
func genaiApp(name, pkg, version string, unsent []string) agentSpec {
	return agentSpec{
		name:              name,
		pkg:               pkg,
		version:           version,
		shellTool:         "run_shell_command",
		maxLinesPerPrompt: 10,
		scenarios:         []string{"tool_ok"},
		needsTraces:       true,
		unsentTokens:      unsent,
		extra:             genaiCheck(unsent),
	}
}

// Token kinds the apps cannot send: the Chat Completions API has no count
// of cache writes, and the two openai instrumentations drop the cached and
// reasoning counts the API gave them.
var (
	noCacheWrites   = []string{"cache_creation_tokens"}
	inputOutputOnly = []string{"cache_read_tokens", "cache_creation_tokens", "reasoning_tokens"}
)

// genaiAgentName is the agent name every app gives its agent (the
// invoke_agent span's gen_ai.agent.name, OpenLLMetry's withAgent name, the
// AI SDK's functionId).
const genaiAgentName = "shell-agent"

// genaiSessionAttrs are the span attributes the GenAI apps put their
// session id in: the GenAI conventions' gen_ai.conversation.id, session.id,
// OpenLLMetry's association property and the AI SDK's telemetry metadata.
var genaiSessionAttrs = []string{
	"gen_ai.conversation.id", "session.id",
	"traceloop.association.properties.session_id", "ai.telemetry.metadata.sessionId",
}

// genaiCheck returns the checks particular to a GenAI app: the app's own
// session id on every entry, one agent_execution for the agent run, one
// token_usage per model answer with that answer's model and counts, the
// token kinds the app cannot send left unknown, durations from the spans,
// and no error.
func genaiCheck(unsent []string) func(t *testing.T, sc mockmodel.Scenario, c capture, entries []map[string]any) {
	return func(t *testing.T, _ mockmodel.Scenario, c capture, entries []map[string]any) {
		t.Helper()
		sid := captureSession(t, c)
		for _, e := range entries {
			if got := str(e["session_id"]); got != sid {
				t.Errorf("%v entry: session_id %q, want the app's %q", e["type"], got, sid)
			}
		}

		agents := ofType(entries, "agent_execution")
		if len(agents) != 1 {
			t.Errorf("%d agent_execution entries, want 1 (one agent run)", len(agents))
		}
		for _, e := range agents {
			d := e["data"].(map[string]any)
			if d["agent_name"] != genaiAgentName || d["success"] != true || !positive(d["duration_ms"]) {
				t.Errorf("agent_execution data %v, want agent_name %q, success true and the span's duration", d, genaiAgentName)
			}
		}
		for _, e := range ofType(entries, "tool_use") {
			if d := e["data"].(map[string]any); !positive(d["duration_ms"]) {
				t.Errorf("tool_use duration_ms %v, want the span's duration", d["duration_ms"])
			}
		}

		var want, got []string
		for _, s := range c.served {
			if s.Status == http.StatusOK && !s.Aux {
				want = append(want, fmt.Sprintf("%s in=%d out=%d", s.Model, s.Usage.Input, s.Usage.Output))
			}
		}
		for _, e := range ofType(entries, "token_usage") {
			d := e["data"].(map[string]any)
			got = append(got, fmt.Sprintf("%v in=%v out=%v", d["model"], d["input_tokens"], d["output_tokens"]))
			for _, k := range unsent {
				if v, ok := d[k]; ok && v != nil && num(v) != 0 {
					t.Errorf("token_usage %s = %v, but the app never sent that count", k, v)
				}
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("token_usage entries %q, want one per model answer %q", got, want)
		}
		if end := only(t, entries, "session_end"); end != nil {
			d := end["data"].(map[string]any)
			for _, k := range unsent {
				if v := d[k]; v != nil && num(v) != 0 {
					t.Errorf("session_end %s = %v, but the app never sent that count", k, v)
				}
			}
		}
		if n := len(ofType(entries, "error_occurred")); n != 0 {
			t.Errorf("%d error_occurred entries, nothing failed", n)
		}
	}
}

// captureSession returns the one session id the capture's spans carry.
func captureSession(t *testing.T, c capture) string {
	t.Helper()
	reqs := loadRequests(t, c.otlpDir())
	ids := map[string]bool{}
	eachSpan(t, reqs, func(s spanInfo) {
		if id := spanSession(s); id != "" {
			ids[id] = true
		}
	})
	if len(ids) != 1 {
		t.Fatalf("the capture's spans carry sessions %v, want exactly one", ids)
	}
	for id := range ids {
		return id
	}
	return ""
}

// spanInfo is one span of a capture with its resource attributes.
type spanInfo struct {
	trace       pcommon.TraceID
	start, end  pcommon.Timestamp
	attrs, res  pcommon.Map
	name, scope string
}

// eachSpan calls fn with every span of the capture's traces requests.
func eachSpan(t *testing.T, reqs []otlpcapture.Request, fn func(spanInfo)) {
	t.Helper()
	for _, r := range reqs {
		if r.Signal != "traces" {
			continue
		}
		td, err := r.Traces()
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, sp := range ss.Spans().All() {
					fn(spanInfo{
						trace: sp.TraceID(), start: sp.StartTimestamp(), end: sp.EndTimestamp(),
						attrs: sp.Attributes(), res: rs.Resource().Attributes(),
						name: sp.Name(), scope: ss.Scope().Name(),
					})
				}
			}
		}
	}
}

// spanSession returns the session id a span carries itself, or "". Only
// string values name a session: every Codex span has an integer thread.id
// (the OS thread, as the OTel conventions define it), and some also a
// string one, the conversation (the same key twice: the last one counts).
func spanSession(s spanInfo) string {
	for _, m := range []pcommon.Map{s.attrs, s.res} {
		for _, k := range append(slices.Clone(sessionAttrs), genaiSessionAttrs...) {
			id := ""
			for key, v := range m.All() {
				if key == k && v.Type() == pcommon.ValueTypeStr {
					id = v.Str()
				}
			}
			if id != "" {
				return id
			}
		}
	}
	return ""
}

// sessionSpanTimes returns the start and end times of every span that
// belongs to a session: a span that carries a session id, and every span
// of a trace in which some span does (a GenAI instrumentation's spans
// carry none; their trace's root does).
func sessionSpanTimes(t *testing.T, reqs []otlpcapture.Request) []pcommon.Timestamp {
	t.Helper()
	var spans []spanInfo
	inSession := map[pcommon.TraceID]bool{}
	eachSpan(t, reqs, func(s spanInfo) {
		spans = append(spans, s)
		if spanSession(s) != "" {
			inSession[s.trace] = true
		}
	})
	var out []pcommon.Timestamp
	for _, s := range spans {
		if inSession[s.trace] {
			out = append(out, s.start, s.end)
		}
	}
	return out
}

// TestGenAIAppsPinned: the versions the specs name are the ones
// conformance/genai/package.json and its lock pin, so a capture directory's
// name says which instrumentation made it.
func TestGenAIAppsPinned(t *testing.T) {
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for path, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		b, err := os.ReadFile(filepath.Join("genai", path))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	n := 0
	for _, s := range specs {
		if !s.needsTraces {
			continue
		}
		n++
		if got := pkg.Dependencies[s.pkg]; got != s.version {
			t.Errorf("%s: package.json pins %s %q, the spec says %q", s.name, s.pkg, got, s.version)
		}
		if got := lock.Packages["node_modules/"+s.pkg].Version; got != s.version {
			t.Errorf("%s: package-lock.json has %s %q, the spec says %q", s.name, s.pkg, got, s.version)
		}
		if s.scenarios == nil || s.shellTool == "" || s.extra == nil {
			t.Errorf("%s: a GenAI app's spec names its scenarios, its tool and its own checks", s.name)
		}
	}
	if n == 0 {
		t.Fatal("no GenAI app among the specs")
	}
}

// positive reports whether v is a JSON number above zero.
func positive(v any) bool { return num(v) > 0 }
