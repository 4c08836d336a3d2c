package types

import (
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
	// ProgTracing: fentry and fexit; the context is an array of u64, the
	// function's arguments and (fexit) its return value after them.
	ProgTracing
)

// Context is what the probes package says a probe's program sees: the
// program kind, the layout of `args`, and the canonical name of the probe
// (what the `probe` builtin prints).
type Context struct {
	Provider string   // canonical provider: "begin", "end", "tracepoint", "interval", ...
	Name     string   // canonical full name, e.g. "tracepoint:syscalls:sys_enter_openat"
	Kind     ProgKind // program type
	Args     *Type    // Struct type of `args`, or nil when the probe has none
	// ArgsUser is true when pointers in Args point into user memory
	// (syscall tracepoints), so str() reads them with probe_read_user_str.
	ArgsUser bool
	// AttachTo is the kernel function of an fentry/fexit probe.
	AttachTo string
	// NumArgs is the number of arguments of that function; fexit's
	// return value follows them in the context.
	NumArgs int
	// Retval is the type of retval in fexit probes (nil: uint64).
	Retval *Type
	// USDTArgs locates the arguments of a USDT probe (arg0, arg1, ...).
	USDTArgs []ArgLoc
	// Regs is the layout of struct pt_regs, the context of kprobe,
	// uprobe and USDT programs, for the architecture the probe runs on;
	// nil: the host's (see RegLayout).
	Regs *RegLayout
	// Funcs are the kernel functions of a kprobe or kretprobe whose one
	// program attaches to all of them through a kprobe-multi link (a
	// wildcard); empty for a probe on one function.
	Funcs []string
	// WatchAddr is the address a watchpoint probe watches (unwatch()).
	WatchAddr uint64
	// Ctx is the type of the `ctx` builtin (iter probes: the iterator's
	// struct bpf_iter__NAME, each member in a u64 slot of the context),
	// or nil where the probe has none.
	Ctx *Type
	// AfterStop is set for the probes that run once the script has
	// stopped (END), and for iterators, whose one run is the whole
	// iteration, which exit() does not cut short: the others test the stop flag at entry and do
	// nothing once exit() ran or gotrace is ending, so that the counts
	// printed at exit are the counts at exit.
	AfterStop bool
}

// Count is how many probes the context stands for: the number of
// functions of a kprobe-multi program, else one.
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

// SymbolEnv is implemented by Envs that can resolve kernel symbols
// (kaddr) and cgroup paths (cgroupid).
type SymbolEnv interface {
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
