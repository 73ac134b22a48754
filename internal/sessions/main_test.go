package sessions

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind (the
// concurrency tests, the file_storage extension).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
