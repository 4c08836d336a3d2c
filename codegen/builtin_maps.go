package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Maps: delete, has_key and len look the map up in the kernel; clear and
// zero are done by user space when their record arrives. (find is an
// expansion the checker made.)

func init() {
	define(types.BuiltinDelete, builtinCode{
		stmt: func(f *fn, e *lang.Call) { f.deleteKey(e) },
		// true when the key was there to delete
		call: func(f *fn, e *lang.Call, t *types.Type) val { return val{t: t, r: f.succeeded(f.deleteKey(e))} },
	})
	define(types.BuiltinHasKey, builtinCode{call: (*fn).hasKey})
	define(types.BuiltinLen, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		if m, ok := e.Args[0].(*lang.MapExpr); ok {
			return val{t: t, r: f.mapLen(m)}
		}
		return val{t: t, r: f.stackLen(e.Args[0])}
	}})
	define(types.BuiltinClear, builtinCode{stmt: wholeMapEvent(EventClear)})
	define(types.BuiltinZero, builtinCode{stmt: wholeMapEvent(EventZero)})
}

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
	pos := f.posRef()
	src := sourcePos{pos}
	insns := asm.Instructions{
		btf.WithFuncMetadata(asm.Mov.Imm(asm.R0, 0).WithSymbol(name).WithSource(src), funcInfo(name, 4)),
		asm.Return().WithSource(src),
	}
	var positions Positions
	positions.add(pos, len(insns))
	f.root.callbacks = append(f.root.callbacks, callback{insns: insns, positions: positions})
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	return f.call(asm.FnForEachMapElem, f.mapPtr(mm.SpecName), fp, f.imm(0), f.imm(0))
}

// hasKey compiles has_key(@m, key): whether the lookup finds a value.
func (f *fn) hasKey(e *lang.Call, t *types.Type) val {
	m := e.Args[0].(*lang.MapExpr)
	m = &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}
	p, _ := f.mapLookup(m, f.mapMeta(m))
	d := f.newReg()
	skip := f.label()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: skip})
	f.emit(&inst{op: opMovImm, dst: d, imm: 1})
	f.mark(skip)
	return val{t: t, r: d}
}

// wholeMapEvent is the code of clear(@m) and zero(@m): a record of kind
// for user space, which does the work.
func wholeMapEvent(kind EventKind) func(*fn, *lang.Call) {
	return func(f *fn, e *lang.Call) {
		f.sendEvent(&Event{Kind: kind, Pos: e.At, Size: 8, Map: e.Args[0].(*lang.MapExpr).Name}, nil)
	}
}
