package probes

import (
	"debug/elf"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// env implements types.Env against a Target.
type env struct {
	t      Target
	call   sync.Mutex // one Contexts at a time
	mu     sync.Mutex
	shapes map[string]*types.Type // args layouts by layoutKey
	conv   *btfTypes              // BTF conversions, shared by all probes
	rawTPs []string               // raw tracepoint names, listed once
	ksyms  []kernelSym            // kernel text symbols with addresses, read once (kprobe_addr.go)
	// tpArgs are the args layouts of the tracepoints read so far, by
	// "category:event": a tracepoint that several probes name (or
	// several wildcards match) has its format read and parsed once.
	tpArgs map[string]*types.Type
	// tpFetches are the formats of the script's tracepoints, read ahead
	// (tracepoint_prefetch.go).
	tpFetches map[string]*tpFetch
	// enums maps the enumerators of the kernel's BTF to their enum
	// types, built on the first name looked up (KernelEnum).
	enums map[string]*btf.Enum

	pid    int  // ForPID: the process whose files uprobes name (-p)
	unsafe bool // Unsafe: uprobes at unchecked offsets (--unsafe)
	// userDebug is the DWARF of the binaries uprobes named so far, for
	// casts to their structs; noArgs is set while the attach points of
	// a block that never reads args are expanded, noProbe while those of
	// a block that never reads probe are.
	userDebug []userDebug
	noArgs    bool
	noArgN    bool
	noProbe   bool
	// probeInline is the script's probe_inline setting (Configure):
	// uprobes go to the inlined copies of their functions too.
	probeInline bool
	at          lang.Pos      // the attach point being expanded
	warnings    []*lang.Error // see Warnings
}

func (e *env) btfConv() *btfTypes {
	if e.conv == nil {
		e.conv = newBTFTypes()
	}
	return e.conv
}

func (e *env) rawTPList(spec *btf.Spec) []string {
	if e.rawTPs == nil {
		e.rawTPs = rawTPNames(spec)
	}
	return e.rawTPs
}

// NewEnv returns the types.Env that answers, from target, what each
// attach point of a script expands to and what its programs see; opts
// say whose files uprobes name (ForPID) and whether they may attach at
// unchecked offsets (Unsafe).
func NewEnv(target Target, opts ...EnvOption) types.Env {
	e := &env{t: target, shapes: map[string]*types.Type{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// context finishes a context a provider built for spec s: it keeps s
// for Attach (a user-named probe's Name cannot be parsed back), gives a
// program that sees struct pt_regs the target's register layout, and
// lets the provider set its facts.
func (e *env) context(s Spec, c *types.Context) *types.Context {
	c.Attach = &attachPoint{spec: s}
	if c.Kind == types.ProgKprobe || c.Kind == types.ProgPerfEvent {
		c.Regs = e.regs()
	}
	p := providerOf(s.Provider)
	p.facts(c)
	if lf, ok := p.(linkFreezable); ok && c.Freeze == types.FreezeByFlag && lf.freezesByLink(c) && e.t.Has(FeaturePerfLink) {
		c.Freeze = types.FreezeByAttachment
	}
	return c
}

// linkFreezable is a provider whose programs run from a perf event that
// does not stop them when disabled (tracepoints, uprobes), attached
// through a perf bpf_link where the target has them: closing the link
// stops the program at once (perfAttachment.Freeze), so the program
// need not test the stop flag (types.FreezeByAttachment).
type linkFreezable interface {
	freezesByLink(c *types.Context) bool
}

// regs is the register layout of the target's architecture (x86-64's
// for one gotrace does not know).
func (e *env) regs() *types.RegLayout {
	if l := types.RegLayoutOf(e.t.Arch()); l != nil {
		return l
	}
	return types.RegsAMD64
}

// attachPoint is what the probes package keeps on a context it made
// (types.Context.Attach) for attaching its program: the spec it came
// from and, for a uprobe, the file and offset it fires at.
type attachPoint struct {
	spec   Spec
	uprobe *uprobeSite
	usdt   *usdtInfo
}

// attachPointOf returns what the Env kept on c, or nil for a context
// the Env did not make.
func attachPointOf(c *types.Context) *attachPoint {
	a, _ := c.Attach.(*attachPoint)
	return a
}

// specOf returns the spec a context came from.
func specOf(c *types.Context) (Spec, error) {
	if a := attachPointOf(c); a != nil {
		return a.spec, nil
	}
	return Parse(c.Name)
}

// intern returns one *types.Type per layout so that probes whose args
// are laid out alike (sys_enter_read and sys_enter_write) share a type.
func (e *env) intern(t *types.Type) *types.Type {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := layoutKey(t)
	if old, ok := e.shapes[k]; ok {
		return old
	}
	e.shapes[k] = t
	return t
}

// searchedProviders are the providers whose attach points are searched
// for among what the host has: one that finds nothing is reported in
// bpftrace's words, "No matches for ...".
var searchedProviders = map[string]bool{"tracepoint": true, "rawtracepoint": true, "uprobe": true, "uretprobe": true,
	"usdt": true, "kprobe": true, "kretprobe": true, "fentry": true, "fexit": true}

// Contexts implements types.Env.
func (e *env) Contexts(spec *lang.ProbeSpec) ([]*types.Context, error) {
	return e.contextsOf(spec, readsAll)
}

// contextsOf is Contexts for an attach point of a block that reads
// what reads says: a block that never reads args makes no uprobe read
// DWARF, and only one that never reads probe gets uprobe-multi programs.
func (e *env) contextsOf(spec *lang.ProbeSpec, reads blockReads) ([]*types.Context, error) {
	e.call.Lock()
	defer e.call.Unlock()
	e.at, e.noArgs, e.noArgN, e.noProbe = spec.At, !reads.args, !reads.argN, !reads.probe
	ctxs, err := e.contexts(spec.Raw)
	if err != nil {
		var se *SpecError
		if errors.As(err, &se) {
			le := &lang.Error{Pos: spec.At, Msg: se.Msg, Hint: se.Hint}
			if se.Unplaced {
				le.Pos = lang.Pos{}
			}
			if se.Missing {
				mp := &types.MissingProbeError{Err: le, Warning: se.Msg}
				if ps, err := Parse(spec.Raw); err == nil {
					// bpftrace's words
					_, rest, _ := strings.Cut(ps.Name(), ":")
					filled := strings.HasPrefix(rest, "*:") && !strings.Contains(spec.Raw, "*:")
					if filled {
						rest = rest[2:] // a module gotrace filled in
					}
					mp.Warning = fmt.Sprintf("No matches for %s %s. Skipping.", ps.Provider, rest)
					if searchedProviders[ps.Provider] {
						// gotrace's reason and advice become the hint
						le.Hint = se.Msg
						if se.Hint != "" {
							le.Hint += "; " + se.Hint
						}
						le.Msg = fmt.Sprintf("No matches for %s %s.", ps.Provider, rest)
						if filled {
							// a search in every module that found nothing
							le.Msg = "Probe has no valid attach points."
						}
					}
				}
				return nil, mp
			}
			return nil, le
		}
		return nil, lang.Errorf(spec.At, "%v", err)
	}
	return ctxs, nil
}

func (e *env) contexts(raw string) ([]*types.Context, error) {
	s, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	return providerOf(s.Provider).contexts(e, s)
}

// KernelStruct returns the layout of a struct or union ("task_struct",
// "struct task_struct" or "union ..."), for casts and curtask: from the
// DWARF of the binaries the script's uprobes name, else from the
// kernel's BTF.
func (e *env) KernelStruct(name string) (*types.Type, error) {
	e.call.Lock()
	defer e.call.Unlock()
	if t := e.userStruct(name); t != nil {
		return t, nil
	}
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil, err
	}
	var t btf.Type
	switch {
	case len(name) > 6 && name[:6] == "union ":
		var u *btf.Union
		if err := spec.TypeByName(name[6:], &u); err != nil {
			return nil, err
		}
		t = u
	default:
		if len(name) > 7 && name[:7] == "struct " {
			name = name[7:]
		}
		var s *btf.Struct
		if err := spec.TypeByName(name, &s); err != nil {
			return nil, err
		}
		t = s
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.btfConv().convert(t), nil
}

// KernelTypedef resolves a typedef of the kernel's BTF (for imported C
// that includes "vmlinux.h").
func (e *env) KernelTypedef(name string) (*types.Type, bool) {
	e.call.Lock()
	defer e.call.Unlock()
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil, false
	}
	var td *btf.Typedef
	if spec.TypeByName(name, &td) != nil {
		return nil, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.btfConv().convert(td), true
}

// KernelEnum finds an enumerator of the kernel's BTF by name
// (SKB_DROP_REASON_NOT_SPECIFIED): its value and its enum type.
func (e *env) KernelEnum(name string) (int64, *types.Type, bool) {
	e.call.Lock()
	defer e.call.Unlock()
	spec, err := e.t.KernelBTF()
	if err != nil {
		return 0, nil, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.enums == nil {
		e.enums = map[string]*btf.Enum{}
		for t, err := range spec.All() {
			if err != nil {
				break
			}
			if en, ok := t.(*btf.Enum); ok {
				for _, v := range en.Values {
					if _, dup := e.enums[v.Name]; !dup {
						e.enums[v.Name] = en
					}
				}
			}
		}
	}
	en, ok := e.enums[name]
	if !ok {
		return 0, nil, false
	}
	for _, v := range en.Values {
		if v.Name == name {
			return int64(v.Value), e.btfConv().convert(en), true
		}
	}
	return 0, nil, false
}

// KernelSymbol returns the address of a kernel symbol from /proc/kallsyms
// (for kaddr()).
func (e *env) KernelSymbol(name string) (uint64, error) {
	b, err := e.t.ReadFile("/proc/kallsyms")
	if err != nil {
		return 0, fmt.Errorf("cannot read /proc/kallsyms: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[2] != name {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil || addr == 0 {
			return 0, fmt.Errorf("the address of %s is hidden (kptr_restrict; run as root)", name)
		}
		return addr, nil
	}
	return 0, fmt.Errorf("%w %s", types.ErrNoKernelSymbol, name)
}

// CgroupID returns the id of a cgroup v2 directory (its inode number),
// for cgroupid(); paths are taken under /sys/fs/cgroup when relative.
func (e *env) CgroupID(path string) (uint64, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/sys/fs/cgroup/" + path
	}
	fi, err := e.t.Stat(path)
	if err != nil {
		return 0, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, fmt.Errorf("cannot read the inode of %s", path)
	}
	return st.Ino, nil
}

// UserSymbol returns the address and size of a symbol (a function or an
// object) in the binary of a uprobe or usdt probe, for uaddr(). In a
// position-independent binary the address is only known once it is
// loaded; then at is where the uprobe fires in the same address space as
// addr, so that the program can add (ip - at) to addr.
func (e *env) UserSymbol(ctx *types.Context, name string) (addr uint64, size int, at uint64, err error) {
	s, err := specOf(ctx)
	if err != nil {
		return 0, 0, 0, err
	}
	v := e.view()
	path, err := resolveBinary(v, s.Target)
	if err != nil {
		return 0, 0, 0, err
	}
	bin, err := v.openBinary(path)
	if err != nil {
		return 0, 0, 0, err
	}
	defer bin.Close()
	f := bin.elf
	for _, list := range []func() ([]elf.Symbol, error){f.Symbols, f.DynamicSymbols} {
		syms, _ := list()
		for _, sym := range syms {
			if strings.SplitN(sym.Name, "@", 2)[0] != name || sym.Value == 0 || sym.Section == elf.SHN_UNDEF {
				continue
			}
			if f.Type != elf.ET_DYN {
				return sym.Value, int(sym.Size), 0, nil
			}
			at := s.Address
			if s.Provider == "uprobe" && s.Func != "" {
				fn, ok := bin.funcs()[s.Func]
				if !ok {
					return 0, 0, 0, fmt.Errorf("no function %s in %s", s.Func, path)
				}
				at = fn.Addr + s.Offset
			}
			if s.Provider != "uprobe" || at == 0 {
				return 0, 0, 0, fmt.Errorf("%s is position-independent: the address of %s is known only in uprobes (not in %s)", path, name, s.Provider)
			}
			return sym.Value, int(sym.Size), at, nil
		}
	}
	return 0, 0, 0, fmt.Errorf("no symbol %s in %s", name, path)
}

// KernelFunc reports whether the kernel's BTF has a function of that
// name (kfunc_exist()).
func (e *env) KernelFunc(name string) bool {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return false
	}
	var fn *btf.Func
	return spec.TypeByName(name, &fn) == nil
}

// KernelVar gives the BTF id in vmlinux of the per-CPU kernel variable
// name (percpu_kaddr()). vmlinux's BTF describes only per-CPU variables.
func (e *env) KernelVar(name string) (uint32, error) {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return 0, err
	}
	var v *btf.Var
	if err := spec.TypeByName(name, &v); err != nil {
		return 0, fmt.Errorf("the kernel's BTF has no per-CPU variable of that name")
	}
	id, err := spec.TypeID(v)
	return uint32(id), err
}

// KfuncID gives the BTF id in vmlinux of the kernel function name.
func (e *env) KfuncID(name string) (uint32, bool) {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return 0, false
	}
	var fn *btf.Func
	if spec.TypeByName(name, &fn) != nil {
		return 0, false
	}
	id, err := spec.TypeID(fn)
	return uint32(id), err == nil
}

// KfuncAllowed reports whether programs of kind k may call the kfunc
// name (kfunc_allowed()): a program calling it is loaded, and only the
// kernel's refusal to let that program type call it says no; any other
// complaint is about the probe program, not the kfunc.
func (e *env) KfuncAllowed(name string, k types.ProgKind) bool {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return false
	}
	var fn *btf.Func
	if spec.TypeByName(name, &fn) != nil {
		return false
	}
	id, err := spec.TypeID(fn)
	if err != nil {
		return false
	}
	ps := &ebpf.ProgramSpec{Type: ebpf.RawTracepoint, License: "GPL", Instructions: asm.Instructions{
		{OpCode: asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call), Src: asm.PseudoKfuncCall, Constant: int64(id)},
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}}
	switch k {
	case types.ProgTracepoint:
		ps.Type = ebpf.TracePoint
	case types.ProgPerfEvent:
		ps.Type = ebpf.PerfEvent
	case types.ProgKprobe:
		ps.Type = ebpf.Kprobe
	case types.ProgTracing:
		ps.Type, ps.AttachType, ps.AttachTo = ebpf.Tracing, ebpf.AttachTraceFEntry, "bpf_fentry_test1"
	}
	prog, err := ebpf.NewProgramWithOptions(ps, ebpf.ProgramOptions{KernelTypes: spec})
	if err == nil {
		prog.Close()
		return true
	}
	var ve *ebpf.VerifierError
	if errors.As(err, &ve) && strings.Contains(strings.Join(ve.Log, "\n"), "calling kernel function "+name+" is not allowed") {
		return false
	}
	return true
}
