package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// pageResult is what scripts/report/page.mjs prints.
type pageResult struct {
	Console []struct {
		Type, Text string
	}
	Errors   []string
	Requests []string
	Title    string
	Panels   map[string]struct {
		SVG  int
		Bars int
		Box  struct{ X, Y, Width, Height float64 }
	}
}

// chartColours are the series colours each chart must show (internal/report/html.go).
var chartColours = map[string][]string{
	"chart-cost":         {"#2563eb", "#f59e0b"},
	"chart-tokens":       {"#64748b", "#10b981", "#8b5cf6", "#ef4444"},
	"chart-sessions":     {"#0ea5e9"},
	"chart-tools":        {"#16a34a", "#dc2626"},
	"chart-latency":      {"#1d4ed8", "#93c5fd"},
	"chart-errors":       {"#b91c1c"},
	"chart-top-sessions": {"#7c3aed"},
}

// TestHTMLInChromium opens the --html page of the generated month in
// headless Chromium with every request refused, and checks that it loads
// nothing, logs nothing, has its seven charts with their bars, and that the
// screenshot shows each series' colour inside its chart.
// ANALYTICS_SCREENSHOT=FILE keeps the screenshot (docs/report.png).
func TestHTMLInChromium(t *testing.T) {
	modules := nodeModules(t, "playwright-core")
	chromium := "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		missing(t, "chromium is not installed (apt-get install chromium)")
	}
	dirs := month(t)
	tmp := t.TempDir()
	page := filepath.Join(tmp, "report.html")
	var out, errb bytes.Buffer
	if code := run(append([]string{"report", "--html", page, "--format", "json"}, dirs...), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{"<script", "http://", "https://", "@import", "url("} {
		if banned == "http://" {
			// the SVG namespace is a name, not a request
			if strings.Count(string(html), banned) != strings.Count(string(html), `xmlns="http://www.w3.org/2000/svg"`) {
				t.Errorf("the page names an http:// address besides the SVG namespace")
			}
			continue
		}
		if strings.Contains(string(html), banned) {
			t.Errorf("the page contains %q", banned)
		}
	}

	shot := filepath.Join(tmp, "shot.png")
	cmd := exec.Command("node", filepath.Join(repoRoot(t), "scripts", "report", "page.mjs"),
		"--modules", modules, "--page", page, "--shot", shot, "--chromium", chromium)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("page.mjs: %v: %s", err, stderr.String())
	}
	var pr pageResult
	if err := json.Unmarshal(res, &pr); err != nil {
		t.Fatalf("page.mjs output %.300s: %v", res, err)
	}
	for _, m := range pr.Console {
		t.Errorf("console %s: %s", m.Type, m.Text)
	}
	for _, e := range pr.Errors {
		t.Errorf("page error: %s", e)
	}
	for _, u := range pr.Requests {
		t.Errorf("the page requested %s", u)
	}
	if pr.Title != "Agent telemetry report" {
		t.Errorf("title %q", pr.Title)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for id, colours := range chartColours {
		p, ok := pr.Panels[id]
		if !ok {
			t.Errorf("%s: no such panel", id)
			continue
		}
		if p.SVG != 1 || p.Bars < len(colours) {
			t.Errorf("%s: %d svg, %d bars", id, p.SVG, p.Bars)
		}
		rect := image.Rect(int(p.Box.X), int(p.Box.Y), int(p.Box.X+p.Box.Width), int(p.Box.Y+p.Box.Height))
		for _, c := range colours {
			if n := countColour(img, rect, c); n < 40 {
				t.Errorf("%s: %d pixels of %s in %v, want at least 40", id, n, c, rect)
			}
		}
	}
	if keep := os.Getenv("ANALYTICS_SCREENSHOT"); keep != "" {
		b, err := os.ReadFile(shot)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(keep, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// countColour counts the pixels of r within 3 of the colour #rrggbb.
func countColour(img image.Image, r image.Rectangle, hex string) int {
	var want [3]int
	for i := range want {
		v := 0
		for _, c := range hex[1+2*i : 3+2*i] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= int(c - '0')
			default:
				v |= int(c-'a') + 10
			}
		}
		want[i] = v
	}
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if near(int(cr>>8), want[0]) && near(int(cg>>8), want[1]) && near(int(cb>>8), want[2]) {
				n++
			}
		}
	}
	return n
}

func near(a, b int) bool { return a-b <= 3 && b-a <= 3 }
