package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// This file compiles the string functions (strcontains, strstr,
// str_concat, memcmp), the values printed by user space (ntop, macaddr,
// strerror, syscall_name, cgroup_path, username), join, path, override,
// usermode and probetype.
//
// String searches are bounded loops over the haystack; a needle known
// when compiling (a literal or a positional parameter) is compared
// unrolled, so the verifier walks one loop instead of two nested ones.

// Join's limits, as bpftrace's: at most JoinArgs strings of JoinArgSize
// bytes each.
const (
	JoinArgs    = 16
	JoinArgSize = 1024
)

// moreCall compiles the functions of this file that have a value; ok is
// false for any other.
func (f *fn) moreCall(e *lang.Call, t *types.Type) (val, bool) {
	switch e.Fun {
	case "__task_from_pid":
		pid := f.scalar(f.expr(e.Args[0]))
		return val{t: t, r: f.kfuncCall("bpf_task_from_pid", pid)}, true
	case "__task_comm_release":
		task := f.scalar(f.expr(e.Args[0]))
		m := f.alloc(16)
		off := int64(f.c.info.TaskCommOffset)
		f.call(asm.FnProbeReadKernel, f.addr(m), f.imm(16), f.aluImm(asm.Add, task, off))
		f.kfuncCall("bpf_task_release", task)
		return val{t: t, m: &m}, true

	case "strcontains", "strstr":
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
		if e.Fun == "strcontains" {
			// found is the index or -1: contained when it is not negative
			return val{t: t, r: f.aluImm(asm.Xor, f.aluImm(asm.RSh, found, 63), 1)}, true
		}
		return val{t: t, r: found}, true
	case "str_concat":
		return f.strConcat(e, t), true
	case "memcmp":
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := f.c.info.Consts[e.Args[2]].Int
		f.pos = e.At
		return val{t: t, r: f.memcmp(f.offStack(a), f.offStack(b), int(n))}, true
	case "ntop":
		return f.ntop(e, t), true
	case "macaddr":
		x := f.expr(e.Args[0])
		f.pos = e.At
		m := f.alloc(8)
		f.storeImm(m, 8, 0)
		if x.m != nil {
			f.copyMem(m, *x.m, 6)
		} else {
			f.call(f.readFn(x.t), f.addr(m), f.imm(6), f.scalar(x))
		}
		return val{t: t, m: &m}, true
	case "kptr", "uptr":
		return val{t: t, r: f.scalar(f.expr(e.Args[0]))}, true
	case "percpu_kaddr":
		// the variable's address (lddw by BTF id, which the kernel
		// resolves through kallsyms), then one CPU's copy of it
		v := f.newReg()
		f.pos = e.At
		f.emit(&inst{op: opKernelVar, dst: v, imm: int64(f.c.info.KernelVars[e])})
		if len(e.Args) == 2 {
			cpu := f.scalar(f.expr(e.Args[1]))
			f.pos = e.At
			return val{t: t, r: f.call(asm.FnPerCpuPtr, v, cpu)}, true
		}
		return val{t: t, r: f.call(asm.FnThisCpuPtr, v)}, true
	case "skboutput":
		return val{t: t, r: f.skbOutput(e)}, true
	case "delete":
		// true when the key was there to delete
		return val{t: t, r: f.succeeded(f.deleteKey(e))}, true
	case "socket_cookie":
		sk := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		return val{t: t, r: f.call(asm.FnGetSocketCookie, sk)}, true
	case "write_user":
		dst := f.scalar(f.expr(e.Args[0]))
		src := f.expr(e.Args[1])
		f.pos = e.At
		r := f.call(asm.FnProbeWriteUser, dst, f.addr(*src.m), f.imm(f.c.info.Consts[e.Args[2]].Int))
		return val{t: t, r: f.succeeded(r)}, true
	case "nsecs":
		switch e.Args[0].(*lang.Ident).Name {
		case "monotonic":
			return val{t: t, r: f.call(asm.FnKtimeGetNs)}, true
		case "boot":
			return val{t: t, r: f.call(asm.FnKtimeGetBootNs)}, true
		case "tai":
			return val{t: t, r: f.call(asm.FnKtimeGetTaiNs)}, true
		}
		// sw_tai: boot time plus the TAI offset user space measured at
		// the start, for kernels without bpf_ktime_get_tai_ns
		return val{t: t, r: f.taiNow()}, true
	case "strerror", "syscall_name", "cgroup_path", "signal_name":
		x := f.expr(e.Args[0])
		return val{t: t, r: f.extend(f.scalar(x), min(x.t.Size, 8), x.t.Signed)}, true
	case "path":
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
		return val{t: t, m: &m}, true
	}
	return val{}, false
}

// moreStmt compiles the functions of this file used as statements.
func (f *fn) moreStmt(e *lang.Call) bool {
	switch e.Fun {
	case "join":
		f.join(e)
	case "override":
		rc := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		f.call(asm.FnOverrideReturn, f.ctxReg, rc)
	case "unwatch":
		addr := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		id := f.newEvent(&Event{Kind: EventUnwatch, Pos: e.At, Size: 16})
		rec := f.alloc(16)
		f.storeImm(rec, 8, int64(id))
		f.store(rec.plus(8), 8, addr)
		f.output(rec, 16)
	case "fail", "assert_str":
		// checked when compiling
	default:
		return false
	}
	return true
}

// moreBuiltin compiles username, usermode and probetype.
func (f *fn) moreBuiltin(e *lang.Ident, t *types.Type) (val, bool) {
	switch e.Name {
	case "username":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentUidGid))}, true
	case "usermode":
		// The privilege level is in the low bits of the code segment.
		cs := f.load(mem{base: f.ctxReg, off: ptRegsCS}, 8)
		d := f.newReg()
		no := f.label()
		f.emit(&inst{op: opMovImm, dst: d, imm: 0})
		f.emit(&inst{op: opJcc, a: f.aluImm(asm.And, cs, 3), cc: asm.JNE, useImm: true, imm: 3, label: no})
		f.emit(&inst{op: opMovImm, dst: d, imm: 1})
		f.mark(no)
		return val{t: t, r: d}, true
	case "probetype":
		m := f.alloc(t.Size)
		b := make([]byte, t.Size)
		copy(b, types.ProbeType(f.ctx))
		f.constBytes(m, b)
		return val{t: t, m: &m}, true
	}
	return val{}, false
}

// ptRegsCS is the offset of the code segment in x86-64 struct pt_regs.
const ptRegsCS = 136

// readFn is the probe_read helper for an address of type t: user memory
// for user pointers and in user-space probes, kernel memory otherwise.
func (f *fn) readFn(t *types.Type) asm.BuiltinFunc {
	if (t.Kind == types.Ptr && t.User) || f.ctx.ArgsUser || f.ctx.Provider == "uprobe" || f.ctx.Provider == "uretprobe" || f.ctx.Provider == "usdt" {
		return asm.FnProbeReadUser
	}
	return asm.FnProbeReadKernel
}

// constStr returns the value of a string known when compiling: a literal,
// a positional parameter or a folded constant.
func (f *fn) constStr(e lang.Expr) (string, bool) {
	switch x := e.(type) {
	case *lang.StrLit:
		return x.Val, true
	case *lang.PosParam:
		if t := f.typeOf(x); t.Kind == types.Str && !x.Count {
			return f.c.info.Config.Param(x.N)
		}
	}
	if k, ok := f.c.info.Consts[e]; ok && k.IsStr {
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

// byteLoop walks the bytes at pa and pb from index 0: it jumps to differ
// at the first pair that differs (ca and cb hold it), and to end after n
// bytes or, with stopAtNul, after a NUL both have.
func (f *fn) byteLoop(pa, pb vreg, n int, stopAtNul bool, end, differ string) (i, ca, cb vreg) {
	i = f.newReg()
	f.emit(&inst{op: opMovImm, dst: i, imm: 0})
	top := f.label()
	f.mark(top)
	f.emit(&inst{op: opJcc, a: i, cc: asm.JGE, useImm: true, imm: int64(n), label: end})
	ca = f.load(mem{base: f.alu(asm.Add, pa, i)}, 1)
	cb = f.load(mem{base: f.alu(asm.Add, pb, i)}, 1)
	f.emit(&inst{op: opJcc, a: ca, b: cb, cc: asm.JNE, label: differ})
	if stopAtNul {
		f.emit(&inst{op: opJcc, a: ca, cc: asm.JEq, useImm: true, imm: 0, label: end})
	}
	f.emit(&inst{op: opALU, alu: asm.Add, dst: i, a: i, useImm: true, imm: 1})
	f.jmp(top)
	return i, ca, cb
}

// ntop builds an inet value: the address family, then the address bytes.
func (f *fn) ntop(e *lang.Call, t *types.Type) val {
	m := f.alloc(t.Size)
	f.pos = e.At
	f.zero(m, t.Size)
	addr := e.Args[len(e.Args)-1]
	x := f.expr(addr)
	f.pos = e.At
	family := int64(afInet)
	if x.m != nil {
		f.copyMem(m.plus(8), *x.m, x.t.Size)
		if x.t.Size == 16 {
			family = afInet6
		}
	} else {
		f.store(m.plus(8), 4, f.scalar(x))
	}
	if len(e.Args) == 2 {
		f.store(m, 8, f.scalar(f.expr(e.Args[0])))
	} else {
		f.storeImm(m, 8, family)
	}
	return val{t: t, m: &m}
}

const (
	afInet  = 2
	afInet6 = 10
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

// addressedVars finds the variables of a probe whose address is taken.
func addressedVars(b *lang.Block) map[string]bool {
	vars := map[string]bool{}
	lang.Inspect(b, func(n lang.Node) bool {
		if u, ok := n.(*lang.Unary); ok && u.Op == "&" {
			if v, ok := u.X.(*lang.Var); ok {
				vars[v.Key()] = true
			}
		}
		return true
	})
	return vars
}

// addressOf compiles &x: the address of a variable's memory, of a map
// value (0 when the key is absent) or of a struct field.
func (f *fn) addressOf(e *lang.Unary, t *types.Type) val {
	switch x := e.X.(type) {
	case *lang.Var:
		v, ok := f.vars[x.Key()]
		if !ok || v.m == nil {
			f.fail(x.At, "variable %s is used before it is assigned", x.Name)
		}
		return val{t: t, r: f.addr(*v.m)}
	case *lang.MapExpr:
		p, _ := f.mapLookup(x, f.mapMeta(x))
		d := f.newReg()
		f.emit(&inst{op: opMov, dst: d, a: p})
		return val{t: t, r: d}
	case *lang.Field:
		p, st := f.placeOf(x.X)
		fld, _ := st.Field(x.Name)
		f.pos = e.At
		if p.m != nil {
			return val{t: t, r: f.addr(p.m.plus(fld.Offset))}
		}
		return val{t: t, r: f.aluImm(asm.Add, p.addr, int64(fld.Offset))}
	}
	f.fail(e.At, "& takes a $variable, an @map or a struct field")
	return val{}
}

// bytesCompare compiles == or != of tuples or arrays into a branch: they
// are equal when all their bytes are (tuples are laid out with zeroed
// padding).
func (f *fn) bytesCompare(x *lang.Binary, label string, when bool) {
	a, b := f.expr(x.X), f.expr(x.Y)
	f.pos = x.At
	r := f.memcmp(f.offStack(a), f.offStack(b), min(a.t.Size, b.t.Size))
	cc := asm.JEq
	if (x.Op == "==") != when {
		cc = asm.JNE
	}
	f.emit(&inst{op: opJcc, a: r, cc: cc, useImm: true, imm: 0, label: label})
}

// taiNow is the TAI time as the boot time plus the offset between the
// two clocks that the runtime leaves in the globals.
func (f *fn) taiNow() vreg {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalTaiDelta})
	return f.alu(asm.Add, f.call(asm.FnKtimeGetBootNs), f.load(mem{base: g}, 8))
}

// skbOutput compiles skboutput(path, skb, len, offset): bpf_skb_output
// copies the packet's first len bytes after a SkbHeader into the perf
// event array; user space drops offset bytes and writes the pcap file.
// The result is the helper's (0, or a negative errno) as a uint32.
func (f *fn) skbOutput(e *lang.Call) vreg {
	id := -1
	path := e.Args[0].(*lang.StrLit).Val
	off := int(f.c.info.Consts[e.Args[3]].Int)
	for i, o := range f.c.prog.SkbOutputs {
		if o.Path == path && o.Offset == off {
			id = i
		}
	}
	if id < 0 {
		id = len(f.c.prog.SkbOutputs)
		f.c.prog.SkbOutputs = append(f.c.prog.SkbOutputs, SkbOutput{Path: path, Offset: off})
	}
	skb := f.scalar(f.expr(e.Args[1]))
	n := f.scalar(f.expr(e.Args[2]))
	f.pos = e.At
	hdr := f.alloc(SkbHeader)
	f.storeImm(hdr, 8, int64(id))
	f.store(hdr.plus(8), 8, f.call(asm.FnKtimeGetBootNs))
	// flags: BPF_F_CURRENT_CPU, and the bytes to copy in bits 32-51
	n = f.aluImm(asm.And, n, 0xfffff)
	f.store(hdr.plus(16), 8, n)
	flags := f.alu(asm.Or, f.aluImm(asm.LSh, n, 32), f.imm(0xffffffff))
	r := f.call(asm.FnSkbOutput, skb, f.mapPtr(SkbMap), flags, f.addr(hdr), f.imm(SkbHeader))
	return f.narrow(r, 4, false)
}

// succeeded turns a helper's result into a bool: 1 when it returned 0.
func (f *fn) succeeded(r vreg) vreg { return f.zeroTest(r, true) }

// zeroTest is 1 when r is zero (whenZero) or when it is not, else 0.
func (f *fn) zeroTest(r vreg, whenZero bool) vreg {
	d := f.newReg()
	skip := f.label()
	cc := asm.JEq
	if whenZero {
		cc = asm.JNE
	}
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: r, cc: cc, useImm: true, imm: 0, label: skip})
	f.emit(&inst{op: opMovImm, dst: d, imm: 1})
	f.mark(skip)
	return d
}

// kfuncCall calls the kernel function name (its BTF id is in the
// checker's Kfuncs).
func (f *fn) kfuncCall(name string, args ...vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, kfunc: f.c.info.Kfuncs[name], args: args})
	return d
}
