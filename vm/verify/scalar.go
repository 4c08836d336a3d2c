package verify

import (
	"math"
	"math/bits"

	"github.com/gotrace/gotrace/vm/insn"
)

// branchTaken decides a comparison from the bounds: 1 always taken, 0
// never, -1 unknown.
func branchTaken(a, b reg, op uint8, is32 bool) int {
	if a.isPointer() || b.isPointer() {
		// A pointer known not to be NULL compared with 0. Like the
		// kernel, only some kinds count as known (not stack or ctx).
		if !a.isPointer() {
			a, b = b, a
		}
		if b.isZero() && knownNonNull(&a) {
			switch op {
			case insn.JEQ:
				return 0
			case insn.JNE:
				return 1
			}
		}
		return -1
	}
	if is32 {
		a = trunc32(a)
		b = trunc32(b)
		if op == insn.JSGT || op == insn.JSGE || op == insn.JSLT || op == insn.JSLE {
			a = sext32(a)
			b = sext32(b)
		}
	}
	switch op {
	case insn.JEQ:
		if a.isConst() && b.isConst() {
			return b2i(a.tn.value == b.tn.value)
		}
		if a.umin > b.umax || a.umax < b.umin || a.smin > b.smax || a.smax < b.smin {
			return 0
		}
		if a.tn.xor(b.tn).value != 0 { // a known bit differs
			return 0
		}
	case insn.JNE:
		if r := branchTaken(a, b, insn.JEQ, false); r >= 0 {
			return 1 - r
		}
	case insn.JSET:
		if a.tn.and(b.tn).value != 0 {
			return 1
		}
		if (a.tn.value|a.tn.mask)&(b.tn.value|b.tn.mask) == 0 {
			return 0
		}
	case insn.JGT:
		if a.umin > b.umax {
			return 1
		}
		if a.umax <= b.umin {
			return 0
		}
	case insn.JGE:
		if a.umin >= b.umax {
			return 1
		}
		if a.umax < b.umin {
			return 0
		}
	case insn.JLT:
		if a.umax < b.umin {
			return 1
		}
		if a.umin >= b.umax {
			return 0
		}
	case insn.JLE:
		if a.umax <= b.umin {
			return 1
		}
		if a.umin > b.umax {
			return 0
		}
	case insn.JSGT:
		if a.smin > b.smax {
			return 1
		}
		if a.smax <= b.smin {
			return 0
		}
	case insn.JSGE:
		if a.smin >= b.smax {
			return 1
		}
		if a.smax < b.smin {
			return 0
		}
	case insn.JSLT:
		if a.smax < b.smin {
			return 1
		}
		if a.smin >= b.smax {
			return 0
		}
	case insn.JSLE:
		if a.smax <= b.smin {
			return 1
		}
		if a.smin > b.smax {
			return 0
		}
	}
	return -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// trunc32 is the zero-extended low half of a scalar.
func trunc32(r reg) reg {
	if r.umax <= math.MaxUint32 {
		return r
	}
	n := unknownScalar()
	n.tn = r.tn.subreg()
	n.umax = math.MaxUint32
	n.sync()
	return n
}

// sext32 reads a zero-extended 32-bit scalar as signed.
func sext32(r reg) reg {
	if r.isConst() {
		return constScalar(uint64(int64(int32(uint32(r.tn.value)))))
	}
	if r.umax <= math.MaxInt32 {
		return r
	}
	n := unknownScalar()
	n.smin, n.smax = math.MinInt32, math.MaxInt32
	n.sync()
	return n
}

// refineScalars narrows a and b for "a op b" being true. It reports false
// when that is impossible.
func refineScalars(a, b *reg, op uint8) bool {
	switch op {
	case insn.JEQ:
		lo, hi := max(a.umin, b.umin), min(a.umax, b.umax)
		slo, shi := max(a.smin, b.smin), min(a.smax, b.smax)
		t := a.tn.intersect(b.tn)
		for _, r := range []*reg{a, b} {
			r.umin, r.umax, r.smin, r.smax, r.tn = lo, hi, slo, shi, t
		}
		if (a.tn.value^b.tn.value)&^(a.tn.mask|b.tn.mask) != 0 {
			return false
		}
	case insn.JNE:
		// Only a constant at an end of the other's range helps.
		if b.isConst() {
			excludeEnd(a, b.tn.value)
		}
		if a.isConst() {
			excludeEnd(b, a.tn.value)
		}
	case insn.JSET:
		if b.isConst() && bits.OnesCount64(b.tn.value) == 1 {
			a.tn = a.tn.or(tnumConst(b.tn.value))
		}
	case insn.JSET | 0x01: // not set
		if b.isConst() {
			a.tn = a.tn.and(tnum{^b.tn.value, 0})
		}
	case insn.JGT:
		if b.umin == math.MaxUint64 {
			return false
		}
		a.umin = max(a.umin, b.umin+1)
		if a.umax == 0 {
			return false
		}
		b.umax = min(b.umax, a.umax-1)
	case insn.JGE:
		a.umin = max(a.umin, b.umin)
		b.umax = min(b.umax, a.umax)
	case insn.JLT:
		if b.umax == 0 {
			return false
		}
		a.umax = min(a.umax, b.umax-1)
		if a.umin == math.MaxUint64 {
			return false
		}
		b.umin = max(b.umin, a.umin+1)
	case insn.JLE:
		a.umax = min(a.umax, b.umax)
		b.umin = max(b.umin, a.umin)
	case insn.JSGT:
		if b.smin == math.MaxInt64 {
			return false
		}
		a.smin = max(a.smin, b.smin+1)
		if a.smax == math.MinInt64 {
			return false
		}
		b.smax = min(b.smax, a.smax-1)
	case insn.JSGE:
		a.smin = max(a.smin, b.smin)
		b.smax = min(b.smax, a.smax)
	case insn.JSLT:
		if b.smax == math.MinInt64 {
			return false
		}
		a.smax = min(a.smax, b.smax-1)
		if a.smin == math.MaxInt64 {
			return false
		}
		b.smin = max(b.smin, a.smin+1)
	case insn.JSLE:
		a.smax = min(a.smax, b.smax)
		b.smin = max(b.smin, a.smin)
	}
	if a.bad() || b.bad() {
		return false
	}
	a.sync()
	b.sync()
	return !a.bad() && !b.bad()
}

func excludeEnd(r *reg, v uint64) {
	if r.umin == v && r.umax > v {
		r.umin++
	} else if r.umax == v && r.umin < v {
		r.umax--
	}
	if r.smin == int64(v) && r.smax > int64(v) {
		r.smin++
	} else if r.smax == int64(v) && r.smin < int64(v) {
		r.smax--
	}
}

// scalarOp computes dst op src on scalars (64-bit).
func scalarOp(d, s reg, op uint8) reg {
	r := unknownScalar()
	switch op {
	case insn.ADD:
		r.tn = d.tn.add(s.tn)
		if sm, ok := addS(d.smin, s.smin); ok {
			if sx, ok2 := addS(d.smax, s.smax); ok2 {
				r.smin, r.smax = sm, sx
			}
		}
		lo, c1 := bits.Add64(d.umin, s.umin, 0)
		hi, c2 := bits.Add64(d.umax, s.umax, 0)
		if c1 == c2 && (c2 == 0) {
			r.umin, r.umax = lo, hi
		}
	case insn.SUB:
		r.tn = d.tn.sub(s.tn)
		if sm, ok := subS(d.smin, s.smax); ok {
			if sx, ok2 := subS(d.smax, s.smin); ok2 {
				r.smin, r.smax = sm, sx
			}
		}
		if d.umin >= s.umax {
			r.umin, r.umax = d.umin-s.umax, d.umax-s.umin
		}
	case insn.MUL:
		r.tn = d.tn.mul(s.tn)
		if d.smin >= 0 && s.smin >= 0 && d.umax <= math.MaxUint32 && s.umax <= math.MaxUint32 {
			r.umin, r.umax = d.umin*s.umin, d.umax*s.umax
		}
	case insn.AND:
		r.tn = d.tn.and(s.tn)
		r.umin = r.tn.value
		r.umax = min(d.umax, s.umax)
		if d.smin >= 0 || s.smin >= 0 {
			r.smin = 0
			r.smax = int64(min(uint64(max(d.smax, 0)), uint64(max(s.smax, 0))))
			if d.smin < 0 {
				r.smax = s.smax
			} else if s.smin < 0 {
				r.smax = d.smax
			} else {
				r.smax = min(d.smax, s.smax)
			}
		}
	case insn.OR:
		r.tn = d.tn.or(s.tn)
		r.umin = max(d.umin, s.umin)
		r.umax = r.tn.umax()
	case insn.XOR:
		r.tn = d.tn.xor(s.tn)
		r.umin = r.tn.value
		r.umax = r.tn.umax()
	case insn.LSH, insn.RSH, insn.ARSH:
		if !s.isConst() || s.tn.value >= 64 {
			return r
		}
		sh := uint(s.tn.value)
		switch op {
		case insn.LSH:
			r.tn = d.tn.lsh(sh)
			if sh == 0 || d.umax>>(64-sh) == 0 {
				r.umin, r.umax = d.umin<<sh, d.umax<<sh
			}
		case insn.RSH:
			r.tn = d.tn.rsh(sh)
			r.umin, r.umax = d.umin>>sh, d.umax>>sh
		case insn.ARSH:
			r.tn = d.tn.arsh(sh)
			r.smin, r.smax = d.smin>>sh, d.smax>>sh
		}
	case insn.DIV, insn.MOD:
		// The kernel (6.18) does not follow division: the result is
		// unknown, even of constants.
		return r
	default:
		return r
	}
	r.sync()
	if r.bad() {
		return unknownScalar()
	}
	return r
}

func addS(a, b int64) (int64, bool) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, false
	}
	return c, true
}

func subS(a, b int64) (int64, bool) {
	c := a - b
	if (c < a) != (b > 0) {
		return 0, false
	}
	return c, true
}

// scalarOp32 computes a 32-bit ALU operation; the result is zero-extended.
func scalarOp32(d, s reg, op uint8) reg {
	d, s = trunc32(d), trunc32(s)
	var r reg
	switch op {
	case insn.ARSH:
		// Like the kernel, an operation whose result it does not follow
		// leaves all 64 bits unknown, not just the low 32.
		if !s.isConst() || s.tn.value >= 32 {
			return unknownScalar()
		}
		sh := uint(s.tn.value)
		if d.isConst() {
			return constScalar(uint64(uint32(int32(uint32(d.tn.value)) >> sh)))
		}
		r = unknownScalar()
		r.tn = d.tn.arsh32(sh)
		r.umax = math.MaxUint32
		r.sync()
		return r
	case insn.LSH, insn.RSH:
		if !s.isConst() || s.tn.value >= 32 {
			return unknownScalar()
		}
	case insn.DIV, insn.MOD:
		return unknownScalar()
	}
	r = scalarOp(d, s, op)
	return trunc32(r)
}

func unknown32() reg {
	r := unknownScalar()
	r.umax = math.MaxUint32
	r.sync()
	return r
}

func knownNonNull(r *reg) bool {
	if r.null {
		return false
	}
	switch r.kind {
	case kMapValue, kMapKey, kMem:
		return true
	}
	return false
}
