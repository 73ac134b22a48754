package fakeclock

import (
	"sync"
	"testing"
	"time"
)

func TestClockMovesOnlyWhenAdvanced(t *testing.T) {
	start := time.Date(2026, 11, 26, 21, 0, 0, 0, time.UTC)
	c := New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := c.Advance(90 * time.Second); !got.Equal(start.Add(90*time.Second)) || !c.Now().Equal(got) {
		t.Errorf("Advance returned %v, Now %v", got, c.Now())
	}
	if got := c.Advance(-time.Hour); !got.Equal(start.Add(90*time.Second - time.Hour)) {
		t.Errorf("a step back gave %v", got)
	}
}

func TestClockConcurrentUse(t *testing.T) {
	c := New(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Millisecond)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(time.Unix(0, 0).Add(800 * time.Millisecond)) {
		t.Errorf("Now = %v after 800 steps of 1ms", got)
	}
}
