package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

var updateAsm = flag.Bool("update", false, "rewrite the -d asm goldens of testdata/asm")

// TestAsmGoldens compiles the one-liners of testdata/asm (NAME.bt) for a
// target made of recorded tracepoint formats (probes/testdata) and the
// probes package's test program as /usr/bin/app, and compares what
// -d asm prints with NAME.asm, so that no change of the code generator
// changes the instructions unseen. total.txt holds the instruction count
// of each and their sum (the figure issue-style comparisons use).
// go test ./cmd/gotrace -run TestAsmGoldens -update rewrites them.
func TestAsmGoldens(t *testing.T) {
	scripts, _ := filepath.Glob("testdata/asm/*.bt")
	if len(scripts) == 0 {
		t.Fatal("no scripts in testdata/asm")
	}
	target := asmTarget(t)
	var totals strings.Builder
	sum := 0
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".bt")
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c, err := runtime.Compile(name+".bt", src, runtime.CompileOptions{Target: target, Self: 4242, Stop: runtime.StageCompile})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var out bytes.Buffer
		printAsm(&out, c.Prog)
		n := 0
		for _, p := range c.Prog.Probes {
			for _, ins := range c.Prog.Spec.Programs[p.Prog].Instructions {
				n += int(ins.Width())
			}
		}
		sum += n
		fmt.Fprintf(&totals, "%-20s %5d\n", name, n)
		compareGolden(t, strings.TrimSuffix(path, ".bt")+".asm", out.Bytes())
	}
	fmt.Fprintf(&totals, "%-20s %5d\n", "total", sum)
	compareGolden(t, "testdata/asm/total.txt", []byte(totals.String()))
}

// compareGolden compares got with the file at path, or with -update
// writes it there.
func compareGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateAsm {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run TestAsmGoldens -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the code generator makes now; if the change is meant, rerun with -update and review the diff.\ngot:\n%s", path, got)
	}
}

// asmTarget is probes/testdata's recorded tracepoints, with the probes
// package's test program as /usr/bin/app for uprobes.
func asmTarget(t *testing.T) *probes.DirTarget {
	t.Helper()
	dir := t.TempDir()
	tp, err := filepath.Abs("../../probes/testdata/events")
	if err != nil {
		t.Fatal(err)
	}
	exe, err := filepath.Abs("../../probes/testdata/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "root/usr/bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(exe, filepath.Join(dir, "root/usr/bin/app")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tp, filepath.Join(dir, "events")); err != nil {
		t.Fatal(err)
	}
	tgt := probes.NewDirTarget(dir)
	tgt.NumCPUs = 2
	return tgt
}
