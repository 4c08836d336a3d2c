package scriptgen

import (
	"syscall"
	"testing"
	"time"
)

// CPUTime is the CPU time the process has used, in all its threads (the
// garbage collector's too).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ReportCPU adds cpu-ns/op to a benchmark's results: the CPU time per
// iteration since start (a CPUTime). On a machine others share, it
// varies less than the wall time of ns/op.
func ReportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
}
