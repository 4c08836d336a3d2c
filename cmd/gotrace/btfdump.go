package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/probes"
)

// Kernel type definitions for -l 'struct NAME' (their names) and
// -lv 'struct NAME' (their definitions in C, as bpftrace prints them:
// "vmlinux: struct NAME {", a member per line indented by a tab,
// anonymous structs and unions written out in place, "};").

// isTypeSearch reports whether a -l search names types rather than
// probes.
func isTypeSearch(s string) bool {
	return strings.HasPrefix(s, "struct ") || strings.HasPrefix(s, "union ") || strings.HasPrefix(s, "enum ")
}

// kernelTypes lists the kernel's named structs, unions and enums
// matching search ("struct task_*"), each as its name, or with verbose
// as "vmlinux: " and its definition.
func kernelTypes(t probes.Target, search string, verbose bool) ([]string, error) {
	spec, err := t.KernelBTF()
	if err != nil {
		return nil, fmt.Errorf("cannot read the kernel's BTF: %v", err)
	}
	seen := map[string]bool{}
	var names []string
	defs := map[string]btf.Type{}
	for typ, err := range spec.All() {
		if err != nil {
			return nil, err
		}
		name := typeName(typ)
		if name == "" || seen[name] || !probes.Match(search, name) {
			continue
		}
		seen[name] = true
		names = append(names, name)
		defs[name] = typ
	}
	sort.Strings(names)
	if !verbose {
		return names, nil
	}
	var out []string
	for _, n := range names {
		out = append(out, "vmlinux: "+cDefinition(defs[n]))
	}
	return out, nil
}

// typeName is "struct NAME", "union NAME" or "enum NAME" for a named
// composite or enum, else "".
func typeName(t btf.Type) string {
	switch t := t.(type) {
	case *btf.Struct:
		if t.Name != "" {
			return "struct " + t.Name
		}
	case *btf.Union:
		if t.Name != "" {
			return "union " + t.Name
		}
	case *btf.Enum:
		if t.Name != "" {
			return "enum " + t.Name
		}
	}
	return ""
}

// cDefinition writes t's definition in C, ending in "};\n".
func cDefinition(t btf.Type) string {
	var b strings.Builder
	switch t := t.(type) {
	case *btf.Struct:
		writeComposite(&b, "struct "+t.Name, t.Size, t.Members, 0)
	case *btf.Union:
		writeComposite(&b, "union "+t.Name, t.Size, t.Members, 0)
	case *btf.Enum:
		writeEnum(&b, t, 0)
	}
	b.WriteString(";\n")
	return b.String()
}

func indent(lvl int) string { return strings.Repeat("\t", lvl) }

// writeComposite writes "struct NAME {", the members one level deeper,
// and "}" (with the packed attribute when the layout needs it).
func writeComposite(b *strings.Builder, head string, size uint32, members []btf.Member, lvl int) {
	b.WriteString(head + " {\n")
	isUnion := strings.HasPrefix(head, "union")
	var end int // bits laid out so far
	for _, m := range members {
		off := int(m.Offset)
		if !isUnion && m.BitfieldSize == 0 {
			writePadding(b, end, off, alignOf(m.Type)*8, lvl+1)
		}
		b.WriteString(indent(lvl + 1))
		b.WriteString(memberDecl(m.Type, m.Name, lvl+1))
		if m.BitfieldSize > 0 {
			b.WriteString(": " + strconv.Itoa(int(m.BitfieldSize)))
		}
		b.WriteString(";\n")
		sz := int(m.BitfieldSize)
		if sz == 0 {
			if n, err := btf.Sizeof(m.Type); err == nil {
				sz = n * 8
			}
		}
		if off+sz > end {
			end = off + sz
		}
	}
	b.WriteString(indent(lvl) + "}")
	if packed(members, size) {
		b.WriteString(" __attribute__((packed))")
	}
}

// writePadding writes explicit padding members ("long: 64;") for a hole
// in a struct that natural alignment does not explain.
func writePadding(b *strings.Builder, from, to, align, lvl int) {
	if align <= 0 {
		align = 8
	}
	if next := (from + align - 1) / align * align; next == to || from >= to {
		return // the compiler puts the member there by itself
	}
	pads := []struct {
		name string
		bits int
	}{{"long", 64}, {"int", 32}, {"short", 16}, {"char", 8}}
	for from < to {
		wrote := false
		for _, pad := range pads {
			if from%pad.bits == 0 && to-from >= pad.bits {
				fmt.Fprintf(b, "%s%s: %d;\n", indent(lvl), pad.name, pad.bits)
				from += pad.bits
				wrote = true
				break
			}
		}
		if !wrote {
			// a part of a byte, or up to the next byte
			n := min(to-from, 8-from%8)
			fmt.Fprintf(b, "%schar: %d;\n", indent(lvl), n)
			from += n
		}
	}
}

// packed reports whether a member sits where its type's alignment would
// not put it, or the size is not a multiple of the strictest alignment.
func packed(members []btf.Member, size uint32) bool {
	maxAlign := 1
	for _, m := range members {
		if m.BitfieldSize > 0 {
			continue
		}
		a := alignOf(m.Type)
		if a > maxAlign {
			maxAlign = a
		}
		if int(m.Offset)%(a*8) != 0 {
			return true
		}
	}
	return int(size)%maxAlign != 0
}

// alignOf is the natural alignment of t in bytes.
func alignOf(t btf.Type) int {
	switch t := t.(type) {
	case *btf.Int:
		return max(1, min(int(t.Size), 8))
	case *btf.Float:
		return max(1, min(int(t.Size), 8))
	case *btf.Enum:
		return max(1, int(t.Size))
	case *btf.Pointer:
		return 8
	case *btf.Array:
		return alignOf(t.Type)
	case *btf.Typedef:
		return alignOf(t.Type)
	case *btf.Const:
		return alignOf(t.Type)
	case *btf.Volatile:
		return alignOf(t.Type)
	case *btf.Restrict:
		return alignOf(t.Type)
	case *btf.TypeTag:
		return alignOf(t.Type)
	case *btf.Struct:
		return maxAlign(t.Members)
	case *btf.Union:
		return maxAlign(t.Members)
	}
	return 1
}

func maxAlign(ms []btf.Member) int {
	a := 1
	for _, m := range ms {
		if n := alignOf(m.Type); n > a {
			a = n
		}
	}
	return a
}

func writeEnum(b *strings.Builder, e *btf.Enum, lvl int) {
	head := "enum"
	if e.Name != "" {
		head += " " + e.Name
	}
	b.WriteString(head + " {\n")
	for _, v := range e.Values {
		val := strconv.FormatUint(v.Value, 10)
		if e.Signed {
			val = strconv.FormatInt(signExtend(v.Value, e.Size), 10)
		}
		if e.Size == 8 {
			if e.Signed {
				val += "LL"
			} else {
				val += "ULL"
			}
		}
		fmt.Fprintf(b, "%s%s = %s,\n", indent(lvl+1), v.Name, val)
	}
	b.WriteString(indent(lvl) + "}")
}

func signExtend(v uint64, size uint32) int64 {
	switch size {
	case 1:
		return int64(int8(v))
	case 2:
		return int64(int16(v))
	case 4:
		return int64(int32(v))
	}
	return int64(v)
}

// memberDecl declares name with type t, writing anonymous structs,
// unions and enums out in place at level lvl.
func memberDecl(t btf.Type, name string, lvl int) string {
	return declare(t, name, lvl)
}

// declare builds a C declaration of name (possibly "") with type t:
// declarators wrap inside out, so "char *argv[4]" and "int (*fn)(long)"
// come out right.
func declare(t btf.Type, inner string, lvl int) string {
	switch t := t.(type) {
	case *btf.Pointer:
		d := "*" + inner
		switch t.Target.(type) {
		case *btf.Array, *btf.FuncProto:
			d = "(" + d + ")"
		}
		return declare(t.Target, d, lvl)
	case *btf.Array:
		return declare(t.Type, inner+"["+strconv.Itoa(int(t.Nelems))+"]", lvl)
	case *btf.FuncProto:
		var params []string
		for i, p := range t.Params {
			if _, void := p.Type.(*btf.Void); void && i == len(t.Params)-1 {
				params = append(params, "...")
				continue
			}
			params = append(params, declare(p.Type, p.Name, lvl))
		}
		if len(params) == 0 {
			params = []string{"void"}
		}
		return declare(t.Return, inner+"("+strings.Join(params, ", ")+")", lvl)
	case *btf.Const:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return declare(t.Type, "const "+inner, lvl)
		}
		return "const " + declare(t.Type, inner, lvl)
	case *btf.Volatile:
		if _, ok := t.Type.(*btf.Pointer); ok {
			return declare(t.Type, "volatile "+inner, lvl)
		}
		return "volatile " + declare(t.Type, inner, lvl)
	case *btf.Restrict:
		return declare(t.Type, "restrict "+inner, lvl)
	case *btf.TypeTag:
		return declare(t.Type, inner, lvl)
	}
	base := baseName(t, lvl)
	if inner == "" {
		return base
	}
	if strings.HasPrefix(inner, "*") || strings.HasPrefix(inner, "(") {
		return base + " " + inner
	}
	return base + " " + inner
}

// baseName is the name a declaration starts with; an anonymous struct,
// union or enum is written out.
func baseName(t btf.Type, lvl int) string {
	switch t := t.(type) {
	case *btf.Void:
		return "void"
	case *btf.Int:
		return t.Name
	case *btf.Float:
		return t.Name
	case *btf.Typedef:
		return t.Name
	case *btf.Struct:
		if t.Name == "" {
			var b strings.Builder
			writeComposite(&b, "struct", t.Size, t.Members, lvl)
			return b.String()
		}
		return "struct " + t.Name
	case *btf.Union:
		if t.Name == "" {
			var b strings.Builder
			writeComposite(&b, "union", t.Size, t.Members, lvl)
			return b.String()
		}
		return "union " + t.Name
	case *btf.Enum:
		if t.Name == "" {
			var b strings.Builder
			writeEnum(&b, t, lvl)
			return b.String()
		}
		return "enum " + t.Name
	case *btf.Fwd:
		if t.Kind == btf.FwdUnion {
			return "union " + t.Name
		}
		return "struct " + t.Name
	case nil:
		return "void"
	}
	return "void"
}
