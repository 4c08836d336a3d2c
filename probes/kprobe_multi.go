package probes

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Wildcard kprobes and kretprobes (kprobe:vfs_*) compile to one program
// attached to every matching function with one kprobe-multi link
// (BPF_TRACE_KPROBE_MULTI, 5.18+), as bpftrace does, when the kernel has
// them, the spec names no module and no offset, and the block does not
// use the `probe` builtin (whose value differs per function, so those
// blocks get a program per function, as they do on kernels without
// kprobe-multi). `func` reads bpf_get_func_ip and is resolved to the
// function's name in user space, so it names the function that fired
// either way.

// BlockContexts implements types.BlockEnv.
func (e *env) BlockContexts(p *lang.Probe, spec *lang.ProbeSpec) ([]*types.Context, error) {
	ctxs, err := e.contextsOf(spec, readsArgs(p))
	if err != nil || len(ctxs) == 0 {
		return ctxs, err
	}
	s, perr := Parse(spec.Raw)
	if perr != nil || usesProbeBuiltin(p) {
		return ctxs, nil
	}
	session := len(p.Specs) == 1 && e.sessionKprobe(s)
	if !e.multiKprobe(s) {
		if session && len(ctxs) == 1 {
			cs, err := specOf(ctxs[0])
			if err == nil {
				ctxs[0].SessionKey, ctxs[0].SessionFuncs = s.Func, []string{cs.Func}
			}
		}
		return ctxs, nil
	}
	var funcs []string
	seen := map[string]bool{}
	for _, c := range ctxs {
		cs, err := specOf(c)
		if err != nil {
			return ctxs, nil
		}
		if !seen[cs.Func] {
			seen[cs.Func] = true
			funcs = append(funcs, cs.Func)
		}
	}
	multi := &types.Context{Provider: s.Provider, Name: s.Name(), Kind: types.ProgKprobe, Funcs: funcs}
	if session {
		multi.SessionKey, multi.SessionFuncs = s.Func, funcs
	}
	return []*types.Context{e.context(s, multi)}, nil
}

// sessionKprobe says whether the attach point s may share a kprobe
// session with its counterpart (types.Context.SessionKey): a kprobe or
// kretprobe with no module, offset or address, where the kernel has
// kprobe-multi and session links.
func (e *env) sessionKprobe(s Spec) bool {
	return (s.Provider == "kprobe" || s.Provider == "kretprobe") && s.Target == "" && s.Offset == 0 && s.Address == 0 &&
		e.t.Has(FeatureKprobeMulti) && e.t.Has(FeatureKprobeSession)
}

// multiKprobe says whether the attach point s is attached with one
// kprobe-multi link.
func (e *env) multiKprobe(s Spec) bool {
	return (s.Provider == "kprobe" || s.Provider == "kretprobe") && HasWildcard(s.Func) &&
		s.Target == "" && s.Offset == 0 && s.Address == 0 && e.t.Has(FeatureKprobeMulti)
}

// usesProbeBuiltin reports whether the block reads the `probe` builtin.
func usesProbeBuiltin(p *lang.Probe) bool {
	return blockHas(p, func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.Ident:
			return n.Name == "probe"
		case *lang.Call:
			return n.Fun == "probe" && len(n.Args) == 0
		}
		return false
	})
}

// blockHas reports whether a node of the probe block's predicate or
// body matches.
func blockHas(p *lang.Probe, match func(lang.Node) bool) bool {
	found := false
	visit := func(n lang.Node) bool {
		found = found || match(n)
		return !found
	}
	if p.Pred != nil {
		lang.Inspect(p.Pred, visit)
	}
	if p.Body != nil {
		lang.Inspect(p.Body, visit)
	}
	return found
}

// attachKprobeMulti attaches prog to every function of ctx with one
// kprobe-multi link (a session link for a kprobe session).
func attachKprobeMulti(ctx *types.Context, name string, prog *ebpf.Program, ret bool) (io.Closer, error) {
	opts := link.KprobeMultiOptions{Symbols: ctx.Funcs, Session: ctx.Session}
	var l link.Link
	var err error
	if ret {
		l, err = link.KretprobeMulti(prog, opts)
	} else {
		l, err = link.KprobeMulti(prog, opts)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("cannot attach probe %s: the kernel cannot attach a kprobe-multi link to one or more of its %d functions (%v)", name, len(ctx.Funcs), err)
		}
		return nil, fmt.Errorf("cannot attach probe %s (%d functions, kprobe-multi): %v", name, len(ctx.Funcs), err)
	}
	return l, nil
}
