package probes

import (
	"errors"
	"fmt"
	"io"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang/types"
)

// Attach attaches a loaded program to the probe its context names, on the
// real host, and returns what detaches it. begin and end probes are not
// attached: the runtime runs them through BPF_PROG_TEST_RUN.
func Attach(ctx *types.Context, prog *ebpf.Program) (io.Closer, error) {
	return attach(ctx, prog, 0)
}

// AttachPID is Attach for gotrace -p PID: uprobes, USDT, profile,
// software and hardware probes fire in that process only (the programs
// of tracepoints, kprobes and fentry probes filter on it:
// codegen.Target.PID).
func AttachPID(pid int) func(*types.Context, *ebpf.Program) (io.Closer, error) {
	return func(ctx *types.Context, prog *ebpf.Program) (io.Closer, error) {
		return attach(ctx, prog, pid)
	}
}

func attach(ctx *types.Context, prog *ebpf.Program, pid int) (io.Closer, error) {
	if ctx == nil || prog == nil {
		return nil, errors.New("cannot attach: no probe or no program")
	}
	s, err := specOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", ctx.Name, err)
	}
	name := ctx.Name
	switch s.Provider {
	case "begin", "end", "self", "test", "bench":
		return nil, fmt.Errorf("cannot attach probe %s: %s probes are run by the runtime, not attached", name, s.Provider)
	case "tracepoint":
		return attachTracepoint(s, name, prog)
	case "rawtracepoint":
		return attachRawTracepoint(s, name, prog)
	case "uprobe", "uretprobe":
		return attachUprobe(ctx, s, name, prog, pid)
	case "kprobe", "kretprobe":
		if len(ctx.Funcs) > 0 {
			return attachKprobeMulti(ctx, s, name, prog)
		}
		return attachKprobe(s, name, prog)
	case "usdt":
		return attachUSDT(ctx, s, name, prog, pid)
	case "fentry", "fexit":
		return attachFentry(ctx, name, prog)
	case "interval", "profile":
		return attachInterval(s, name, prog, pid)
	case "software", "hardware":
		return attachPerfCounter(s, name, prog, pid)
	case "watchpoint":
		return attachWatchpoint(s, name, prog, pid)
	case "iter":
		return attachIter(s, name, prog, pid)
	}
	return nil, fmt.Errorf("cannot attach probe %s: %s probes are not supported yet", name, s.Provider)
}
