package types

import (
	"sort"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/printf"
)

// Config holds the knobs of the language that affect types.
type Config struct {
	Params []string // positional parameters: Params[0] is $1
	// Named are the named parameters getopt() reads, as given after --
	// without the dashes: "name=value", or "name" alone.
	Named []string
	// Unsafe allows functions that act on the system (system, signal).
	Unsafe bool
	// Env holds the BPFTRACE_<KEY> environment variables; they override
	// the script's config block (see Settings).
	Env map[string]string
}

// Info is the product of Check.
type Info struct {
	// Types holds the type of each expression.
	Types ExprTable[*Type]
	// Builtins holds which builtin each call and identifier that names
	// one is (the code generator dispatches on it).
	Builtins ExprTable[Builtin]
	// Ops holds the operator of each unary and binary expression, and
	// AssignOps that of each compound assignment (+=): OpOf reads both.
	Ops       ExprTable[Op]
	AssignOps map[*lang.AssignStmt]Op
	// ArgN holds the N of each argN identifier.
	ArgN   map[*lang.Ident]int
	Maps   map[string]*MapInfo
	Probes []*ProbeInfo
	Config Config
	// Settings are the resolved configuration (defaults, config block,
	// environment).
	Settings Settings
	// Consts are expressions whose value the checker knows: sizeof,
	// offsetof, getopt.
	Consts ExprTable[Const]
	// Formats holds the format of each printf-like call (printf, errorf,
	// warnf, cat, system) parsed once (lang/printf): the code generator
	// carries it on the call's event, and the printers apply it.
	Formats map[*lang.StrLit][]printf.Segment
	// Warnings are diagnostics that do not stop the script.
	Warnings []*lang.Error
	// Decls are the map declarations (let @m = hash(N)) by map name.
	Decls map[string]*MapDecl
	// Expansions are builtins and functions that mean another expression
	// (ppid is curtask->real_parent->tgid): the code generator compiles
	// the expansion, which the checker has typed, in their place.
	Expansions ExprTable[lang.Expr]
	// KernelVars holds, for each percpu_kaddr() call, the BTF id of the
	// per-CPU variable it names.
	KernelVars map[*lang.Call]uint32
	// Kfuncs holds the BTF ids in vmlinux of the kernel functions the
	// program calls (comm(pid): bpf_task_from_pid, bpf_task_release).
	Kfuncs map[string]uint32
	// TaskCommOffset is where comm is in the kernel's struct task_struct
	// (comm(pid)).
	TaskCommOffset int
	// Options are the named parameters getopt() reads, by name.
	Options map[string]Option
	// C holds the functions of imported .bpf.c files; nil without any.
	C *CProgram
	// CCalls are the script's calls of those functions.
	CCalls map[*lang.Call]*CFunc
	// ClockMap is the map BPFTRACE_DUMMY_TS_MAP names, a scalar map of
	// an unsigned integer: tseries() takes its value as the time instead
	// of the clock's, so that tests of time series can set the time.
	ClockMap string
}

// MapNames returns the names of the script's maps in name order.
func (in *Info) MapNames() []string {
	var names []string
	for n := range in.Maps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// BuiltinOf returns the builtin call or identifier e is, or 0.
func (in *Info) BuiltinOf(e lang.Expr) Builtin { return in.Builtins.Of(e) }

// OpOf returns the operator of the unary or binary expression or the
// compound assignment n, or 0 (for =).
func (in *Info) OpOf(n lang.Node) Op {
	if s, ok := n.(*lang.AssignStmt); ok {
		return in.AssignOps[s]
	}
	if e, ok := n.(lang.Expr); ok {
		return in.Ops.Of(e)
	}
	return 0
}

// TypeOf returns the type recorded for e.
func (in *Info) TypeOf(e lang.Expr) *Type { return in.Types.Of(e) }

// MapInfo describes one map of the script.
type MapInfo struct {
	Name  string // "@name" or "@"
	Pos   lang.Pos
	Keys  []*Type // key types in order; empty for a map used without key
	Key   *Type   // the stored key: nil without keys, Keys[0] for one, a Tuple for several
	Value *Type   // plain value type, or an Agg type
}

// ProbeInfo holds what the checker learned about one probe block.
type ProbeInfo struct {
	Probe    *lang.Probe
	Contexts []*Context // one per attach point after wildcard expansion
	// Return is, on a kprobe block merged into a kprobe session
	// (Context.Session), the kretprobe block that runs at return; that
	// block's ProbeInfo has Merged set and compiles to no program of its
	// own.
	Return *ProbeInfo
	Merged bool
}

// MapDecl is a declared map: its kind and number of entries.
type MapDecl struct {
	Kind       string // hash, lruhash, percpuhash, percpulruhash
	MaxEntries int
	Pos        lang.Pos
}
