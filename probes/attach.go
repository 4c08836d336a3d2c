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
	l, err := attach(ctx, prog, 0, false)
	return explainAttach(ctx, l, err)
}

// AttachPID is Attach for gotrace -p PID: uprobes, USDT, profile,
// software and hardware probes fire in that process only (the programs
// of tracepoints, kprobes and fentry probes filter on it:
// codegen.Target.PID).
func AttachPID(pid int) func(*types.Context, *ebpf.Program) (io.Closer, error) {
	return func(ctx *types.Context, prog *ebpf.Program) (io.Closer, error) {
		l, err := attach(ctx, prog, pid, false)
		return explainAttach(ctx, l, err)
	}
}

// AttachCommand is Attach for gotrace -c: the probes AttachPID limits to
// a process fire in the command's process, and sampling probes (profile,
// software, hardware) also in the threads and processes it starts, which
// AttachPID's do not follow.
func AttachCommand(pid int) func(*types.Context, *ebpf.Program) (io.Closer, error) {
	return func(ctx *types.Context, prog *ebpf.Program) (io.Closer, error) {
		l, err := attach(ctx, prog, pid, true)
		return explainAttach(ctx, l, err)
	}
}

func attach(ctx *types.Context, prog *ebpf.Program, pid int, descendants bool) (io.Closer, error) {
	if ctx == nil || prog == nil {
		return nil, errors.New("cannot attach: no probe or no program")
	}
	s, err := specOf(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", ctx.Name, err)
	}
	return providerOf(s.Provider).attach(attachment{ctx: ctx, spec: s, name: ctx.Name, prog: prog, pid: pid, descendants: descendants})
}
