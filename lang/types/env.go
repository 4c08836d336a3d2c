package types

import (
	"errors"
	"github.com/gotrace/gotrace/lang"
)

// ProgKind is the kind of BPF program a probe compiles to; it decides what
// the context pointer (r1) points at and which helpers may be called.
type ProgKind int

const (
	// ProgRawTracepoint: BEGIN/END and raw tracepoints; BEGIN and END are
	// run by the runtime through BPF_PROG_TEST_RUN.
	ProgRawTracepoint ProgKind = iota
	// ProgTracepoint: tracefs tracepoints; the context is the event record
	// laid out as in the tracepoint's format file.
	ProgTracepoint
	// ProgPerfEvent: interval, profile, software and hardware events.
	ProgPerfEvent
	// ProgKprobe: kprobes, uprobes, USDT; the context is struct pt_regs.
	ProgKprobe
	// ProgTracing: fentry, fexit, iterators and raw tracepoints typed by
	// BTF; the context is an array of u64, the function's arguments and
	// (fexit) its return value after them.
	ProgTracing
)

// Context is what the probes package says a probe's program sees: the
// program kind, the layout of `args`, the canonical name of the probe
// (what the `probe` builtin prints), and the facts about the probe that
// later passes need, each decided once by its provider as a typed value.
// Provider is for printing (probetype, program names); no pass compares
// it to find out what a probe can do.
type Context struct {
	Provider string   // canonical provider: "begin", "end", "tracepoint", "interval", ...
	Name     string   // canonical full name, e.g. "tracepoint:syscalls:sys_enter_openat"
	Kind     ProgKind // program type
	Args     *Type    // Struct type of `args`, or nil when the probe has none
	// ArgsUser is true when pointers in Args point into user memory
	// (syscall tracepoints), so str() reads them with probe_read_user_str.
	ArgsUser bool
	// Mem is the address space the probe's integer addresses (argN,
	// reg(), casts of integers to pointers) point into: user memory in
	// probes that fire in a user process's code (uprobe, uretprobe,
	// usdt), kernel memory elsewhere.
	Mem MemSpace
	// ArgN says where argN is (ArgNone: the probe has no argN).
	ArgN ArgSource
	// Return marks a probe that fires when its function returns
	// (kretprobe, uretprobe, fexit): it has retval.
	Return bool
	// Func says how `func` finds the probed function (FuncNone: the
	// probe has none).
	Func FuncSource
	// Regs is the layout of the struct pt_regs the program sees (the
	// target's architecture), or nil when it sees none.
	Regs *RegLayout
	// SkipSelf marks a probe whose program skips events of gotrace's own
	// process (and of processes it holds stopped), so that tracing does
	// not trace itself.
	SkipSelf bool
	// AnyProcess marks a probe that fires in every process (tracepoints,
	// raw tracepoints, kprobes, fentry, fexit): with -p its program does
	// nothing in the other processes. (uprobes, usdt and perf events are
	// attached to the process instead.)
	AnyProcess bool
	// InProcess marks a probe whose program runs in the context of the
	// process whose event it is: SkipSelf's probes, and the samples of
	// profile, software and hardware events (profile:hz:99 of a pod is
	// the pod's CPU). --cgroup filters those; begin, end, interval,
	// watchpoint and iter programs run on no process's behalf.
	InProcess bool
	// Overridable marks a probe whose function's return value override()
	// may replace (kprobes).
	Overridable bool
	// Run says when the probe's program runs: attached to its event, or
	// run by the runtime at a moment of the script's life.
	Run RunKind
	// Iter marks an iterator probe: the runtime reads the iterator, the
	// context's pointers may be NULL, and the program attaches as an
	// iterator.
	Iter bool
	// RawTP marks a raw tracepoint whose program is typed by the kernel's
	// BTF (tp_btf, ProgTracing): the verifier knows its arguments' types,
	// so helpers that want typed pointers (socket_cookie, skboutput) take
	// them.
	RawTP bool
	// Attach is what the probes package keeps for attaching the probe's
	// program (the attach point as it parsed it); no other pass reads it.
	Attach any
	// Timer marks an interval probe: it fires on one CPU at a fixed
	// rate, which the emulator reproduces in simulated time.
	Timer bool
	// AttachTo is the kernel function of an fentry/fexit probe (the
	// tracepoint of a RawTP one; of fentry:bpf and fexit:bpf, the BPF
	// function).
	AttachTo string
	// AttachProg is the id of the loaded BPF program an fentry:bpf or
	// fexit:bpf probe attaches to (0 for every other probe).
	AttachProg uint32
	// NumArgs is the number of arguments of that function (tracepoint);
	// fexit's return value follows them in the context.
	NumArgs int
	// Retval is the type of retval in fexit probes (nil: uint64).
	Retval *Type
	// USDTArgs locates the arguments of a USDT probe (arg0, arg1, ...).
	USDTArgs []ArgLoc
	// Funcs are the functions one program attaches to through one multi
	// link (a wildcard): kernel functions of a kprobe or kretprobe
	// (kprobe-multi), or with UprobeMulti functions of one binary of a
	// uprobe or uretprobe (uprobe-multi); empty for a probe on one
	// function.
	Funcs []string
	// UprobeMulti marks Funcs as a binary's functions, attached through
	// one uprobe-multi link (BPF_TRACE_UPROBE_MULTI).
	UprobeMulti bool
	// SessionKey is set on a kprobe's or kretprobe's context whose
	// program may share a kprobe session with its counterpart's (the
	// kernel has session links; one attach point, no module, offset or
	// address; the block does not read `probe`): a kprobe block and a
	// kretprobe block whose keys are equal (the function or pattern as
	// written) become one program (see Session). SessionFuncs are the
	// functions that session attaches to.
	SessionKey   string
	SessionFuncs []string
	// Session marks the kprobe context of a kprobe block merged with its
	// kretprobe block (ProbeInfo.Return) into one program on a kprobe
	// session link (BPF_TRACE_KPROBE_SESSION, 6.10+): the program runs
	// at entry and at return, asks the kernel which it is
	// (bpf_session_is_return) and runs the matching block. Funcs holds
	// the session's functions.
	Session bool
	// WatchAddr is the address a watchpoint probe watches (unwatch()).
	WatchAddr uint64
	// Ctx is the type of the `ctx` builtin (iter probes: the iterator's
	// struct bpf_iter__NAME, each member in a u64 slot of the context),
	// or nil where the probe has none.
	Ctx *Type
	// Freeze says how the probe's program is kept from counting or
	// printing once the script stops (exit(), Ctrl-C, the end of -c's
	// command), so that the maps printed at exit hold the counts at exit.
	Freeze FreezeKind
}

// FreezeKind says how a probe's program stops when the script stops.
// Its provider decides it by what can be done to its attachment from
// user space at once and cheaply, before detaching (which can take a
// grace period per probe).
type FreezeKind int

const (
	// FreezeByFlag: the program tests the stop flag (codegen.StopMap) at
	// entry and returns while it is set; exit() sets it in the kernel,
	// gotrace before detaching. For the attachments nothing stops at
	// once but detaching them: perf tracepoints, kprobes, uprobes, USDT
	// (disabling their perf event does not stop the program; detaching
	// waits for a grace period), fentry and fexit trampolines,
	// kprobe-multi links; and the programs gotrace runs while the
	// script runs (self, on a signal) or in a mode of its own (test,
	// bench), which reset the flag between runs.
	FreezeByFlag FreezeKind = iota
	// FreezeByAttachment: gotrace stops the attachment when the script
	// stops: perf events whose overflow runs the program (profile,
	// interval, software, hardware, watchpoint) are disabled, raw
	// tracepoint links, whose release waits for nothing, are detached.
	// Its program tests the flag only where a probe that runs while it
	// is attached calls exit(), which freezes the results at once, before
	// gotrace hears of it.
	FreezeByAttachment
	// FreezeByRuntime: gotrace runs the program itself before anything
	// else (begin), one after the other, and runs no more of them once
	// one has called exit().
	FreezeByRuntime
	// FreezeNever: the program runs once the script has stopped (end),
	// or its one run is the whole of an iteration, which exit() does not
	// cut short (iter).
	FreezeNever
)

// MemSpace is the address space a probe's addresses point into.
type MemSpace int

const (
	KernelMem MemSpace = iota // read with probe_read_kernel
	UserMem                   // read with probe_read_user
)

// ArgSource says where a probe's argN builtins are.
type ArgSource int

const (
	ArgNone  ArgSource = iota // the probe has no argN
	ArgRegs                   // the calling convention's registers in pt_regs (kprobe, uprobe)
	ArgSlots                  // u64 slots of the context (raw tracepoints: ArgCount; fentry/fexit: NumArgs)
	ArgUSDT                   // where the USDT note says (USDTArgs)
)

// FuncSource says how the func builtin finds the probed function.
type FuncSource int

const (
	FuncNone     FuncSource = iota // the probe has no func
	FuncKernel                     // bpf_get_func_ip, a kernel symbol (kprobe, kretprobe, fentry, fexit)
	FuncUser                       // the instruction pointer, a user symbol (uprobe)
	FuncKernelIP                   // the instruction pointer, a kernel symbol (kprobes at an offset or address, where bpf_get_func_ip gives 0)
)

// RunKind says when a probe's program runs.
type RunKind int

const (
	RunAttached RunKind = iota // attached to its event, fires on its own
	RunBegin                   // once, before anything else (begin)
	RunEnd                     // once, when the script ends (end)
	RunSignal                  // when gotrace gets a signal (self)
	RunTest                    // in --test mode (test)
	RunBench                   // in --bench mode (bench)
)

// Special reports whether the runtime runs the probe itself at a moment
// of the script's life (probetype calls those "special"); bench probes
// are not counted among them.
func (r RunKind) Special() bool {
	return r == RunBegin || r == RunEnd || r == RunSignal || r == RunTest
}

// Count is how many probes the context stands for: the number of
// functions of a kprobe-multi or uprobe-multi program, else one.
func (c *Context) Count() int {
	if len(c.Funcs) > 0 {
		return len(c.Funcs)
	}
	return 1
}

// ArgLoc says where a USDT argument is when the probe fires: a constant,
// a register of struct pt_regs, or user memory at
// register + Disp (+ index register * Scale).
type ArgLoc struct {
	Size   int  // bytes: 1, 2, 4 or 8
	Signed bool // sign-extend to 64 bits
	Const  bool // the value is Disp
	Reg    int  // pt_regs offset of the register (or base register); -1: none
	Index  int  // pt_regs offset of the index register; -1: none
	Scale  int
	Disp   int64
	Mem    bool // the value is in user memory at the address
}

// Env answers, for each attach point of a script, what its program sees.
// The probes package implements it against a Target (the real host or a
// fake one); tests may implement it directly.
type Env interface {
	// Contexts returns the contexts of the attach point, one per probe it
	// expands to (wildcards expand to several). An error is reported at
	// the spec's position.
	Contexts(spec *lang.ProbeSpec) ([]*Context, error)
}

// BlockEnv is implemented by Envs that expand an attach point
// differently depending on the probe block it belongs to: a wildcard
// kprobe is attached with one kprobe-multi program unless the block uses
// the `probe` builtin, which needs one program per function.
type BlockEnv interface {
	BlockContexts(p *lang.Probe, spec *lang.ProbeSpec) ([]*Context, error)
}

// PrefetchEnv is implemented by Envs that can start reading what the
// given attach points need in the background: the checker calls
// Prefetch with all of a script's attach points, then asks for their
// contexts one by one.
type PrefetchEnv interface {
	Prefetch(specs []*lang.ProbeSpec)
}

// ConfigEnv is implemented by Envs whose expansion depends on the
// script's configuration (probe_inline: a uprobe goes to the inlined
// copies of its function too); the checker gives it the resolved
// settings before it asks for any context.
type ConfigEnv interface {
	Configure(s Settings)
}

// contextsOf asks env for the contexts of spec in probe block p.
func contextsOf(env Env, p *lang.Probe, spec *lang.ProbeSpec) ([]*Context, error) {
	if be, ok := env.(BlockEnv); ok {
		return be.BlockContexts(p, spec)
	}
	return env.Contexts(spec)
}

// MissingProbeError is what an Env returns for an attach point that names
// something that does not exist; the missing_probes setting decides
// whether it stops the script, warns, or is ignored.
type MissingProbeError struct {
	Err *lang.Error
	// Warning is what a warning says when missing_probes = warn.
	Warning string
}

func (e *MissingProbeError) Error() string { return e.Err.Error() }
func (e *MissingProbeError) Unwrap() error { return e.Err }

// EnumEnv is implemented by Envs that know the kernel's enums: an
// identifier that names none of gotrace's may name an enumerator.
type EnumEnv interface {
	KernelEnum(name string) (int64, *Type, bool)
}

// StructEnv is implemented by Envs that know the kernel's types (BTF): it
// types curtask and casts to kernel structs.
type StructEnv interface {
	// KernelStruct returns the struct or union named like "task_struct"
	// or "struct task_struct" or "union ...".
	KernelStruct(name string) (*Type, error)
}

// ErrNoKernelSymbol is the error of a KernelSymbol lookup that found no
// symbol of the name.
var ErrNoKernelSymbol = errors.New("no kernel symbol")

// SymbolEnv is implemented by Envs that can resolve kernel symbols
// (kaddr) and cgroup paths (cgroupid).
type SymbolEnv interface {
	// KernelSymbol fails with ErrNoKernelSymbol when the kernel has no
	// symbol of that name.
	KernelSymbol(name string) (uint64, error)
	CgroupID(path string) (uint64, error)
	// UserSymbol returns the address and size of a symbol of the binary
	// a uprobe or usdt probe is in (uaddr()). For a position-independent
	// binary, at is the address the probe fires at in the same address
	// space, so that the loaded address is addr + (ip - at); else at is 0.
	UserSymbol(ctx *Context, name string) (addr uint64, size int, at uint64, err error)
}

// KernelVarEnv is implemented by Envs that know the kernel's per-CPU
// variables (percpu_kaddr()): KernelVar gives one's BTF id in vmlinux.
type KernelVarEnv interface {
	KernelVar(name string) (uint32, error)
}

// KfuncEnv is implemented by Envs that can tell which kfuncs the kernel
// has and which program kinds may call them.
type KfuncEnv interface {
	KernelFunc(name string) bool
	KfuncAllowed(name string, k ProgKind) bool
	// KfuncID gives the kfunc's BTF id in vmlinux.
	KfuncID(name string) (uint32, bool)
}
