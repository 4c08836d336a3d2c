package codegen

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// mem is an address: base register plus a constant offset. For the stack
// the base is fpReg and off is negative.
type mem struct {
	base vreg
	off  int32
	ctx  bool // the base is the context pointer: read it with probe_read
}

// val is a computed value: a scalar in a register, or memory.
type val struct {
	t *types.Type
	r vreg
	m *mem
}

func (f *fn) newReg() vreg {
	f.nregs++
	return vreg(f.nregs - 1)
}

// emit appends a copy of in, at f's position, to f's code.
func (f *fn) emit(in *inst) {
	p := f.insts.copyOf(in)
	p.pos = f.posRef()
	f.code = append(f.code, p)
}

// posRef returns f.pos as the instructions hold it: one copy for each
// run of instructions at the same position.
func (f *fn) posRef() *lang.Pos {
	if f.emitPos == nil || *f.emitPos != f.pos {
		p := f.pos
		f.emitPos = &p
	}
	return f.emitPos
}

// label returns a new label, unique in the whole program: callbacks are
// laid out after the main function, so they draw from the root's counter.
func (f *fn) label() string {
	r := f
	if f.root != nil {
		r = f.root
	}
	r.labels++
	return fmt.Sprintf("L%d", r.labels)
}

func (f *fn) mark(l string) { f.emit(&inst{op: opLabel, label: l}) }

func (f *fn) jmp(l string) { f.emit(&inst{op: opJmp, label: l}) }

func (f *fn) imm(v int64) vreg {
	d := f.newReg()
	f.emit(&inst{op: opMovImm, dst: d, imm: v})
	return d
}

func (f *fn) ret(v int64) {
	f.emit(&inst{op: opExit, useImm: true, imm: v})
}

// fitsImm32 tells whether v fits an instruction's immediate, which is 32
// bits sign-extended.
func fitsImm32(v int64) bool { return v >= -1<<31 && v <= 1<<31-1 }

func (f *fn) aluImm(alu asm.ALUOp, a vreg, v int64) vreg {
	d := f.newReg()
	if !fitsImm32(v) && !(alu == asm.And && v == low32Mask) {
		f.emit(&inst{op: opALU, dst: d, a: a, b: f.imm(v), alu: alu})
		return d
	}
	f.emit(&inst{op: opALU, dst: d, a: a, useImm: true, imm: v, alu: alu})
	return d
}

func (f *fn) alu(alu asm.ALUOp, a, b vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opALU, dst: d, a: a, b: b, alu: alu})
	return d
}

func (f *fn) call(fnID asm.BuiltinFunc, args ...vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, fn: fnID, args: args})
	f.checkRead(fnID, d)
	return d
}

// kfuncCall calls the kernel function name (its BTF id is in the
// checker's Kfuncs).
func (f *fn) kfuncCall(name string, args ...vreg) vreg {
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, kfunc: f.c.info.Kfuncs[name], args: args})
	return d
}

func (f *fn) mapPtr(name string) vreg {
	d := f.newReg()
	f.emit(&inst{op: opMapPtr, dst: d, ref: name})
	return d
}

func (f *fn) fail(pos lang.Pos, format string, args ...any) {
	panic(lang.Errorf(pos, format, args...))
}

// alloc reserves size bytes of memory for a value, 8-byte aligned: on the
// stack when it is small and the stack has room, else in scratch memory.
func (f *fn) alloc(size int) mem {
	size = (size + 7) &^ 7
	if size <= stackValueMax && f.frame+size <= stackDataMax {
		f.frame += size
		f.stackAllocs = append(f.stackAllocs, stackSlot{int32(-f.frame), size})
		return mem{base: fpReg, off: int32(-f.frame)}
	}
	off := f.scratch
	f.scratch += size
	return mem{base: f.scrReg, off: int32(off)}
}

// allocScratch reserves size bytes of scratch memory, never the stack.
func (f *fn) allocScratch(size int) mem {
	size = (size + 7) &^ 7
	off := f.scratch
	f.scratch += size
	return mem{base: f.scrReg, off: int32(off)}
}

// addr materializes the address of m in a register.
func (f *fn) addr(m mem) vreg {
	if m.off == 0 && m.base != fpReg {
		return m.base
	}
	return f.aluImm(asm.Add, m.base, int64(m.off))
}

// near returns m with an offset a load or store can encode (16 bits),
// moving the rest of a large scratch offset into the base register.
func (f *fn) near(m mem) mem {
	if m.off >= -32768 && m.off <= 32767-8 {
		return m
	}
	return mem{base: f.aluImm(asm.Add, m.base, int64(m.off)), ctx: m.ctx}
}

func (m mem) plus(off int) mem { return mem{base: m.base, off: m.off + int32(off), ctx: m.ctx} }

func (f *fn) load(m mem, size int) vreg {
	d := f.newReg()
	m = f.near(m)
	f.emit(&inst{op: opLoad, dst: d, a: m.base, off: m.off, size: sizeOf(size)})
	return d
}

func (f *fn) store(m mem, size int, v vreg) {
	m = f.near(m)
	f.emit(&inst{op: opStore, a: m.base, b: v, off: m.off, size: sizeOf(size)})
}

func (f *fn) storeImm(m mem, size int, v int64) {
	m = f.near(m)
	f.emit(&inst{op: opStoreImm, a: m.base, off: m.off, size: sizeOf(size), imm: v})
}

func sizeOf(n int) asm.Size {
	switch n {
	case 1:
		return asm.Byte
	case 2:
		return asm.Half
	case 4:
		return asm.Word
	}
	return asm.DWord
}

// zero clears n bytes at m.
func (f *fn) zero(m mem, n int) {
	for i := 0; i < n; {
		w := chunk(n-i, m.off+int32(i))
		f.storeImm(m.plus(i), w, 0)
		i += w
	}
}

// chunk is the widest access (8, 4, 2 or 1 bytes) that fits in n bytes
// and keeps every offset given aligned: the kernel refuses misaligned
// stack accesses. Bases (the frame pointer, scratch and map values) are
// 8-byte aligned.
func chunk(n int, offs ...int32) int {
	for _, w := range []int{8, 4, 2} {
		if n < w {
			continue
		}
		ok := true
		for _, o := range offs {
			if o%int32(w) != 0 {
				ok = false
			}
		}
		if ok {
			return w
		}
	}
	return 1
}

// copyMem copies n bytes from src to dst.
func (f *fn) copyMem(dst, src mem, n int) {
	if n <= 0 {
		return
	}
	if src.ctx && f.ctx.Kind == types.ProgPerfEvent {
		// the kernel rewrites loads from a perf event's context (struct
		// bpf_perf_event_data) and allows nothing else: 8 bytes at a time
		for i := 0; i < n; i += 8 {
			w := min(8, n-i)
			f.store(dst.plus(i), w, f.load(src.plus(i), 8))
		}
		return
	}
	// a tracepoint's program may load its record directly: aligned loads
	// past the first 8 bytes (common fields it may not read)
	record := src.ctx && f.ctx.Kind == types.ProgTracepoint && src.base == f.ctxReg && src.off >= 8
	if src.ctx && !record || n > 64 {
		f.call(asm.FnProbeReadKernel, f.addr(dst), f.imm(int64(n)), f.addr(src))
		return
	}
	for i := 0; i < n; {
		w := chunk(n-i, dst.off+int32(i), src.off+int32(i))
		f.store(dst.plus(i), w, f.load(src.plus(i), w))
		i += w
	}
}

// constBytes writes b to m with immediate stores.
func (f *fn) constBytes(m mem, b []byte) {
	for i := 0; i < len(b); {
		w := chunk(len(b)-i, m.off+int32(i))
		if w == 8 {
			w = 4
		}
		var v int64
		switch w {
		case 4:
			v = int64(int32(binary.LittleEndian.Uint32(b[i:])))
		case 2:
			v = int64(int16(binary.LittleEndian.Uint16(b[i:])))
		default:
			v = int64(int8(b[i]))
		}
		f.storeImm(m.plus(i), w, v)
		i += w
	}
}

func (f *fn) low32(v vreg) vreg {
	return f.aluImm(asm.And, v, low32Mask)
}

// low32Mask is the one immediate beyond 32 bits an ALU instruction of the
// IR may hold: x & low32Mask lowers to a 32-bit move, which zero-extends.
const low32Mask = 0xffffffff

// extend sign- or zero-extends the low size bytes of v (already zero
// extended by the load) to 64 bits.
func (f *fn) extend(v vreg, size int, signed bool) vreg {
	if !signed || size >= 8 {
		return v
	}
	sh := int64(64 - 8*size)
	return f.aluImm(asm.ArSh, f.aluImm(asm.LSh, v, sh), sh)
}

// narrow keeps the low size bytes of a 64-bit register, sign- or
// zero-extended.
func (f *fn) narrow(v vreg, size int, signed bool) vreg {
	if size >= 8 {
		return v
	}
	if !signed {
		return f.aluImm(asm.And, v, int64(1)<<(8*size)-1)
	}
	sh := int64(64 - 8*size)
	return f.aluImm(asm.ArSh, f.aluImm(asm.LSh, v, sh), sh)
}

// scalar returns x in a register.
func (f *fn) scalar(x val) vreg {
	if x.m == nil {
		return x.r
	}
	f.fail(f.pos, "internal error: %s value used as a scalar", x.t)
	return 0
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

// readFn is the probe_read helper for an address of type t: user memory
// for user pointers and in user-space probes, kernel memory otherwise.
func (f *fn) readFn(t *types.Type) asm.BuiltinFunc {
	if (t.Kind == types.Ptr && t.User) || f.ctx.ArgsUser || f.ctx.Mem == types.UserMem {
		return asm.FnProbeReadUser
	}
	return asm.FnProbeReadKernel
}

// output sends a record of size bytes at rec through the ring buffer; a
// record that finds no room is counted in the globals' lost counter.
//
// The count is kept without a branch (the sign bit of the helper's
// result is added), so that loops do not double their paths for the
// verifier at every record.
func (f *fn) output(rec mem, size int) {
	r := f.call(asm.FnRingbufOutput, f.mapPtr(EventsMap), f.addr(rec), f.imm(int64(size)), f.imm(0))
	f.countGlobal(GlobalLost, f.aluImm(asm.RSh, r, 63))
}

// globalOne is the u64 1 of the globals map (GlobalOne): the first value
// of a new count() key or histogram bucket, given to map_update_elem
// without building it on the stack.
func (f *fn) globalOne() mem {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalOne})
	return mem{base: g}
}

// countGlobal adds n to the u64 at off in the globals map, atomically.
func (f *fn) countGlobal(off int, n vreg) {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: int32(off)})
	f.emit(&inst{op: opStore, a: g, b: n, size: asm.DWord, atomic: true})
}
