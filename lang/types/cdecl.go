package types

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// The small C declaration parser behind inline definitions such as
//
//	struct sample { unsigned long ts; char comm[16]; struct task_struct *t; int flags : 3; };
//
// Each member declaration is a list of tokens (lang.CMember): specifiers
// (a C integer type in any of its spellings, a common kernel typedef, or
// struct/union/enum NAME), then declarators separated by commas, each
// `*`... NAME `[N]`... with an optional `: BITS`. Members are laid out as
// the x86-64 System V ABI lays them out: each at the next multiple of its
// alignment, bitfields packed into units of their declared type without
// crossing a unit boundary, a union's members all at 0, and the whole
// rounded up to the largest alignment.

// cTypedefs are the typedef names inline definitions may use.
var cTypedefs = map[string]*Type{
	"u8": Uint8, "u16": Uint16, "u32": Uint32, "u64": Uint64,
	"s8": Int8, "s16": Int16, "s32": Int32, "s64": Int64,
	"__u8": Uint8, "__u16": Uint16, "__u32": Uint32, "__u64": Uint64,
	"__s8": Int8, "__s16": Int16, "__s32": Int32, "__s64": Int64,
	"uint8_t": Uint8, "uint16_t": Uint16, "uint32_t": Uint32, "uint64_t": Uint64,
	"int8_t": Int8, "int16_t": Int16, "int32_t": Int32, "int64_t": Int64,
	"uint8": Uint8, "uint16": Uint16, "uint32": Uint32, "uint64": Uint64,
	"int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64,
	"size_t": Uint64, "ssize_t": Int64, "pid_t": Int32, "uid_t": Uint32, "gid_t": Uint32,
	"off_t": Int64, "loff_t": Int64, "dev_t": Uint32, "umode_t": Uint16, "time64_t": Int64,
	"bool": BoolType, "_Bool": BoolType, "uintptr_t": Uint64, "ptrdiff_t": Int64,
}

var cIntWords = map[string]bool{
	"unsigned": true, "signed": true, "char": true, "short": true, "int": true, "long": true,
}

// cIntType resolves a combination of C integer words.
func cIntType(words []string) (*Type, bool) {
	unsigned, longs := false, 0
	base := "int"
	for _, w := range words {
		switch w {
		case "unsigned":
			unsigned = true
		case "signed":
		case "long":
			longs++
		case "char", "short":
			base = w
		case "int":
		default:
			return nil, false
		}
	}
	size := 4
	switch {
	case base == "char":
		size = 1
	case base == "short":
		size = 2
	case longs > 0:
		size = 8
	}
	return IntType(size, !unsigned), true
}

// defineC lays out the inline definitions of f in order; later ones may
// use earlier ones.
func (c *checker) defineC(f *lang.File) {
	c.cdefs = map[string]*Type{}
	for _, d := range f.CDefs {
		key := d.Tag + " " + d.Name
		if _, dup := c.cdefs[key]; dup {
			c.errorf(d.At, "%s is defined twice", key)
			continue
		}
		if d.Tag == "enum" {
			t := &Type{Kind: Int, Size: 8, Signed: true, Name: key, Enum: map[int64]string{}}
			for _, e := range d.Enums {
				if _, dup := t.Enum[e.Value]; !dup {
					t.Enum[e.Value] = e.Name
				}
			}
			c.cdefs[key] = t
			continue
		}
		t := &Type{Kind: Struct, Name: key}
		c.cdefs[key] = t // members may point to the struct itself
		if !c.layoutC(t, d) {
			delete(c.cdefs, key)
		}
	}
}

func (c *checker) layoutC(t *Type, d *lang.CDef) bool {
	lay := recordLayout{union: d.Tag == "union", packed: d.Packed}
	// A definition that replaces one of the kernel's takes no struct of
	// the kernel's as a member (as bpftrace, which then leaves the
	// kernel's definition and what it needs out): a member of a struct
	// type must be defined in the script too.
	c.redefining = c.kernelStructQuiet(t.Name) != nil
	defer func() { c.redefining = false }()
	names := map[string]bool{}
	for _, m := range d.Members {
		base, rest, err := c.cSpecifiers(m.Tokens)
		if err != nil {
			c.errorf(m.At, "in %s %s: %v", d.Tag, d.Name, err)
			return false
		}
		for len(rest) > 0 {
			var decl []string
			decl, rest = splitComma(rest)
			name, ft, bits, err := c.cDeclarator(base, decl)
			if err != nil {
				c.errorf(m.At, "in %s %s: %v", d.Tag, d.Name, err)
				return false
			}
			if names[name] {
				c.errorf(m.At, "in %s %s: member %s is declared twice", d.Tag, d.Name, name)
				return false
			}
			names[name] = true
			if err := lay.add(t, name, ft, bits); err != nil {
				c.errorf(m.At, "in %s %s: %v", d.Tag, d.Name, err)
				return false
			}
		}
	}
	lay.finish(t, d.Aligned)
	return true
}

// recordLayout lays out the members of a struct or union one by one, as
// the x86-64 System V ABI does (see the comment at the top).
type recordLayout struct {
	union, packed bool
	bit, size     int
	align         int
}

// add appends a member of type ft to t; bits is a bitfield's width, or
// -1.
func (l *recordLayout) add(t *Type, name string, ft *Type, bits int) error {
	l.align = max(l.align, 1)
	fa := ft.Align()
	if l.packed {
		fa = 1
	}
	l.align = max(l.align, fa)
	fld := Field{Name: name, Type: ft}
	if l.union {
		l.bit = 0
	}
	if bits >= 0 {
		unit := ft.Size * 8
		if bits > unit {
			return fmt.Errorf("%s has %d bits, more than its type's %d", name, bits, unit)
		}
		if bits == 0 || l.bit/unit != (l.bit+bits-1)/unit {
			l.bit = (l.bit + unit - 1) / unit * unit
		}
		fld.Offset = l.bit / unit * ft.Size
		fld.BitOff = l.bit - fld.Offset*8
		fld.BitSize = bits
		l.bit += bits
		if bits == 0 {
			return nil
		}
	} else {
		off := ((l.bit+7)/8 + fa - 1) / fa * fa
		fld.Offset = off
		l.bit = (off + ft.Size) * 8
	}
	l.size = max(l.size, (l.bit+7)/8)
	t.Fields = append(t.Fields, fld)
	return nil
}

// finish sets t's size and alignment; aligned is the alignment an
// attribute asks for, or 0.
func (l *recordLayout) finish(t *Type, aligned int) {
	align := max(l.align, aligned, 1)
	if l.packed || aligned > 0 {
		t.CAlign = align
	}
	t.Size = (l.size + align - 1) / align * align
}

// cSpecifiers reads the type specifiers at the start of a member
// declaration and returns the base type and the declarators after it.
func (c *checker) cSpecifiers(toks []string) (*Type, []string, error) {
	i := 0
	for i < len(toks) && (toks[i] == "const" || toks[i] == "volatile" || toks[i] == "static") {
		i++
	}
	if i >= len(toks) {
		return nil, nil, fmt.Errorf("a member needs a type and a name")
	}
	switch toks[i] {
	case "struct", "union", "enum":
		if i+1 >= len(toks) {
			return nil, nil, fmt.Errorf("%s needs a name", toks[i])
		}
		key := toks[i] + " " + toks[i+1]
		if t, ok := c.cdefs[key]; ok {
			return t, toks[i+2:], nil
		}
		// Left for the declarator: pointers may name a struct that is
		// only known by name.
		return &Type{Kind: Struct, Name: key}, toks[i+2:], nil
	}
	var words []string
	for i < len(toks) && cIntWords[toks[i]] {
		words = append(words, toks[i])
		i++
	}
	if len(words) > 0 {
		t, _ := cIntType(words)
		return t, toks[i:], nil
	}
	if t, ok := cTypedefs[toks[i]]; ok {
		return t, toks[i+1:], nil
	}
	if toks[i] == "void" {
		return &Type{Kind: Void}, toks[i+1:], nil
	}
	return nil, nil, fmt.Errorf("unknown type %s (inline definitions know the C integer types, the kernel's fixed-size typedefs, and struct, union and enum)", toks[i])
}

// cDeclarator reads `* ... name [N]... [: bits]`; bits is -1 for a plain
// member.
func (c *checker) cDeclarator(base *Type, toks []string) (string, *Type, int, error) {
	t := base
	i := 0
	ptrs := 0
	for i < len(toks) && toks[i] == "*" {
		ptrs++
		i++
	}
	if i >= len(toks) || !isCIdent(toks[i]) {
		return "", nil, 0, fmt.Errorf("expected a member name")
	}
	name := toks[i]
	i++
	if ptrs > 0 {
		if t.Kind == Struct && t.Fields == nil && t.Size == 0 {
			if k := c.kernelStructQuiet(t.Name); k != nil {
				t = k
			}
		}
		if t.Kind == Void {
			t = Int8
		}
		for ; ptrs > 0; ptrs-- {
			t = PtrTo(t, false)
		}
	} else if t.Kind == Struct && t.Size == 0 {
		if c.redefining {
			return "", nil, 0, fmt.Errorf("'%s' is not defined: a definition that replaces the kernel's takes its member types from the script only", t.Name)
		}
		k := c.kernelStructQuiet(t.Name)
		if k == nil {
			return "", nil, 0, fmt.Errorf("%s is not defined (define it first, or use a pointer)", t.Name)
		}
		t = k
	} else if t.Kind == Void {
		return "", nil, 0, fmt.Errorf("member %s cannot be void", name)
	}
	var dims []int
	for i < len(toks) && toks[i] == "[" {
		if i+2 >= len(toks) || toks[i+2] != "]" {
			return "", nil, 0, fmt.Errorf("bad array size for %s", name)
		}
		n, err := strconv.ParseInt(toks[i+1], 0, 32)
		if err != nil || n < 0 {
			return "", nil, 0, fmt.Errorf("bad array size %s for %s", toks[i+1], name)
		}
		dims = append(dims, int(n))
		i += 3
	}
	for j := len(dims) - 1; j >= 0; j-- {
		t = ArrayOf(t, dims[j])
	}
	bits := -1
	if i < len(toks) && toks[i] == ":" {
		if i+1 >= len(toks) || t.Kind != Int && t.Kind != Bool {
			return "", nil, 0, fmt.Errorf("bitfield %s must be an integer with a width", name)
		}
		n, err := strconv.ParseInt(toks[i+1], 0, 32)
		if err != nil || n < 0 {
			return "", nil, 0, fmt.Errorf("bad bitfield width %s for %s", toks[i+1], name)
		}
		bits = int(n)
		i += 2
	}
	if i != len(toks) {
		return "", nil, 0, fmt.Errorf("unexpected %q after member %s", toks[i], name)
	}
	return name, t, bits, nil
}

func splitComma(toks []string) (first, rest []string) {
	for i, t := range toks {
		if t == "," {
			return toks[:i], toks[i+1:]
		}
	}
	return toks, nil
}

func isCIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// kernelStructQuiet looks a struct up in the kernel's BTF, without an error.
func (c *checker) kernelStructQuiet(name string) *Type {
	se, ok := c.env.(StructEnv)
	if !ok {
		return nil
	}
	t, err := se.KernelStruct(name)
	if err != nil {
		return nil
	}
	return t
}

// lookupStruct finds "struct x" among the inline definitions, then in BTF.
func (c *checker) lookupStruct(pos lang.Pos, name string) *Type {
	name = strings.Join(strings.Fields(name), " ")
	if t, ok := c.cdefs[name]; ok {
		return t
	}
	return c.kernelStruct(pos, name)
}

// complete fills in a struct known only by name (a tracepoint format
// field's "struct __kernel_timespec *" points to one) from the inline
// definitions or the kernel's BTF. The struct is changed in place, so
// every type that points to it, the code generator's included, sees it.
func (c *checker) complete(pos lang.Pos, t *Type) {
	if t.Kind != Struct || len(t.Fields) > 0 || t.Name == "" {
		return
	}
	if full := c.lookupStruct(pos, t.Name); full != nil && full != t {
		t.Fields, t.Size = full.Fields, full.Size
	}
}
