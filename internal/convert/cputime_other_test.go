//go:build !linux

package convert

import "time"

var clockStart = time.Now()

// threadCPU falls back to the wall clock where there is no thread CPU clock.
func threadCPU() time.Duration { return time.Since(clockStart) }
