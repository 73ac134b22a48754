// Package testbinary locates the built Collector (otelcol-analytics) for the
// tests that run it: the end-to-end smoke test (e2e/), the reliability
// suite (reliability/) and the scale test (scale/); and the repository
// root for tests that read its files.
package testbinary

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Env names the environment variable that holds the path of the built
// Collector; `make e2e` and `make reliability` set it.
const Env = "OTELCOL_ANALYTICS_BINARY"

// ReadyMessage is what a Collector (this one or the gateway) logs once
// every component has started: its receivers listen by then.
const ReadyMessage = "Everything is ready"

// Path returns the absolute path of the Collector to test: $Env, else
// _build/otelcol-analytics under the repository root (where `make build`
// puts it). A missing binary fails tb rather than skipping it: a test of
// the binary without the binary proves nothing.
func Path(tb testing.TB) string {
	tb.Helper()
	return Lookup(tb, Env, "_build/otelcol-analytics", "build")
}

// Lookup returns the absolute path of a built binary: $env, else rel under
// the repository root. A missing binary fails tb, naming the make target
// that builds it.
func Lookup(tb testing.TB, env, rel, target string) string {
	tb.Helper()
	bin := os.Getenv(env)
	if bin == "" {
		bin = filepath.Join(RepoRoot(tb), filepath.FromSlash(rel))
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		tb.Fatal(err)
	}
	if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
		tb.Fatalf("%s not found (run `make %s`, or set %s): %v", abs, target, env, err)
	}
	return abs
}

// RepoRoot returns the repository root, found from this package's source
// (the tests run in their own package's folder, at different depths).
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("cannot locate the repository root")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}
