package types

import (
	"fmt"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// slotType is the type a map keeps a key or value of type t as: an
// integer keeps its width (a literal its sign-flexibility, so that a later
// unsigned key or value makes the map's unsigned), in an 8-byte slot of its
// own or as a field of the map's key tuple; a bool takes an 8-byte slot;
// other types stay as they are.
func slotType(t *Type) *Type {
	if t.Kind == Int {
		return t
	}
	return Stored(t)
}

// tupleElem is the type a tuple keeps a value of type t in: integers
// and bools keep their size, as the fields of a C struct (bpftrace lays
// tuples out so: ((int8)1, (int16)2, (int32)3) is 8 bytes); a bool is
// one byte.
func tupleElem(t *Type) *Type {
	switch t.Kind {
	case Bool:
		return &Type{Kind: Bool, Size: 1}
	case Int:
		if t.Size == 0 {
			return Stored(t)
		}
		c := *t
		return &c
	}
	return t
}

func assignable(dst, src *Type) bool {
	if dst.Kind != src.Kind {
		return false
	}
	switch dst.Kind {
	case Int:
		return true
	case Str:
		return true
	case Ptr:
		// void * takes any pointer, and goes into any pointer
		if dst.Elem.Kind == Void || src.Elem.Kind == Void {
			return true
		}
	}
	return Equal(dst, src)
}

func cloneStr(t *Type) *Type {
	if t.Kind == Str {
		s := StrType(t.Size)
		s.Trailer = t.Trailer
		return s
	}
	return t
}

func keyOf(keys []*Type) *Type {
	switch len(keys) {
	case 0:
		return nil
	case 1:
		return keys[0]
	}
	return TupleOf(keys...)
}

// setMap records an assignment of a value of type vt to map access m.
func (c *checker) setMap(m *lang.MapExpr, vt *Type, vpos lang.Pos) {
	keys := c.keyTypes(m)
	if keys == nil {
		return
	}
	mi := c.info.Maps[m.Name]
	given := vt
	if vt.Kind == Int || vt.Kind == Tuple {
		// integer and tuple values join by promotion over every
		// assignment (the inferring sweep sees them all), keeping
		// the width of the values: @m = (uint8)1 holds uint8s
		if j := c.mapInts[m.Name]; j != nil && j.Kind == vt.Kind {
			if joined, ok := PromoteValue(j, vt); ok {
				vt = joined
			}
		}
		c.mapInts[m.Name] = vt
		if vt.Kind == Int {
			// a sign mismatch no type holds both sides of converts
			c.narrowTo(m.Name, vt, given, vpos, nil)
		}
		if mi != nil && mi.Value.Kind == vt.Kind {
			if _, ok := PromoteValue(mi.Value, vt); ok {
				mi.Value = vt
			}
		}
	}
	if mi == nil {
		mi = &MapInfo{Name: m.Name, Pos: m.At, Keys: keys, Value: cloneStr(vt)}
		mi.Key = keyOf(mi.Keys)
		c.info.Maps[m.Name] = mi
		c.record(m, mi.Value)
		return
	}
	if !c.unifyKeys(mi, m, keys) {
		return
	}
	switch {
	case mi.Value.Kind == Agg || vt.Kind == Agg:
		if !Equal(mi.Value, vt) {
			c.errorf(vpos, "Type mismatch for %s: trying to assign value of type '%s' when map already has a type '%s'", m.Name, vt, mi.Value)
			return
		}
	case !assignable(mi.Value, vt):
		c.errorf(vpos, "Type mismatch for %s: trying to assign value of type '%s' when map already has a type '%s'", m.Name, vt, mi.Value)
		return
	case mi.Value.Kind == Str && vt.Size > mi.Value.Size:
		mi.Value.Size = vt.Size
	}
	c.record(m, mi.Value)
}

func (c *checker) keyTypes(m *lang.MapExpr) []*Type {
	keys := []*Type{}
	for _, k := range m.Keys {
		t := c.expr(k)
		if t.Kind == Invalid {
			return nil
		}
		switch t.Kind {
		case Int, Bool, Str, Ptr, Tuple, Struct, Ksym, Usym, Stack, Array, Buf, View, Timestamp:
		default:
			c.errorf(k.Pos(), "%s cannot be used as a map key", t)
			return nil
		}
		keys = append(keys, cloneStr(slotType(t)))
	}
	if len(keys) == 1 && keys[0].Kind == Tuple && !keys[0].Named {
		// @m[(a, b)] is @m[a, b]: a tuple key is the map's several keys
		var elems []*Type
		for _, f := range keys[0].Fields {
			elems = append(elems, cloneStr(f.Type))
		}
		return elems
	}
	return keys
}

// keyMismatch reports keys that do not fit the map's, as bpftrace words
// it; the hint says what differs (here) and where the map's keys were
// decided.
func (c *checker) keyMismatch(pos lang.Pos, name string, keys []*Type, mi *MapInfo, here string) {
	e := c.errorf(pos, "Argument mismatch for %s: trying to access with arguments: '%s' when map expects arguments: '%s'",
		name, keyList(keys), keyList(mi.Keys))
	e.Hint = fmt.Sprintf("%s, and its keys were decided at %d:%d", here, mi.Pos.Line, mi.Pos.Col)
}

// keyList is the types of a map's keys as bpftrace names them: the type
// of the one key, or a parenthesized list.
func keyList(keys []*Type) string {
	if len(keys) == 1 {
		return keys[0].String()
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.String())
	}
	return "(" + strings.Join(names, ",") + ")"
}

// unifyKeys checks keys against the map's known key types, widening
// strings and joining integers by promotion: @m[1] and @m[(uint32)2] make
// a map of uint32 keys.
func (c *checker) unifyKeys(mi *MapInfo, m *lang.MapExpr, keys []*Type) bool {
	if len(keys) != len(mi.Keys) {
		c.keyMismatch(m.At, m.Name, keys, mi, fmt.Sprintf("%s is used with %d keys here", m.Name, len(keys)))
		return false
	}
	changed := false
	for i, k := range keys {
		old := mi.Keys[i]
		pos := m.At
		if i < len(m.Keys) {
			pos = m.Keys[i].Pos()
		}
		if old.Kind == Tuple && k.Kind == Tuple {
			// tuple keys widen their strings like tuple values
			if joined, ok := PromoteValue(old, k); ok {
				if !Equal(joined, old) {
					mi.Keys[i] = joined
					changed = true
				}
				continue
			}
		}
		if !assignable(old, k) {
			c.keyMismatch(pos, m.Name, keys, mi, fmt.Sprintf("key %d has type %s here", i+1, k))
			return false
		}
		if old.Kind == Int {
			if joined := Promote(old, k); !Equal(joined, old) || joined.Lit != old.Lit {
				mi.Keys[i] = joined
				changed = true
			}
			continue
		}
		if old.Kind == Str && k.Size > old.Size {
			old.Size = k.Size
			changed = true
		}
	}
	if changed {
		mi.Key = keyOf(mi.Keys)
	}
	return true
}

func (c *checker) mapRead(e *lang.MapExpr) *Type {
	keys := c.keyTypes(e)
	mi := c.info.Maps[e.Name]
	if mi == nil {
		if !c.infer {
			c.errorf(e.At, "undefined map %s", e.Name).Hint = "assign it somewhere: " + e.Name + " = ...;"
		}
		return nil
	}
	if keys == nil || !c.unifyKeys(mi, e, keys) {
		return nil
	}
	if mi.Value.Kind == Agg {
		if t := aggValue(mi.Value); t != nil {
			return t
		}
		c.errorf(e.At, "%s is a %s aggregation and cannot be read in a probe", e.Name, mi.Value.AggFn)
		return nil
	}
	return mi.Value
}

// keyCheck checks the keys of map access m against the map's key types.
func (c *checker) keyCheck(m *lang.MapExpr) {
	keys := c.keyTypes(m)
	mi := c.info.Maps[m.Name]
	if mi == nil {
		if !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
		}
		return
	}
	if keys != nil {
		c.unifyKeys(mi, m, keys)
	}
}
