package probes

import (
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang/types"
)

// btfTypes converts BTF types to gotrace types. Conversions are memoized
// per BTF type, so cycles (struct task_struct points to itself) end in
// shared *types.Type values and each struct is converted once.
type btfTypes struct {
	memo map[btf.Type]*types.Type
}

func newBTFTypes() *btfTypes { return &btfTypes{memo: map[btf.Type]*types.Type{}} }

// convert returns the gotrace type of t; user marks pointers into user
// memory.
func (c *btfTypes) convert(t btf.Type) *types.Type {
	if got, ok := c.memo[t]; ok {
		return got
	}
	switch t := t.(type) {
	case *btf.Int:
		var r *types.Type
		switch {
		case t.Size == 1 && (t.Name == "char" || t.Name == "signed char"):
			r = charType
		case t.Size == 16:
			r = types.ArrayOf(types.Uint64, 2)
		default:
			r = types.IntType(int(t.Size), t.Encoding&btf.Signed != 0)
		}
		c.memo[t] = r
		return r
	case *btf.Enum:
		r := &types.Type{Kind: types.Int, Size: int(t.Size), Signed: t.Signed, Name: "enum " + t.Name, Enum: map[int64]string{}}
		for _, v := range t.Values {
			if _, dup := r.Enum[int64(v.Value)]; !dup {
				r.Enum[int64(v.Value)] = v.Name
			}
		}
		c.memo[t] = r
		return r
	case *btf.Float:
		r := types.IntType(int(t.Size), false)
		c.memo[t] = r
		return r
	case *btf.Typedef:
		r := c.convert(t.Type)
		c.memo[t] = r
		return r
	case *btf.Const:
		return c.convert(t.Type)
	case *btf.Volatile:
		return c.convert(t.Type)
	case *btf.Restrict:
		return c.convert(t.Type)
	case *btf.TypeTag:
		return c.convert(t.Type)
	case *btf.Pointer:
		r := &types.Type{Kind: types.Ptr, Size: 8}
		c.memo[t] = r
		target := t.Target
		for {
			if tt, ok := target.(*btf.TypeTag); ok {
				if tt.Value == "user" {
					r.User = true
				}
				target = tt.Type
				continue
			}
			break
		}
		switch target.(type) {
		case *btf.Void, *btf.FuncProto:
			r.Elem = types.VoidType
		default:
			r.Elem = c.convert(target)
		}
		return r
	case *btf.Array:
		elem := c.convert(t.Type)
		r := types.ArrayOf(elem, int(t.Nelems))
		c.memo[t] = r
		return r
	case *btf.Struct:
		return c.composite(t, "struct "+t.Name, t.Size, t.Members)
	case *btf.Union:
		return c.composite(t, "union "+t.Name, t.Size, t.Members)
	case *btf.Fwd:
		kind := "struct "
		if t.Kind == btf.FwdUnion {
			kind = "union "
		}
		r := &types.Type{Kind: types.Struct, Name: kind + t.Name}
		c.memo[t] = r
		return r
	case *btf.Void:
		return types.VoidType
	}
	// functions, variables, data sections: not values
	return types.VoidType
}

// composite converts a struct or union. Bitfield members are left out
// (a field cannot say which bits it holds); members of anonymous inner
// structs and unions are lifted into the outer one, as C lets them be
// named.
func (c *btfTypes) composite(t btf.Type, name string, size uint32, members []btf.Member) *types.Type {
	r := &types.Type{Kind: types.Struct, Name: name, Size: int(size)}
	if strings.HasSuffix(name, " ") {
		r.Name = strings.TrimSpace(name) + " (anonymous)"
	}
	c.memo[t] = r
	r.Fields = c.members(members, 0)
	return r
}

func (c *btfTypes) members(members []btf.Member, base int) []types.Field {
	var fields []types.Field
	for _, m := range members {
		if m.BitfieldSize != 0 || m.Offset%8 != 0 {
			continue
		}
		off := base + int(m.Offset/8)
		if m.Name == "" {
			switch in := btf.UnderlyingType(m.Type).(type) {
			case *btf.Struct:
				fields = append(fields, c.members(in.Members, off)...)
			case *btf.Union:
				fields = append(fields, c.members(in.Members, off)...)
			}
			continue
		}
		fields = append(fields, types.Field{Name: m.Name, Offset: off, Type: c.convert(m.Type)})
	}
	return fields
}

// cDecl spells a BTF type the way a C declaration of it reads, for -lv
// listings: "struct task_struct *", "const char *", "unsigned int".
func cDecl(t btf.Type) string {
	switch t := t.(type) {
	case *btf.Int:
		return t.Name
	case *btf.Float:
		return t.Name
	case *btf.Typedef:
		return t.Name
	case *btf.Struct:
		return "struct " + t.Name
	case *btf.Union:
		return "union " + t.Name
	case *btf.Enum:
		return "enum " + t.Name
	case *btf.Fwd:
		if t.Kind == btf.FwdUnion {
			return "union " + t.Name
		}
		return "struct " + t.Name
	case *btf.Const:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return cDecl(t.Type) + "const"
		}
		return "const " + cDecl(t.Type)
	case *btf.Volatile:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return cDecl(t.Type) + "volatile"
		}
		return "volatile " + cDecl(t.Type)
	case *btf.Restrict:
		return cDecl(t.Type)
	case *btf.TypeTag:
		return cDecl(t.Type)
	case *btf.Pointer:
		inner := cDecl(t.Target)
		if strings.HasSuffix(inner, "*") {
			return inner + "*"
		}
		return inner + " *"
	case *btf.Array:
		return cDecl(t.Type) + "[" + strconv.Itoa(int(t.Nelems)) + "]"
	case *btf.FuncProto:
		return "void (*)()"
	case *btf.Void:
		return "void"
	}
	return "void"
}
