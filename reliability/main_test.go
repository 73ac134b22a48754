//go:build reliability

package reliability

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a sender, a gRPC connection or a child-process
// watcher outlives its test.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
