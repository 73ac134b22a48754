//go:build reliability

package reliability

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/analyticsexporter/analyticsexporter/internal/testproc"
)

// sendN pushes n numbered records (batches of 50) and fails unless all are acknowledged.
func sendN(t *testing.T, c *collector, l *ledger, n int) {
	t.Helper()
	sendAll(t, c, l, n, 1)
}

// TestPermissionsRegardlessOfUmask starts the Collector under a permissive
// and a strict umask: data files, compressed files, the lock file and the
// directories it creates get exactly the configured modes.
func TestPermissionsRegardlessOfUmask(t *testing.T) {
	cases := []struct {
		name, umask        string
		fileMode, dirMode  string // "" = the defaults
		wantFile, wantDirs os.FileMode
	}{
		{"defaults_umask000", "000", "", "", 0o600, 0o700},
		{"configured_umask000", "000", "0640", "0750", 0o640, 0o750},
		{"configured_umask077", "077", "0644", "0755", 0o644, 0o755},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := filepath.Join(t.TempDir(), "new", "out") // both created by the exporter
			ec := analyticsExporter(base)
			if tc.fileMode != "" {
				ec["file_mode"], ec["dir_mode"] = tc.fileMode, tc.dirMode
			}
			c := launchWith(t, singleExporter(ec, false), startOptions{umask: tc.umask})
			sendN(t, c, newLedger(50, 300), 1000) // ~10 rotations
			liveMode := modeOf(t, filepath.Join(base, "metrics", lastOf(scanDir(t, base).plain)))
			c.stop()

			checked, wrong := 0, 0
			check := func(path string, want os.FileMode) {
				checked++
				if got := modeOf(t, path); got != want {
					wrong++
					t.Errorf("%s: mode %04o, want %04o (umask %s)", path, got, want, tc.umask)
				}
			}
			check(base, tc.wantDirs)
			check(filepath.Join(base, "metrics"), tc.wantDirs)
			ents, err := os.ReadDir(filepath.Join(base, "metrics"))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ents {
				check(filepath.Join(base, "metrics", e.Name()), tc.wantFile)
			}
			if liveMode != tc.wantFile {
				wrong++
				t.Errorf("live file mode %04o while running, want %04o", liveMode, tc.wantFile)
			}
			figure(t, "umask=%s paths_checked=%d wrong_mode=%d live_file_mode=%04o", tc.umask, checked+1, wrong, liveMode)
		})
	}
}

func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func lastOf(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// stemOf is the data file stem the sink gives a creation time.
func stemOf(at time.Time) string {
	at = at.UTC()
	return fmt.Sprintf("metrics_%s_%06d", at.Format("20060102_150405"), at.Nanosecond()/1000)
}

// victim is a file a planted symlink points at; it must never change.
type victim struct {
	path    string
	content []byte
	mod     time.Time
}

func newVictim(t *testing.T, dir, name string) victim {
	t.Helper()
	v := victim{path: filepath.Join(dir, name), content: []byte("precious, not analytics data\n")}
	if err := os.WriteFile(v.path, v.content, 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(v.path)
	if err != nil {
		t.Fatal(err)
	}
	v.mod = fi.ModTime()
	return v
}

func (v victim) untouched(t *testing.T) bool {
	t.Helper()
	b, err := os.ReadFile(v.path)
	fi, serr := os.Stat(v.path)
	if err != nil || serr != nil || !bytes.Equal(b, v.content) || !fi.ModTime().Equal(v.mod) || fi.Mode().Perm() != 0o644 {
		t.Errorf("symlink target %s was touched: content %q err %v, stat %v", v.path, b, err, serr)
		return false
	}
	return true
}

// TestSymlinkAtNextFileNotFollowed plants symlinks where the sink writes
// next: the next live file's name, the compressed twin of the live file and
// that twin's temporary name. Names are predictable because a data file
// from the future (a clock that stepped back) makes the sink name new files
// one microsecond after it. Rotation must not write through any of them.
func TestSymlinkAtNextFileNotFollowed(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	mdir := filepath.Join(base, "metrics")
	spec := singleExporter(analyticsExporter(base), false)
	l := newLedger(50, 300)
	c := launch(t, spec)
	sendN(t, c, l, 100)
	c.stop()

	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	writeEmptyGzip(t, filepath.Join(mdir, stemOf(future)+".jsonl.gz"))
	live := stemOf(future.Add(time.Microsecond)) + ".jsonl" // what the restart creates
	next := stemOf(future.Add(2*time.Microsecond)) + ".jsonl"
	outside := t.TempDir()
	victims := map[string]victim{
		next:                  newVictim(t, outside, "next"),
		live + ".gz":          newVictim(t, outside, "twin"),
		live + ".gz" + ".tmp": newVictim(t, outside, "tmp"),
	}

	c = launch(t, spec)
	if _, err := os.Lstat(filepath.Join(mdir, live)); err != nil {
		t.Fatalf("the restarted sink did not create %s after the future file: %v (files: %v)", live, err, scanDir(t, base).data)
	}
	for name, v := range victims {
		if err := os.Symlink(v.path, filepath.Join(mdir, name)); err != nil {
			t.Fatal(err)
		}
	}
	sendN(t, c, l, 500) // several 64 KiB rotations
	samples := scrape(t, c)
	c.stop()

	intact := 0
	for _, v := range victims {
		if v.untouched(t) {
			intact++
		}
	}
	d := scanDir(t, base)
	ro := readBack(t, base)
	verdict := l.judge(ro.seqCount)
	after := ""
	for _, n := range d.data {
		if stem(n) > stem(next) {
			after = n
			break
		}
	}
	figure(t, "symlinks_planted=%d targets_untouched=%d first_file_after_planted_name=%s compression_failures_metric=%.0f acknowledged=%d lost=%d bad_lines=%d",
		len(victims), intact, after, sum(samples, "otelcol_analytics_compression_failures"), verdict.acked, verdict.lost, ro.bad)
	if verdict.lost != 0 || ro.bad != 0 {
		t.Errorf("lost %d, bad lines %d: %v", verdict.lost, ro.bad, ro.badSample)
	}
	if after == "" {
		t.Errorf("no data file after the planted name %s: rotation did not skip it (files %v)", next, d.data)
	}
	for _, name := range d.links {
		if _, ok := victims[name]; !ok {
			t.Errorf("unexpected symlink %s", name)
		}
	}
}

// TestSymlinkAsMetricsDirRefused plants a symlink at <directory>/metrics:
// the Collector must refuse to start, naming the path, and write nothing
// into the symlink's target.
func TestSymlinkAsMetricsDirRefused(t *testing.T) {
	base := filepath.Join(t.TempDir(), "out")
	target := t.TempDir()
	if err := os.MkdirAll(base, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(base, "metrics")); err != nil {
		t.Fatal(err)
	}
	p := newPorts(t)
	c := startCollector(t, p, singleExporter(analyticsExporter(base), false).yamlConfig(t, p), startOptions{})
	if !c.WaitExit(startTimeout) {
		t.Fatalf("collector started with a symlink as its metrics directory")
	}
	ents, _ := os.ReadDir(target)
	out := c.Output()
	named := strings.Contains(out, filepath.Join(base, "metrics"))
	figure(t, "exit=%v message_names_path=%v files_written_into_target=%d", c.Err(), named, len(ents))
	if c.Err() == nil || !named || len(ents) != 0 {
		t.Errorf("want a failed start naming %s and an untouched target; exit %v, %d files in target\n%s",
			filepath.Join(base, "metrics"), c.Err(), len(ents), testproc.Tail(out, 3000))
	}
}

func writeEmptyGzip(t *testing.T, path string) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
