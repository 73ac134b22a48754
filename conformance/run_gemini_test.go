//go:build agents

package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// geminiSlowAnswer is how long the runner's model proxy holds each final
// answer of the main conversation. Gemini CLI exports metrics every 10 s
// (a fixed exportIntervalMillis that no setting or OTEL_ variable
// changes) and once more when it exits, so an invocation that lasts over
// 10 s sends its cumulative metrics at least twice, as a real session
// does: the captures must show the same points re-sent.
const geminiSlowAnswer = 11 * time.Second

// runGemini runs the scenario with Gemini CLI: one headless `gemini -p`
// per prompt, the second with --resume latest so it continues the first
// one's session (same session id). The API key is fake; the model API is
// the mock, reached through GOOGLE_GEMINI_BASE_URL, which Gemini CLI only
// honours with the gemini-api-key auth type selected in settings.json.
func runGemini(ctx context.Context, t *testing.T, env runEnv, sc mockmodel.Scenario) (runInfo, error) {
	slow, err := startSlowProxy(env.modelURL, geminiSlowAnswer)
	if err != nil {
		return runInfo{}, err
	}
	defer slow.Close()

	settings := map[string]any{
		"security": map[string]any{
			"auth":        map[string]any{"selectedType": "gemini-api-key"},
			"folderTrust": map[string]any{"enabled": false},
		},
		// No usage statistics (Clearcut) and no update checks: the run
		// talks to loopback only.
		"privacy": map[string]any{"usageStatisticsEnabled": false},
		"general": map[string]any{"enableAutoUpdate": false, "enableAutoUpdateNotification": false},
		"telemetry": map[string]any{
			"enabled":      true,
			"target":       "local",
			"otlpEndpoint": env.otlpURL,
			"otlpProtocol": "http",
			"logPrompts":   true,
			"traces":       true,
		},
	}
	b, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return runInfo{}, err
	}
	settingsPath := filepath.Join(env.home, ".gemini", "settings.json")
	if err := os.MkdirAll(filepath.Dir(settingsPath), 0o700); err != nil {
		return runInfo{}, err
	}
	if err := os.WriteFile(settingsPath, b, 0o600); err != nil {
		return runInfo{}, err
	}
	extraEnv := map[string]string{
		"GEMINI_API_KEY":         "fake-gemini-key",
		"GOOGLE_GEMINI_BASE_URL": slow.URL(),
	}
	var envList []string
	for k, v := range extraEnv {
		envList = append(envList, k+"="+v)
	}
	info := runInfo{
		Env:   extraEnv,
		Files: map[string]string{"~/.gemini/settings.json": string(b)},
	}
	// The URLs are per run: run.json keeps their shape, not the ports.
	info.Env["GOOGLE_GEMINI_BASE_URL"] = "http://127.0.0.1:<model proxy>"
	info.Files["~/.gemini/settings.json"] = strings.ReplaceAll(string(b), env.otlpURL, "http://127.0.0.1:<otlp proxy>")

	err = runPrompts(ctx, t, env, envList, "gemini", sc, &info, func(i int, prompt string) ([]string, error) {
		args := []string{"-p", prompt, "--approval-mode", "yolo"}
		if i > 0 {
			args = append(args, "--resume", "latest")
		}
		return args, nil
	})
	return info, err
}

// slowProxy forwards the agent's model requests to the mock and holds the
// final answers of the main conversation (a streamed answer without a
// function call) for a while before passing them on.
type slowProxy struct {
	upstream string
	hold     time.Duration
	ln       net.Listener
	srv      *http.Server
}

func startSlowProxy(upstream string, hold time.Duration) (*slowProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &slowProxy{upstream: upstream, hold: hold, ln: ln}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

func (p *slowProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *slowProxy) Close() error { return p.srv.Close() }

func (p *slowProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if resp.StatusCode == http.StatusOK && strings.HasSuffix(r.URL.Path, ":streamGenerateContent") &&
		bytes.Contains(body, []byte(`"functionDeclarations"`)) && !bytes.Contains(answer, []byte(`"functionCall"`)) {
		select {
		case <-time.After(p.hold):
		case <-r.Context().Done():
			return
		}
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}
