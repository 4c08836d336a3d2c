package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func (f *fn) expr(e lang.Expr) val {
	if f.c.tgt.RuntimeWarnings {
		defer f.reading(e)()
	}
	if x, ok := f.c.info.Expansions.Get(e); ok {
		return f.expr(x)
	}
	t := f.typeOf(e)
	if k, ok := f.c.info.Consts.Get(e); ok {
		switch {
		case k.Bytes != nil:
			m := f.alloc(len(k.Bytes))
			f.constBytes(m, k.Bytes)
			return val{t: t, m: &m}
		case k.At != 0:
			// uaddr() in a position-independent binary: relocate by
			// where the uprobe fired.
			ip := f.load(mem{base: f.ctxReg, off: f.ctx.Regs.IP}, 8)
			return val{t: t, r: f.aluImm(asm.Add, ip, k.Int-int64(k.At))}
		}
		if k.IsStr {
			m := f.alloc(t.Size)
			f.constBytes(m, append([]byte(k.Str), 0))
			return val{t: t, m: &m}
		}
		return val{t: t, r: f.imm(k.Int)}
	}
	switch e := e.(type) {
	case *lang.BlockExpr:
		f.block(&lang.Block{At: e.At, Stmts: e.Stmts})
		return f.expr(e.Value)
	case *lang.IntLit:
		return val{t: t, r: f.imm(int64(e.Val))}
	case *lang.BoolLit:
		if e.Val {
			return val{t: t, r: f.imm(1)}
		}
		return val{t: t, r: f.imm(0)}
	case *lang.StrLit:
		m := f.alloc(t.Size)
		f.constBytes(m, append([]byte(e.Val), 0))
		return val{t: t, m: &m}
	case *lang.Paren:
		return f.expr(e.X)
	case *lang.Var:
		v, ok := f.vars[e.Key()]
		if !ok {
			f.fail(e.At, "variable %s is used before it is assigned", e.Name)
		}
		if v.m != nil && v.t.InRegister() { // a variable whose address is taken
			return val{t: v.t, r: f.load(*v.m, 8)}
		}
		return v
	case *lang.Ident:
		return f.builtin(e, t)
	case *lang.MapExpr:
		return f.mapRead(e)
	case *lang.Call:
		return f.callExpr(e, t)
	case *lang.Unary:
		return f.unary(e, t)
	case *lang.Binary:
		return f.binary(e, t)
	case *lang.Ternary:
		return f.ternary(e, t)
	case *lang.Field:
		return f.field(e, t)
	case *lang.Index:
		return f.index(e, t)
	case *lang.Tuple:
		m := f.alloc(t.Size)
		f.zero(m, t.Size)
		for i, x := range e.Elems {
			fld := t.Fields[i]
			if fld.Type.InRegister() {
				// elements keep their size, as C struct fields
				f.store(m.plus(fld.Offset), fld.Type.Size, f.scalar(f.expr(x)))
				continue
			}
			f.exprInto(x, m.plus(fld.Offset), fld.Type, true)
		}
		return val{t: t, m: &m}
	case *lang.Cast:
		if t.Kind == types.Array {
			if k := f.typeOf(e.X).Kind; k == types.Array || k == types.Str {
				x := f.expr(e.X) // the same bytes, seen with other elements
				return val{t: t, m: x.m}
			}
			// an integer's bytes as an array
			x := f.scalar(f.expr(e.X))
			f.pos = e.At
			m := f.alloc(t.Size)
			f.store(m, t.Size, x)
			return val{t: t, m: &m}
		}
		if xt := f.typeOf(e.X); xt.Kind == types.Array {
			x := f.expr(e.X)
			f.pos = e.At
			if x.m == nil {
				f.fail(e.At, "internal error: array %s is not in memory", xt)
			}
			return val{t: t, r: f.extend(f.load(*x.m, t.Size), t.Size, t.Signed)}
		}
		xv := f.expr(e.X)
		if xv.m != nil && xv.m.ctx && t.Kind == types.Ptr {
			// (struct x *)ctx: the context pointer
			return val{t: t, r: f.addr(*xv.m)}
		}
		x := f.scalar(xv)
		f.pos = e.At
		if t.Kind == types.Bool {
			return val{t: t, r: f.zeroTest(x, false)}
		}
		if xt := f.typeOf(e.X); t.Kind == types.Ptr && xt.Kind == types.Int && xt.Size > 0 && xt.Size < 8 {
			// an integer becomes an address zero-extended, as bpftrace
			// does: (uint8 *)-1 is 0xff
			x = f.narrow(x, xt.Size, false)
		}
		if t.Size < 8 {
			x = f.narrow(x, t.Size, t.Signed)
		}
		return val{t: t, r: x}
	}
	f.fail(e.Pos(), "expression not supported by the code generator yet")
	return val{}
}

func (f *fn) typeOf(e lang.Expr) *types.Type {
	if f.c.info.BuiltinOf(e) == types.BuiltinArgs && f.ctx.Args != nil {
		// A probe's attach points may lay args out differently: each
		// program reads its own.
		return f.ctx.Args
	}
	t := f.c.info.TypeOf(e)
	if t == nil {
		f.fail(e.Pos(), "internal error: expression has no type")
	}
	return t
}

// exprInto writes the value of e into dst laid out as type t. Strings made
// by helpers (comm, str()) and constants are written in place instead of
// being built elsewhere and copied.
func (f *fn) exprInto(e lang.Expr, dst mem, t *types.Type, zeroPad bool) {
	if t.Kind == types.Str {
		if x, ok := e.(*lang.StrLit); ok && len(x.Val) < t.Size {
			b := []byte(x.Val)
			if zeroPad {
				b = append(b, make([]byte, t.Size-len(b))...)
			} else {
				b = append(b, 0)
			}
			f.pos = x.At
			f.constBytes(dst, b)
			return
		}
		if f.callInto(e, dst, t, zeroPad) {
			return
		}
	}
	f.storeVal(dst, t, f.expr(e), zeroPad)
}

// storedType mirrors the checker: integers are stored in 8 bytes.
func storedType(t *types.Type) *types.Type { return types.Stored(t) }

// storeField writes x into a field of type t of a tuple or a map's key at
// dst: a number as wide as the field (its value fits: the field's type is
// the promotion of every value it holds), anything else as storeVal does.
func (f *fn) storeField(dst mem, t *types.Type, x val, zeroPad bool) {
	if t.InRegister() {
		f.store(dst, t.Size, f.scalar(x))
		return
	}
	f.storeVal(dst, t, x, zeroPad)
}

// storeVal writes x into memory at dst laid out as type t. zeroPad says
// whether the bytes of a string past its end must be cleared (map keys and
// values must be, printf records need not).
func (f *fn) storeVal(dst mem, t *types.Type, x val, zeroPad bool) {
	switch {
	case t.Kind == types.Tuple && x.t != nil && x.t.Kind == types.Tuple && x.m != nil && !types.Equal(t, x.t):
		// a tuple laid out differently (shorter strings, a record's
		// fields in another order): element by element
		f.zero(dst, t.Size)
		for i, df := range t.Fields {
			sf := x.t.Fields[i]
			if t.Named {
				sf, _ = x.t.Field(df.Name)
			}
			f.storeField(dst.plus(df.Offset), df.Type, f.fromMem(x.m.plus(sf.Offset), sf.Type), false)
		}
	case !t.InRegister():
		if x.m == nil {
			f.fail(f.pos, "internal error: %s value is not in memory", t)
		}
		n := min(x.t.Size, t.Size)
		if zeroPad && x.t.Size < t.Size {
			f.zero(dst.plus(n), t.Size-n)
		}
		f.copyMem(dst, *x.m, n)
	default:
		f.store(dst, slotSize(t), f.scalar(x))
	}
}
