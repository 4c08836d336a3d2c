package codegen_test

import (
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/codegen"
)

// TestFilterReadsReused: the body reuses a map read its filter made
// whenever the body runs, with a key that cannot change during the run,
// and reads the map again after anything that may change it.
func TestFilterReadsReused(t *testing.T) {
	const tp = "tracepoint:syscalls:sys_enter_openat "
	for _, tc := range []struct {
		src     string
		lookups int // of the probe's program
	}{
		{`/@s[tid]/ { @x = @s[tid] + 1; }`, 1},
		{`/@s[tid] > 2 && pid != 7/ { printf("%d %d\n", @s[tid], @s[tid]); }`, 1},
		{`/@k/ { @x = @k; }`, 1},
		// another key, or one that moves: read again
		{`/@s[tid]/ { @x = @s[pid]; }`, 2},
		{`/@n[nsecs]/ { @x = @n[nsecs]; }`, 2},
		// the right of || may not have run, nor the right of an &&
		// below the top, nor a branch of ?:; their left has
		{`/@a[tid] || @s[tid]/ { @x = @s[tid]; }`, 3},
		{`/@a[tid] || @s[tid]/ { @x = @a[tid]; }`, 2},
		{`/(@a[tid] && @s[tid]) == 0/ { @x = @s[tid]; }`, 3},
		{`/!(@a[tid] && @s[tid])/ { @x = @s[tid] + @a[tid]; }`, 3},
		{`/(pid > 1 ? @s[tid] : 0) > 2/ { @x = @s[tid]; }`, 2},
		// a write, a delete(), a ++ in between
		{`/@s[tid]/ { @s[tid] = 5; @x = @s[tid]; }`, 2},
		{`/@s[tid]/ { delete(@s[tid]); @x = @s[tid]; }`, 2},
		{`/@s[tid]/ { @s[tid]++; @x = @s[tid]; }`, 3},
		// a write to another map keeps it
		{`/@s[tid]/ { @y[tid] = 5; @x = @s[tid]; }`, 1},
		// a write inside an if forgets it from that statement on
		{`/@s[tid]/ { if (pid > 1) { @s[tid] = 1; } @x = @s[tid]; }`, 2},
	} {
		src := "BEGIN { @s[tid] = 1; @a[tid] = 1; @y[tid] = 1; @x = 1; @k = 1; @n[nsecs] = 1; @s[pid] = 1; }\n" + tp + tc.src
		f, err := checkFor(t, "amd64", src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		prog, err := codegen.Compile(f.file, f.info, codegen.Target{NumCPU: 2})
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got := -1
		for _, p := range prog.Probes {
			if !strings.HasPrefix(p.Ctx.Name, "tracepoint") {
				continue
			}
			got = 0
			for _, ins := range prog.Spec.Programs[p.Prog].Instructions {
				if ins.IsBuiltinCall() && ins.Constant == int64(asm.FnMapLookupElem) {
					got++
				}
			}
		}
		if got != tc.lookups {
			t.Errorf("%s: %d lookups, want %d", tc.src, got, tc.lookups)
		}
	}
}
