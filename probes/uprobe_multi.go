package probes

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/gotrace/gotrace/lang/types"
)

// Wildcard uprobes and uretprobes (uprobe:/bin/bash:read*, and the
// overloads a cpp: name matches) compile to one program per binary,
// attached to all its matching functions with one uprobe-multi link
// (BPF_TRACE_UPROBE_MULTI, 6.6+), as bpftrace does, when the kernel has
// them. The kernel then sets up one link instead of a perf event per
// function, so hundreds of functions attach in a fraction of the time.
//
// A block that reads `probe` keeps a program per function (its value
// differs per function), as on kernels without uprobe-multi (or with
// --no-feature uprobe_multi); so does one that reads `args`, whose
// layout comes from each function's DWARF. The places of one function
// (it and its inlined copies, with probe_inline) share one link even
// where the block reads probe, which names the function in all of them. `func` needs nothing more: a
// uprobe reads the function from the instruction pointer, which is the
// function's entry in a multi link too, and a uretprobe asks
// bpf_get_func_ip, which a uprobe-multi program answers with the entry
// of the function that returned. Offsets (fn+8), addresses and source
// lines name one place each and attach as they always do.

// multiUprobe folds the contexts of the functions of one binary that a
// uprobe attach point s matched (ctxs, one per function, each with its
// uprobeSite) into one uprobe-multi context, when the attach point, the
// block and the kernel allow it; else it returns ctxs as they are.
func (e *env) multiUprobe(s Spec, path string, ctxs []*types.Context) []*types.Context {
	if len(ctxs) == 0 || !e.noArgs || !e.t.Has(FeatureUprobeMulti) || s.Offset != 0 || s.Address != 0 ||
		!(HasWildcard(s.Func) || s.Lang == "cpp" || len(ctxs) > 1) {
		return ctxs
	}
	sameName := true
	for _, c := range ctxs {
		sameName = sameName && c.Name == ctxs[0].Name
	}
	if !e.noProbe && !sameName {
		return ctxs
	}
	site := &uprobeSite{open: attachPointOf(ctxs[0]).uprobe.open}
	var funcs []string
	for _, c := range ctxs {
		a := attachPointOf(c)
		if a == nil || a.uprobe == nil || a.uprobe.offset == 0 {
			// a function at offset 0 of its file is attached on its
			// own, where 0 does not mean "look the name up"
			return ctxs
		}
		site.offsets = append(site.offsets, a.uprobe.offset)
		funcs = append(funcs, a.spec.Func)
	}
	sp := s
	sp.Target = path
	name := sp.Name()
	if sameName {
		// one function (its inlined copies too): probe names it
		sp, name = attachPointOf(ctxs[0]).spec, ctxs[0].Name
	}
	c := e.context(sp, &types.Context{Provider: s.Provider, Name: name, Kind: types.ProgKprobe, Funcs: funcs, UprobeMulti: true})
	placeUprobe(c, site)
	return []*types.Context{c}
}

// attachUprobeMulti attaches prog to every function of a uprobe-multi
// context with one link.
func attachUprobeMulti(ctx *types.Context, site *uprobeSite, name string, prog *ebpf.Program, pid int, ret bool) (io.Closer, error) {
	ex, err := link.OpenExecutable(site.open)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	opts := &link.UprobeMultiOptions{Addresses: site.offsets, PID: uint32(max(pid, 0))}
	var l link.Link
	if ret {
		l, err = ex.UretprobeMulti(nil, prog, opts)
	} else {
		l, err = ex.UprobeMulti(nil, prog, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s (%d functions, uprobe-multi): %v", name, len(ctx.Funcs), err)
	}
	return l, nil
}
