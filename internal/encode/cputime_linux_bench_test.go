package encode

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuNsPerOp starts a CPU clock of the benchmark's thread; calling the
// returned function reports "cpu-ns/op": the thread's user+system time per
// op. On a shared machine wall time per op includes waiting for a core;
// thread CPU time does not, so this metric stays comparable under load.
func cpuNsPerOp(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		used := threadCPU() - start
		runtime.UnlockOSThread()
		if b.N > 0 {
			b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
