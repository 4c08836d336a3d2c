package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
)

// deleteKey compiles delete(@m[k]) or delete(@m, k), returning the
// helper's result (0 when the key was there).
func (f *fn) deleteKey(e *lang.Call) vreg {
	m := e.Args[0].(*lang.MapExpr)
	if len(e.Args) == 2 {
		m = &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}
	}
	mm := f.mapMeta(m)
	k := f.key(m, mm)
	f.pos = e.At
	return f.call(asm.FnMapDeleteElem, f.mapPtr(mm.SpecName), f.addr(k))
}

// mapLen counts a map's entries: bpf_for_each_map_elem returns how many
// elements it visited, and the callback visits them all.
func (f *fn) mapLen(m *lang.MapExpr) vreg {
	mm := f.mapMeta(m)
	f.root.ncallbacks++
	name := fmt.Sprintf("cb%d", f.root.ncallbacks)
	src := asm.Comment(f.pos.String())
	insns := asm.Instructions{
		btf.WithFuncMetadata(asm.Mov.Imm(asm.R0, 0).WithSymbol(name).WithSource(src), funcInfo(name, 4)),
		asm.Return().WithSource(src),
	}
	f.root.callbacks = append(f.root.callbacks, callback{insns: insns, positions: []lang.Pos{f.pos, f.pos}})
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	return f.call(asm.FnForEachMapElem, f.mapPtr(mm.SpecName), fp, f.imm(0), f.imm(0))
}
