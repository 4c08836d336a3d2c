package probes

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang/types"
)

// Syscall tracepoints through one attachment.
//
// Every syscalls:sys_enter_NAME tracepoint is its own perf event, and
// detaching one costs the kernel a grace period under its event mutex
// (about 70 ms): a script on syscalls:sys_enter_* (some 360 of them)
// would take half a minute to end. raw_syscalls:sys_enter fires for
// every system call with the same record from offset 8 on: the system
// call's number as a long where the per-call record has it as an int,
// then the six arguments in 8-byte slots, which is where the per-call
// record keeps each argument (sys_exit: the return value at 16 in
// both). So the program compiled for syscalls:sys_enter_openat reads
// the raw record just as it reads its own.
//
// With many of them, gotrace loads each per-call program as usual, puts
// it in a program array at its system call's number, and attaches one
// dispatcher to raw_syscalls:sys_enter (or sys_exit) that tail-calls the
// slot of the number in the record: one attach and one detach for all.
// The per-call tracepoints leave out the system calls of 32-bit tasks
// (whose numbers are another table's), so the dispatcher skips the
// tasks the kernel marks as in a compat system call (x86-64's
// thread_info.status & TS_COMPAT); where that cannot be read from BTF,
// the tracepoints are attached one by one.

// DispatchMin is how many system-call tracepoints of one kind (entry
// or exit) make gotrace attach them through one dispatcher.
const DispatchMin = 16

// SyscallSlot says where the program of a syscalls:sys_enter_NAME or
// sys_exit_NAME context goes in a dispatcher's table: the system call's
// number, and whether it is an exit. ok is false for other contexts and
// for names the system call table does not know.
func SyscallSlot(ctx *types.Context) (nr int, exit, ok bool) {
	s, err := specOf(ctx)
	if err != nil || s.Provider != "tracepoint" || s.Target != "syscalls" {
		return 0, false, false
	}
	name, isEnter := strings.CutPrefix(s.Func, "sys_enter_")
	if !isEnter {
		if name, exit = strings.CutPrefix(s.Func, "sys_exit_"); !exit {
			return 0, false, false
		}
	}
	n, found := syscallNumbers()[name]
	return n, exit, found
}

var syscallNumbers = sync.OnceValue(func() map[string]int {
	m := map[string]int{}
	for n, name := range types.SyscallNames {
		m[name] = int(n)
	}
	return m
})

// compatStatus finds, in the kernel's BTF, where a task's thread_info
// status is (task_struct.thread_info.status), on x86-64 only.
var compatStatus = sync.OnceValues(func() (uint32, error) {
	if runtime.GOARCH != "amd64" {
		return 0, errors.New("compat system calls are recognised on x86-64 only")
	}
	spec, err := host.KernelBTF()
	if err != nil {
		return 0, err
	}
	var task *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		return 0, err
	}
	for _, m := range task.Members {
		if m.Name != "thread_info" {
			continue
		}
		ti, ok := btf.UnderlyingType(m.Type).(*btf.Struct)
		if !ok {
			break
		}
		for _, f := range ti.Members {
			if f.Name == "status" {
				return m.Offset.Bytes() + f.Offset.Bytes(), nil
			}
		}
	}
	return 0, errors.New("task_struct has no thread_info.status")
})

// tsCompat is x86-64's TS_COMPAT: the task is in a 32-bit system call.
const tsCompat = 0x0002

// dispatchAttachment is a dispatcher attached, with its table.
type dispatchAttachment struct {
	event *perfAttachment
	prog  *ebpf.Program
	table *ebpf.Map
}

// Freeze takes the dispatcher off its tracepoint (perfAttachment.Freeze).
func (d *dispatchAttachment) Freeze() error { return d.event.Freeze() }

func (d *dispatchAttachment) Close() error {
	return errors.Join(d.event.Close(), d.prog.Close(), d.table.Close())
}

// AttachSyscalls attaches the programs of system-call tracepoints of
// one kind (exit: sys_exit_*, else sys_enter_*), by system call number,
// through one dispatcher on raw_syscalls. It fails, attaching nothing,
// where the kernel's BTF does not say how to skip compat system calls:
// the caller then attaches the tracepoints one by one.
func AttachSyscalls(exit bool, progs map[int]*ebpf.Program) (io.Closer, error) {
	statusOff, err := compatStatus()
	if err != nil {
		return nil, err
	}
	maxNr := 0
	for nr := range progs {
		maxNr = max(maxNr, nr)
	}
	table, err := ebpf.NewMap(&ebpf.MapSpec{Name: "syscalls", Type: ebpf.ProgramArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(maxNr + 1)})
	if err != nil {
		return nil, fmt.Errorf("system call table: %w", err)
	}
	for nr, p := range progs {
		if err := table.Put(uint32(nr), p); err != nil {
			table.Close()
			return nil, fmt.Errorf("system call table: %w", err)
		}
	}
	insns := asm.Instructions{
		asm.Mov.Reg(asm.R6, asm.R1),
		asm.Mov.Imm(asm.R1, 0),
		asm.StoreMem(asm.RFP, -8, asm.R1, asm.DWord),
		asm.FnGetCurrentTask.Call(),
		asm.Mov.Reg(asm.R3, asm.R0),
		asm.Add.Imm(asm.R3, int32(statusOff)),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, -8),
		asm.Mov.Imm(asm.R2, 4),
		asm.FnProbeReadKernel.Call(),
		asm.LoadMem(asm.R1, asm.RFP, -8, asm.Word),
		asm.And.Imm(asm.R1, tsCompat),
		asm.JNE.Imm(asm.R1, 0, "out"),
		asm.LoadMem(asm.R3, asm.R6, 8, asm.DWord), // the system call's number
		asm.Mov.Reg(asm.R1, asm.R6),
		asm.LoadMapPtr(asm.R2, table.FD()),
		asm.FnTailCall.Call(),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{Name: "syscalls", Type: ebpf.TracePoint, License: "GPL", Instructions: insns})
	if err != nil {
		table.Close()
		return nil, fmt.Errorf("system call dispatcher: %w", err)
	}
	event := "sys_enter"
	if exit {
		event = "sys_exit"
	}
	pa, err := attachTracepointEvent("raw_syscalls", event, prog)
	if err != nil {
		prog.Close()
		table.Close()
		return nil, fmt.Errorf("raw_syscalls:%s: %w", event, err)
	}
	return &dispatchAttachment{event: pa, prog: prog, table: table}, nil
}
