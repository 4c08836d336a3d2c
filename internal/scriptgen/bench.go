package scriptgen

import "testing"

// Measure runs op as benchmark b's loop, reporting allocations and
// cpu-ns/op (ReportCPU); an error of op fails the benchmark.
func Measure(b *testing.B, op func() error) {
	b.Helper()
	b.ReportAllocs()
	start := CPUTime()
	defer func() { ReportCPU(b, start) }()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}
