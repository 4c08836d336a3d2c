package types

import (
	"strings"

	"github.com/gotrace/gotrace/lang/cc"
)

// Imported C: types.
//
// A C type as written (lang/cc's Type) resolves to a Type: the C integer
// types and the libbpf typedefs (cBaseTypes), pointers and arrays, the
// file's structs and unions (laid out as the x86-64 ABI lays them out)
// and enums, and the kernel's types by name when the file includes
// "vmlinux.h". Array lengths, bitfield widths and enumerator values are
// integer constant expressions, folded by the expression checker.

// ctype resolves a C type as written; nil after reporting an error.
func (k *cchecker) ctype(t *cc.Type) *Type {
	switch t.Kind {
	case cc.Pointer:
		if t.Elem.Kind == cc.FuncOf {
			if k.ctype(t.Elem.Elem) == nil {
				return nil
			}
			return funcPtr
		}
		elem := k.ctype(t.Elem)
		if elem == nil {
			return nil
		}
		return PtrTo(elem, false)
	case cc.ArrayOf:
		elem := k.ctype(t.Elem)
		if elem == nil {
			return nil
		}
		if elem.Kind == Void {
			k.errorf(t.At, "an array of void")
			return nil
		}
		n := 0
		if t.Len != nil {
			v, ok := k.constExpr(t.Len)
			if !ok {
				return nil
			}
			if v < 0 || v > 1<<20 {
				k.errorf(cc.PosOf(t.Len), "array size %d is out of range", v)
				return nil
			}
			n = int(v)
		}
		return ArrayOf(elem, n)
	case cc.FuncOf:
		k.errorf(t.At, "a function type can only be pointed to")
		return nil
	}
	name := t.Name
	switch {
	case strings.HasPrefix(name, "struct "), strings.HasPrefix(name, "union "):
		return k.recordType(t)
	case strings.HasPrefix(name, "enum "):
		return k.enumType(t)
	}
	if b, ok := cBaseTypes[name]; ok {
		return b
	}
	if _, td := k.lookup(name); td != nil {
		return td
	}
	if b, ok := cTypedefs[name]; ok {
		return b
	}
	if k.vmlinux {
		if te, ok := k.env.(KernelTypeEnv); ok {
			if kt, ok := te.KernelTypedef(name); ok {
				return kt
			}
		}
	}
	k.errorf(t.At, "unknown type name '%s'", name)
	return nil
}

// recordType resolves struct/union NAME, laying out a body given here.
func (k *cchecker) recordType(t *cc.Type) *Type {
	key := t.Name
	anonymous := strings.HasSuffix(key, " ")
	if t.Record == nil {
		if r := k.lookupTag(key); r != nil {
			return r
		}
		if k.vmlinux {
			if kt := k.kernelStructQuiet(key); kt != nil {
				return kt
			}
		}
		// incomplete: pointers to it are fine
		r := &Type{Kind: Struct, Name: key}
		k.top().tags[key] = r
		return r
	}
	r := &Type{Kind: Struct, Name: key}
	if anonymous {
		r.Name = strings.TrimSpace(key) + " (anonymous)"
	} else {
		if prev, ok := k.top().tags[key]; ok && len(prev.Fields) == 0 {
			r = prev // completes a forward declaration
		} else if ok {
			k.errorf(t.At, "%s is defined twice", key)
			return prev
		}
		k.top().tags[key] = r
	}
	lay := recordLayout{union: t.Record.Union, packed: t.Packed}
	names := map[string]bool{}
	for _, fd := range t.Record.Fields {
		ft := k.ctype(fd.Type)
		if ft == nil {
			return nil
		}
		if ft.Kind == Void || ft.Kind == Struct && ft.Size == 0 && len(ft.Fields) == 0 {
			k.errorf(fd.At, "member %s has incomplete type %s", fd.Name, ft)
			return nil
		}
		if fd.Name != "" {
			if names[fd.Name] {
				k.errorf(fd.At, "member %s is declared twice", fd.Name)
				return nil
			}
			names[fd.Name] = true
		}
		bits := -1
		if fd.Bits != nil {
			v, ok := k.constExpr(fd.Bits)
			if !ok {
				return nil
			}
			if ft.Kind != Int && ft.Kind != Bool {
				k.errorf(fd.At, "bitfield %s must have an integer type", fd.Name)
				return nil
			}
			bits = int(v)
		}
		if err := lay.add(r, fd.Name, ft, bits); err != nil {
			k.errorf(fd.At, "%v", err)
			return nil
		}
	}
	aligned := 0
	if t.Aligned != nil {
		v, ok := k.constExpr(t.Aligned)
		if !ok {
			return nil
		}
		aligned = int(v)
	}
	lay.finish(r, aligned)
	return r
}

// enumType resolves enum NAME, declaring the enumerators of a body
// given here as constants of the current scope.
func (k *cchecker) enumType(t *cc.Type) *Type {
	key := t.Name
	if t.Enum == nil {
		if r := k.lookupTag(key); r != nil {
			return r
		}
		return &Type{Kind: Int, Size: 4, Signed: true, Name: key, Enum: map[int64]string{}}
	}
	r := &Type{Kind: Int, Size: 4, Signed: true, Name: key, Enum: map[int64]string{}}
	next := int64(0)
	for _, it := range t.Enum.Items {
		if it.Value != nil {
			v, ok := k.constExpr(it.Value)
			if !ok {
				return nil
			}
			next = v
		}
		if next > 1<<31-1 || next < -1<<31 {
			r.Size = 8
		}
		if _, dup := r.Enum[next]; !dup {
			r.Enum[next] = it.Name
		}
		k.top().objs[it.Name] = &CObject{Kind: CConstant, Name: it.Name, Type: cInt, Value: next}
		next++
	}
	if !strings.HasSuffix(key, " ") {
		k.top().tags[key] = r
	}
	return r
}

// constExpr checks e and returns its value as an integer constant.
func (k *cchecker) constExpr(e cc.Expr) (int64, bool) {
	t := k.expr(e)
	if t == nil {
		return 0, false
	}
	v, ok := k.p.Consts[e]
	if !ok {
		k.errorf(cc.PosOf(e), "this must be an integer constant")
	}
	return v, ok
}
