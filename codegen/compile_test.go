package codegen_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/codegen"
)

// TestCompileParallelSameAsSerial: the programs finished by several
// goroutines are the programs compiled one by one, byte for byte, with
// the same names, events and scratch size.
func TestCompileParallelSameAsSerial(t *testing.T) {
	var src strings.Builder
	src.WriteString("BEGIN { printf(\"start\\n\"); @t = nsecs; }\n")
	for i := 0; i < 12; i++ {
		fmt.Fprintf(&src, "tracepoint:syscalls:sys_enter_%s /pid != %d/ { @c[comm, pid] = count(); printf(\"%%s %%d %d\\n\", comm, tid); @h = hist(nsecs - @t); if (pid > %d) { @s[tid] = str(args.filename); } }\n",
			[]string{"openat", "execve"}[i%2], i, i, i*7)
	}
	src.WriteString("tracepoint:sched:sched_switch { $i = 0; while ($i < 3) { @n[$i] = sum($i); $i++; } }\nEND { printf(\"end\\n\"); }\n")
	compile := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		f, err := checkFor(t, "amd64", src.String())
		if err != nil {
			t.Fatal(err)
		}
		prog, err := codegen.Compile(f.file, f.info, codegen.Target{NumCPU: 2})
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		for _, p := range prog.Probes {
			fmt.Fprintf(&out, "%s %d %d\n", p.Prog, p.StackSize, p.Positions.Len())
			for _, ins := range prog.Spec.Programs[p.Prog].Instructions {
				fmt.Fprintf(&out, "%v ; %v\n", ins, ins.Source())
			}
		}
		for i, ev := range prog.Events {
			fmt.Fprintf(&out, "event %d %+v\n", i, ev)
		}
		fmt.Fprintf(&out, "scratch %d\n", prog.ScratchSize)
		return out.String()
	}
	serial := compile(1)
	if n := strings.Count(serial, "\np"); n < 14 {
		t.Fatalf("%d programs, want 14:\n%s", n, serial)
	}
	for range 3 {
		if parallel := compile(4); parallel != serial {
			t.Fatalf("compiled in parallel:\n%s\none by one:\n%s", parallel, serial)
		}
	}
}
