package codegen

import (
	"math"

	"github.com/cilium/ebpf/asm"
)

// Branches decided by what the code before them established.
//
// foldBranches walks each straight run of instructions (from a label to
// the next) keeping what it knows of registers as signed ranges: a
// constant moved in, a copy of a register it knows, and the way out of a
// conditional jump not taken (past `if r <= 0 goto out`, r is at least
// 1). A later conditional jump on such a register with an immediate that
// the range decides is removed (never taken) or made unconditional
// (always taken). A filter `/args.ret > 0/` so spares hist()'s tests for
// a negative and a zero value. At a label, where other paths join,
// nothing is known; a register written is forgotten.
//
// Dead-code removal then drops what only the removed paths needed.

// valueRange is what is known of a register: lo <= value <= hi, signed.
type valueRange struct{ lo, hi int64 }

func (f *fn) foldBranches(code []*inst) []*inst {
	known := map[vreg]valueRange{}
	out := code[:0]
	for _, in := range code {
		switch in.op {
		case opLabel, opJmp, opExit:
			clear(known)
		case opJcc:
			r, ok := known[in.a]
			if !in.useImm || !ok {
				break
			}
			switch decide(in.cc, r, in.imm) {
			case never:
				continue
			case always:
				out = append(out, &inst{op: opJmp, label: in.label, pos: in.pos})
				clear(known)
				continue
			}
		}
		if d := in.def(); d != 0 {
			delete(known, d)
		}
		switch in.op {
		case opMovImm:
			known[in.dst] = valueRange{in.imm, in.imm}
		case opMov:
			if r, ok := known[in.a]; ok {
				known[in.dst] = r
			}
		case opJcc:
			if in.useImm {
				r, ok := known[in.a]
				if !ok {
					r = valueRange{math.MinInt64, math.MaxInt64}
				}
				if r, ok = notTaken(in.cc, r, in.imm); ok {
					known[in.a] = r
				}
			}
		}
		out = append(out, in)
	}
	return out
}

// A jump's fate given what is known of its register.
const (
	undecided = iota
	never
	always
)

// decide tells whether `r <cc> k` holds for every value of r, none, or
// some. Unsigned comparisons are decided only where r and k are not
// negative, where they compare as signed ones do.
func decide(cc asm.JumpOp, r valueRange, k int64) int {
	cc, ok := signedOp(cc, r, k)
	if !ok {
		return undecided
	}
	yes, no := false, false
	switch cc {
	case asm.JEq:
		yes, no = r.lo == k && r.hi == k, k < r.lo || k > r.hi
	case asm.JNE:
		yes, no = k < r.lo || k > r.hi, r.lo == k && r.hi == k
	case asm.JSGT:
		yes, no = r.lo > k, r.hi <= k
	case asm.JSGE:
		yes, no = r.lo >= k, r.hi < k
	case asm.JSLT:
		yes, no = r.hi < k, r.lo >= k
	case asm.JSLE:
		yes, no = r.hi <= k, r.lo > k
	}
	switch {
	case yes:
		return always
	case no:
		return never
	}
	return undecided
}

// notTaken narrows r to the values for which `r <cc> k` is false: what
// holds past the jump.
func notTaken(cc asm.JumpOp, r valueRange, k int64) (valueRange, bool) {
	cc, ok := signedOp(cc, r, k)
	if !ok {
		return r, false
	}
	switch cc {
	case asm.JEq:
		if r.lo == k && k < math.MaxInt64 {
			r.lo++
		} else if r.hi == k && k > math.MinInt64 {
			r.hi--
		}
	case asm.JNE:
		r = valueRange{k, k}
	case asm.JSGT:
		r.hi = min(r.hi, k)
	case asm.JSGE:
		if k == math.MinInt64 {
			return r, false
		}
		r.hi = min(r.hi, k-1)
	case asm.JSLT:
		r.lo = max(r.lo, k)
	case asm.JSLE:
		if k == math.MaxInt64 {
			return r, false
		}
		r.lo = max(r.lo, k+1)
	default:
		return r, false
	}
	return r, r.lo <= r.hi
}

// signedOf is the signed comparison of each unsigned one.
var signedOf = map[asm.JumpOp]asm.JumpOp{asm.JGT: asm.JSGT, asm.JGE: asm.JSGE, asm.JLT: asm.JSLT, asm.JLE: asm.JSLE}

// signedOp gives the signed comparison that cc is for r and k: an
// unsigned one only where neither can be negative.
func signedOp(cc asm.JumpOp, r valueRange, k int64) (asm.JumpOp, bool) {
	switch cc {
	case asm.JEq, asm.JNE, asm.JSGT, asm.JSGE, asm.JSLT, asm.JSLE:
		return cc, true
	case asm.JGT, asm.JGE, asm.JLT, asm.JLE:
		if r.lo < 0 || k < 0 {
			return cc, false
		}
		return signedOf[cc], true
	}
	return cc, false
}
