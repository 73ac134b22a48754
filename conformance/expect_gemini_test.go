package conformance

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// geminiCLI is what the suite expects of gemini-cli.
//
// Gemini CLI reports every model call it makes in a gemini_cli.api_response
// log, its routing classifier's included (role utility_router), so the
// auxiliary calls count in the totals. Its shell tool is run_shell_command.
var geminiCLI = agentSpec{
	name:              "gemini-cli",
	pkg:               "@google/gemini-cli",
	version:           "0.61.0",
	shellTool:         "run_shell_command",
	countsAux:         true,
	maxLinesPerPrompt: 10,
	// Gemini's API reports no cache writes.
	unsentTokens: []string{"cache_creation_tokens"},
	extra:        checkGemini,
}

// checkGemini checks what a user of Gemini CLI expects beyond the shared
// checks: one token_usage per answered model call with that call's model
// and figures, the session's model being the main conversation's (not the
// router's), the tool and error counts of session_end, one error_occurred
// per refused call, and no prompt, answer, command or tool output in the
// entries under the default configuration.
func checkGemini(t *testing.T, _ mockmodel.Scenario, c capture, entries []map[string]any) {
	t.Helper()
	checkGeminiTokenEntries(t, c, entries)
	checkGeminiModel(t, c, entries)
	checkGeminiCounts(t, c, entries)
	checkGeminiNoContent(t, entries)
}

// geminiCall is the usage of one answered model call, as the agent's
// token_usage entry must give it.
type geminiCall struct {
	model                                              string
	input, cacheRead, cacheCreation, output, reasoning float64
}

func (g geminiCall) String() string {
	return fmt.Sprintf("%s in=%v cache_read=%v cache_creation=%v out=%v reasoning=%v",
		g.model, g.input, g.cacheRead, g.cacheCreation, g.output, g.reasoning)
}

// checkGeminiTokenEntries: every answered call (aux ones too) has exactly
// one token_usage entry, with the call's model and usage, and there are no
// others (no entries made from the re-sent cumulative token metrics).
func checkGeminiTokenEntries(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	var want, got []string
	for _, s := range c.served {
		if s.Status != http.StatusOK {
			continue
		}
		u := s.Usage
		// cache_creation is unknown (null): the API has no such count.
		want = append(want, geminiCall{model: s.Model, input: float64(u.Input), cacheRead: float64(u.CacheRead),
			cacheCreation: math.NaN(), output: float64(u.Output), reasoning: float64(u.Reasoning)}.String())
	}
	for _, e := range ofType(entries, "token_usage") {
		d := e["data"].(map[string]any)
		got = append(got, geminiCall{model: str(d["model"]), input: num(d["input_tokens"]), cacheRead: num(d["cache_read_tokens"]),
			cacheCreation: num(d["cache_creation_tokens"]), output: num(d["output_tokens"]), reasoning: num(d["reasoning_tokens"])}.String())
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("token_usage entries, one per answered call:\n got  %s\n want %s",
			strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

// checkGeminiModel: the session's model is the one of the main
// conversation, not the flash-lite model of the routing classifier that
// Gemini CLI calls first.
func checkGeminiModel(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	main := ""
	for _, s := range c.served {
		if !s.Aux && s.Status == http.StatusOK {
			main = s.Model
		}
	}
	if end := only(t, entries, "session_end"); end != nil {
		if got := end["data"].(map[string]any)["model"]; got != main {
			t.Errorf("session_end model = %v, want the main conversation's %q", got, main)
		}
	}
	if start := only(t, entries, "session_start"); start != nil {
		if got, ok := start["data"].(map[string]any)["model"]; ok && got != nil && got != main {
			t.Errorf("session_start model = %v, want the main conversation's %q (or none)", got, main)
		}
	}
}

// checkGeminiCounts: session_end counts the tool uses, the failed ones (a
// command that exits non-zero: Gemini CLI's tool_call says success true
// and puts exitCode in its metadata) and the refused model calls, and each
// refused call is one error_occurred with its status.
func checkGeminiCounts(t *testing.T, c capture, entries []map[string]any) {
	t.Helper()
	var commands, failing, refused int
	for _, s := range c.served {
		if s.Command != "" {
			commands++
			if isFailCommand(s.Command) {
				failing++
			}
		}
		if s.Status == http.StatusTooManyRequests {
			refused++
		}
	}
	if end := only(t, entries, "session_end"); end != nil {
		d := end["data"].(map[string]any)
		for field, want := range map[string]int{"tool_uses": commands, "tool_failures": failing, "errors": refused} {
			if got := num(d[field]); got != float64(want) {
				t.Errorf("session_end %s = %v, want %d", field, got, want)
			}
		}
	}
	errs := ofType(entries, "error_occurred")
	if len(errs) != refused {
		t.Errorf("%d error_occurred entries, the mock refused %d calls", len(errs), refused)
		return
	}
	for _, e := range errs {
		if got := num(e["data"].(map[string]any)["status_code"]); got != http.StatusTooManyRequests {
			t.Errorf("error_occurred status_code = %v, want 429", got)
		}
	}
}

// checkGeminiNoContent: by default the entries keep no content: no prompt
// text, model answer, shell command or tool output, wherever the agent put
// it (Gemini CLI also puts the -p prompt in the process.command_args
// resource attribute). One error per marker names every place it was found.
func checkGeminiNoContent(t *testing.T, entries []map[string]any) {
	t.Helper()
	markers := []string{mockmodel.PromptMarker, mockmodel.ResponseMarker, mockmodel.CommandMarker, mockmodel.OutputMarker}
	for _, m := range markers {
		found := map[string]int{} // "type path" -> entries
		for _, e := range entries {
			for _, path := range geminiPathsWith(e, "", m) {
				found[fmt.Sprintf("%v %s", e["type"], path)]++
			}
		}
		if len(found) == 0 {
			continue
		}
		var where []string
		for k, n := range found {
			where = append(where, fmt.Sprintf("%s (%d entries)", k, n))
		}
		slices.Sort(where)
		t.Errorf("content %q kept in:\n    %s", m, strings.Join(where, "\n    "))
	}
}

// geminiPathsWith returns the paths in v of the strings that contain s.
func geminiPathsWith(v any, path, s string) []string {
	switch v := v.(type) {
	case string:
		if strings.Contains(v, s) {
			return []string{path}
		}
	case map[string]any:
		var out []string
		for k, x := range v {
			out = append(out, geminiPathsWith(x, strings.TrimPrefix(path+"."+k, "."), s)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, geminiPathsWith(x, path+"[]", s)...)
		}
		return out
	}
	return nil
}
