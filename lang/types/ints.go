package types

// Integer typing follows the language's rules:
//
//   - A literal takes the smallest signed type that holds it (0, 1 and -1
//     are int8, 1000 is int16); a literal beyond the largest int64 is a
//     uint64. A non-negative literal is "sign-flexible" (Type.Lit): next to
//     an unsigned operand it counts as unsigned.
//   - Arithmetic (+ * / % & | ^ << >>, unary - and ~) yields 64 bits: signed
//     when either operand is signed, once a flexible literal has taken the
//     other side's sign. Subtraction always yields int64.
//   - A variable (and a ternary) takes the promotion of every type assigned
//     to it: the larger size when the signs agree; on a sign mismatch the
//     signed type when it is the larger, otherwise a signed type twice the
//     larger size (int64 at most).
//   - Comparisons compare signed when either side is signed, by the same
//     flexible-sign rule.
//
//   - A map's values, and each of its keys, take the promotion of every
//     type given to them in the same way (maps.go): @m = (uint8)1 holds
//     uint8s, @g[1, "hi"] has (int8,string[3]) keys.
//
// Values live in 64-bit registers extended from their type (zero- or
// sign-), so promotion never changes a value's bits: only a declared
// variable narrower than what is assigned to it truncates (and wraps on
// ++ and --). A map keeps a narrow integer in an 8-byte slot when it is
// the whole key or value, and at its width as a field of a key tuple.

// Literal types: the signed integer types a non-negative literal takes.
var (
	lit8  = &Type{Kind: Int, Size: 1, Signed: true, Lit: true}
	lit16 = &Type{Kind: Int, Size: 2, Signed: true, Lit: true}
	lit32 = &Type{Kind: Int, Size: 4, Signed: true, Lit: true}
	lit64 = &Type{Kind: Int, Size: 8, Signed: true, Lit: true}
)

// LitType is the type of the integer literal v.
func LitType(v uint64) *Type {
	switch {
	case v <= 1<<7-1:
		return lit8
	case v <= 1<<15-1:
		return lit16
	case v <= 1<<31-1:
		return lit32
	case v <= 1<<63-1:
		return lit64
	}
	return Uint64
}

// ConstType is the type of a constant integer expression folded to v: a
// literal's for v >= 0, the smallest signed type otherwise.
func ConstType(v int64) *Type {
	switch {
	case v >= 0:
		return LitType(uint64(v))
	case v >= -1<<7:
		return Int8
	case v >= -1<<15:
		return Int16
	case v >= -1<<31:
		return Int32
	}
	return Int64
}

// flexSigns gives the signedness of x and y once a sign-flexible literal
// has taken the other operand's sign.
func flexSigns(x, y *Type) (bool, bool) {
	xs, ys := signedOf(x), signedOf(y)
	switch {
	case x.Lit && !y.Lit:
		xs = ys
	case y.Lit && !x.Lit:
		ys = xs
	}
	return xs, ys
}

// SignedOp tells whether an operation on integers of types x and y is
// signed (comparisons, division, right shift).
func SignedOp(x, y *Type) bool {
	xs, ys := flexSigns(x, y)
	return xs || ys
}

// ArithType is the type of integer operation op on operands x and y.
func ArithType(op Op, x, y *Type) *Type {
	if op == OpSub || SignedOp(x, y) {
		return Int64
	}
	return Uint64
}

// Promote joins the integer types a and b, as a variable holding values
// of both must be typed. An enum's names are kept when both sides agree.
func Promote(a, b *Type) *Type {
	if a.Kind != Int || b.Kind != Int {
		return a
	}
	if Equal(a, b) {
		if a.Lit && !b.Lit {
			return b
		}
		return a
	}
	as, bs := signedOf(a), signedOf(b)
	size := max(a.Size, b.Size)
	if as == bs {
		t := IntType(size, as)
		if a.Lit && b.Lit {
			t = LitType(1<<(8*size-1) - 1)
		}
		return t
	}
	if a.Lit || b.Lit {
		// the literal side takes the other's sign
		return IntType(size, (!a.Lit && as) || (!b.Lit && bs))
	}
	switch {
	case as && a.Size > b.Size:
		return IntType(a.Size, true)
	case bs && b.Size > a.Size:
		return IntType(b.Size, true)
	}
	return IntType(min(2*size, 8), true)
}

// rangeType is the type of the variable of a for range from lo to hi:
// lo's type, or the promotion of both when their sizes differ (0..3 counts
// in int8, 0..1000 in int16); int64 when a bound is not an integer.
func rangeType(lo, hi *Type) *Type {
	switch {
	case lo.Kind != Int || hi.Kind != Int:
		return Int64
	case lo.Size != hi.Size:
		return Promote(lo, hi)
	}
	return lo
}

// FitsInt tells whether every value of integer type src fits type dst.
func FitsInt(src, dst *Type) bool {
	if src.Lit && !dst.Signed {
		return src.Size <= dst.Size
	}
	if signedOf(src) == signedOf(dst) {
		return src.Size <= dst.Size
	}
	return !signedOf(src) && src.Size < dst.Size
}

// ConstFits tells whether the constant v fits integer type t.
func ConstFits(v int64, big bool, t *Type) bool {
	if big { // a literal beyond the largest int64
		return !t.Signed && t.Size == 8
	}
	bits := uint(8 * t.Size)
	if t.Signed {
		return bits == 64 || v >= -1<<(bits-1) && v <= 1<<(bits-1)-1
	}
	return v >= 0 && (bits == 64 || v <= 1<<bits-1)
}

func signedOf(t *Type) bool {
	return t.Kind == Int && t.Signed
}

// PromoteValue joins the types of two values assigned to one variable or
// map: integers by Promote (stored in 64 bits inside tuples), strings to
// the longer, tuples element by element, records field by field by name
// (in a's order). ok is false when they cannot be joined.
func PromoteValue(a, b *Type) (*Type, bool) {
	if a.Kind != b.Kind {
		return nil, false
	}
	switch a.Kind {
	case Int:
		return Promote(a, b), true
	case Str:
		if b.Size > a.Size {
			return StrType(b.Size), true
		}
		return a, true
	case Tuple:
		if len(a.Fields) != len(b.Fields) || a.Named != b.Named {
			return nil, false
		}
		elems := make([]*Type, len(a.Fields))
		changed := false
		for i, f := range a.Fields {
			bf := b.Fields[i]
			if a.Named {
				var ok bool
				if bf, ok = b.Field(f.Name); !ok {
					return nil, false
				}
			}
			t, ok := PromoteValue(f.Type, bf.Type)
			if !ok {
				return nil, false
			}
			elems[i] = tupleElem(t)
			changed = changed || !Equal(t, f.Type)
		}
		if !changed {
			return a, true
		}
		t := TupleOf(elems...)
		if a.Named {
			t.Named = true
			for i := range t.Fields {
				t.Fields[i].Name = a.Fields[i].Name
			}
		}
		return t, true
	}
	if Equal(a, b) {
		return a, true
	}
	return nil, false
}
