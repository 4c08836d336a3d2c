package probes

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
)

// watchpoint:ADDR:LEN:MODE sets a hardware breakpoint (perf_event_open
// with PERF_TYPE_BREAKPOINT) on LEN bytes at the absolute address ADDR,
// kernel or user, for reads and writes (rw), writes (w) or execution (x);
// the program is a perf event program, run on every hit. Without -p the
// breakpoint is set on every online CPU, for every process; with -p PID on
// each thread of that process (and the threads they create). Only the
// absolute-address form exists: current bpftrace dropped the
// watchpoint:FUNC+ARGN form.

// Breakpoint types of perf_event_attr.bp_type.
const (
	hwBreakpointR = 1
	hwBreakpointW = 2
	hwBreakpointX = 4
)

// watchpointModes are the modes the CPU's debug registers can watch for,
// spelled with their letters sorted.
func watchpointModes() []string {
	switch runtime.GOARCH {
	case "amd64", "386":
		return []string{"rw", "w", "x"} // Intel SDM vol. 3, 17.2.4: no read-only breakpoints
	case "arm64", "arm":
		return []string{"r", "rw", "w", "x"}
	case "ppc64", "ppc64le":
		return []string{"r", "rw", "w"}
	case "s390x":
		return []string{"w"}
	}
	return nil
}

// parseWatchMode checks a watchpoint mode and returns it with its letters
// sorted ("wr" is "rw").
func parseWatchMode(mode string) (string, error) {
	if mode == "" {
		return "", specErrorf("watchpoint mode must be combination of (r,w,x)")
	}
	b := []byte(mode)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	for i, c := range b {
		if c != 'r' && c != 'w' && c != 'x' {
			return "", specErrorf("watchpoint mode must be combination of (r,w,x)")
		}
		if i > 0 && b[i-1] == c {
			return "", specErrorf("watchpoint modes may not be duplicated")
		}
	}
	sorted := string(b)
	modes := watchpointModes()
	if len(modes) == 0 {
		return "", specErrorf("watchpoints not supported")
	}
	for _, m := range modes {
		if m == sorted {
			return sorted, nil
		}
	}
	e := specErrorf("invalid watchpoint mode: %s", sorted)
	e.Hint = "supported modes: " + strings.Join(modes, ",")
	return "", e
}

func watchpointContexts(t Target, s Spec) ([]*types.Context, error) {
	if !t.Has(FeaturePerfEvent) {
		return nil, specErrorf("watchpoint probes need perf_event BPF programs, which this kernel does not have")
	}
	if !t.Has(FeatureBreakpoint) {
		return nil, &SpecError{
			Msg:  "watchpoint probe " + s.Name() + " is not available: this machine has no working hardware breakpoints",
			Hint: "hardware breakpoints need debug registers and a kernel with CONFIG_HAVE_HW_BREAKPOINT; some virtual machines have none, or never fire them",
		}
	}
	return []*types.Context{{Provider: s.Provider, Name: s.Name(), Kind: types.ProgPerfEvent, WatchAddr: s.Address}}, nil
}

// openBreakpoint opens a breakpoint event on len bytes at addr, for
// process pid (0: this one, -1: all) on cpu (-1: any).
func openBreakpoint(addr, length uint64, bpType uint32, pid, cpu int) (int, error) {
	if bpType&hwBreakpointX != 0 {
		length = uint64(unsafe.Sizeof(uintptr(0))) // perf_event_open(2): execute breakpoints take sizeof(long)
	}
	attr := unix.PerfEventAttr{
		Type:    unix.PERF_TYPE_BREAKPOINT,
		Size:    uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample:  1,
		Wakeup:  1,
		Bp_type: bpType,
		Ext1:    addr,
		Ext2:    length,
		Bits:    unix.PerfBitInherit,
	}
	return unix.PerfEventOpen(&attr, pid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
}

func watchBits(mode string) uint32 {
	var bits uint32
	for _, c := range mode {
		switch c {
		case 'r':
			bits |= hwBreakpointR
		case 'w':
			bits |= hwBreakpointW
		case 'x':
			bits |= hwBreakpointX
		}
	}
	return bits
}

// attachWatchpoint opens the breakpoint on every online CPU (or on every
// thread of pid) and attaches prog to each event.
func attachWatchpoint(s Spec, name string, prog *ebpf.Program, pid int) (io.Closer, error) {
	bits := watchBits(s.Mode)
	type target struct{ pid, cpu int }
	var targets []target
	if pid > 0 {
		tids, err := processThreads(pid)
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		for _, tid := range tids {
			targets = append(targets, target{tid, -1})
		}
	} else {
		for _, cpu := range onlineCPUs() {
			targets = append(targets, target{-1, cpu})
		}
	}
	pa := &perfAttachment{overflow: true}
	var firstErr error
	for _, tg := range targets {
		fd, err := openBreakpoint(s.Address, s.Len, bits, tg.pid, tg.cpu)
		if err != nil {
			// A thread may have exited, a CPU gone offline: only a
			// breakpoint set nowhere is an error.
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if err := attachPerfFD(pa, fd, prog); err != nil {
			pa.Close()
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
	}
	runtime.KeepAlive(prog)
	if len(pa.fds) == 0 {
		switch {
		case errors.Is(firstErr, unix.ENOSPC):
			return nil, fmt.Errorf("cannot attach probe %s: no more hardware breakpoint registers left (%v)", name, firstErr)
		case errors.Is(firstErr, unix.EINVAL):
			return nil, fmt.Errorf("cannot attach probe %s: the kernel refuses a breakpoint of %d bytes at 0x%x (%v)", name, s.Len, s.Address, firstErr)
		case errors.Is(firstErr, unix.ENOENT), errors.Is(firstErr, unix.EOPNOTSUPP):
			return nil, fmt.Errorf("cannot attach probe %s: this machine has no hardware breakpoints (%v)", name, firstErr)
		}
		return nil, fmt.Errorf("cannot attach probe %s: perf_event_open: %v", name, firstErr)
	}
	return pa, nil
}

// processThreads lists the thread ids of a process.
func processThreads(pid int) ([]int, error) {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		return nil, fmt.Errorf("cannot list the threads of process %d: %v", pid, unwrapPath(err))
	}
	var tids []int
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, n)
		}
	}
	return tids, nil
}

// watchpointProvider is the watchpoint provider: a hardware breakpoint
// on an address, as a perf event.
type watchpointProvider struct{}

func (watchpointProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n != 3 {
		return countError(s.Provider, n, 3)
	}
	a, err := ParseUint(args[0])
	if err != nil {
		return specErrorf("Invalid function/address argument: %v", err)
	}
	l, err := ParseUint(args[1])
	if err != nil {
		return specErrorf("Invalid length argument: %v", err)
	}
	s.Address, s.Len, s.Mode = a, l, args[2]
	if s.Address == 0 {
		return specErrorf("watchpoint must be attached to a non-zero address")
	}
	if l != 1 && l != 2 && l != 4 && l != 8 {
		return specErrorf("watchpoint length must be one of (1,2,4,8)")
	}
	if s.Mode, err = parseWatchMode(s.Mode); err != nil {
		return err
	}
	return nil
}

func (watchpointProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	ctxs, err := watchpointContexts(e.t, s)
	for _, c := range ctxs {
		e.context(s, c)
	}
	return ctxs, err
}

func (watchpointProvider) facts(c *types.Context) { c.Freeze = types.FreezeByAttachment }

func (watchpointProvider) attach(a attachment) (io.Closer, error) {
	return attachWatchpoint(a.spec, a.name, a.prog, a.pid)
}

func (watchpointProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return nil, nil
}
