package probes

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// requireKernel skips a test that needs root and BPF, except under CI
// (CI=true), where such a skip is a failure.
func requireKernel(t *testing.T) {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kernel test cannot run under CI: %s", why)
		}
		t.Skip(why)
	}
	if os.Geteuid() != 0 {
		skip("kernel tests need root")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		skip("cannot raise RLIMIT_MEMLOCK: " + err.Error())
	}
	if !host.Has(FeatureTracepoint) && !host.Has(FeaturePerfEvent) {
		skip("BPF is not available")
	}
}

// counter is a BPF program that adds 1 to the u64 in slot 0 of an array
// map each time it runs.
type counter struct {
	m    *ebpf.Map
	prog *ebpf.Program
}

func newCounter(t *testing.T, typ ebpf.ProgramType) *counter {
	t.Helper()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1})
	if err != nil {
		t.Fatalf("map: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    typ,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.R10, -4, 0, asm.Word),
			asm.Mov.Reg(asm.R2, asm.R10),
			asm.Add.Imm(asm.R2, -4),
			asm.LoadMapPtr(asm.R1, m.FD()),
			asm.FnMapLookupElem.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"),
			asm.Mov.Imm(asm.R1, 1),
			asm.StoreXAdd(asm.R0, asm.R1, asm.DWord),
			asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
			asm.Return(),
		},
	})
	if err != nil {
		t.Fatalf("program: %v", err)
	}
	t.Cleanup(func() { prog.Close() })
	return &counter{m: m, prog: prog}
}

func (c *counter) count(t *testing.T) uint64 {
	t.Helper()
	var v uint64
	if err := c.m.Lookup(uint32(0), &v); err != nil {
		t.Fatalf("lookup: %v", err)
	}
	return v
}

func hostContext(t *testing.T, raw string) *types.Context {
	t.Helper()
	ctxs, err := NewEnv(HostTarget()).Contexts(&lang.ProbeSpec{Raw: raw})
	if err != nil {
		t.Fatalf("Contexts(%q): %v", raw, err)
	}
	if len(ctxs) != 1 {
		t.Fatalf("Contexts(%q): %d probes", raw, len(ctxs))
	}
	return ctxs[0]
}

func TestHostTarget(t *testing.T) {
	requireKernel(t)
	h := HostTarget()
	root, err := h.Tracefs()
	if err != nil {
		t.Fatalf("Tracefs: %v", err)
	}
	if !isTracefs(root) {
		t.Errorf("%s is not tracefs", root)
	}
	if n := h.NumCPU(); n < 1 {
		t.Errorf("NumCPU = %d", n)
	}
	cats, err := h.TracepointCategories()
	if err != nil || len(cats) == 0 {
		t.Fatalf("TracepointCategories: %v, %v", cats, err)
	}
	evs, err := h.Tracepoints("sched")
	if err != nil || len(evs) == 0 {
		t.Fatalf("Tracepoints(sched): %v, %v", evs, err)
	}
	if _, err := h.TracepointFormat("sched", "sched_switch"); err != nil {
		t.Errorf("TracepointFormat: %v", err)
	}
	if _, err := h.TracepointFormat("sched", "../../x"); err == nil {
		t.Errorf("TracepointFormat accepted a path that leaves events/")
	}
	for f := FeatureTracepoint; f <= FeaturePerfLink; f++ {
		t.Logf("%-22s %v", f, h.Has(f))
	}
	if !h.Has(FeatureBTF) {
		return
	}
	spec, err := h.KernelBTF()
	if err != nil {
		t.Fatalf("KernelBTF: %v", err)
	}
	var st *btf.Struct
	if err := spec.TypeByName("task_struct", &st); err != nil {
		t.Errorf("task_struct: %v", err)
	}
}

// Every format file of this kernel parses, and every tracepoint gets args.
func TestHostAllTracepointFormats(t *testing.T) {
	requireKernel(t)
	env := NewEnv(HostTarget())
	ctxs, err := env.Contexts(&lang.ProbeSpec{Raw: "tracepoint:*:*"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ctxs) < 100 {
		t.Errorf("only %d tracepoints", len(ctxs))
	}
	for _, c := range ctxs {
		if c.Args == nil || len(c.Args.Fields) < 4 {
			t.Errorf("%s: args %v", c.Name, c.Args)
		}
	}
	t.Logf("%d tracepoints", len(ctxs))
}

func TestAttachTracepoint(t *testing.T) {
	requireKernel(t)
	ctx := hostContext(t, "tracepoint:syscalls:sys_enter_getppid")
	c := newCounter(t, ebpf.TracePoint)
	l, err := Attach(ctx, c.prog)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	for i := 0; i < 10; i++ {
		syscall.Getppid()
	}
	if n := c.count(t); n < 10 {
		t.Errorf("program ran %d times, want at least 10", n)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	before := c.count(t)
	syscall.Getppid()
	if after := c.count(t); after != before {
		t.Errorf("program ran after Close")
	}
}

func TestAttachTracepointMissing(t *testing.T) {
	requireKernel(t)
	c := newCounter(t, ebpf.TracePoint)
	_, err := Attach(&types.Context{Name: "tracepoint:nosuch:event"}, c.prog)
	if err == nil || !strings.Contains(err.Error(), "tracepoint:nosuch:event") {
		t.Errorf("Attach of a missing tracepoint: %v", err)
	}
}

func waitCount(t *testing.T, c *counter, min uint64, d time.Duration) uint64 {
	deadline := time.Now().Add(d)
	for {
		n := c.count(t)
		if n >= min || time.Now().After(deadline) {
			return n
		}
		// keep a CPU busy so cpu-clock events on it fire
		for end := time.Now().Add(5 * time.Millisecond); time.Now().Before(end); {
		}
	}
}

func TestAttachInterval(t *testing.T) {
	requireKernel(t)
	ctx := hostContext(t, "interval:ms:10")
	c := newCounter(t, ebpf.PerfEvent)
	start := time.Now()
	l, err := Attach(ctx, c.prog)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	l.Close()
	n := c.count(t)
	el := time.Since(start)
	// one CPU, every 10ms: about 30 in 300ms.
	want := uint64(el / (10 * time.Millisecond))
	if n < want/3 || n > want+5 {
		t.Errorf("interval:ms:10 fired %d times in %v, want about %d", n, el, want)
	}
	t.Logf("interval:ms:10 fired %d times in %v", n, el)
	time.Sleep(50 * time.Millisecond)
	if after := c.count(t); after != n {
		t.Errorf("interval fired after Close: %d -> %d", n, after)
	}
}

func TestAttachProfileAndSoftware(t *testing.T) {
	requireKernel(t)
	for _, raw := range []string{"profile:hz:997", "software:cpu-clock:100000", "software:page-faults:1", "s:cs:1"} {
		t.Run(raw, func(t *testing.T) {
			ctx := hostContext(t, raw)
			c := newCounter(t, ebpf.PerfEvent)
			l, err := Attach(ctx, c.prog)
			if err != nil {
				t.Fatalf("Attach: %v", err)
			}
			defer l.Close()
			// page faults: touch fresh memory; context switches: sleep.
			for i := 0; i < 20; i++ {
				b, err := unix.Mmap(-1, 0, 1<<20, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
				if err != nil {
					t.Fatal(err)
				}
				for j := 0; j < len(b); j += 4096 {
					b[j] = 1
				}
				unix.Munmap(b)
				time.Sleep(time.Millisecond)
			}
			if n := waitCount(t, c, 1, 2*time.Second); n == 0 {
				t.Errorf("%s never fired", raw)
			} else {
				t.Logf("%s fired %d times", raw, n)
			}
		})
	}
}

func TestAttachBeginEnd(t *testing.T) {
	requireKernel(t)
	c := newCounter(t, ebpf.PerfEvent)
	_, err := Attach(hostContext(t, "BEGIN"), c.prog)
	if err == nil || !strings.Contains(err.Error(), "run by the runtime") {
		t.Errorf("Attach(BEGIN) = %v", err)
	}
}

func TestHardwareOnHost(t *testing.T) {
	requireKernel(t)
	_, err := NewEnv(HostTarget()).Contexts(&lang.ProbeSpec{Raw: "hardware:cycles:1000000"})
	if host.Has(FeatureHardware) {
		if err != nil {
			t.Errorf("hardware with a PMU: %v", err)
		}
		return
	}
	var le *lang.Error
	if !errors.As(err, &le) || !strings.Contains(le.Msg, "no hardware performance counters") {
		t.Errorf("hardware without a PMU: %v", err)
	}
}

// The ioctl path (kernels before 5.15) attaches and detaches too.
func TestAttachIntervalIoctl(t *testing.T) {
	requireKernel(t)
	old := perfLinkOK
	perfLinkOK = func() bool { return false }
	defer func() { perfLinkOK = old }()
	c := newCounter(t, ebpf.PerfEvent)
	l, err := Attach(hostContext(t, "interval:ms:5"), c.prog)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if _, ok := l.(*perfAttachment); !ok || len(l.(*perfAttachment).links) != 0 {
		t.Fatalf("attachment used bpf links: %#v", l)
	}
	n := waitCount(t, c, 3, 2*time.Second)
	l.Close()
	if n < 3 {
		t.Errorf("fired %d times", n)
	}
	n = c.count(t)
	time.Sleep(30 * time.Millisecond)
	if after := c.count(t); after != n {
		t.Errorf("fired after Close: %d -> %d", n, after)
	}
}

func TestAttachRawTracepoint(t *testing.T) {
	requireKernel(t)
	if !host.Has(FeatureBTF) {
		t.Skip("no kernel BTF")
	}
	ctx := hostContext(t, "rt:sys_enter")
	if ctx.Name != "rawtracepoint:vmlinux:sys_enter" {
		t.Errorf("name %q", ctx.Name)
	}
	if f, ok := ctx.Args.Field("id"); !ok || f.Offset != 8 || f.Type != types.Int64 {
		t.Errorf("args.id = %+v (args %s)", f, ctx.Args)
	}
	if f, ok := ctx.Args.Field("regs"); !ok || f.Type.Kind != types.Ptr || f.Type.Elem.Name != "struct pt_regs" || len(f.Type.Elem.Fields) == 0 {
		t.Errorf("args.regs = %+v", f)
	}
	sw := hostContext(t, "rawtracepoint:sched_switch")
	if f, ok := sw.Args.Field("prev"); !ok || f.Type.Elem.Name != "struct task_struct" {
		t.Errorf("sched_switch prev = %+v", f)
	} else if comm, ok := f.Type.Elem.Field("comm"); !ok || comm.Type.Kind != types.Array || comm.Type.Elem.Name != "char" {
		t.Errorf("task_struct.comm = %+v", comm)
	}
	c := newCounter(t, ebpf.RawTracepoint)
	l, err := Attach(ctx, c.prog)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	for i := 0; i < 10; i++ {
		syscall.Getppid()
	}
	l.Close()
	if n := c.count(t); n < 10 {
		t.Errorf("program ran %d times, want at least 10", n)
	}
	lines, err := ListVerbose(HostTarget(), "rawtracepoint:sched_switch")
	if err != nil || len(lines) != 5 || lines[0] != "rawtracepoint:vmlinux:sched_switch" || lines[2] != "    struct task_struct * prev" {
		t.Errorf("ListVerbose = %q, %v", lines, err)
	}
}

func TestAttachUprobe(t *testing.T) {
	requireKernel(t)
	if !host.Has(FeatureUprobe) {
		t.Skip("no uprobes")
	}
	prog, err := filepath.Abs("testdata/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"uprobe:" + prog + ":gt_add", "uretprobe:" + prog + ":gt_add"} {
		ctx := hostContext(t, raw)
		c := newCounter(t, ebpf.Kprobe)
		l, err := Attach(ctx, c.prog)
		if err != nil {
			t.Fatalf("Attach(%s): %v", raw, err)
		}
		if out, err := exec.Command(prog, "7").CombinedOutput(); err != nil {
			t.Fatalf("prog: %v %s", err, out)
		}
		l.Close()
		if n := c.count(t); n != 7 {
			t.Errorf("%s fired %d times, want 7", raw, n)
		}
		if out, err := exec.Command(prog, "3").CombinedOutput(); err != nil {
			t.Fatalf("prog: %v %s", err, out)
		}
		if n := c.count(t); n != 7 {
			t.Errorf("%s fired after Close", raw)
		}
	}
	// short library names resolve through /etc/ld.so.cache
	if _, err := os.Stat("/etc/ld.so.cache"); err == nil {
		ctx := hostContext(t, "uprobe:libc:malloc")
		if !strings.Contains(ctx.Name, "/libc.so.6:malloc") {
			t.Errorf("uprobe:libc:malloc is %s", ctx.Name)
		}
	}
}

func TestAttachUSDT(t *testing.T) {
	requireKernel(t)
	if !host.Has(FeatureUprobe) {
		t.Skip("no uprobes")
	}
	prog, err := filepath.Abs("testdata/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	ctx := hostContext(t, "usdt:"+prog+":gotrace:tick")
	c := newCounter(t, ebpf.Kprobe)
	l, err := Attach(ctx, c.prog)
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if out, err := exec.Command(prog, "5").CombinedOutput(); err != nil {
		t.Fatalf("prog: %v %s", err, out)
	}
	l.Close()
	if n := c.count(t); n != 5 {
		t.Errorf("usdt fired %d times, want 5", n)
	}
	// without the context's registry entry, Attach reads the notes again
	c2 := newCounter(t, ebpf.Kprobe)
	l, err = Attach(&types.Context{Provider: "usdt", Name: ctx.Name}, c2.prog)
	if err != nil {
		t.Fatalf("Attach by name: %v", err)
	}
	exec.Command(prog, "2").Run()
	l.Close()
	if n := c2.count(t); n != 2 {
		t.Errorf("usdt by name fired %d times, want 2", n)
	}
}

// On kernels with kprobes (the qemu kernel matrix) a kprobe and a
// kretprobe count getppid calls; without them the error says so.
func TestKprobeOnHost(t *testing.T) {
	requireKernel(t)
	env := NewEnv(HostTarget())
	if !host.Has(FeatureKprobe) {
		_, err := env.Contexts(&lang.ProbeSpec{Raw: "kprobe:vfs_read"})
		if err == nil || !strings.Contains(err.Error(), "kprobes are not available") {
			t.Errorf("kprobe without kprobes: %v", err)
		}
		return
	}
	fn := "__x64_sys_getppid"
	if runtime.GOARCH == "arm64" {
		fn = "__arm64_sys_getppid"
	}
	for _, raw := range []string{"kprobe:" + fn, "kretprobe:" + fn} {
		ctx := hostContext(t, raw)
		c := newCounter(t, ebpf.Kprobe)
		l, err := Attach(ctx, c.prog)
		if err != nil {
			t.Fatalf("Attach(%s): %v", raw, err)
		}
		for i := 0; i < 10; i++ {
			syscall.Getppid()
		}
		l.Close()
		if n := c.count(t); n < 10 {
			t.Errorf("%s fired %d times, want at least 10", raw, n)
		}
	}
}

// HostTarget mounts tracefs itself when it is missing. The test runs in a
// child process with its own mount namespace, where tracefs is unmounted
// first, so the machine's mount is left alone.
func TestHostMountsTracefs(t *testing.T) {
	if os.Getenv("GOTRACE_PROBES_MOUNT_CHILD") == "1" {
		// debugfs mounts tracefs at debug/tracing again on first access
		// (an automount), so debugfs goes too; each mount point may hold
		// several stacked mounts, but not without end.
		for _, dir := range []string{"/sys/kernel/debug/tracing", "/sys/kernel/debug", "/sys/kernel/tracing"} {
			for i := 0; i < 8 && unix.Unmount(dir, unix.MNT_DETACH) == nil; i++ {
			}
		}
		for _, dir := range []string{"/sys/kernel/tracing", "/sys/kernel/debug/tracing"} {
			if isTracefs(dir) {
				t.Fatalf("%s is still tracefs after unmounting it", dir)
			}
		}
		h := &hostTarget{}
		root, err := h.Tracefs()
		if err != nil {
			t.Fatalf("Tracefs: %v", err)
		}
		if !isTracefs(root) {
			t.Fatalf("%s is not tracefs after Tracefs()", root)
		}
		if _, err := h.TracepointFormat("sched", "sched_switch"); err != nil {
			t.Fatalf("TracepointFormat: %v", err)
		}
		return
	}
	requireKernel(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostMountsTracefs$", "-test.v")
	cmd.Env = append(os.Environ(), "GOTRACE_PROBES_MOUNT_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestHostMountsTracefs") {
		t.Errorf("child: %v\n%s", err, out)
	}
}

// A tracepoint attaches through a perf bpf_link where the kernel has
// them, and its Freeze takes the program off at once while the event
// stays open; through the ioctl path (kernels before 5.15) it attaches
// too, and Freeze says it cannot stop the program.
func TestAttachTracepointFreeze(t *testing.T) {
	requireKernel(t)
	calls := func(n int) {
		for range n {
			unix.Getppid()
		}
	}
	for _, viaLink := range []bool{true, false} {
		if viaLink && !host.Has(FeaturePerfLink) {
			continue
		}
		old := perfLinkOK
		perfLinkOK = func() bool { return viaLink }
		c := newCounter(t, ebpf.TracePoint)
		l, err := Attach(hostContext(t, "tracepoint:syscalls:sys_enter_getppid"), c.prog)
		perfLinkOK = old
		if err != nil {
			t.Fatalf("Attach (link %v): %v", viaLink, err)
		}
		pa, ok := l.(*perfAttachment)
		if !ok || len(pa.fds) != 1 || (len(pa.links) == 1) != viaLink {
			l.Close()
			t.Fatalf("link %v: attachment %#v", viaLink, l)
		}
		calls(10)
		if n := c.count(t); n < 10 {
			t.Errorf("link %v: %d calls counted of 10", viaLink, n)
		}
		err = pa.Freeze()
		if viaLink {
			if err != nil {
				t.Errorf("Freeze: %v", err)
			}
			n := c.count(t)
			calls(10)
			if after := c.count(t); after != n {
				t.Errorf("counted after Freeze: %d -> %d", n, after)
			}
		} else if err == nil {
			t.Error("Freeze without a bpf_link says the program stopped")
		}
		l.Close()
		n := c.count(t)
		calls(10)
		if after := c.count(t); after != n {
			t.Errorf("link %v: counted after Close: %d -> %d", viaLink, n, after)
		}
	}
}
