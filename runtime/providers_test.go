package runtime_test

import (
	"encoding/binary"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/vm"
)

// The programs providers' probes compile to: their program and attach
// types, and what they read from the context the kernel passes them.
// (The contexts themselves are tested in probes.)

// TestKprobeMultiPrograms: a wildcard kprobe with a kprobe-multi context
// compiles to one program of attach type BPF_TRACE_KPROBE_MULTI, the
// others to a kprobe program per function.
func TestKprobeMultiPrograms(t *testing.T) {
	const src = `kprobe:vfs_* { @[func] = count(); }
kretprobe:vfs_read* { @r[func] = count(); }
kprobe:vfs_* { @p[probe] = count(); }
kprobe:kvm:kvm_* { @k = count(); }
kprobe:vfs_read { @one = count(); }`
	tgt := pipelinetest.Target()
	tgt.Features[probes.FeatureKprobeMulti] = true
	prog := pipelinetest.MustCompile(t, src, pipelinetest.Options{Target: tgt}).Prog
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

	// Without kprobe-multi links: a program per function.
	tgt.Features[probes.FeatureKprobeMulti] = false
	prog = pipelinetest.MustCompile(t, src, pipelinetest.Options{Target: tgt}).Prog
	if len(prog.Probes) != 3+2+3+2+1 {
		t.Errorf("without kprobe-multi: %d programs, want 11", len(prog.Probes))
	}
}

// TestIterProgram: an iter probe is a tracing program of attach type
// BPF_TRACE_ITER, and pointer members of its ctx are checked for NULL.
func TestIterProgram(t *testing.T) {
	spec := pipelinetest.KernelBTF()
	if spec == nil {
		t.Skip("no kernel BTF on this machine")
	}
	var st *btf.Struct
	if spec.TypeByName("bpf_iter__task_file", &st) != nil {
		t.Skip("this kernel's BTF has no task_file iterator")
	}
	tgt := pipelinetest.Target()
	tgt.BTF = spec
	tgt.Features[probes.FeatureIter] = true
	prog := pipelinetest.MustCompile(t, `iter:task_file { printf("%s %d %d\n", ctx.task.comm, ctx->fd, ctx.file->f_flags); }`, pipelinetest.Options{Target: tgt}).Prog
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
}

// TestPerfCtxInVM: ctx->regs.ip, ctx->sample_period and ctx->addr in
// perf event probes read the context the kernel passes, checked by
// running the programs in the VM on a made-up context; other probes have
// no ctx.
func TestPerfCtxInVM(t *testing.T) {
	spec := pipelinetest.KernelBTF()
	if spec == nil {
		t.Skip("no kernel BTF on this machine")
	}
	tgt := pipelinetest.Target()
	tgt.BTF = spec
	tgt.Features[probes.FeaturePerfEvent] = true
	c := pipelinetest.MustCompile(t, `profile:hz:99 { @ip[ctx->regs.ip] = count(); }
interval:ms:1 { @p = ctx->sample_period; @a = ctx.addr; }`, pipelinetest.Options{Target: tgt})
	prog, pc := c.Prog, c.Info.Probes[0].Contexts[0]
	regs, _ := pc.Ctx.Field("regs")
	period, _ := pc.Ctx.Field("sample_period")
	addr, _ := pc.Ctx.Field("addr")
	ip, ok := regs.Type.Field("ip")
	if !ok {
		t.Skipf("pt_regs has no ip on %s", goruntime.GOARCH)
	}
	ctx := make([]byte, pc.Ctx.Size)
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
	_, err = pipelinetest.Compile(`tracepoint:sched:sched_switch { @ = ctx->sample_period; }`, pipelinetest.Options{Target: tgt, Stop: runtime.StageCheck})
	if err == nil || !strings.Contains(lang.Format(err, nil), "ctx is not available in probe tracepoint:sched:sched_switch") {
		t.Errorf("ctx in a tracepoint: %v", err)
	}
}

// TestKprobeSessionPrograms: where the kernel has kprobe session links,
// kprobe:f and kretprobe:f (the one block of each on f) are one program
// of attach type BPF_TRACE_KPROBE_SESSION that calls
// bpf_session_is_return and passes gotrace's verifier; a function with
// two kretprobe blocks, a block reading `probe` and a kernel without
// session links keep a program per block.
func TestKprobeSessionPrograms(t *testing.T) {
	spec := pipelinetest.KernelBTF()
	if spec == nil {
		t.Skip("no kernel BTF on this machine")
	}
	var fn *btf.Func
	if spec.TypeByName("bpf_session_is_return", &fn) != nil {
		t.Skip("this kernel's BTF has no bpf_session_is_return")
	}
	const src = `kprobe:vfs_read { $x = arg2; @a = $x; }
kretprobe:vfs_read { $x = "s"; @b = retval; @s = $x; }
kprobe:vfs_write { @c = 1; }
kretprobe:vfs_write { @d = 1; }
kretprobe:vfs_write { @e = 1; }
kprobe:vfs_* { @f[probe] = 1; }
kretprobe:vfs_* { @g = 1; }`
	tgt := pipelinetest.Target()
	tgt.BTF = spec
	tgt.Features[probes.FeatureKprobeMulti] = true
	tgt.Features[probes.FeatureKprobeSession] = true
	c := pipelinetest.MustCompile(t, src, pipelinetest.Options{Target: tgt})
	var sessions []string
	for _, pp := range c.Prog.Probes {
		ps := c.Prog.Spec.Programs[pp.Prog]
		if ps.AttachType != ebpf.AttachTraceKprobeSession {
			continue
		}
		sessions = append(sessions, pp.Ctx.Name)
		kfunc := false
		for _, ins := range ps.Instructions {
			kfunc = kfunc || ins.IsKfuncCall()
		}
		if !kfunc || !pp.Ctx.Session || pp.Ctx.Count() != 1 {
			t.Errorf("%s: kfunc call %v, session %v, counts %d", pp.Ctx.Name, kfunc, pp.Ctx.Session, pp.Ctx.Count())
		}
	}
	// vfs_read pairs; vfs_write has two kretprobe blocks; vfs_* reads probe
	if len(sessions) != 1 || sessions[0] != "kprobe:vfs_read" || len(c.Prog.Probes) != 1+1+2+3+1 {
		t.Errorf("sessions %v among %d programs; want kprobe:vfs_read among 8", sessions, len(c.Prog.Probes))
	}
	if err := runtime.Check(c.Prog, tgt, false); err != nil {
		t.Errorf("gotrace's verifier: %v", err)
	}
	tgt.Features[probes.FeatureKprobeSession] = false
	c = pipelinetest.MustCompile(t, src, pipelinetest.Options{Target: tgt})
	if len(c.Prog.Probes) != 2+1+2+3+1 {
		t.Errorf("without session links: %d programs, want 9", len(c.Prog.Probes))
	}
}
