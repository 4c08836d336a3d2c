package codegen_test

import (
	"os"
	"path/filepath"
	"strconv"
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
	dir := b.TempDir()
	for i := 0; i < 100; i++ {
		d := filepath.Join(dir, "events", "syscalls", "sys_enter_call"+strconv.Itoa(i))
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "format"), []byte(scriptgen.LargeFormat(i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	target := probes.NewDirTarget(dir)
	target.NumCPUs = 2
	f, err := lang.Parse("bench.bt", []byte(scriptgen.Large(100)))
	if err != nil {
		b.Fatal(err)
	}
	info, err := types.Check(f, probes.NewEnv(target), types.Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2}); err != nil {
			b.Fatal(err)
		}
	}
}
