package types

import (
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang/cc"
)

// Imported C: expressions.
//
// Each expression is typed once (exprType) and its type recorded in
// CProgram.Types; an integer constant expression's value is folded into
// Consts. Operands go through C's integer promotions and the usual
// arithmetic conversions, and where C converts a value implicitly the
// type it is converted to is recorded in Conv, so that the code
// generator follows C's rules without knowing them.

func isCInteger(t *Type) bool { return t.Kind == Int || t.Kind == Bool }

func isScalar(t *Type) bool { return t.Kind == Int || t.Kind == Bool || t.Kind == Ptr }

// promoted is t after C's integer promotions.
func promoted(t *Type) *Type {
	if t.Kind == Bool || t.Kind == Int && t.Size < 4 {
		return cInt
	}
	if t.Kind == Int && (t.Enum != nil || t.Name != "") {
		return IntType(t.Size, t.Signed)
	}
	return t
}

// arith is the common type of the usual arithmetic conversions.
func arith(a, b *Type) *Type {
	a, b = promoted(a), promoted(b)
	switch {
	case a.Size > b.Size:
		return a
	case b.Size > a.Size:
		return b
	case !a.Signed:
		return a
	}
	return b
}

// convertTo checks e and records its conversion to t, as an assignment
// converts.
func (k *cchecker) convertTo(e cc.Expr, t *Type, what string) {
	et := k.expr(e)
	if et == nil {
		return
	}
	if !k.assignable(e, et, t) {
		k.errorf(cc.PosOf(e), "%s: cannot convert %s to %s", what, et, t)
		return
	}
	k.p.Conv[e] = t
}

func (k *cchecker) assignable(e cc.Expr, from, to *Type) bool {
	from = Decayed(from)
	switch {
	case to.Kind == Bool:
		return isScalar(from)
	case to.Kind == Int:
		return isScalar(from) // pointers to integers: C warns, BPF code does it often
	case to.Kind == Ptr:
		if from.Kind == Ptr {
			return true
		}
		v, ok := k.p.Consts[e]
		return ok && v == 0 || from.Kind == Int && from.Size == 8
	case to.Kind == Struct:
		return from.Kind == Struct && Equal(from, to)
	}
	return false
}

func (k *cchecker) record(e cc.Expr, t *Type) *Type {
	if t != nil {
		k.p.Types[e] = t
	}
	return t
}

func (k *cchecker) constant(e cc.Expr, t *Type, v int64) *Type {
	k.p.Consts[e] = truncate(v, t)
	return k.record(e, t)
}

// CTruncate gives v as a value of integer type t holds it (sign- or
// zero-extended from t's size).
func CTruncate(v int64, t *Type) int64 { return truncate(v, t) }

// truncate gives v as a value of integer type t holds it.
func truncate(v int64, t *Type) int64 {
	if t == nil {
		return v
	}
	if t.Kind == Bool {
		if v != 0 {
			return 1
		}
		return 0
	}
	if t.Kind != Int || t.Size >= 8 {
		return v
	}
	bits := uint(t.Size * 8)
	if t.Signed {
		return v << (64 - bits) >> (64 - bits)
	}
	return int64(uint64(v) << (64 - bits) >> (64 - bits))
}

// lvalue reports whether e designates an object.
func (k *cchecker) lvalue(e cc.Expr) bool {
	switch e := e.(type) {
	case *cc.Ident:
		o := k.p.Objs[e]
		return o != nil && (o.Kind == CLocal || o.Kind == CParam || o.Kind == CGlobalVar || o.Kind == CMapVar)
	case *cc.Unary:
		return e.Op == "*"
	case *cc.Index, *cc.CompoundLit:
		return true
	case *cc.Member:
		return e.Arrow || k.lvalue(e.X)
	}
	return false
}

// markInMemory notes that the object under an & lives in memory.
func (k *cchecker) markInMemory(e cc.Expr) {
	switch e := e.(type) {
	case *cc.Ident:
		if o := k.p.Objs[e]; o != nil && (o.Kind == CLocal || o.Kind == CParam) {
			o.InMemory = true
		}
	case *cc.Member:
		if !e.Arrow {
			k.markInMemory(e.X)
		}
	case *cc.Index:
		if t := k.p.Types[e.X]; t != nil && t.Kind == Array {
			k.markInMemory(e.X)
		}
	}
}

func (k *cchecker) expr(e cc.Expr) *Type {
	if t, ok := k.p.Types[e]; ok {
		return t
	}
	return k.record(e, k.exprType(e))
}

// exprType computes the type of e (nil after an error).
func (k *cchecker) exprType(e cc.Expr) *Type {
	switch e := e.(type) {
	case *cc.IntLit:
		return k.constant(e, intLitType(e), int64(e.Value))
	case *cc.StringLit:
		return ArrayOf(cChar, len(e.Value)+1)
	case *cc.Ident:
		return k.ident(e)
	case *cc.Unary:
		return k.unary(e)
	case *cc.Postfix:
		t := k.expr(e.X)
		if t != nil && !k.incrementable(e.X, t, e.Op) {
			return nil
		}
		return t
	case *cc.Binary:
		return k.binary(e)
	case *cc.Assign:
		return k.assign(e)
	case *cc.Cond:
		return k.ternary(e)
	case *cc.Call:
		return k.call(e)
	case *cc.Index:
		xt, it := k.expr(e.X), k.expr(e.I)
		if xt == nil || it == nil {
			return nil
		}
		xt = Decayed(xt)
		if xt.Kind != Ptr || xt.Elem.Kind == Void {
			k.errorf(e.At, "cannot index %s", xt)
			return nil
		}
		if !isCInteger(it) {
			k.errorf(cc.PosOf(e.I), "an index must be an integer, not %s", it)
			return nil
		}
		k.p.Conv[e.I] = Int64
		return xt.Elem
	case *cc.Member:
		return k.member(e)
	case *cc.Cast:
		to := k.ctype(e.Type)
		from := k.expr(e.X)
		if to == nil || from == nil {
			return nil
		}
		from = Decayed(from)
		if to.Kind != Void && (!isScalar(to) || !isScalar(from)) {
			k.errorf(e.At, "cannot cast %s to %s", from, to)
			return nil
		}
		if v, ok := k.p.Consts[e.X]; ok && isCInteger(to) {
			return k.constant(e, to, v)
		}
		if v, ok := k.p.Consts[e.X]; ok && to.Kind == Ptr && v == 0 {
			return k.constant(e, to, 0)
		}
		return to
	case *cc.Sizeof:
		var t *Type
		if e.Type != nil {
			t = k.ctype(e.Type)
		} else {
			t = k.expr(e.X)
		}
		if t == nil {
			return nil
		}
		if e.Align {
			return k.constant(e, Uint64, int64(t.Align()))
		}
		return k.constant(e, Uint64, int64(t.Size))
	case *cc.Offsetof:
		t := k.ctype(e.Type)
		if t == nil {
			return nil
		}
		off := 0
		for _, part := range e.Path {
			name, idx, _ := strings.Cut(part, "[")
			f, ok := CField(t, name)
			if t.Kind != Struct || !ok {
				k.errorf(e.At, "%s has no member %s", t, name)
				return nil
			}
			off += f.Offset
			t = f.Type
			for idx != "" {
				var n string
				n, idx, _ = strings.Cut(idx, "]")
				idx = strings.TrimPrefix(idx, "[")
				v, err := parseCInt(n)
				if t.Kind != Array || err != nil {
					k.errorf(e.At, "bad index [%s] in offsetof", n)
					return nil
				}
				off += int(v) * t.Elem.Size
				t = t.Elem
			}
		}
		return k.constant(e, Uint64, int64(off))
	case *cc.CompoundLit:
		t := k.ctype(e.Type)
		if t == nil {
			return nil
		}
		k.initializer(e.Init, t)
		return t
	case *cc.InitList:
		k.errorf(e.At, "a brace initializer goes in a declaration")
		return nil
	}
	k.errorf(cc.PosOf(e), "unsupported expression")
	return nil
}

func parseCInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(s), 0, 64)
}

// intLitType is the type C gives an integer constant: the first of
// int, unsigned int (not for decimal), long, unsigned long that holds
// it, starting at unsigned with a U suffix and at long with an L.
func intLitType(e *cc.IntLit) *Type {
	if e.Char {
		return cInt
	}
	v := e.Value
	switch {
	case e.Longs == 0 && !e.Unsigned && v <= 1<<31-1:
		return Int32
	case e.Longs == 0 && (e.Unsigned || !e.Decimal) && v <= 1<<32-1:
		return Uint32
	case !e.Unsigned && v <= 1<<63-1:
		return Int64
	}
	return Uint64
}

func (k *cchecker) ident(e *cc.Ident) *Type {
	o, td := k.lookup(e.Name)
	if td != nil {
		k.errorf(e.At, "%s is a type, not a value", e.Name)
		return nil
	}
	if o == nil {
		if v, ok := bpfConstants[e.Name]; ok {
			return k.constant(e, Int64, v)
		}
		if v, ok := cConstant(e.Name); ok {
			return k.constant(e, cInt, v)
		}
		if id, ok := helperNumber(e.Name); ok && id != 0 {
			k.errorf(e.At, "the BPF helper %s can only be called", e.Name)
			return nil
		}
		k.errorf(e.At, "use of undeclared identifier '%s'", e.Name)
		return nil
	}
	k.p.Objs[e] = o
	switch o.Kind {
	case CConstant:
		return k.constant(e, o.Type, o.Value)
	case CFunction:
		if o.Func.Kfunc {
			// `if (bpf_kfunc)`: whether the kernel has it
			return k.constant(e, funcPtr, int64(min(o.Func.KfuncID, 1)))
		}
		return funcPtr
	}
	return o.Type
}

func (k *cchecker) incrementable(x cc.Expr, t *Type, op string) bool {
	if !k.lvalue(x) {
		k.errorf(cc.PosOf(x), "%s needs a variable or memory location", op)
		return false
	}
	if !isScalar(t) {
		k.errorf(cc.PosOf(x), "cannot apply %s to %s", op, t)
		return false
	}
	return true
}

func (k *cchecker) unary(e *cc.Unary) *Type {
	t := k.expr(e.X)
	if t == nil {
		return nil
	}
	cv, isConst := k.p.Consts[e.X]
	switch e.Op {
	case "-", "+", "~":
		if !isCInteger(t) {
			k.errorf(e.At, "cannot apply %s to %s", e.Op, t)
			return nil
		}
		pt := promoted(t)
		k.p.Conv[e.X] = pt
		if isConst {
			switch e.Op {
			case "-":
				cv = -cv
			case "~":
				cv = ^cv
			}
			return k.constant(e, pt, cv)
		}
		return pt
	case "!":
		if !isScalar(Decayed(t)) {
			k.errorf(e.At, "cannot apply ! to %s", t)
			return nil
		}
		if isConst {
			return k.constant(e, cInt, b2i(cv == 0))
		}
		return cInt
	case "*":
		pt := Decayed(t)
		if pt.Kind != Ptr || pt.Elem.Kind == Void {
			k.errorf(e.At, "cannot dereference %s", t)
			return nil
		}
		return pt.Elem
	case "&":
		if id, ok := e.X.(*cc.Ident); ok && k.p.Objs[id] != nil && k.p.Objs[id].Kind == CFunction {
			return funcPtr
		}
		if !k.lvalue(e.X) {
			k.errorf(e.At, "cannot take the address of this expression")
			return nil
		}
		k.markInMemory(e.X)
		return PtrTo(t, false)
	case "++", "--":
		if !k.incrementable(e.X, t, e.Op) {
			return nil
		}
		return t
	}
	k.errorf(e.At, "unknown operator %s", e.Op)
	return nil
}

func (k *cchecker) binary(e *cc.Binary) *Type {
	xt, yt := k.expr(e.X), k.expr(e.Y)
	if xt == nil || yt == nil {
		return nil
	}
	xv, xc := k.p.Consts[e.X]
	yv, yc := k.p.Consts[e.Y]
	both := xc && yc
	xd, yd := Decayed(xt), Decayed(yt)
	switch e.Op {
	case ",":
		return yt
	case "&&", "||":
		if !isScalar(xd) || !isScalar(yd) {
			k.errorf(e.At, "%s takes integers or pointers", e.Op)
			return nil
		}
		if both {
			if e.Op == "&&" {
				return k.constant(e, cInt, b2i(xv != 0 && yv != 0))
			}
			return k.constant(e, cInt, b2i(xv != 0 || yv != 0))
		}
		return cInt
	case "==", "!=", "<", ">", "<=", ">=":
		if xd.Kind == Ptr || yd.Kind == Ptr {
			if !isScalar(xd) || !isScalar(yd) {
				k.errorf(e.At, "cannot compare %s and %s", xt, yt)
				return nil
			}
			k.p.Conv[e.X], k.p.Conv[e.Y] = Uint64, Uint64
			return cInt
		}
		if !isCInteger(xd) || !isCInteger(yd) {
			k.errorf(e.At, "cannot compare %s and %s", xt, yt)
			return nil
		}
		ct := arith(xd, yd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = ct, ct
		if both {
			return k.constant(e, cInt, b2i(compareConst(BinaryOp(e.Op), truncate(xv, ct), truncate(yv, ct), ct.Signed)))
		}
		return cInt
	case "+", "-":
		switch {
		case xd.Kind == Ptr && yd.Kind == Ptr && e.Op == "-":
			k.p.Conv[e.X], k.p.Conv[e.Y] = Uint64, Uint64
			return Int64
		case xd.Kind == Ptr && isCInteger(yd):
			k.p.Conv[e.Y] = Int64
			return xd
		case yd.Kind == Ptr && isCInteger(xd) && e.Op == "+":
			k.p.Conv[e.X] = Int64
			return yd
		}
	}
	if !isCInteger(xd) || !isCInteger(yd) {
		k.errorf(e.At, "invalid operands to %s: %s and %s", e.Op, xt, yt)
		return nil
	}
	var rt *Type
	if e.Op == "<<" || e.Op == ">>" {
		rt = promoted(xd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = rt, promoted(yd)
	} else {
		rt = arith(xd, yd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = rt, rt
	}
	if both {
		if v, ok := arithConst(BinaryOp(e.Op), truncate(xv, rt), truncate(yv, rt), rt.Signed); ok {
			return k.constant(e, rt, v)
		}
		if e.Op == "/" || e.Op == "%" {
			k.errorf(e.At, "division by zero")
		}
	}
	return rt
}

func (k *cchecker) assign(e *cc.Assign) *Type {
	xt := k.expr(e.X)
	if xt == nil {
		k.expr(e.Y)
		return nil
	}
	if !k.lvalue(e.X) || xt.Kind == Array {
		k.errorf(e.At, "%s needs a variable or memory location on its left", e.Op)
		k.expr(e.Y)
		return nil
	}
	if e.Op == "=" {
		if xt.Kind == Struct {
			if yt := k.expr(e.Y); yt != nil && !Equal(yt, xt) {
				k.errorf(e.At, "cannot assign %s to %s", yt, xt)
			}
			return xt
		}
		k.convertTo(e.Y, xt, "assignment")
		return xt
	}
	yt := k.expr(e.Y)
	if yt == nil {
		return nil
	}
	op := strings.TrimSuffix(e.Op, "=")
	yd := Decayed(yt)
	switch {
	case xt.Kind == Ptr && (op == "+" || op == "-") && isCInteger(yd):
		k.p.Conv[e.Y] = Int64
		k.p.OpType[e] = xt
	case isCInteger(xt) && isCInteger(yd):
		ct := arith(xt, yd)
		if op == "<<" || op == ">>" {
			ct = promoted(xt)
			k.p.Conv[e.Y] = promoted(yd)
		} else {
			k.p.Conv[e.Y] = ct
		}
		k.p.OpType[e] = ct
	default:
		k.errorf(e.At, "invalid operands to %s: %s and %s", e.Op, xt, yt)
		return nil
	}
	return xt
}

func (k *cchecker) ternary(e *cc.Cond) *Type {
	k.cond(e.C)
	then := e.Then
	if then == nil {
		then = e.C
	}
	at, bt := k.expr(then), k.expr(e.Else)
	if at == nil || bt == nil {
		return nil
	}
	ad, bd := Decayed(at), Decayed(bt)
	var rt *Type
	switch {
	case isCInteger(ad) && isCInteger(bd):
		rt = arith(ad, bd)
	case ad.Kind == Ptr && bd.Kind == Ptr:
		rt = ad
		if ad.Elem.Kind == Void {
			rt = bd
		}
	case ad.Kind == Ptr && isCInteger(bd):
		rt = ad
	case bd.Kind == Ptr && isCInteger(ad):
		rt = bd
	case ad.Kind == Void && bd.Kind == Void:
		return VoidType
	case ad.Kind == Struct && Equal(ad, bd):
		k.errorf(e.At, "a ?: of structs is not supported; use if")
		return nil
	default:
		k.errorf(e.At, "the branches of ?: have types %s and %s", at, bt)
		return nil
	}
	if e.Then != nil {
		k.p.Conv[e.Then] = rt
	}
	k.p.Conv[e.Else] = rt
	if cv, ok := k.p.Consts[e.C]; ok {
		pick := e.Else
		if cv != 0 {
			pick = then
		}
		if v, ok := k.p.Consts[pick]; ok {
			return k.constant(e, rt, v)
		}
	}
	return rt
}

func (k *cchecker) member(e *cc.Member) *Type {
	t := k.expr(e.X)
	if t == nil {
		return nil
	}
	if e.Arrow {
		t = Decayed(t)
		if t.Kind != Ptr {
			k.errorf(e.At, "-> on %s, which is not a pointer", t)
			return nil
		}
		t = t.Elem
	}
	if t.Kind != Struct {
		k.errorf(e.At, "%s is not a struct or union", t)
		return nil
	}
	if len(t.Fields) == 0 && t.Size == 0 {
		k.errorf(e.At, "%s is incomplete (include \"vmlinux.h\" for the kernel's types, or define it)", t)
		return nil
	}
	f, ok := CField(t, e.Name)
	if !ok {
		k.errorf(e.At, "%s has no member %s", t, e.Name)
		return nil
	}
	return f.Type
}
