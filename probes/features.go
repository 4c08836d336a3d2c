package probes

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// probeFeature finds out whether the running kernel has f. Each answer is
// computed once per process (hostTarget.Has caches it).
func probeFeature(h *hostTarget, f Feature) bool {
	switch f {
	case FeatureTracepoint:
		if !have(features.HaveProgramType(ebpf.TracePoint)) {
			return false
		}
		// tracefs readable by root only still has tracepoints: --check
		// reads their layouts from BTF, and a run says what it needs.
		root, err := h.Tracefs()
		return err == nil && existsOrDenied(filepath.Join(root, "events"))
	case FeatureRawTracepoint:
		return have(features.HaveProgramType(ebpf.RawTracepoint))
	case FeatureKprobe:
		if !have(features.HaveProgramType(ebpf.Kprobe)) {
			return false
		}
		if exists("/sys/bus/event_source/devices/kprobe") {
			return true
		}
		root, err := h.Tracefs()
		return err == nil && exists(filepath.Join(root, "kprobe_events"))
	case FeatureUprobe:
		if !have(features.HaveProgramType(ebpf.Kprobe)) {
			return false
		}
		if exists("/sys/bus/event_source/devices/uprobe") {
			return true
		}
		root, err := h.Tracefs()
		return err == nil && exists(filepath.Join(root, "uprobe_events"))
	case FeatureFentry:
		return probeFentry(h)
	case FeaturePerfEvent:
		return have(features.HaveProgramType(ebpf.PerfEvent))
	case FeatureHardware:
		fd, err := openPerfEvent(unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES, 1000000, false, 0)
		if err != nil {
			return false
		}
		unix.Close(fd)
		return true
	case FeatureBTF:
		return exists("/sys/kernel/btf/vmlinux")
	case FeaturePerfLink:
		return probePerfLink()
	case FeatureKprobeMulti:
		return probeFeature(h, FeatureKprobe) && features.HaveBPFLinkKprobeMulti() == nil
	case FeatureUprobeMulti:
		return probeFeature(h, FeatureUprobe) && features.HaveBPFLinkUprobeMulti() == nil
	case FeatureKprobeSession:
		return probeFeature(h, FeatureKprobeMulti) && features.HaveBPFLinkKprobeSession() == nil
	case FeatureIter:
		return probeIter(h)
	case FeatureBreakpoint:
		return probeBreakpoint()
	case FeaturePrivateStack:
		return probePrivateStack()
	case FeatureKallsymsData:
		return probeKallsymsData()
	case FeatureWriteUser:
		return probeWriteUser()
	case FeatureTpBTF:
		return probeTpBTF(h)
	}
	return false
}

// have reads a cilium feature probe: only ErrNotSupported means "no";
// other failures (EPERM when not root) leave the decision to the attach.
// existsOrDenied says whether path exists, or is there behind a folder
// this process may not search.
func existsOrDenied(path string) bool {
	_, err := os.Stat(path)
	return err == nil || errors.Is(err, os.ErrPermission)
}

func have(err error) bool {
	return err == nil || !errors.Is(err, ebpf.ErrNotSupported)
}

// probeFentry loads a do-nothing fentry program and attaches it for a
// moment: kernels without trampolines load it but refuse the attach.
func probeFentry(h *hostTarget) bool {
	if features.HaveProgramType(ebpf.Tracing) != nil {
		return false
	}
	spec, err := h.KernelBTF()
	if err != nil {
		return false
	}
	var fn *btf.Func
	for _, name := range []string{"bpf_fentry_test1", "security_file_open", "vfs_read"} {
		if spec.TypeByName(name, &fn) == nil {
			break
		}
	}
	if fn == nil {
		return false
	}
	return tracingAttaches(spec, ebpf.AttachTraceFEntry, fn.Name)
}

// tracingAttaches loads a do-nothing tracing program of attach type at
// on to and attaches it for a moment.
func tracingAttaches(spec *btf.Spec, at ebpf.AttachType, to string) bool {
	prog, err := emptyTracingProg(spec, at, to)
	if err != nil {
		return false
	}
	defer prog.Close()
	l, err := link.AttachTracing(link.TracingOptions{Program: prog, AttachType: at})
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// probeTpBTF loads a do-nothing BTF-typed raw tracepoint program and
// attaches it for a moment (it needs no trampoline, unlike fentry).
func probeTpBTF(h *hostTarget) bool {
	if !have(features.HaveProgramType(ebpf.Tracing)) {
		return false
	}
	spec, err := h.KernelBTF()
	if err != nil {
		return false
	}
	for _, name := range []string{"sys_enter", "sched_switch", "task_newtask"} {
		var td *btf.Typedef
		if spec.TypeByName("btf_trace_"+name, &td) == nil {
			return tracingAttaches(spec, ebpf.AttachTraceRawTp, name)
		}
	}
	return false
}

// probePerfLink attaches a do-nothing perf_event program to a dummy
// software event through BPF_LINK_CREATE (5.15+).
func probePerfLink() bool {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.PerfEvent,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	})
	if err != nil {
		return false
	}
	defer prog.Close()
	fd, err := openPerfEvent(unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_DUMMY, 1, false, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	l, err := link.AttachRawLink(link.RawLinkOptions{Target: fd, Program: prog, Attach: ebpf.AttachPerfEvent})
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// probeIter loads a do-nothing task iterator: kernels without BPF
// iterators or without BTF refuse it.
func probeIter(h *hostTarget) bool {
	if !have(features.HaveProgramType(ebpf.Tracing)) {
		return false
	}
	spec, err := h.KernelBTF()
	if err != nil {
		return false
	}
	prog, err := emptyTracingProg(spec, ebpf.AttachTraceIter, "task")
	if err != nil {
		return false
	}
	prog.Close()
	return true
}

// emptyTracingProg loads a tracing program that does nothing, for the
// attach type and target given.
func emptyTracingProg(spec *btf.Spec, at ebpf.AttachType, to string) (*ebpf.Program, error) {
	return ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type:       ebpf.Tracing,
		AttachType: at,
		AttachTo:   to,
		License:    "GPL",
		Instructions: asm.Instructions{
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	}, ebpf.ProgramOptions{KernelTypes: spec})
}

// breakpointProbeVar is what probeBreakpoint watches for a moment.
var breakpointProbeVar uint64

// probeBreakpoint sets a write breakpoint on a variable of this thread,
// writes it, and reads the event's count: machines without debug
// registers (or kernels without CONFIG_HAVE_HW_BREAKPOINT) refuse the
// event, and some hypervisors accept it but never fire it.
func probeBreakpoint() bool {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fd, err := openBreakpoint(uint64(uintptr(unsafe.Pointer(&breakpointProbeVar))), 8, hwBreakpointW, 0, -1)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	for i := uint64(1); i <= 3; i++ {
		atomic.StoreUint64(&breakpointProbeVar, i)
	}
	var buf [8]byte
	if n, err := unix.Read(fd, buf[:]); err != nil || n != 8 {
		return false
	}
	return binary.LittleEndian.Uint64(buf[:]) > 0
}

// probePrivateStack loads a tracepoint program whose main frame (320
// bytes) and subprogram frame (256 bytes) add up to more than the 512
// bytes of one stack. A kernel that gives tracing programs' big frames a
// private stack (Linux 6.13 on, where the JIT supports it) accepts it;
// one that does not refuses it ("combined stack size ... Too large").
// Loading needs privileges: without them the answer is no, so gotrace's
// verifier then refuses rather than passes what the kernel might refuse.
func probePrivateStack() bool {
	insns := asm.Instructions{
		asm.StoreImm(asm.R10, -320, 1, asm.Word),
		asm.Call.Label("sub"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
		asm.StoreImm(asm.R10, -256, 1, asm.Word).WithSymbol("sub"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.TracePoint, License: "GPL", Instructions: insns})
	if err != nil {
		return false
	}
	prog.Close()
	return true
}

// probeKallsymsData looks for a per-CPU variable in /proc/kallsyms:
// kernels built without CONFIG_KALLSYMS_ALL list functions only, and the
// kernel then cannot resolve the variables a program names by BTF id.
func probeKallsymsData() bool {
	b, err := os.ReadFile("/proc/kallsyms")
	return err == nil && bytes.Contains(b, []byte(" cpu_number\n"))
}

// probeWriteUser loads a kprobe program that writes one byte of its stack
// to user address 0 with bpf_probe_write_user (it never runs): a
// locked-down kernel (integrity or confidentiality) refuses the helper.
func probeWriteUser() bool {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type:    ebpf.Kprobe,
		License: "GPL",
		Instructions: asm.Instructions{
			asm.StoreImm(asm.R10, -8, 0, asm.Word),
			asm.Mov.Imm(asm.R1, 0),
			asm.Mov.Reg(asm.R2, asm.R10),
			asm.Add.Imm(asm.R2, -8),
			asm.Mov.Imm(asm.R3, 1),
			asm.FnProbeWriteUser.Call(),
			asm.Mov.Imm(asm.R0, 0),
			asm.Return(),
		},
	})
	if err != nil {
		return false
	}
	prog.Close()
	return true
}
