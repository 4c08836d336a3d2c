package verify

import "math/bits"

// tnum is a tracked number: the bits set in mask are unknown, the others
// have the value in value (value&mask is always 0).
type tnum struct{ value, mask uint64 }

var tnumUnknown = tnum{0, ^uint64(0)}

func tnumConst(v uint64) tnum { return tnum{v, 0} }

// tnumRange is the tnum of every value in [min, max].
func tnumRange(min, max uint64) tnum {
	chi := min ^ max
	b := bits.Len64(chi)
	if b > 63 {
		return tnumUnknown
	}
	delta := uint64(1)<<uint(b) - 1
	return tnum{min &^ delta, delta}
}

func (a tnum) isConst() bool { return a.mask == 0 }

func (a tnum) add(b tnum) tnum {
	sm := a.mask + b.mask
	sv := a.value + b.value
	sigma := sm + sv
	chi := sigma ^ sv
	mu := chi | a.mask | b.mask
	return tnum{sv &^ mu, mu}
}

func (a tnum) sub(b tnum) tnum {
	dv := a.value - b.value
	alpha := dv + a.mask
	beta := dv - b.mask
	chi := alpha ^ beta
	mu := chi | a.mask | b.mask
	return tnum{dv &^ mu, mu}
}

func (a tnum) and(b tnum) tnum {
	alpha := a.value | a.mask
	beta := b.value | b.mask
	v := a.value & b.value
	return tnum{v, alpha & beta &^ v}
}

func (a tnum) or(b tnum) tnum {
	v := a.value | b.value
	mu := a.mask | b.mask
	return tnum{v, mu &^ v}
}

func (a tnum) xor(b tnum) tnum {
	v := a.value ^ b.value
	mu := a.mask | b.mask
	return tnum{v &^ mu, mu}
}

func (a tnum) lsh(s uint) tnum  { return tnum{a.value << s, a.mask << s} }
func (a tnum) rsh(s uint) tnum  { return tnum{a.value >> s, a.mask >> s} }
func (a tnum) arsh(s uint) tnum { return tnum{uint64(int64(a.value) >> s), uint64(int64(a.mask) >> s)} }

// arsh32 shifts the low 32 bits arithmetically and zero-extends.
func (a tnum) arsh32(s uint) tnum {
	return tnum{uint64(uint32(int32(uint32(a.value)) >> s)), uint64(uint32(int32(uint32(a.mask)) >> s))}
}

func (a tnum) mul(b tnum) tnum {
	accV := a.value * b.value
	accM := tnumConst(0)
	for a.value != 0 || a.mask != 0 {
		if a.value&1 != 0 {
			accM = accM.add(tnum{0, b.mask})
		} else if a.mask&1 != 0 {
			accM = accM.add(tnum{0, b.value | b.mask})
		}
		a = a.rsh(1)
		b = b.lsh(1)
	}
	return tnumConst(accV).add(accM)
}

// intersect combines two facts known about the same value.
func (a tnum) intersect(b tnum) tnum {
	v := a.value | b.value
	mu := a.mask & b.mask
	return tnum{v &^ mu, mu}
}

// in reports whether every value of b is a value of a.
func (a tnum) in(b tnum) bool {
	if b.mask&^a.mask != 0 {
		return false
	}
	return a.value == b.value&^a.mask
}

func (a tnum) subreg() tnum { return tnum{uint64(uint32(a.value)), uint64(uint32(a.mask))} }

func (a tnum) umin() uint64 { return a.value }
func (a tnum) umax() uint64 { return a.value | a.mask }
