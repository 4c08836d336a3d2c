package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Events and printf: printf, errorf, warnf, cat, system, print, exit,
// join and unwatch send user space a record through the ring buffer (a
// u64 event id, then the arguments), which it prints, runs or acts on.

func init() {
	define(types.BuiltinPrintf, builtinCode{stmt: printfTo(EventPrintf)})
	define(types.BuiltinErrorf, builtinCode{stmt: printfTo(EventErrorf)})
	define(types.BuiltinWarnf, builtinCode{stmt: printfTo(EventWarnf)})
	define(types.BuiltinCat, builtinCode{stmt: printfTo(EventCat)})
	define(types.BuiltinSystem, builtinCode{stmt: printfTo(EventSystem)})
	define(types.BuiltinPrint, builtinCode{stmt: (*fn).print})
	define(types.BuiltinExit, builtinCode{stmt: (*fn).exit})
	define(types.BuiltinJoin, builtinCode{stmt: (*fn).join})
	define(types.BuiltinUnwatch, builtinCode{stmt: (*fn).unwatch})
	define(types.BuiltinDebugf, builtinCode{stmt: (*fn).debugf})
}

// debugf compiles debugf(fmt, args...): bpf_trace_printk with the format
// in memory and the arguments as words, a string's as its address.
func (f *fn) debugf(e *lang.Call) {
	format := append([]byte(e.Args[0].(*lang.StrLit).Val), 0)
	var args []vreg
	for _, a := range e.Args[1:] {
		v := f.expr(a)
		if v.m != nil {
			args = append(args, f.addr(*v.m))
		} else {
			args = append(args, f.scalar(v))
		}
	}
	m := f.alloc(len(format))
	f.constBytes(m, format)
	f.pos = e.At
	f.call(asm.FnTracePrintk, append([]vreg{f.addr(m), f.imm(int64(len(format)))}, args...)...)
}

func (f *fn) newEvent(ev *Event) int {
	f.c.prog.Events = append(f.c.prog.Events, ev)
	return len(f.c.prog.Events) - 1
}

// sendEvent sends user space a record of event ev (of ev.Size bytes): its
// id, then what fill writes after it. The record is written in the ring
// buffer itself where it can be (sendReserved), else built in memory of
// the program's and copied there.
func (f *fn) sendEvent(ev *Event, fill func(rec mem)) {
	id := f.newEvent(ev)
	if f.sendReserved(ev, id, fill) {
		return
	}
	rec := f.alloc(ev.Size)
	f.storeImm(rec, 8, int64(id))
	if fill != nil {
		fill(rec)
	}
	f.pos = ev.Pos
	f.output(rec, ev.Size)
}

// sendReserved writes the record of event ev in place: it reserves room
// in the ring buffer (bpf_ringbuf_reserve), fills it and submits it, which
// spares the program its scratch memory for the record and the copy of
// bpf_ringbuf_output; a record that finds no room is counted lost, as
// output counts it. The verifier wants a reservation submitted on every
// path, so where the code that fills the record can leave without coming
// back (a jump out, an exit, a loop's callback, a call of another
// function: selfContained), what it emitted is taken back and sendReserved
// reports false, for sendEvent to build the record in memory instead.
func (f *fn) sendReserved(ev *Event, id int, fill func(rec mem)) bool {
	code, frame, slots, scratch, cbs := len(f.code), f.frame, len(f.stackAllocs), f.scratch, len(f.root.callbacks)
	lost, done := f.label(), f.label()
	f.pos = ev.Pos
	p := f.call(asm.FnRingbufReserve, f.mapPtr(EventsMap), f.imm(int64(ev.Size)), f.imm(0))
	f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: lost})
	rec := mem{base: p}
	f.storeImm(rec, 8, int64(id))
	start := len(f.code)
	if fill != nil {
		fill(rec)
	}
	if !selfContained(f.code[start:]) {
		f.code, f.frame, f.stackAllocs, f.scratch = f.code[:code], frame, f.stackAllocs[:slots], scratch
		f.root.callbacks = f.root.callbacks[:cbs]
		return false
	}
	f.pos = ev.Pos
	f.call(asm.FnRingbufSubmit, p, f.imm(0))
	f.jmp(done)
	f.mark(lost)
	f.countGlobal(GlobalLost, f.imm(1))
	f.mark(done)
	return true
}

// selfContained says whether code runs from its first instruction to past
// its last, whatever it does: no jump to a label outside it, no exit, no
// call of a function of the program's own or a loop's callback.
func selfContained(code []*inst) bool {
	inside := map[string]bool{}
	for _, in := range code {
		if in.op == opLabel {
			inside[in.label] = true
		}
	}
	for _, in := range code {
		switch in.op {
		case opExit, opFuncPtr:
			return false
		case opJmp, opJcc:
			if !inside[in.label] {
				return false
			}
		case opCall:
			if in.callee != "" || in.kfunc != 0 || in.fn == asm.FnLoop || in.fn == asm.FnTailCall {
				return false
			}
		}
	}
	return true
}

// printfTo is the code of the functions that send user space a format
// and its arguments, as an event of kind.
func printfTo(kind EventKind) func(*fn, *lang.Call) {
	return func(f *fn, e *lang.Call) { f.printf(e, kind) }
}

// printf sends the format and the arguments of e as an event of kind.
func (f *fn) printf(e *lang.Call, kind EventKind) {
	lit := e.Args[0].(*lang.StrLit)
	ev := &Event{Kind: kind, Pos: e.At, Format: lit.Val, Conversions: f.c.info.Formats[lit]}
	if e.End.Line == e.At.Line {
		ev.EndCol = e.End.Col
	}
	f.sendPrintf(ev, e.Args[1:])
}

// sendPrintf sends event ev of a printf-like kind, with the values of
// args laid out after its id.
func (f *fn) sendPrintf(ev *Event, args []lang.Expr) {
	off := 8
	for _, a := range args {
		t := f.typeOf(a)
		st := storedType(t)
		ev.Args = append(ev.Args, EventArg{Type: st, Offset: off})
		off += (slotSize(st) + 7) &^ 7
	}
	ev.Size = off
	f.sendEvent(ev, func(rec mem) {
		for i, a := range args {
			f.exprInto(a, rec.plus(ev.Args[i].Offset), ev.Args[i].Type, false)
		}
	})
}

// print compiles print(@m, ...), which user space does when the record
// arrives, and print(value).
func (f *fn) print(e *lang.Call) {
	if m, ok := e.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
		ev := &Event{Kind: EventPrintMap, Pos: e.At, Size: 8, Map: m.Name}
		nums := e.Args[1:]
		if len(nums) > 0 {
			if s, ok := nums[0].(*lang.StrLit); ok {
				ev.As, _ = types.MapFormatNamed(s.Val)
				nums = nums[1:]
			}
		}
		if len(nums) > 0 {
			ev.Top = int(nums[0].(*lang.IntLit).Val)
		}
		if len(nums) > 1 {
			ev.Div = int(nums[1].(*lang.IntLit).Val)
		}
		f.sendEvent(ev, nil)
		return
	}
	t := storedType(f.typeOf(e.Args[0]))
	ev := &Event{Kind: EventPrintValue, Pos: e.At, Args: []EventArg{{Type: t, Offset: 8}}, Size: 8 + (slotSize(t)+7)&^7}
	f.sendEvent(ev, func(rec mem) { f.exprInto(e.Args[0], rec.plus(8), t, false) })
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

// stopped jumps to exit when the stop flag (StopMap) is set.
func (f *fn) stopped(exit string) {
	stop := f.newReg()
	f.emit(&inst{op: opMapValue, dst: stop, ref: StopMap})
	f.emit(&inst{op: opJcc, a: f.load(mem{base: stop}, 8), cc: asm.JNE, useImm: true, imm: 0, label: exit})
}

// exitCode sets the stop flag (where a program tests it), sends the exit
// record with code and ends the program.
func (f *fn) exitCode(at lang.Pos, code vreg) {
	if f.c.stopFlag {
		stop := f.newReg()
		f.emit(&inst{op: opMapValue, dst: stop, ref: StopMap})
		f.storeImm(mem{base: stop}, 8, 1)
	}
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalExit})
	f.store(mem{base: g}, 8, f.aluImm(asm.Add, code, 1))
	f.sendEvent(&Event{Kind: EventExit, Pos: at, Size: 16}, func(rec mem) { f.store(rec.plus(8), 8, code) })
	f.leave()
	// Code after exit() in the same block is unreachable but still
	// compiled; give it a label so the instruction stream stays valid.
	f.mark(f.label())
}

// unwatch sends user space the address whose watchpoints it removes.
func (f *fn) unwatch(e *lang.Call) {
	addr := f.scalar(f.expr(e.Args[0]))
	f.pos = e.At
	f.sendEvent(&Event{Kind: EventUnwatch, Pos: e.At, Size: 16}, func(rec mem) { f.store(rec.plus(8), 8, addr) })
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
