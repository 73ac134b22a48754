//go:build !linux

package encode

import "testing"

// cpuNsPerOp reports nothing where thread CPU time is not available.
func cpuNsPerOp(*testing.B) func() { return func() {} }
