package probes

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang/types"
)

// fentry and fexit (also kfunc and kretfunc) attach BPF trampolines to
// kernel functions (5.5+, BTF needed). The program's context is an array
// of u64: the function's arguments in order, then, for fexit, its return
// value. `args` is a struct over that array whose members are the
// function's parameters (named and typed from BTF), each in its own
// 8-byte slot; argN reads slot N and retval the slot after the last
// argument. The functions are those that are both in the kernel's BTF
// and traceable (available_filter_functions).

// btfFunc is a kernel function with its prototype.
type btfFunc struct {
	name  string
	mod   string // "" for vmlinux
	proto *btf.FuncProto
}

// kernelBTFFuncs lists the traceable kernel functions matching mod:fn
// that the kernel's BTF describes, sorted by name.
func (e *env) kernelBTFFuncs(mod, fn string) ([]btfFunc, error) {
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil, fmt.Errorf("fentry/fexit need the kernel's BTF: %v", err)
	}
	funcs, err := e.t.KernelFuncs()
	if err != nil {
		return nil, fmt.Errorf("cannot list kernel functions: %v", err)
	}
	var out []btfFunc
	seen := map[string]bool{}
	for _, f := range funcs {
		if !Match(fn, f.Name) || seen[f.Name] {
			continue
		}
		if mod != "" && !(Match(mod, f.Module) || mod == "vmlinux" && f.Module == "") {
			continue
		}
		if f.Module != "" {
			continue // module BTF is not loaded here; vmlinux functions only
		}
		var bf *btf.Func
		if err := spec.TypeByName(f.Name, &bf); err != nil {
			continue
		}
		proto, ok := bf.Type.(*btf.FuncProto)
		if !ok {
			continue
		}
		seen[f.Name] = true
		out = append(out, btfFunc{name: f.Name, proto: proto})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func (e *env) fentryContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureFentry) {
		return nil, &SpecError{
			Msg:  s.Provider + " probes are not available on this kernel (it has no BPF trampolines)",
			Hint: "rawtracepoints and tracepoints work without them: gotrace -l 'rawtracepoint:*'",
		}
	}
	if s.Target == "bpf" {
		return e.bpfProgContexts(s)
	}
	funcs, err := e.kernelBTFFuncs(s.Target, s.Func)
	if err != nil {
		return nil, err
	}
	if len(funcs) == 0 {
		what := s.Func
		if s.Target != "" {
			what = s.Target + ":" + s.Func
		}
		if HasWildcard(s.Func) {
			return nil, &SpecError{Msg: "no traceable kernel function with BTF matches " + what, Hint: "list them with: gotrace -l '" + s.Provider + ":*'"}
		}
		return nil, &SpecError{Missing: true, Msg: "kernel function " + what + " not found, not traceable, or not in the kernel's BTF",
			Hint: "list them with: gotrace -l '" + s.Provider + ":*" + s.Func + "*'"}
	}
	var ctxs []*types.Context
	e.mu.Lock()
	conv := e.btfConv()
	e.mu.Unlock()
	for _, f := range funcs {
		sp := s
		sp.Func = f.name
		sp.Target = "vmlinux"
		c := &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgTracing, AttachTo: f.name, NumArgs: len(f.proto.Params)}
		e.mu.Lock()
		c.Args = fentryArgs(conv, f)
		if s.Provider == "fexit" {
			if _, void := f.proto.Return.(*btf.Void); !void && f.proto.Return != nil {
				c.Retval = slotType(conv.convert(f.proto.Return))
			}
		}
		e.mu.Unlock()
		ctxs = append(ctxs, e.context(sp, c))
	}
	return ctxs, nil
}

// fentryArgs lays out `args`: each parameter in its 8-byte slot.
func fentryArgs(conv *btfTypes, f btfFunc) *types.Type {
	st := &types.Type{Kind: types.Struct, Name: "struct _fentry_" + f.name, Size: 8 * len(f.proto.Params)}
	for i, p := range f.proto.Params {
		name := p.Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i)
		}
		st.Fields = append(st.Fields, types.Field{Name: name, Offset: 8 * i, Type: slotType(conv.convert(p.Type))})
	}
	return st
}

// slotType is how a value passed in a u64 slot is read: integers and
// pointers as themselves; anything wider (a struct passed by value) as
// the raw u64.
func slotType(t *types.Type) *types.Type {
	switch t.Kind {
	case types.Int, types.Bool, types.Ptr:
		if t.Size <= 8 {
			return t
		}
	}
	return types.Uint64
}

func attachFentry(name string, prog *ebpf.Program, ret bool) (io.Closer, error) {
	at := ebpf.AttachTraceFEntry
	if ret {
		at = ebpf.AttachTraceFExit
	}
	l, err := link.AttachTracing(link.TracingOptions{Program: prog, AttachType: at})
	if err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return nil, fmt.Errorf("cannot attach probe %s: the kernel has no BPF trampolines (%v)", name, err)
		}
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return l, nil
}

// listFentry lists fentry/fexit probes as provider:vmlinux:function; with
// verbose, each argument and the return value follow, typed from BTF.
func listFentry(t Target, provider, rest string, verbose bool) ([]string, error) {
	if !t.Has(FeatureFentry) {
		return nil, nil
	}
	if rest == "bpf" || strings.HasPrefix(rest, "bpf:") {
		return listBPFProgs(t, provider, strings.TrimPrefix(strings.TrimPrefix(rest, "bpf"), ":")), nil
	}
	mod, fn := "", orStar(rest)
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		mod, fn = rest[:i], orStar(rest[i+1:])
	}
	e := NewEnv(t).(*env)
	funcs, err := e.kernelBTFFuncs(mod, fn)
	if err != nil {
		return nil, nil
	}
	var out []string
	for _, f := range funcs {
		out = append(out, provider+":vmlinux:"+f.name)
		if !verbose {
			continue
		}
		for _, p := range f.proto.Params {
			out = append(out, "    "+cDecl(p.Type)+" "+p.Name)
		}
		if _, void := f.proto.Return.(*btf.Void); provider == "fexit" && !void && f.proto.Return != nil {
			out = append(out, "    "+cDecl(f.proto.Return)+" retval")
		}
	}
	return out, nil
}

// fentryProvider is the fentry provider (ret: fexit): a kernel
// function's entry (or return) through a BPF trampoline, args typed by
// the kernel's BTF.
type fentryProvider struct{ ret bool }

func (fentryProvider) parse(s *Spec, args []string) error {
	n := len(args)
	switch {
	case n >= 1 && args[0] == "bpf":
		s.Target = "bpf"
		switch n {
		case 2:
			s.Func = args[1]
		case 3:
			s.Func = args[2]
			if args[1] != "*" {
				id, err := ParseUint(args[1])
				if err != nil {
					return specErrorf("bpf program id must be a number or '*'")
				}
				s.ProgID = id
			}
		default:
			return specErrorf("the 'bpf' variant of this probe requires a bpf program name and optional bpf program id")
		}
	case n == 1:
		s.Func = args[0]
	case n == 2:
		s.Target, s.Func = args[0], args[1]
	default:
		return countError(s.Provider, n, 1, 2)
	}
	return nil
}

func (fentryProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.fentryContexts(s)
}

func (p fentryProvider) facts(c *types.Context) {
	c.SkipSelf = true
	c.AnyProcess = true
	c.InProcess = true
	c.ArgN = types.ArgSlots
	c.Func = types.FuncKernel
	c.Return = p.ret
}

func (p fentryProvider) attach(a attachment) (io.Closer, error) {
	return attachFentry(a.name, a.prog, p.ret)
}

func (fentryProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listFentry(t, name, rest, verbose)
}
