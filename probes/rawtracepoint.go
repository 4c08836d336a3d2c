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

// Raw tracepoints take their arguments from the BTF of the functions the
// kernel generates per tracepoint: __probestub_<name> (6.4+) or
// __traceiter_<name> (5.10+), whose first parameter (void *__data) is not
// an argument. The program's context is an array of u64, one per argument.
var rawTPPrefixes = []string{"__probestub_", "__traceiter_"}

// rawTPProto finds the prototype of a raw tracepoint's arguments.
func rawTPProto(spec *btf.Spec, name string) (*btf.FuncProto, error) {
	for _, p := range rawTPPrefixes {
		var fn *btf.Func
		if err := spec.TypeByName(p+name, &fn); err == nil {
			if proto, ok := fn.Type.(*btf.FuncProto); ok {
				return proto, nil
			}
		}
	}
	// older kernels: typedef void (*btf_trace_<name>)(void *, ...), no names
	var td *btf.Typedef
	if err := spec.TypeByName("btf_trace_"+name, &td); err == nil {
		if ptr, ok := td.Type.(*btf.Pointer); ok {
			if proto, ok := ptr.Target.(*btf.FuncProto); ok {
				return proto, nil
			}
		}
	}
	return nil, errors.New("not found")
}

// rawTPNames lists every raw tracepoint named in the kernel BTF, sorted.
func rawTPNames(spec *btf.Spec) []string {
	seen := map[string]bool{}
	for t := range spec.All() {
		fn, ok := t.(*btf.Func)
		if !ok {
			continue
		}
		for _, p := range rawTPPrefixes {
			if strings.HasPrefix(fn.Name, p) {
				seen[fn.Name[len(p):]] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// rawTPArgs lays out `args` of a raw tracepoint: argument i at offset 8*i.
func rawTPArgs(conv *btfTypes, name string, proto *btf.FuncProto) *types.Type {
	st := &types.Type{Kind: types.Struct, Name: "struct _rawtracepoint_" + name}
	for i, p := range proto.Params[1:] {
		pn := p.Name
		if pn == "" {
			pn = fmt.Sprintf("arg%d", i)
		}
		st.Fields = append(st.Fields, types.Field{Name: pn, Offset: 8 * i, Type: conv.convert(p.Type)})
	}
	st.Size = 8 * (len(proto.Params) - 1)
	return st
}

func (e *env) rawTracepointContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureRawTracepoint) {
		return nil, specErrorf("this kernel does not support raw tracepoint programs")
	}
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil, &SpecError{
			Msg:  "rawtracepoints require kernel BTF: " + err.Error(),
			Hint: "use tracepoint:" + orStar(s.Target) + ":" + s.Func + " instead",
		}
	}
	if s.Target != "*" && s.Target != "vmlinux" && !HasWildcard(s.Target) {
		if _, err := e.t.Stat("/sys/kernel/btf/" + s.Target); err != nil {
			return nil, missingf("no kernel module %s", s.Target)
		}
		return nil, specErrorf("rawtracepoints of module %s are not supported yet (only vmlinux)", s.Target)
	}
	names := []string{s.Func}
	if HasWildcard(s.Func) {
		names = nil
		for _, n := range e.rawTPList(spec) {
			if Match(s.Func, n) {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, &SpecError{
				Msg:  "no rawtracepoint matches " + s.Func,
				Hint: "list them with: gotrace -l 'rawtracepoint:*'",
			}
		}
	}
	// Where the kernel has them, the programs are BTF-typed (tp_btf), as
	// the tracepoint's btf_trace_NAME typedef describes its arguments.
	typed := e.t.Has(FeatureTpBTF)
	var ctxs []*types.Context
	for _, n := range names {
		proto, err := rawTPProto(spec, n)
		if err != nil || len(proto.Params) == 0 {
			e := missingf("rawtracepoint not found: %s", n)
			e.Hint = "list them with: gotrace -l 'rawtracepoint:*" + n + "*'"
			return nil, e
		}
		sp := s
		sp.Target, sp.Func = "vmlinux", n
		c := &types.Context{
			Provider: "rawtracepoint",
			Name:     sp.Name(),
			Kind:     types.ProgRawTracepoint,
			Args:     e.intern(rawTPArgs(e.btfConv(), n, proto)),
		}
		if typed {
			c.Kind, c.RawTP, c.AttachTo, c.NumArgs = types.ProgTracing, true, n, len(proto.Params)-1
		}
		ctxs = append(ctxs, e.context(sp, c))
	}
	return ctxs, nil
}

func attachRawTracepoint(s Spec, name string, prog *ebpf.Program) (io.Closer, error) {
	var l link.Link
	var err error
	if prog.Type() == ebpf.Tracing {
		// tp_btf: the tracepoint was named when the program was loaded
		l, err = link.AttachTracing(link.TracingOptions{Program: prog, AttachType: ebpf.AttachTraceRawTp})
	} else {
		l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: s.Func, Program: prog})
	}
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return l, nil
}

func listRawTracepoints(t Target, pattern string, verbose bool) ([]string, error) {
	if !t.Has(FeatureRawTracepoint) || !t.Has(FeatureBTF) {
		return nil, nil
	}
	spec, err := t.KernelBTF()
	if err != nil {
		return nil, nil
	}
	mod, fn := "*", orStar(pattern)
	if i := strings.IndexByte(pattern, ':'); i >= 0 {
		mod, fn = pattern[:i], orStar(pattern[i+1:])
	}
	if !Match(mod, "vmlinux") {
		return nil, nil
	}
	var out []string
	for _, n := range rawTPNames(spec) {
		if !Match(fn, n) {
			continue
		}
		out = append(out, "rawtracepoint:vmlinux:"+n)
		if !verbose {
			continue
		}
		if proto, err := rawTPProto(spec, n); err == nil && len(proto.Params) > 0 {
			for i, p := range proto.Params[1:] {
				pn := p.Name
				if pn == "" {
					pn = fmt.Sprintf("arg%d", i)
				}
				out = append(out, "    "+cDecl(p.Type)+" "+pn)
			}
		}
	}
	return out, nil
}

// rawTracepointProvider is the rawtracepoint provider: the kernel's
// trace events as raw tracepoints, argN the event's arguments.
type rawTracepointProvider struct{}

func (rawTracepointProvider) parse(s *Spec, args []string) error {
	n := len(args)
	switch n {
	case 1:
		s.Target, s.Func = "*", args[0]
	case 2:
		s.Target, s.Func = args[0], args[1]
	default:
		return countError(s.Provider, n, 2, 1)
	}
	if s.Func == "" {
		return specErrorf("rawtracepoint should be attached to a function")
	}
	return nil
}

func (rawTracepointProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.rawTracepointContexts(s)
}

func (rawTracepointProvider) facts(c *types.Context) {
	c.SkipSelf = true
	c.AnyProcess = true
	c.InProcess = true
	c.ArgN = types.ArgSlots
}

func (rawTracepointProvider) attach(a attachment) (io.Closer, error) {
	return attachRawTracepoint(a.spec, a.name, a.prog)
}

func (rawTracepointProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listRawTracepoints(t, rest, verbose)
}
