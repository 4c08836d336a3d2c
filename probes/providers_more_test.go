package probes_test

import (
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/vm"
)

// compile checks and compiles src against tgt.
func compile(t *testing.T, tgt probes.Target, src string) (*types.Info, *codegen.Program) {
	t.Helper()
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	info, err := types.Check(f, probes.NewEnv(tgt), types.Config{})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	prog, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	return info, prog
}

// A wildcard kprobe is one kprobe-multi program where the kernel has
// them, unless its block reads `probe` or the spec names a module.
func TestKprobeMulti(t *testing.T) {
	const src = `kprobe:vfs_* { @[func] = count(); }
kretprobe:vfs_read* { @r[func] = count(); }
kprobe:vfs_* { @p[probe] = count(); }
kprobe:kvm:kvm_* { @k = count(); }
kprobe:vfs_read { @one = count(); }`
	tgt := probes.NewDirTarget("testdata")
	tgt.Features[probes.FeatureKprobeMulti] = true
	info, prog := compile(t, tgt, src)
	var got []string
	for _, pi := range info.Probes {
		var parts []string
		for _, c := range pi.Contexts {
			parts = append(parts, c.Name+"="+strings.Join(c.Funcs, "+"))
		}
		got = append(got, strings.Join(parts, " "))
	}
	want := []string{
		"kprobe:vfs_*=vfs_read+vfs_readv+vfs_write",
		"kretprobe:vfs_read*=vfs_read+vfs_readv",
		"kprobe:vfs_read= kprobe:vfs_readv= kprobe:vfs_write=",
		"kprobe:kvm:kvm_get_msr= kprobe:kvm:kvm_set_msr=",
		"kprobe:vfs_read=",
	}
	if !slices.Equal(got, want) {
		t.Errorf("contexts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	multi := 0
	for _, pp := range prog.Probes {
		at := prog.Spec.Programs[pp.Prog].AttachType
		if (at == ebpf.AttachTraceKprobeMulti) != (len(pp.Ctx.Funcs) > 0) {
			t.Errorf("%s: attach type %v", pp.Ctx.Name, at)
		}
		if at == ebpf.AttachTraceKprobeMulti {
			multi++
		}
	}
	if multi != 2 || len(prog.Probes) != 2+3+2+1 {
		t.Errorf("%d programs, %d kprobe-multi; want 8 and 2", len(prog.Probes), multi)
	}
	if n := info.Probes[0].Contexts[0].Count(); n != 3 {
		t.Errorf("a kprobe-multi context counts as %d probes, want 3", n)
	}

	// Without kprobe-multi links: a program per function.
	tgt.Features[probes.FeatureKprobeMulti] = false
	info, _ = compile(t, tgt, src)
	if n := len(info.Probes[0].Contexts); n != 3 || len(info.Probes[0].Contexts[0].Funcs) != 0 {
		t.Errorf("without kprobe-multi: %d contexts", n)
	}
}

func TestWatchpointSpecs(t *testing.T) {
	s, err := probes.Parse("w:0x10000000:8:wr")
	if runtime.GOARCH == "amd64" {
		if err != nil || s.Mode != "rw" || s.Name() != "watchpoint:268435456:8:rw" {
			t.Errorf("w:0x10000000:8:wr: %+v, %v", s, err)
		}
	}
	for raw, msg := range map[string]string{
		"watchpoint:0x1000:8:":   "watchpoint mode must be combination of (r,w,x)",
		"watchpoint:0x1000:8:wq": "watchpoint mode must be combination of (r,w,x)",
		"watchpoint:0x1000:8:ww": "watchpoint modes may not be duplicated",
	} {
		if _, err := probes.Parse(raw); err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
	if runtime.GOARCH == "amd64" {
		_, err := probes.Parse("watchpoint:0x1000:8:r")
		se, _ := err.(*probes.SpecError)
		if se == nil || se.Msg != "invalid watchpoint mode: r" || se.Hint != "supported modes: rw,w,x" {
			t.Errorf("read-only watchpoint on x86: %v", err)
		}
	}

	// The context is a perf event program; a machine without working
	// breakpoints gets one line saying so.
	tgt := probes.NewDirTarget("testdata")
	tgt.Features[probes.FeatureBreakpoint] = true
	env := probes.NewEnv(tgt)
	ctxs, err := env.Contexts(&lang.ProbeSpec{Raw: "watchpoint:0x10000000:8:w"})
	if err != nil || len(ctxs) != 1 || ctxs[0].Kind != types.ProgPerfEvent || ctxs[0].Name != "watchpoint:268435456:8:w" {
		t.Fatalf("watchpoint context: %v %v", ctxs, err)
	}
	tgt.Features[probes.FeatureBreakpoint] = false
	_, err = env.Contexts(&lang.ProbeSpec{Raw: "watchpoint:0x10000000:8:w"})
	if err == nil || !strings.Contains(err.Error(), "this machine has no working hardware breakpoints") {
		t.Errorf("without breakpoints: %v", err)
	}
}

// iter probes: ctx typed from the kernel's BTF, a tracing program of
// attach type BPF_TRACE_ITER, pointer members of ctx checked for NULL.
func TestIter(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF on this machine: %v", err)
	}
	var st *btf.Struct
	if spec.TypeByName("bpf_iter__task_file", &st) != nil {
		t.Skip("this kernel's BTF has no task_file iterator")
	}
	tgt := probes.NewDirTarget("testdata")
	tgt.BTF = spec
	tgt.Features[probes.FeatureIter] = true
	info, prog := compile(t, tgt, `iter:task_file { printf("%s %d %d\n", ctx.task.comm, ctx->fd, ctx.file->f_flags); }`)
	c := info.Probes[0].Contexts[0]
	if c.Name != "iter:task_file" || c.Kind != types.ProgTracing || c.AttachTo != "task_file" || c.Ctx == nil || c.Ctx.Name != "struct bpf_iter__task_file" {
		t.Fatalf("context %+v", c)
	}
	ps := prog.Spec.Programs[prog.Probes[0].Prog]
	if ps.Type != ebpf.Tracing || ps.AttachType != ebpf.AttachTraceIter || ps.AttachTo != "task_file" {
		t.Errorf("program %v %v %q", ps.Type, ps.AttachType, ps.AttachTo)
	}
	// ctx.task and ctx.file are each read and checked (the stop call has
	// NULL in them); ctx->fd is an integer, 0 for stdin, and is not.
	exits := 0
	for _, ins := range ps.Instructions {
		if ins.OpCode.JumpOp() == 0x90 { // exit
			exits++
		}
	}
	if exits < 3 {
		t.Errorf("%d exits, want one for each pointer member read and the end", exits)
	}

	lines, err := probes.ListVerbose(tgt, "iter:task_vma")
	if err != nil || strings.Join(lines, "\n") != "iter:task_vma\n    struct task_struct * task\n    struct vm_area_struct * vma" {
		t.Errorf("-lv iter:task_vma: %q %v", lines, err)
	}
	for raw, msg := range map[string]string{
		"iter:nosuch":       "iter nosuch not available for your kernel version.",
		"iter:task:/x":      "pinning an iterator (iter:task:/x) is not supported",
		"iter:bpf_map_elem": "iter bpf_map_elem walks the elements of one map",
	} {
		_, err := probes.NewEnv(tgt).Contexts(&lang.ProbeSpec{Raw: raw})
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
}

// ctx in perf event probes (interval, profile, software, hardware) is
// struct bpf_perf_event_data from the kernel's BTF: ctx->regs.ip,
// ctx->sample_period and ctx->addr read the context the kernel passes,
// checked here by running the programs in the VM on a made-up context.
func TestPerfCtx(t *testing.T) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		t.Skipf("no kernel BTF on this machine: %v", err)
	}
	tgt := probes.NewDirTarget("testdata")
	tgt.BTF = spec
	tgt.Features[probes.FeaturePerfEvent] = true
	info, prog := compile(t, tgt, `profile:hz:99 { @ip[ctx->regs.ip] = count(); }
interval:ms:1 { @p = ctx->sample_period; @a = ctx.addr; }`)
	c := info.Probes[0].Contexts[0]
	if c.Ctx == nil || c.Ctx.Name != "struct bpf_perf_event_data" {
		t.Fatalf("ctx of %s: %v", c.Name, c.Ctx)
	}
	regs, ok1 := c.Ctx.Field("regs")
	period, ok2 := c.Ctx.Field("sample_period")
	addr, ok3 := c.Ctx.Field("addr")
	if !ok1 || !ok2 || !ok3 || regs.Type.Kind != types.Struct {
		t.Fatalf("fields of %s: %+v", c.Ctx, c.Ctx.Fields)
	}
	ip, ok := regs.Type.Field("ip")
	if !ok {
		if runtime.GOARCH != "amd64" {
			t.Skipf("pt_regs has no ip on %s", runtime.GOARCH)
		}
		t.Fatalf("pt_regs fields %+v", regs.Type.Fields)
	}
	ctx := make([]byte, c.Ctx.Size)
	put := func(off int, v uint64) { binary.LittleEndian.PutUint64(ctx[off:], v) }
	put(regs.Offset+ip.Offset, 0xffffffff81000123)
	put(period.Offset, 10101)
	put(addr.Offset, 0x7000)

	m := vm.New(vm.Config{NumCPU: 1})
	coll, err := m.LoadCollection(prog.Spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range prog.Probes {
		if _, err := m.Run(coll.Programs[p.Prog], ctx); err != nil {
			t.Fatalf("%s: %v", p.Prog, err)
		}
	}
	lookup := func(name string, key uint64) uint64 {
		t.Helper()
		mm := prog.MapByName(name)
		if mm == nil {
			t.Fatalf("no map %s", name)
		}
		k := make([]byte, mm.KeySize)
		if len(k) >= 8 {
			binary.LittleEndian.PutUint64(k, key)
		}
		vals, ok := m.Map(coll.Maps[mm.SpecName]).LookupPerCPU(k)
		if !ok {
			t.Fatalf("%s[%#x]: no entry", name, key)
		}
		return binary.LittleEndian.Uint64(vals[0])
	}
	if n := lookup("@ip", 0xffffffff81000123); n != 1 {
		t.Errorf("@ip[ctx->regs.ip] = %d, want 1", n)
	}
	if v := lookup("@p", 0); v != 10101 {
		t.Errorf("@p = ctx->sample_period = %d, want 10101", v)
	}
	if v := lookup("@a", 0); v != 0x7000 {
		t.Errorf("@a = ctx.addr = %#x, want 0x7000", v)
	}

	// Other probes have no ctx.
	f, _ := lang.Parse("t.gt", []byte(`tracepoint:sched:sched_switch { @ = ctx->sample_period; }`))
	if _, err := types.Check(f, probes.NewEnv(tgt), types.Config{}); err == nil || !strings.Contains(err.Error(), "ctx is not available in probe tracepoint:sched:sched_switch") {
		t.Errorf("ctx in a tracepoint: %v", err)
	}
}
