package codegen_test

import (
	"testing"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/internal/scriptgen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// BenchmarkCompileLarge is code generation alone (parsed and checked
// once) for the 1,101-line script of 100 tracepoint probes that
// runtime's BenchmarkPipelineLarge* take through the whole pipeline.
//
//	go test ./codegen -run '^$' -bench CompileLarge -benchmem
func BenchmarkCompileLarge(b *testing.B) {
	target := probes.NewDirTarget(scriptgen.LargeTracefs(b, 100))
	target.NumCPUs = 2
	f, err := lang.Parse("bench.bt", []byte(scriptgen.Large(100)))
	if err != nil {
		b.Fatal(err)
	}
	info, err := types.Check(f, probes.NewEnv(target), types.Config{})
	if err != nil {
		b.Fatal(err)
	}
	scriptgen.Measure(b, func() error {
		_, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2})
		return err
	})
}
