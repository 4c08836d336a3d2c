package runtime

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// TestStopFreezesAttachments: perf event probes carry no stop-flag test
// (their programs are frozen from user space), a program with none has
// no stop flag at all, and once stop has run their counts do not move,
// though their events are still attached.
func TestStopFreezesAttachments(t *testing.T) {
	needBPF(t)
	prog, err := compile(t, `software:cpu-clock:100000 { @s = count(); } profile:hz:997 { @p = count(); } interval:ms:5 { @i = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Spec.Maps[codegen.StopMap] != nil {
		t.Fatal("a program of perf event probes only has a stop flag")
	}
	frozenAfterStop(t, prog, []string{"@s: ", "@p: ", "@i: "}, func() {})
}

// TestStopFreezesTracepoints: where the kernel has perf bpf_links,
// tracepoint programs carry no stop-flag test either: the stop closes
// their links, and their counts do not move though system calls go on
// and their perf events are still open.
func TestStopFreezesTracepoints(t *testing.T) {
	needBPF(t)
	if !probes.HostTarget().Has(probes.FeaturePerfLink) {
		t.Skip("the kernel has no perf bpf_links: tracepoints test the stop flag (TestWhoTestsStop)")
	}
	prog, err := compile(t, `tracepoint:raw_syscalls:sys_enter { @r = count(); } tracepoint:syscalls:sys_enter_openat { @o = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	if prog.Spec.Maps[codegen.StopMap] != nil {
		t.Fatal("a program of tracepoints only has a stop flag")
	}
	frozenAfterStop(t, prog, []string{"@r: ", "@o: "}, func() {
		if fd, err := unix.Open("/dev/null", unix.O_RDONLY, 0); err == nil {
			unix.Close(fd)
		}
	})
}

// frozenAfterStop loads prog, attaches its probes as frozen ones, runs
// work in a loop for 300 ms, checks that each of maps was counted, stops
// the session, and checks that 300 ms more of work count nothing.
func frozenAfterStop(t *testing.T, prog *codegen.Program, maps []string, work func()) {
	t.Helper()
	var out bytes.Buffer
	S, err := Load(prog, Options{Out: &out, Err: io.Discard, NoVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(S.Close)
	s := S.s
	var links []io.Closer
	t.Cleanup(func() { closeAll(links) })
	for _, p := range prog.Probes {
		l, err := probes.Attach(p.Ctx, s.coll.Programs[p.Prog])
		if err != nil {
			t.Fatal(err)
		}
		o := &onceCloser{c: l}
		links = append(links, o)
		s.frozen = append(s.frozen, o)
	}
	counts := func() string {
		out.Reset()
		for _, name := range S.MapNames() {
			if err := S.PrintMap(name); err != nil {
				t.Fatal(err)
			}
		}
		return out.String()
	}
	spin := func(d time.Duration) {
		for end := time.Now().Add(d); time.Now().Before(end); {
			work()
		}
	}
	spin(300 * time.Millisecond)
	before := counts()
	for _, m := range maps {
		if !strings.Contains(before, m) {
			t.Fatalf("%s not counted while attached:\n%s", m, before)
		}
	}
	s.stop(true)
	frozen := counts()
	spin(300 * time.Millisecond)
	if after := counts(); after != frozen {
		t.Errorf("counted after the stop:\nat the stop:\n%s\n300 ms later:\n%s", frozen, after)
	}
}

// TestExitInBeginStopsBegin: BEGIN programs test no stop flag; once one
// has called exit(), the others are not run, and nothing is attached.
func TestExitInBeginStopsBegin(t *testing.T) {
	needBPF(t)
	prog, err := compile(t, `BEGIN { printf("a\n"); exit(); } BEGIN { printf("b\n"); @x = 1; } profile:hz:997 { @p = count(); }`)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prog.Probes {
		for _, ins := range prog.Spec.Programs[p.Prog].Instructions {
			if ins.Reference() == codegen.StopMap {
				t.Errorf("%s tests the stop flag", p.Ctx.Name)
			}
		}
	}
	var out bytes.Buffer
	attached := 0
	attach := func(ctx *types.Context, prog *ebpf.Program) (io.Closer, error) {
		attached++
		return probes.Attach(ctx, prog)
	}
	if _, err := Run(context.Background(), prog, Options{Out: &out, Err: io.Discard, NoVerify: true, NoSignals: true, Attach: attach}); err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\n\n\n" || attached != 0 {
		t.Errorf("printed %q with %d probes attached, want only the first BEGIN's line and none", out.String(), attached)
	}
}

// TestWhoTestsStop: which programs test the stop flag. Kprobes do;
// tracepoints (through perf bpf_links, which the test target has) and
// perf event probes do only where a probe running while they are
// attached calls exit() (it freezes the results before gotrace hears of
// it); BEGIN and END never do; a program none of whose probes tests it
// has no flag, and its exit() sets none.
func TestWhoTestsStop(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want string // the probes whose programs test the flag
	}{
		{`BEGIN { printf("hi\n"); exit(); }`, ""},
		{`profile:hz:99 { @ = count(); } END { printf("bye\n"); }`, ""},
		{`BEGIN { exit(); } profile:hz:99 { @ = count(); } END { exit(); }`, ""},
		{`BEGIN { exit(); } tracepoint:syscalls:sys_enter_openat { @ = count(); }`, ""},
		{`BEGIN { exit(); } kprobe:vfs_read { @ = count(); }`, "kprobe:vfs_read"},
		{`profile:hz:99 { @ = count(); } interval:s:1 { exit(); }`, "profile:hz:99 interval:s:1"},
		{`software:cpu-clock:1000 { @ = count(); if (@ > 10) { exit(); } }`, "software:cpu-clock:1000"},
		{`tracepoint:syscalls:sys_enter_openat { @ = count(); } profile:hz:99 { @p = count(); }`, ""},
		{`tracepoint:syscalls:sys_enter_openat { @ = count(); } interval:s:1 { exit(); }`, "tracepoint:syscalls:sys_enter_openat interval:s:1"},
	} {
		prog, err := compile(t, tc.src)
		if err != nil {
			t.Fatal(err)
		}
		var flagged []string
		for _, p := range prog.Probes {
			// the test reads the flag (exit() writes it)
			ins := prog.Spec.Programs[p.Prog].Instructions
			for i, in := range ins[:len(ins)-1] {
				if in.Reference() == codegen.StopMap && ins[i+1].OpCode.Class() == asm.LdXClass {
					flagged = append(flagged, p.Ctx.Name)
					break
				}
			}
		}
		got := strings.Join(flagged, " ")
		if got != tc.want {
			t.Errorf("%s: the flag is tested by %q, want %q", tc.src, got, tc.want)
		}
		if has := prog.Spec.Maps[codegen.StopMap] != nil; has != (tc.want != "") {
			t.Errorf("%s: stop flag map %v", tc.src, has)
		}
	}
}
