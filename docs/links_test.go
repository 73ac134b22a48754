// Package docs holds the tests of the user documentation (../README.md,
// ../bench/README.md and docs/*.md): every relative link points at a file that exists and, with a
// #fragment, at a heading that exists; the README stays short enough to be
// read first; and the documents stand alone, without pointers to a
// specification or issue tracker the reader does not have.
package docs

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// documents returns the Markdown files the checks cover, relative to this
// directory.
func documents(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no docs/*.md files found")
	}
	return append([]string{filepath.Join("..", "README.md"), filepath.Join("..", "bench", "README.md")}, files...)
}

// linkRE matches an inline link's target: ](target) or ](target "title").
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// codeSpanRE matches an inline code span; links inside one are not links.
var codeSpanRE = regexp.MustCompile("`[^`]*`")

// prose calls fn with every line of md outside fenced code blocks, with
// its 1-based line number.
func prose(md string, fn func(n int, line string)) {
	fence := ""
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		if fence == "" && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")) {
			fence = trimmed[:3]
			continue
		}
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) {
				fence = ""
			}
			continue
		}
		fn(i+1, line)
	}
}

// slug is the anchor GitHub gives a heading: lower case, every character
// other than a letter, digit, '_', '-' or space dropped, spaces turned
// into '-'.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors returns the heading anchors of md, with GitHub's -1, -2 suffixes
// for repeated headings.
func anchors(md string) map[string]bool {
	seen := map[string]int{}
	out := map[string]bool{}
	prose(md, func(_ int, line string) {
		level := len(line) - len(strings.TrimLeft(line, "#"))
		if level == 0 || level > 6 || !strings.HasPrefix(line[level:], " ") {
			return
		}
		text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[level:]), "#"))
		a := slug(text)
		if n := seen[a]; n > 0 {
			out[fmt.Sprintf("%s-%d", a, n)] = true
		} else {
			out[a] = true
		}
		seen[a]++
	})
	return out
}

// brokenLinks returns a message for every relative link of the Markdown
// file path (contents md) whose file or heading does not exist.
func brokenLinks(path, md string) []string {
	var bad []string
	prose(md, func(n int, line string) {
		line = codeSpanRE.ReplaceAllString(line, "``")
		for _, m := range linkRE.FindAllStringSubmatch(line, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			full, content := path, md
			if file != "" {
				full = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
				if _, err := os.Stat(full); err != nil {
					bad = append(bad, fmt.Sprintf("%s:%d: link %q: %s does not exist", path, n, target, full))
					continue
				}
				if frag == "" {
					continue
				}
				if !strings.HasSuffix(full, ".md") {
					bad = append(bad, fmt.Sprintf("%s:%d: link %q: anchor into a file that is not Markdown", path, n, target))
					continue
				}
				b, err := os.ReadFile(full)
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s:%d: link %q: %v", path, n, target, err))
					continue
				}
				content = string(b)
			}
			if !anchors(content)[frag] {
				bad = append(bad, fmt.Sprintf("%s:%d: link %q: %s has no heading with anchor #%s", path, n, target, full, frag))
			}
		}
	})
	return bad
}

func TestLinksResolve(t *testing.T) {
	links := 0
	for _, path := range documents(t) {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		prose(string(content), func(_ int, line string) {
			links += len(linkRE.FindAllString(codeSpanRE.ReplaceAllString(line, "``"), -1))
		})
		for _, msg := range brokenLinks(path, string(content)) {
			t.Error(msg)
		}
	}
	if links < 20 {
		t.Errorf("found only %d links in the documents; is the link pattern broken?", links)
	}
}

func TestBrokenLinksAreFound(t *testing.T) {
	dir := t.TempDir()
	other := "# Other page\n\n## A `code` heading: with punctuation\n\n## Twice\n\n## Twice\n"
	if err := os.WriteFile(filepath.Join(dir, "other.md"), []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "page.md")
	md := "# Page\n\n## Local heading\n\n" +
		"[ok](other.md) [ok](other.md#a-code-heading-with-punctuation) [ok](#local-heading)\n" +
		"[ok](other.md#twice-1) [ok](https://example.com/x#y) `[not a link](nowhere.md)`\n" +
		"```\n[in a fence](nowhere.md)\n```\n" +
		"[bad](missing.md) [bad](other.md#no-such) [bad](#nowhere) [bad](other.md#twice-2)\n"
	got := brokenLinks(page, md)
	var targets []string
	for _, msg := range got {
		_, rest, _ := strings.Cut(msg, `link "`)
		target, _, _ := strings.Cut(rest, `"`)
		targets = append(targets, target)
	}
	want := []string{"missing.md", "other.md#no-such", "#nowhere", "other.md#twice-2"}
	if !slices.Equal(targets, want) {
		t.Errorf("broken links found %q, want %q\n%s", targets, want, strings.Join(got, "\n"))
	}
}

func TestSlug(t *testing.T) {
	for heading, want := range map[string]string{
		"Quick start":                            "quick-start",
		"The `batch` processor is left out":      "the-batch-processor-is-left-out",
		"`session_id` and `user_id`":             "session_id-and-user_id",
		"The exporter's own telemetry":           "the-exporters-own-telemetry",
		"No duplicate keys: what wins":           "no-duplicate-keys-what-wins",
		"One start and one end per span: late":   "one-start-and-one-end-per-span-late",
		"Claude Code token and cost (off) 2.1.x": "claude-code-token-and-cost-off-21x",
	} {
		if got := slug(heading); got != want {
			t.Errorf("slug(%q) = %q, want %q", heading, got, want)
		}
	}
}

func TestReadmeIsShort(t *testing.T) {
	content, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(content), "\n"); n > 400 {
		t.Errorf("README.md has %d lines; keep it under 400 and move reference material into docs/", n)
	}
	for _, cmd := range []string{"make run", "make test"} {
		if !strings.Contains(string(content), cmd) {
			t.Errorf("README.md does not mention %q", cmd)
		}
	}
}

// externalRefRE finds pointers to documents the reader does not have: a
// specification by section, or an issue by number.
var externalRefRE = regexp.MustCompile(`\bSPEC\b|\b[Ii]ssues? #?[0-9]{1,2}\b|(^|[\s(])#[0-9]{1,3}\b`)

func TestDocumentsStandAlone(t *testing.T) {
	for _, path := range documents(t) {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(content), "\n") {
			if m := externalRefRE.FindString(line); m != "" {
				t.Errorf("%s:%d: %q refers to a document outside the project: %s", path, i+1, strings.TrimSpace(m), line)
			}
		}
	}
}
