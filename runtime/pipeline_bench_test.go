package runtime_test

import (
	"testing"

	"github.com/gotrace/gotrace/internal/scriptgen"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// The pipeline's benchmarks: each stage's cost must grow with the
// script's size, not with its nesting or the length of one expression.
//
//	go test ./runtime/ -run '^$' -bench Pipeline -benchmem

// largeTarget is a fake host with the 100 tracepoints scriptgen.Large's
// probes name.
func largeTarget(b *testing.B, probeCount int) probes.Target {
	b.Helper()
	t := probes.NewDirTarget(scriptgen.LargeTracefs(b, probeCount))
	t.NumCPUs = 2
	return t
}

func benchPipeline(b *testing.B, src string, target probes.Target, stop runtime.Stage) {
	b.Helper()
	data := []byte(src)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := scriptgen.CPUTime()
	defer func() { scriptgen.ReportCPU(b, start) }()
	for b.Loop() {
		c, err := runtime.Compile("bench.bt", data, runtime.CompileOptions{Target: target, Stop: stop})
		if err != nil {
			b.Fatal(err)
		}
		if c.Undecided != nil {
			b.Fatalf("the verifier could not decide: %v", c.Undecided)
		}
	}
}

// BenchmarkPipelineLarge{Check,Compile,Verify}: the 1,101-line script of
// 100 tracepoint probes (101 programs) through parse and check, then
// code generation, then gotrace's verifier (what --check does).
func BenchmarkPipelineLargeCheck(b *testing.B) {
	benchPipeline(b, scriptgen.Large(100), largeTarget(b, 100), runtime.StageCheck)
}

func BenchmarkPipelineLargeCompile(b *testing.B) {
	benchPipeline(b, scriptgen.Large(100), largeTarget(b, 100), runtime.StageCompile)
}

func BenchmarkPipelineLargeVerify(b *testing.B) {
	benchPipeline(b, scriptgen.Large(100), largeTarget(b, 100), runtime.StageVerify)
}

// BenchmarkPipelineDeepTernary compiles 1,000 nested conditional
// expressions.
func BenchmarkPipelineDeepTernary(b *testing.B) {
	benchPipeline(b, scriptgen.DeepTernary(1000), largeTarget(b, 0), runtime.StageCompile)
}

// BenchmarkPipelineLongSum compiles a sum of 8,000 constant terms, which
// folds to one constant.
func BenchmarkPipelineLongSum(b *testing.B) {
	benchPipeline(b, scriptgen.LongSum(8000), largeTarget(b, 0), runtime.StageCompile)
}

// BenchmarkVerifyLarge is the verifier alone on the programs of
// scriptgen.Large(100): the part of BenchmarkPipelineLargeVerify that
// BenchmarkPipelineLargeCompile does not measure.
func BenchmarkVerifyLarge(b *testing.B) {
	target := largeTarget(b, 100)
	c, err := runtime.Compile("bench.bt", []byte(scriptgen.Large(100)), runtime.CompileOptions{Target: target, Stop: runtime.StageCompile})
	if err != nil {
		b.Fatal(err)
	}
	scriptgen.Measure(b, func() error { return runtime.Check(c.Prog, target, false) })
}
