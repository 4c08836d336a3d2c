package types

import (
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
)

// Imported C: statements and variables.
//
// Blocks open scopes; loops and switches count what break and continue
// may leave; goto labels are checked once the function is read. A
// file-scope variable gets its place in the globals' value (or, in a
// SEC(".maps") section, becomes a libbpf-style map definition); a local
// one is typed and its initializer checked member by member, designators
// included, each value converted to the member's type as assignment
// would.

func (k *cchecker) block(b *cc.Block, scope bool) {
	if scope {
		k.push()
		defer k.pop()
	}
	for _, s := range b.Stmts {
		k.stmt(s)
	}
}

func (k *cchecker) stmt(s cc.Stmt) {
	switch s := s.(type) {
	case *cc.Block:
		k.block(s, true)
	case *cc.DeclStmt:
		for _, d := range s.Decls {
			if v, ok := d.(*cc.VarDecl); ok {
				k.localVar(v)
				continue
			}
			if fd, ok := d.(*cc.FuncDecl); ok {
				k.errorf(fd.At, "functions are declared at file scope")
				continue
			}
			k.localTypeDecl(d)
		}
	case *cc.ExprStmt:
		if s.X != nil {
			k.expr(s.X)
		}
	case *cc.IfStmt:
		k.cond(s.Cond)
		k.stmt(s.Then)
		if s.Else != nil {
			k.stmt(s.Else)
		}
	case *cc.WhileStmt:
		k.cond(s.Cond)
		k.loopBody(s.Body)
	case *cc.DoStmt:
		k.loopBody(s.Body)
		k.cond(s.Cond)
	case *cc.ForStmt:
		k.push()
		if s.Init != nil {
			k.stmt(s.Init)
		}
		if s.Cond != nil {
			k.cond(s.Cond)
		}
		if s.Post != nil {
			k.expr(s.Post)
		}
		k.loopBody(s.Body)
		k.pop()
	case *cc.ReturnStmt:
		res := k.fn.Result
		switch {
		case s.X == nil && res.Kind != Void:
			k.errorf(s.At, "%s must return a value of type %s", k.fn.Name, res)
		case s.X != nil && res.Kind == Void:
			if t := k.expr(s.X); t != nil && t.Kind != Void {
				k.errorf(s.At, "%s returns void: return takes no value", k.fn.Name)
			}
		case s.X != nil:
			k.convertTo(s.X, res, "return")
		}
	case *cc.BreakStmt:
		if k.breaks == 0 {
			k.errorf(s.At, "break outside a loop or switch")
		}
	case *cc.ContinueStmt:
		if k.loops == 0 {
			k.errorf(s.At, "continue outside a loop")
		}
	case *cc.SwitchStmt:
		t := k.expr(s.X)
		if t != nil && !isCInteger(t) {
			k.errorf(cc.PosOf(s.X), "switch on %s: it takes an integer", t)
		} else if t != nil {
			k.p.Conv[s.X] = promoted(t)
		}
		k.breaks++
		k.stmt(s.Body)
		k.breaks--
	case *cc.CaseStmt:
		if s.Value != nil {
			k.constExpr(s.Value)
		}
		k.stmt(s.Stmt)
	case *cc.LabelStmt:
		if k.labels[s.Name] {
			k.errorf(s.At, "label %s is defined twice", s.Name)
		}
		k.labels[s.Name] = true
		k.stmt(s.Stmt)
	case *cc.GotoStmt:
		k.gotos = append(k.gotos, s)
	}
}

func (k *cchecker) loopBody(s cc.Stmt) {
	k.loops++
	k.breaks++
	k.stmt(s)
	k.loops--
	k.breaks--
}

// cond checks a controlling expression: any scalar.
func (k *cchecker) cond(e cc.Expr) {
	t := k.expr(e)
	if t != nil && !isScalar(Decayed(t)) {
		k.errorf(cc.PosOf(e), "a condition must be an integer or a pointer, not %s", t)
	}
}

// globalVar lays out a file-scope variable; its initializer must be
// made of constants.
func (k *cchecker) globalVar(v *cc.VarDecl) {
	if v.Extern {
		k.errorf(v.At, "extern variable %s: imported C cannot link to other files' variables", v.Name)
		return
	}
	t := k.varType(v)
	if t == nil {
		return
	}
	if v.Section == ".maps" {
		k.mapDef(v, t)
		return
	}
	if v.Init != nil {
		k.initializer(v.Init, t)
		if e := k.nonConstant(v.Init); e != nil {
			k.errorf(cc.PosOf(e), "the initializer of global %s must be a constant", v.Name)
			return
		}
	}
	a := t.Align()
	off := (k.p.GlobalsSize + a - 1) / a * a
	o := &CObject{Kind: CGlobalVar, Name: v.Name, Type: t, InMemory: true, Offset: off}
	k.p.GlobalsSize = off + t.Size
	k.p.Globals = append(k.p.Globals, &CGlobal{Obj: o, Decl: v})
	k.top().objs[v.Name] = o
}

// mapDef reads a map definition: its members' types say the map's type
// and sizes (__uint(n, v) is `int (*n)[v]`, __type(n, T) is `T *n`).
func (k *cchecker) mapDef(v *cc.VarDecl, t *Type) {
	if t.Kind != Struct {
		k.errorf(v.At, "map %s: a map is defined as a struct of __uint and __type members", v.Name)
		return
	}
	m := &CMap{Name: v.Name, MaxEntries: 0}
	for _, f := range t.Fields {
		if f.Type.Kind != Ptr {
			k.errorf(v.At, "map %s: member %s is not __uint(...) or __type(...)", v.Name, f.Name)
			return
		}
		n := f.Type.Elem.Len
		switch f.Name {
		case "type":
			m.Type = uint32(n)
		case "max_entries":
			m.MaxEntries = n
		case "map_flags":
			m.Flags = uint32(n)
		case "key_size":
			m.KeySize = n
		case "value_size":
			m.ValueSize = n
		case "key":
			m.KeySize = f.Type.Elem.Size
		case "value":
			m.ValueSize = f.Type.Elem.Size
		case "pinning":
			k.errorf(v.At, "map %s: pinned maps are not supported", v.Name)
			return
		default:
			k.errorf(v.At, "map %s: gotrace does not know the map attribute %s", v.Name, f.Name)
			return
		}
	}
	if m.Type == 0 {
		k.errorf(v.At, "map %s has no __uint(type, BPF_MAP_TYPE_...)", v.Name)
		return
	}
	k.p.Maps = append(k.p.Maps, m)
	k.top().objs[v.Name] = &CObject{Kind: CMapVar, Name: v.Name, Type: t, Map: m}
}

// nonConstant returns a part of an initializer that is not constant.
func (k *cchecker) nonConstant(e cc.Expr) cc.Expr {
	switch x := e.(type) {
	case *cc.InitList:
		for _, it := range x.Items {
			if bad := k.nonConstant(it.Value); bad != nil {
				return bad
			}
		}
		return nil
	case *cc.StringLit:
		return nil
	}
	if _, ok := k.p.Consts[e]; ok {
		return nil
	}
	return e
}

// varType resolves a variable's type, sizing an array declared with []
// from its initializer.
func (k *cchecker) varType(v *cc.VarDecl) *Type {
	t := k.ctype(v.Type)
	if t == nil || t.Kind != Array || t.Len != 0 {
		return t
	}
	switch x := v.Init.(type) {
	case *cc.StringLit:
		return ArrayOf(t.Elem, len(x.Value)+1)
	case *cc.InitList:
		n, next := 0, 0
		for _, it := range x.Items {
			if len(it.Designator) > 0 && it.Designator[0].Index != nil {
				i, ok := k.constExpr(it.Designator[0].Index)
				if !ok {
					return nil
				}
				next = int(i)
			}
			next++
			n = max(n, next)
		}
		return ArrayOf(t.Elem, n)
	}
	return t
}

func (k *cchecker) localVar(v *cc.VarDecl) {
	if v.Extern || v.Static {
		k.errorf(v.At, "%s: static and extern variables are not supported in functions (BPF has no per-function memory)", v.Name)
		return
	}
	t := k.varType(v)
	if t == nil {
		return
	}
	if t.Kind == Void || t.Kind == Struct && len(t.Fields) == 0 && t.Size == 0 {
		k.errorf(v.At, "variable %s has incomplete type %s", v.Name, t)
		return
	}
	o := &CObject{Kind: CLocal, Name: v.Name, Type: t, InMemory: !t.InRegister()}
	k.p.Decls[v] = o
	if v.Init != nil {
		k.initializer(v.Init, t)
	}
	k.top().objs[v.Name] = o
}

// initializer checks the initializer of an object of type t.
func (k *cchecker) initializer(init cc.Expr, t *Type) {
	il, ok := init.(*cc.InitList)
	if !ok {
		if s, ok := init.(*cc.StringLit); ok && t.Kind == Array && t.Elem.Size == 1 {
			k.expr(s)
			if len(s.Value) > t.Len {
				k.errorf(s.At, "the string has %d bytes, more than the array's %d", len(s.Value), t.Len)
			}
			return
		}
		if t.Kind == Struct || t.Kind == Array {
			if it := k.expr(init); it != nil && !Equal(it, t) {
				k.errorf(cc.PosOf(init), "cannot initialize %s with %s", t, it)
			}
			return
		}
		k.convertTo(init, t, "initialization")
		return
	}
	switch t.Kind {
	case Struct, Array:
	default:
		if len(il.Items) != 1 {
			k.errorf(il.At, "a scalar is initialized with one value")
			return
		}
		k.initializer(il.Items[0].Value, t)
		return
	}
	next := 0
	for _, it := range il.Items {
		cur, idx := t, next
		for j, d := range it.Designator {
			f, i, ok := k.designate(cur, d, it.At)
			if !ok {
				return
			}
			if j == 0 {
				idx = i
			}
			cur = f
		}
		if len(it.Designator) == 0 {
			var ok bool
			cur, ok = k.nth(t, idx, it.At)
			if !ok {
				return
			}
		}
		next = idx + 1
		k.initializer(it.Value, cur)
	}
}

// designate resolves .field or [index] in t: the member's type and its
// position in initializer order.
func (k *cchecker) designate(t *Type, d cc.Designator, at lang.Pos) (*Type, int, bool) {
	if d.Index != nil {
		if t.Kind != Array {
			k.errorf(at, "[index] designator in %s, which is not an array", t)
			return nil, 0, false
		}
		v, ok := k.constExpr(d.Index)
		if !ok {
			return nil, 0, false
		}
		if v < 0 || int(v) >= t.Len {
			k.errorf(at, "index %d is outside the array of %d", v, t.Len)
			return nil, 0, false
		}
		return t.Elem, int(v), true
	}
	if t.Kind != Struct {
		k.errorf(at, ".%s designator in %s, which is not a struct", d.Field, t)
		return nil, 0, false
	}
	for i, f := range t.Fields {
		if f.Name == d.Field {
			return f.Type, i, true
		}
	}
	if f, ok := CField(t, d.Field); ok {
		return f.Type, len(t.Fields), true
	}
	k.errorf(at, "%s has no member %s", t, d.Field)
	return nil, 0, false
}

// nth is the type of the i-th element an initializer list fills.
func (k *cchecker) nth(t *Type, i int, at lang.Pos) (*Type, bool) {
	switch {
	case t.Kind == Array && i < t.Len:
		return t.Elem, true
	case t.Kind == Struct && i < len(t.Fields):
		return t.Fields[i].Type, true
	}
	k.errorf(at, "too many values for %s", t)
	return nil, false
}

// CField finds a member of a struct or union, looking into anonymous
// members; the offset is from the start of t.
func CField(t *Type, name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
		if f.Name == "" && f.Type.Kind == Struct {
			if in, ok := CField(f.Type, name); ok {
				in.Offset += f.Offset
				return in, true
			}
		}
	}
	return Field{}, false
}
