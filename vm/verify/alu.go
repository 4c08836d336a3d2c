package verify

import (
	"math"

	"github.com/gotrace/gotrace/vm/insn"
)

// maxVarOff bounds the offsets a pointer may carry (the kernel's
// BPF_MAX_VAR_OFF).
const maxVarOff = 1 << 29

// alu handles the ALU and ALU64 classes.
func (v *verifier) alu(st *state, c *raw) error {
	f := st.cur()
	op := c.Code()
	is64 := c.Class() == insn.ALU64
	if op != insn.MOV {
		if err := v.checkRead(st, c.Dst); err != nil {
			return err
		}
	}
	if err := v.checkWriteReg(st, c.Dst); err != nil {
		return err
	}
	dst := &f.regs[c.Dst]
	var src reg
	if c.Op&insn.X != 0 && op != insn.END {
		if err := v.checkRead(st, c.Src); err != nil {
			return err
		}
		src = f.regs[c.Src]
	} else {
		if is64 {
			src = constScalar(uint64(int64(c.Imm)))
		} else {
			src = constScalar(uint64(uint32(c.Imm)))
		}
	}

	switch op {
	case insn.MOV:
		if c.Op&insn.X == 0 {
			*dst = src
			return nil
		}
		if c.Off != 0 {
			// movsx: sign-extending move
			if src.isPointer() {
				return v.errf(st, "sign-extending move of a pointer (r%d)", c.Src)
			}
			r := signExtend(src, int(c.Off)/8)
			if !is64 {
				r = trunc32(r)
			}
			*dst = r
			return nil
		}
		fits := src.kind == kScalar && src.umax <= math.MaxUint32
		if src.kind == kScalar && (is64 || fits) && c.Src != c.Dst {
			// Copies of a number are linked, so that a check on one
			// bounds the other; a copy of a copy plus a constant starts
			// a new link.
			sr := &f.regs[c.Src]
			if sr.added {
				sr.id, sr.delta, sr.added = 0, 0, false
			}
			if sr.id == 0 && !sr.isConst() {
				sr.id = v.newID()
			}
			src = *sr
		}
		if is64 {
			*dst = src
			return nil
		}
		if src.isPointer() {
			if v.opts.Unprivileged {
				return v.errf(st, "32-bit copy of a pointer (r%d) would leak part of it", c.Src)
			}
			*dst = unknown32()
			return nil
		}
		r := trunc32(src)
		if !fits {
			r.id, r.delta, r.added = 0, 0, false
		}
		*dst = r
		return nil
	case insn.NEG:
		if dst.isPointer() {
			if v.opts.Unprivileged {
				return v.errf(st, "r%d is a pointer: it cannot be negated", c.Dst)
			}
			*dst = unknownScalar()
			return nil
		}
		if dst.isConst() {
			if is64 {
				*dst = constScalar(-dst.tn.value)
			} else {
				*dst = constScalar(uint64(uint32(-uint32(dst.tn.value))))
			}
		} else if is64 {
			*dst = unknownScalar()
		} else {
			*dst = unknown32()
		}
		return nil
	case insn.END:
		if dst.isPointer() {
			if v.opts.Unprivileged {
				return v.errf(st, "r%d is a pointer: its bytes cannot be swapped", c.Dst)
			}
			*dst = unknownScalar()
			return nil
		}
		n := uint(c.Imm)
		toBE := c.Op&insn.X != 0 || is64 // BPF_TO_BE, or bswap
		if dst.isConst() {
			x := dst.tn.value
			switch n {
			case 16:
				x &= 0xffff
				if toBE {
					x = uint64(uint16(x)>>8 | uint16(x)<<8)
				}
			case 32:
				x &= 0xffffffff
				if toBE {
					x = uint64(reverse32(uint32(x)))
				}
			case 64:
				if toBE {
					x = reverse64(x)
				}
			}
			*dst = constScalar(x)
			return nil
		}
		r := unknownScalar()
		if n < 64 {
			r.umax = uint64(1)<<n - 1
			r.sync()
		}
		*dst = r
		return nil
	}

	if dst.isPointer() || src.isPointer() {
		return v.pointerALU(st, c, op, is64, dst, src)
	}
	if c.Op&insn.X == 0 && (op == insn.DIV || op == insn.MOD) && c.Imm == 0 {
		return v.errf(st, "division by the constant zero")
	}
	if c.Off == 1 && (op == insn.DIV || op == insn.MOD) {
		// signed division: not followed, like unsigned division
		*dst = unknownScalar()
		return nil
	}
	var r reg
	if is64 {
		r = scalarOp(*dst, src, op)
	} else {
		r = scalarOp32(*dst, src, op)
	}
	// A copy plus a constant stays linked to the original, once (the
	// kernel keeps the constant in 32 bits).
	if is64 && op == insn.ADD && dst.id != 0 && src.kind == kScalar && src.isConst() {
		if !dst.added && src.tn.value <= math.MaxInt32 {
			r.id, r.delta, r.added = dst.id, int64(src.tn.value), true
		}
	}
	*dst = r
	return nil
}

func reverse32(x uint32) uint32 {
	return x>>24 | (x>>8)&0xff00 | (x<<8)&0xff0000 | x<<24
}

func reverse64(x uint64) uint64 {
	return uint64(reverse32(uint32(x)))<<32 | uint64(reverse32(uint32(x>>32)))
}

// pointerALU handles arithmetic where at least one side is a pointer.
func (v *verifier) pointerALU(st *state, c *raw, op uint8, is64 bool, dst *reg, src reg) error {
	d := *dst
	if !is64 {
		if op == insn.SUB && !v.opts.Unprivileged {
			*dst = unknown32()
			return nil
		}
		return v.errf(st, "32-bit arithmetic on a pointer (r%d) is not allowed", c.Dst)
	}
	if d.isPointer() && src.isPointer() {
		if op == insn.SUB && !v.opts.Unprivileged {
			*dst = unknownScalar()
			return nil
		}
		return v.errf(st, "r%d %s r%d: arithmetic between two pointers is not allowed", c.Dst, aluName(op), c.Src)
	}
	ptr, off := d, src
	if !d.isPointer() {
		// scalar += pointer
		if op != insn.ADD {
			return v.errf(st, "r%d %s pointer: only adding a pointer to a number is allowed", c.Dst, aluName(op))
		}
		ptr, off = src, d
	}
	if op != insn.ADD && op != insn.SUB {
		return v.errf(st, "%s on a pointer (r%d, %s) is not allowed: only + and - are", aluName(op), c.Dst, ptr.String())
	}
	if ptr.null {
		return v.errf(st, "arithmetic on r%d, which may be NULL (%s): check it against 0 first", c.Dst, ptr.String())
	}
	switch ptr.kind {
	case kMapPtr:
		return v.errf(st, "arithmetic on a map pointer (r%d) is not allowed", c.Dst)
	case kPacketEnd:
		return v.errf(st, "arithmetic on the packet end pointer (r%d) is not allowed", c.Dst)
	case kFunc:
		return v.errf(st, "arithmetic on a function pointer (r%d) is not allowed", c.Dst)
	case kPercpu:
		return v.errf(st, "arithmetic on a per-CPU variable's address (r%d) is not allowed: get this CPU's copy with bpf_this_cpu_ptr or bpf_per_cpu_ptr", c.Dst)
	}
	if op == insn.SUB && ptr.kind == kStack {
		return v.errf(st, "subtracting from a stack pointer (r%d) is not allowed: add a negative number instead", c.Dst)
	}
	// Sanity of the offsets (the kernel's check_reg_sane_offset): a
	// known addend and the fixed offset stay below 2^29 in magnitude, and
	// a variable one needs a lower bound of that size (its upper bound is
	// checked when memory is accessed).
	if err := v.saneOffset(st, c.Dst, &off, ptr.kind); err != nil {
		return err
	}
	n := ptr
	if off.isConst() {
		x := int64(off.tn.value)
		if op == insn.SUB {
			x = -x
		}
		n.off = int32(int64(n.off) + x)
		if no := int64(ptr.off) + x; no >= maxVarOff || no <= -maxVarOff {
			return v.errf(st, "pointer offset %d is out of the range the verifier allows", no)
		}
	} else {
		pv := reg{kind: kScalar, umin: ptr.umin, umax: ptr.umax, smin: ptr.smin, smax: ptr.smax, tn: ptr.tn}
		vo := scalarOp(pv, off, op)
		n.umin, n.umax, n.smin, n.smax, n.tn = vo.umin, vo.umax, vo.smin, vo.smax, vo.tn
		if isPacket(n.kind) {
			// A new variable base: its range must be proven again.
			n.rng = 0
			n.id = v.newID()
		}
	}
	if err := v.saneOffset(st, c.Dst, &n, ptr.kind); err != nil {
		return err
	}
	if v.opts.Unprivileged {
		// Without CAP_PERFMON the kernel keeps pointers in bounds at
		// every step (a Spectre v1 defence), not only when used.
		switch n.kind {
		case kStack:
			if o := int64(n.off) + int64(n.tn.value); n.isConst() && (o >= 0 || o < -stackSize) {
				return v.errf(st, "pointer r%d leaves the stack (fp%+d): not allowed without CAP_PERFMON", c.Dst, o)
			}
		case kMapValue:
			if err := v.checkRange(st, c.Dst, n, 0, 1, int(n.m.spec.ValueSize), desc{"map value of ", n.m.name}); err != nil {
				return v.errf(st, "pointer r%d leaves the map value of %s: not allowed without CAP_PERFMON", c.Dst, n.m.name)
			}
		}
	}
	if !isPacket(n.kind) || off.isConst() {
		n.id = ptr.id
	}
	*dst = n
	return nil
}

// saneOffset checks the variable part of r, an addend to or the result
// of pointer arithmetic on a pointer of kind k.
func (v *verifier) saneOffset(st *state, regno uint8, r *reg, k kind) error {
	if r.isConst() {
		if x := int64(r.tn.value); r.kind == kScalar && (x >= maxVarOff || x <= -maxVarOff) {
			return v.errf(st, "adding %d to a %s pointer is out of the range the verifier allows", x, k)
		}
	}
	if r.off >= maxVarOff || r.off <= -maxVarOff {
		return v.errf(st, "pointer offset %d is out of the range the verifier allows", r.off)
	}
	if r.smin == math.MinInt64 {
		return v.errf(st, "adding a number with no lower bound to a %s pointer (r%d): check the number's range first", k, regno)
	}
	if r.smin >= maxVarOff || r.smin <= -maxVarOff {
		return v.errf(st, "the offset of pointer r%d may reach %d, out of bounds: check the number added to it first", regno, r.smin)
	}
	return nil
}

func aluName(op uint8) string {
	switch op {
	case insn.ADD:
		return "+="
	case insn.SUB:
		return "-="
	case insn.MUL:
		return "*="
	case insn.DIV:
		return "/="
	case insn.OR:
		return "|="
	case insn.AND:
		return "&="
	case insn.LSH:
		return "<<="
	case insn.RSH:
		return ">>="
	case insn.NEG:
		return "neg"
	case insn.MOD:
		return "%="
	case insn.XOR:
		return "^="
	case insn.MOV:
		return "="
	case insn.ARSH:
		return "s>>="
	}
	return "?"
}
