package encode

import (
	"regexp"
	"sync"
	"testing"
)

var uuidV4RE = regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)

func TestUUIDFormatAndUniqueness(t *testing.T) {
	const n = 50000
	seen := make(map[string]struct{}, n)
	// Every random hex position must take all 16 digits over n ids: a
	// stuck or mis-shifted byte shows up here.
	var digits [38][256]bool
	for i := 0; i < n; i++ {
		id := UUID(nil)
		if !uuidV4RE.Match(id) {
			t.Fatalf("not a canonical v4 UUID: %s", id)
		}
		if _, dup := seen[string(id)]; dup {
			t.Fatalf("repeated id %s", id)
		}
		seen[string(id)] = struct{}{}
		for j, c := range id {
			digits[j][c] = true
		}
	}
	for j := range digits {
		d := 0
		for _, seen := range digits[j] {
			if seen {
				d++
			}
		}
		switch j {
		case 0, 37, 9, 14, 19, 24:
			continue // quotes and dashes
		case 15: // version
			if d != 1 {
				t.Errorf("version digit takes %d values", d)
			}
		case 20: // variant 10xx
			if d != 4 {
				t.Errorf("variant digit takes %d values, want 4", d)
			}
		default:
			if d != 16 {
				t.Errorf("position %d takes %d hex digits, want 16", j, d)
			}
		}
	}
}

func TestUUIDConcurrent(t *testing.T) {
	const workers, each = 4, 20000
	var (
		mu   sync.Mutex
		seen = make(map[string]struct{}, workers*each)
		wg   sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids := make([]string, 0, each)
			var buf []byte
			for i := 0; i < each; i++ {
				buf = UUID(buf[:0])
				ids = append(ids, string(buf))
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				seen[id] = struct{}{}
			}
		}()
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("%d distinct ids out of %d", len(seen), workers*each)
	}
}
