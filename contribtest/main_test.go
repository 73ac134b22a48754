package contribtest

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind (the
// exporter's session ticker, the storage extension).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
