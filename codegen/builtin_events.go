package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
)

func (f *fn) newEvent(ev *Event) int {
	f.c.prog.Events = append(f.c.prog.Events, ev)
	return len(f.c.prog.Events) - 1
}

// printfLike compiles functions that send user space a format and its
// arguments: printf, errorf, warnf, cat, system.
var printfLike = map[string]EventKind{
	"printf": EventPrintf, "errorf": EventErrorf, "warnf": EventWarnf, "cat": EventCat, "system": EventSystem,
}

func (f *fn) printf(e *lang.Call) {
	format := e.Args[0].(*lang.StrLit).Val
	ev := &Event{Kind: printfLike[e.Fun], Pos: e.At, Format: format}
	if e.End.Line == e.At.Line {
		ev.EndCol = e.End.Col
	}
	off := 8
	for _, a := range e.Args[1:] {
		t := f.typeOf(a)
		st := storedType(t)
		ev.Args = append(ev.Args, EventArg{Type: st, Offset: off})
		off += (slotSize(st) + 7) &^ 7
	}
	ev.Size = off
	id := f.newEvent(ev)
	rec := f.alloc(ev.Size)
	f.storeImm(rec, 8, int64(id))
	for i, a := range e.Args[1:] {
		f.exprInto(a, rec.plus(ev.Args[i].Offset), ev.Args[i].Type, false)
	}
	f.pos = e.At
	f.output(rec, ev.Size)
}

// mapEvent compiles clear(@m), zero(@m), print(@m, ...) and print(value):
// user space does the work when the record arrives.
func (f *fn) mapEvent(e *lang.Call) {
	ev := &Event{Pos: e.At, Size: 8}
	m, isMap := e.Args[0].(*lang.MapExpr)
	switch {
	case e.Fun == "clear":
		ev.Kind, ev.Map = EventClear, m.Name
	case e.Fun == "zero":
		ev.Kind, ev.Map = EventZero, m.Name
	case isMap && len(m.Keys) == 0:
		ev.Kind, ev.Map = EventPrintMap, m.Name
		if len(e.Args) > 1 {
			ev.Top = int(e.Args[1].(*lang.IntLit).Val)
		}
		if len(e.Args) > 2 {
			ev.Div = int(e.Args[2].(*lang.IntLit).Val)
		}
	default:
		t := storedType(f.typeOf(e.Args[0]))
		ev.Kind = EventPrintValue
		ev.Args = []EventArg{{Type: t, Offset: 8}}
		ev.Size = 8 + (slotSize(t)+7)&^7
	}
	id := f.newEvent(ev)
	rec := f.alloc(ev.Size)
	f.storeImm(rec, 8, int64(id))
	if ev.Kind == EventPrintValue {
		f.exprInto(e.Args[0], rec.plus(8), ev.Args[0].Type, false)
	}
	f.pos = e.At
	f.output(rec, ev.Size)
}

func (f *fn) exit(e *lang.Call) {
	code := vreg(0)
	if len(e.Args) == 1 {
		code = f.scalar(f.expr(e.Args[0]))
	} else {
		code = f.imm(0)
	}
	f.exitCode(e.At, code)
}

// exitCode sends the exit record with code and ends the program.
func (f *fn) exitCode(at lang.Pos, code vreg) {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalExit})
	f.store(mem{base: g}, 8, f.aluImm(asm.Add, code, 1))
	id := f.newEvent(&Event{Kind: EventExit, Pos: at, Size: 16})
	rec := f.alloc(16)
	f.storeImm(rec, 8, int64(id))
	f.store(rec.plus(8), 8, code)
	f.pos = at
	f.output(rec, 16)
	f.leave()
	// Code after exit() in the same block is unreachable but still
	// compiled; give it a label so the instruction stream stays valid.
	f.mark(f.label())
}

// Join's limits, as bpftrace's: at most JoinArgs strings of JoinArgSize
// bytes each.
const (
	JoinArgs    = 16
	JoinArgSize = 1024
)

// join reads up to JoinArgs string pointers from the array at the
// argument and sends user space the strings, which it prints joined by
// the separator.
func (f *fn) join(e *lang.Call) {
	arr := f.scalar(f.expr(e.Args[0]))
	f.pos = e.At
	sep := " "
	if len(e.Args) == 2 {
		sep = e.Args[1].(*lang.StrLit).Val
	}
	size := 8 + JoinArgs*JoinArgSize
	id := f.newEvent(&Event{Kind: EventJoin, Pos: e.At, Size: size, Format: sep})
	if f.joinRec == nil {
		m := f.allocScratch(size)
		f.joinRec = &m
	}
	rec := *f.joinRec
	f.storeImm(rec, 8, int64(id))
	read := f.readFn(f.typeOf(e.Args[0]))
	readStr := asm.FnProbeReadKernelStr
	if read == asm.FnProbeReadUser {
		readStr = asm.FnProbeReadUserStr
	}
	ptr := f.alloc(8)
	done := f.label()
	for i := 0; i < JoinArgs; i++ {
		slot := rec.plus(8 + i*JoinArgSize)
		f.storeImm(slot, 1, 0)
		f.storeImm(ptr, 8, 0)
		f.call(read, f.addr(ptr), f.imm(8), f.aluImm(asm.Add, arr, int64(8*i)))
		p := f.load(ptr, 8)
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: done})
		f.call(readStr, f.addr(slot), f.imm(JoinArgSize), p)
	}
	f.mark(done)
	f.output(rec, size)
}
