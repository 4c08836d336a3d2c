package probes

import (
	"debug/dwarf"
	"sort"
	"sync"

	"github.com/gotrace/gotrace/lang/types"
)

// With `config = { probe_inline = 1 }` a uprobe on a function also fires
// where the compiler inlined it: each copy of its body inside another
// function, as the DWARF describes it, besides its out-of-line copy
// when the binary has one (a static function inlined everywhere has
// none, and is then probed at its inlined copies alone). This is the
// probe_inline setting bpftrace had (off by default).
//
// Each inlined copy is a DW_TAG_inlined_subroutine entry, anywhere
// below the function that took it in (in lexical blocks, in other
// inlined copies), whose DW_AT_abstract_origin leads to the function's
// abstract entry (through more abstract origins or a DW_AT_specification
// for C++ members) holding its name, and its linkage name for C++. The
// copy starts at its DW_AT_entry_pc (an address, or in DWARF 5 an
// offset from the copy's low_pc), else at its low_pc, else at the
// lowest address of its ranges. Every copy is a probe of the same name,
// so `probe` is the attach point in all of them, while `func`, read
// from the instruction pointer, names the function the copy sits in.
//
// An inlined copy does not follow the calling convention (its
// parameters live wherever the optimizer put them), so a block that
// reads args or argN cannot have probe_inline; uretprobes are not
// affected (an inlined copy does not return).

// inlineIndex is where the inlined copies of each function start, by
// the function's linkage name when it has one, else its name.
type inlineIndex struct {
	once  sync.Once
	sites map[string][]uint64
}

// inlinedSites lists the start addresses of the inlined copies of
// function fn (its symbol name), sorted and without repeats.
func (di *debugInfo) inlinedSites(fn string) []uint64 {
	return di.inlined().sites[fn]
}

// inlinedNames lists the functions that have inlined copies.
func (di *debugInfo) inlinedNames() []string {
	var out []string
	for n := range di.inlined().sites {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// inlined builds the index on first use.
func (di *debugInfo) inlined() *inlineIndex {
	ix := &di.inline
	ix.once.Do(func() {
		ix.sites = map[string][]uint64{}
		for _, data := range di.d.All() {
			names := map[dwarf.Offset]string{}
			r := data.Reader()
			for {
				e, err := r.Next()
				if err != nil || e == nil {
					break
				}
				if e.Tag != dwarf.TagInlinedSubroutine {
					continue
				}
				origin, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset)
				if !ok {
					continue
				}
				name := originName(data, origin, names)
				if name == "" {
					continue
				}
				if pc, ok := inlinedEntry(data, e); ok {
					ix.sites[name] = append(ix.sites[name], pc)
				}
			}
		}
		for n, pcs := range ix.sites {
			sort.Slice(pcs, func(i, j int) bool { return pcs[i] < pcs[j] })
			out := pcs[:0]
			for i, pc := range pcs {
				if i == 0 || pc != pcs[i-1] {
					out = append(out, pc)
				}
			}
			ix.sites[n] = out
		}
	})
	return ix
}

// originName is the name an abstract origin stands for: the linkage
// name of the entry it leads to, or its name, following abstract
// origins and specifications (a few steps at most); memo keeps the
// answers by offset.
func originName(data *dwarf.Data, off dwarf.Offset, memo map[dwarf.Offset]string) string {
	if n, ok := memo[off]; ok {
		return n
	}
	name := ""
	r := data.Reader()
	at := off
	for step := 0; step < 4 && name == ""; step++ {
		r.Seek(at)
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if n, ok := e.Val(dwarf.AttrLinkageName).(string); ok {
			name = n
		} else if n, ok := e.Val(dwarf.AttrName).(string); ok {
			name = n
		} else if next, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
			at = next
		} else if next, ok := e.Val(dwarf.AttrSpecification).(dwarf.Offset); ok {
			at = next
		} else {
			break
		}
	}
	memo[off] = name
	return name
}

// inlinedEntry is where an inlined copy starts (see the top of the
// file).
func inlinedEntry(data *dwarf.Data, e *dwarf.Entry) (uint64, bool) {
	ranges, _ := data.Ranges(e)
	low, haveLow := uint64(0), false
	for _, rg := range ranges {
		if !haveLow || rg[0] < low {
			low, haveLow = rg[0], true
		}
	}
	if f := e.AttrField(dwarf.AttrEntrypc); f != nil {
		switch v := f.Val.(type) {
		case uint64:
			if f.Class == dwarf.ClassAddress {
				return v, true
			}
		case int64:
			if f.Class == dwarf.ClassConstant && haveLow {
				if lp, ok := e.Val(dwarf.AttrLowpc).(uint64); ok {
					return lp + uint64(v), true
				}
				return low + uint64(v), true
			}
		}
	}
	return low, haveLow
}

// Configure implements types.ConfigEnv: it keeps the probe_inline
// setting.
func (e *env) Configure(s types.Settings) { e.probeInline = s.ProbeInline }

// inlines is the DWARF whose inlined copies a uprobe attach point s
// also goes to: with probe_inline, for a uprobe (not a uretprobe) on
// functions by name; nil otherwise or when the binary has no DWARF.
func (e *env) inlines(bin *elfBinary, s Spec) *debugInfo {
	if !e.probeInline || s.Provider != "uprobe" || s.Offset != 0 || s.Address != 0 {
		return nil
	}
	return bin.debugInfo()
}

// inlineContexts makes with mk the contexts of the inlined copies of
// function one.Func; a block that reads args or argN is refused where
// there are any.
func (e *env) inlineContexts(di *debugInfo, one Spec, mk func(Spec, uint64) (*types.Context, error)) ([]*types.Context, error) {
	sites := di.inlinedSites(one.Func)
	if len(sites) > 0 && (!e.noArgs || !e.noArgN) {
		what := "args"
		if e.noArgs {
			what = "argN"
		}
		se := specErrorf("The %s builtin can only be used when the probe_inline config is disabled: %s has %d inlined copies, which do not follow the calling convention", what, one.Func, len(sites))
		se.Hint = "set probe_inline = 0 to probe only its out-of-line copy, with arguments"
		return nil, se
	}
	var ctxs []*types.Context
	for _, pc := range sites {
		c, err := mk(one, pc)
		if err != nil {
			return nil, err
		}
		ctxs = append(ctxs, c)
	}
	return ctxs, nil
}
