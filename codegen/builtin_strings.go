package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Strings: str() reads one from memory (in place when it can), strlen,
// strncmp and memcmp are bounded loops, and so are the searches of
// strcontains and strstr: a bpf_loop over the haystack, where a needle
// known when compiling (a literal or a positional parameter) is compared
// unrolled, so the verifier walks one loop instead of two nested ones.

func init() {
	define(types.BuiltinStr, builtinCode{call: (*fn).str, into: (*fn).strInto})
	define(types.BuiltinStrlen, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		s := f.expr(e.Args[0])
		f.pos = e.At
		return val{t: t, r: f.strlen(*s.m, s.t.Size)}
	}})
	define(types.BuiltinStrncmp, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := int(e.Args[2].(*lang.IntLit).Val)
		f.pos = e.At
		return val{t: t, r: f.strncmp(*a.m, *b.m, min(n, a.t.Size, b.t.Size))}
	}})
	define(types.BuiltinStrcontains, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		// the index or -1: contained when it is not negative
		return val{t: t, r: f.aluImm(asm.Xor, f.aluImm(asm.RSh, f.strFind(e), 63), 1)}
	}})
	define(types.BuiltinStrstr, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		return val{t: t, r: f.strFind(e)}
	}})
	define(types.BuiltinStrConcat, builtinCode{call: (*fn).strConcat})
	define(types.BuiltinMemcmp, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := f.c.info.Consts.Of(e.Args[2]).Int
		f.pos = e.At
		return val{t: t, r: f.memcmp(f.offStack(a), f.offStack(b), int(n))}
	}})
	define(types.BuiltinBuf, builtinCode{call: (*fn).buf})
	define(types.BuiltinStrerror, builtinCode{call: viewValue})
	define(types.BuiltinPath, builtinCode{call: (*fn).path})
}

// str compiles str(p[, n]): a string read from memory (a string already
// for a string or an array, or a positional parameter).
func (f *fn) str(e *lang.Call, t *types.Type) val {
	if isStrOrArray(f.typeOf(e.Args[0])) {
		return f.expr(e.Args[0])
	}
	m := f.alloc(t.Size)
	f.readStr(e, m, t.Size, true)
	return val{t: t, m: &m}
}

// strInto reads the string of str(p[, n]) straight into dst, a string.
func (f *fn) strInto(e lang.Expr, dst mem, t *types.Type, zeroPad bool) bool {
	x := e.(*lang.Call)
	if isStrOrArray(f.typeOf(x.Args[0])) {
		return false
	}
	size := min(f.typeOf(x).Size, t.Size)
	f.readStr(x, dst, size, zeroPad)
	if zeroPad {
		f.zero(dst.plus(size), t.Size-size)
	}
	return true
}

// strFind is the index of the first occurrence of strstr's (or
// strcontains') needle in its haystack, or -1.
func (f *fn) strFind(e *lang.Call) vreg {
	h := f.expr(e.Args[0])
	found := f.newReg()
	if lit, ok := f.constStr(e.Args[1]); ok {
		f.pos = e.At
		f.strSearchLit(h, lit, found)
	} else {
		n := f.expr(e.Args[1])
		f.pos = e.At
		f.strSearch(h, n, found)
	}
	return found
}

// path compiles path(p[, size]) with the kernel's bpf_d_path.
func (f *fn) path(e *lang.Call, t *types.Type) val {
	var p vreg
	if f.typeOf(e.Args[0]).Kind == types.Struct {
		pl, _ := f.placeOf(e.Args[0])
		if pl.m != nil {
			f.fail(e.Args[0].Pos(), "path() needs a struct path in kernel memory, not a copy of one")
		}
		p = pl.addr
	} else {
		p = f.scalar(f.expr(e.Args[0]))
	}
	f.pos = e.At
	m := f.alloc(t.Size)
	f.zero(m, min(t.Size, 8))
	f.call(asm.FnDPath, p, f.addr(m), f.imm(int64(t.Size)))
	return val{t: t, m: &m}
}

// readStr compiles str(p[, n]) into size bytes at dst. A str(p) that may
// be cut (its type has a trailer) and is shorter than 1024 bytes reads
// one byte more, into a copy: a string of size characters or more then
// fills dst without a NUL, which printing shows with the trailer.
func (f *fn) readStr(e *lang.Call, dst mem, size int, zeroPad bool) {
	if t := f.typeOf(e); t.Trailer != "" && len(e.Args) == 1 && size == t.Size && size < 1024 {
		whole := f.alloc(size + 1)
		f.readStrN(e, whole, size+1, zeroPad)
		f.copyMem(dst, whole, size)
		return
	}
	f.readStrN(e, dst, size, zeroPad)
}

// readStrN reads the string of str(p[, n]) into at most size bytes at
// dst, its NUL included.
func (f *fn) readStrN(e *lang.Call, dst mem, size int, zeroPad bool) {
	x := f.expr(e.Args[0])
	lenR := f.imm(int64(size))
	if len(e.Args) == 2 {
		// read at most n bytes, the NUL included
		n := f.scalar(f.expr(e.Args[1]))
		skip := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JLE, useImm: true, imm: int64(size), label: skip})
		f.emit(&inst{op: opMovImm, dst: n, imm: int64(size)})
		f.mark(skip)
		lenR = n
	}
	if zeroPad {
		f.zero(dst, size)
	}
	fnID := asm.FnProbeReadKernelStr
	if (x.t.Kind == types.Ptr && x.t.User) || (x.t.Kind != types.Ptr && f.ctx.ArgsUser) ||
		f.ctx.Mem == types.UserMem {
		fnID = asm.FnProbeReadUserStr
	}
	f.pos = e.At
	src := f.scalar(x)
	fallback := fnID == asm.FnProbeReadKernelStr && !(x.t.Kind == types.Ptr && x.t.Elem != nil && x.t.Elem.Kind == types.Struct)
	if !fallback {
		f.call(fnID, f.addr(dst), lenR, src)
		return
	}
	// Kernel BTF does not always mark user pointers (__user needs type
	// tags the kernel may be built without): when the kernel read faults,
	// the string is read as user memory (and only that read's failure is
	// a failure for -k).
	r := f.callUnchecked(fnID, f.addr(dst), lenR, src)
	done := f.label()
	f.emit(&inst{op: opJcc, a: r, cc: asm.JSGE, useImm: true, imm: 0, label: done})
	f.call(asm.FnProbeReadUserStr, f.addr(dst), lenR, src)
	f.mark(done)
}

// isStrOrArray tells whether t is a string or an array: str() of one is
// the value itself, not a read from memory.
func isStrOrArray(t *types.Type) bool { return t.Kind == types.Str || t.Kind == types.Array }

// strlen counts the bytes of the string at m before its NUL, reading at
// most size bytes, in a bounded loop.
func (f *fn) strlen(m mem, size int) vreg {
	n := f.newReg()
	p := f.newReg()
	f.emit(&inst{op: opMovImm, dst: n, imm: 0})
	f.emit(&inst{op: opMov, dst: p, a: f.addr(m)})
	top, end := f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: n, cc: asm.JGE, useImm: true, imm: int64(size), label: end})
	c := f.newReg()
	f.emit(&inst{op: opLoad, dst: c, a: p, size: asm.Byte})
	f.emit(&inst{op: opJcc, a: c, cc: asm.JEq, useImm: true, imm: 0, label: end})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: n, a: n, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: p, a: p, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(end)
	return n
}

// strncmp compares the first n bytes of the strings at a and b (stopping
// at a NUL) and returns 0 when they are equal, 1 otherwise.
func (f *fn) strncmp(a, b mem, n int) vreg {
	r := f.newReg()
	f.emit(&inst{op: opMovImm, dst: r, imm: 1})
	pa, pb, i := f.newReg(), f.newReg(), f.newReg()
	f.emit(&inst{op: opMov, dst: pa, a: f.addr(a)})
	f.emit(&inst{op: opMov, dst: pb, a: f.addr(b)})
	f.emit(&inst{op: opMovImm, dst: i, imm: 0})
	top, equal, end := f.label(), f.label(), f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(n), label: equal})
	ca, cb := f.newReg(), f.newReg()
	f.emit(&inst{op: opLoad, dst: ca, a: pa, size: asm.Byte})
	f.emit(&inst{op: opLoad, dst: cb, a: pb, size: asm.Byte})
	f.emit(&inst{op: opJcc, a: ca, b: cb, cc: asm.JNE, label: end})
	f.emit(&inst{op: opJcc, a: ca, cc: asm.JEq, useImm: true, imm: 0, label: equal})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: i, a: i, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: pa, a: pa, useImm: true, imm: 1})
	f.emit(&inst{op: opALU, alu: asm.Add, dst: pb, a: pb, useImm: true, imm: 1})
	f.jmp(top)
	f.mark(equal)
	f.emit(&inst{op: opMovImm, dst: r, imm: 0})
	f.mark(end)
	return r
}

// buf reads min(n, capacity) bytes at an address (or of an array) into
// a buffer value: a length byte, then the bytes.
func (f *fn) buf(e *lang.Call, t *types.Type) val {
	capacity := t.Size - 1
	m := f.alloc(t.Size)
	f.zero(m, t.Size)
	x := f.expr(e.Args[0])
	f.pos = e.At
	if x.m != nil { // an array: copy it
		f.copyMem(m.plus(1), *x.m, min(capacity, x.t.Size))
		f.storeImm(m, 1, int64(min(capacity, x.t.Size)))
		return val{t: t, m: &m}
	}
	n := f.imm(int64(capacity))
	if len(e.Args) == 2 {
		n = f.newReg()
		f.emit(&inst{op: opMov, dst: n, a: f.scalar(f.expr(e.Args[1]))})
		ok := f.label()
		f.emit(&inst{op: opJcc, a: n, cc: asm.JLE, useImm: true, imm: int64(capacity), label: ok})
		f.emit(&inst{op: opMovImm, dst: n, imm: int64(capacity)})
		f.mark(ok)
	}
	read := asm.FnProbeReadKernel
	if (x.t.Kind == types.Ptr && x.t.User) || f.ctx.ArgsUser || f.ctx.Mem == types.UserMem {
		read = asm.FnProbeReadUser
	}
	f.call(read, f.addr(m.plus(1)), n, f.scalar(x))
	f.store(m, 1, n)
	return val{t: t, m: &m}
}

// constStr returns the value of a string known when compiling: a literal
// or a folded constant.
func (f *fn) constStr(e lang.Expr) (string, bool) {
	if x, ok := e.(*lang.StrLit); ok {
		return x.Val, true
	}
	if k, ok := f.c.info.Consts.Get(e); ok && k.IsStr {
		return k.Str, true
	}
	return "", false
}

// offStack returns where the value x is, copied to scratch memory when it
// is on the stack. Loops that index a value at a variable offset read it
// there: the verifier then knows nothing of the byte read, where a stack
// read would tie the search's paths to every stack slot.
func (f *fn) offStack(x val) mem {
	if x.m.base != fpReg {
		return *x.m
	}
	m := f.allocScratch(x.t.Size)
	f.copyMem(m, *x.m, x.t.Size)
	return m
}

// strSearchLit sets found to the index of the first occurrence of lit in
// the string h, or -1.
func (f *fn) strSearchLit(h val, lit string, found vreg) {
	f.searchLoop(h, found, func(cb *fn, base, i vreg, hs int, next, miss string) {
		for k := 0; k < len(lit); k++ {
			at := i
			if k > 0 {
				at = cb.aluImm(asm.Add, i, int64(k))
				cb.emit(&inst{op: opJcc, a: at, cc: asm.JGE, useImm: true, imm: int64(hs), label: miss})
			}
			c := cb.load(mem{base: cb.alu(asm.Add, base, at)}, 1)
			cb.emit(&inst{op: opJcc, a: c, cc: asm.JNE, useImm: true, imm: int64(lit[k]), label: next})
		}
	})
}

// strSearch sets found to the index of the first occurrence of the string
// n in the string h, or -1.
func (f *fn) strSearch(h, n val, found vreg) {
	ns := n.t.Size
	nm := f.inScratch(n)
	f.searchLoop(h, found, func(cb *fn, base, i vreg, hs int, next, miss string) {
		nb := cb.addr(mem{base: cb.scrReg, off: nm.off})
		j := cb.newReg()
		cb.emit(&inst{op: opMovImm, dst: j, imm: 0})
		inner, hit := cb.label(), cb.label()
		cb.mark(inner)
		cb.emit(&inst{op: opJcc, a: j, cc: asm.JGE, useImm: true, imm: int64(ns), label: hit})
		nc := cb.load(mem{base: cb.alu(asm.Add, nb, j)}, 1)
		cb.emit(&inst{op: opJcc, a: nc, cc: asm.JEq, useImm: true, imm: 0, label: hit})
		at := cb.alu(asm.Add, i, j)
		cb.emit(&inst{op: opJcc, a: at, cc: asm.JGE, useImm: true, imm: int64(hs), label: miss})
		hc := cb.load(mem{base: cb.alu(asm.Add, base, at)}, 1)
		cb.emit(&inst{op: opJcc, a: hc, b: nc, cc: asm.JNE, label: next})
		cb.emit(&inst{op: opALU, alu: asm.Add, dst: j, a: j, useImm: true, imm: 1})
		cb.jmp(inner)
		cb.mark(hit)
	})
}

// inScratch returns where x is in scratch memory, copying it there when
// it is elsewhere (the stack, a map value), so a callback can reach it.
func (f *fn) inScratch(x val) mem {
	if x.m.base == f.scrReg {
		return *x.m
	}
	m := f.allocScratch(x.t.Size)
	f.copyMem(m, *x.m, x.t.Size)
	return m
}

// searchLoop sets found to the first position of the string h where
// match does not jump to next, or -1. Each position is one iteration of
// a bpf_loop callback, so the verifier walks the comparison once whatever
// the haystack's length (an unrolled or bounded loop of 1024 positions
// makes it give up). match may jump to miss when the needle runs past
// the haystack's end; it falls through on a match.
func (f *fn) searchLoop(h val, found vreg, match func(cb *fn, base, i vreg, hs int, next, miss string)) {
	hs := h.t.Size
	hm := f.inScratch(h)
	slot := f.allocScratch(8)
	f.storeImm(slot, 8, -1)
	cb := f.newCallback(f.pos)
	i := cb.newReg()
	cb.prologue = append(cb.prologue, &inst{op: opArg, dst: i, imm: 1})
	next, stop := cb.label(), cb.label()
	cb.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(hs), label: stop})
	base := cb.addr(mem{base: cb.scrReg, off: hm.off})
	match(cb, base, i, hs, next, stop)
	cb.store(mem{base: cb.scrReg, off: slot.off}, 8, i)
	cb.ret(1)
	cb.mark(next)
	// the search ends with the haystack
	c := cb.load(mem{base: cb.alu(asm.Add, base, i)}, 1)
	cb.emit(&inst{op: opJcc, a: c, cc: asm.JEq, useImm: true, imm: 0, label: stop})
	cb.ret(0)
	cb.mark(stop)
	cb.ret(1)
	name := f.finishCallback(cb, stop, f.pos, 2)
	fp := f.newReg()
	f.emit(&inst{op: opFuncPtr, dst: fp, ref: name})
	f.call(asm.FnLoop, f.imm(int64(hs)), fp, f.imm(0), f.imm(0))
	f.emit(&inst{op: opMov, dst: found, a: f.load(slot, 8)})
}

// strConcat copies its string arguments one after the other into a
// zeroed string of the result's size, keeping room for the final NUL.
func (f *fn) strConcat(e *lang.Call, t *types.Type) val {
	m := f.allocScratch(t.Size)
	f.pos = e.At
	f.zero(m, t.Size)
	dst := f.addr(m)
	pos := f.newReg()
	f.emit(&inst{op: opMovImm, dst: pos, imm: 0})
	full := f.label()
	for _, a := range e.Args {
		s := f.expr(a)
		f.pos = e.At
		src := f.addr(f.offStack(s))
		i := f.newReg()
		f.emit(&inst{op: opMovImm, dst: i, imm: 0})
		top, next := f.label(), f.label()
		f.mark(top)
		f.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(s.t.Size), label: next})
		f.emit(&inst{op: opJcc, a: pos, cc: asm.JGE, useImm: true, imm: int64(t.Size - 1), label: full})
		c := f.load(mem{base: f.alu(asm.Add, src, i)}, 1)
		f.emit(&inst{op: opJcc, a: c, cc: asm.JEq, useImm: true, imm: 0, label: next})
		f.store(mem{base: f.alu(asm.Add, dst, pos)}, 1, c)
		f.emit(&inst{op: opALU, alu: asm.Add, dst: i, a: i, useImm: true, imm: 1})
		f.emit(&inst{op: opALU, alu: asm.Add, dst: pos, a: pos, useImm: true, imm: 1})
		f.jmp(top)
		f.mark(next)
	}
	f.mark(full)
	return val{t: t, m: &m}
}

// memcmp compares n bytes at a and b: 0 when equal, else the difference
// of the first differing bytes (as unsigned chars).
func (f *fn) memcmp(a, b mem, n int) vreg {
	r := f.newReg()
	f.emit(&inst{op: opMovImm, dst: r, imm: 0})
	if n == 0 {
		return r
	}
	differ, end := f.label(), f.label()
	_, ca, cb := f.byteLoop(f.addr(a), f.addr(b), n, false, end, differ)
	f.mark(differ)
	f.emit(&inst{op: opMov, dst: r, a: f.alu(asm.Sub, ca, cb)})
	f.mark(end)
	return r
}
