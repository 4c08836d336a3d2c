package types

import (
	"fmt"
	"strings"
)

// Kind is the kind of a gotrace value.
type Kind int

const (
	Invalid   Kind = iota
	Void           // no value (statements, printf)
	Int            // signed or unsigned integer of 1, 2, 4 or 8 bytes
	Bool           // a comparison or logical result; 1 byte in memory, 8 in a register
	Str            // NUL-padded string of Size bytes
	Ptr            // pointer to Elem, in kernel or user address space
	Array          // Len elements of Elem
	Struct         // C struct or union from a tracepoint format, BTF or an inline definition
	Tuple          // (a, b, ...): Fields named "0", "1", ... laid out C-style
	Buf            // buffer from buf(): a length byte and Size-1 bytes of data
	Stack          // kstack/ustack: u64 of the stack id, and for ustack the pid in the upper 32 bits
	Ksym           // an address printed as a kernel symbol
	Usym           // {u64 address; u64 pid}: an address printed as a symbol of that process
	Agg            // an aggregation; AggFn says which
	Timestamp      // strftime(): nanoseconds of the boot clock, printed with the strftime format in Name
	// View is a value that user space prints through the formatter named
	// in Name: "inet" (ntop: int64 family, 16 address bytes), "macaddr"
	// (6 bytes), and the 8-byte integers "strerror", "syscall_name",
	// "username" (a uid) and "cgroup_path" (a cgroup id; Mode holds the
	// hierarchy filter).
	View
)

// Type is a gotrace type with its C layout.
type Type struct {
	Kind   Kind
	Size   int  // bytes in memory
	Signed bool // Int: signed
	// Lit: Int: the type of a non-negative integer literal, whose sign
	// adapts to the other operand's (see ints.go).
	Lit    bool
	Elem   *Type   // Ptr, Array: element type
	Len    int     // Array: number of elements
	Fields []Field // Struct, Tuple: members in layout order
	Name   string  // Struct: "struct task_struct"; Int: a C spelling when known ("char")
	User   bool    // Ptr: points into user memory
	AggFn  AggFn   // Agg: which aggregation
	// Named: Tuple: a record, whose Fields carry the element names.
	Named bool
	// FromC: Struct: laid out from C source (an inline definition, a
	// header, an imported C file) rather than from BTF or a tracepoint
	// format: of its 1-byte arrays only those of char are strings, as a
	// C compiler tells them.
	FromC bool
	// Enum: Int: the enumerators of a C enum type (value to name), which
	// printing shows by name; Name is then "enum NAME".
	Enum map[int64]string
	// Mode: Stack: how frames print (bpftrace, perf or raw); Name is
	// "kstack" or "ustack" and Len the most frames kept.
	Mode   string
	AggArg *Type // Agg: the type of the aggregated value (sum/min/max/avg)
	// AggParams: hist: [k] (bits of sub-buckets, 0 by default);
	// lhist: [min, max, step].
	AggParams []int64
	// CAlign: Struct: the alignment an inline C definition's attributes
	// give it (1 when packed, N from aligned(N)); 0: its members'.
	CAlign int
	// Trailer: Str: what printing appends to a string that fills its
	// Size without a NUL, one str() cut (str_trunc_trailer).
	Trailer string
}

// Field is a member of a struct or tuple.
type Field struct {
	Name    string
	Offset  int
	Type    *Type
	DataLoc bool // tracepoint __data_loc field: the u32 holds (len<<16 | offset) of the data
	// BitSize, when not 0, makes the field a bitfield: BitSize bits
	// starting BitOff bits into the Type-sized unit at Offset.
	BitOff, BitSize int
}

var (
	VoidType   = &Type{Kind: Void}
	BoolType   = &Type{Kind: Bool, Size: 1}
	Int8       = &Type{Kind: Int, Size: 1, Signed: true}
	Int16      = &Type{Kind: Int, Size: 2, Signed: true}
	Int32      = &Type{Kind: Int, Size: 4, Signed: true}
	Int64      = &Type{Kind: Int, Size: 8, Signed: true}
	Uint8      = &Type{Kind: Int, Size: 1}
	Uint16     = &Type{Kind: Int, Size: 2}
	Uint32     = &Type{Kind: Int, Size: 4}
	Uint64     = &Type{Kind: Int, Size: 8}
	InvalidTyp = &Type{Kind: Invalid}
)

// IntType returns the integer type of the given size in bytes and signedness.
func IntType(size int, signed bool) *Type {
	switch {
	case size == 1 && signed:
		return Int8
	case size == 1:
		return Uint8
	case size == 2 && signed:
		return Int16
	case size == 2:
		return Uint16
	case size == 4 && signed:
		return Int32
	case size == 4:
		return Uint32
	case signed:
		return Int64
	}
	return Uint64
}

// StrType returns the string type holding up to size bytes including the NUL.
func StrType(size int) *Type { return &Type{Kind: Str, Size: size} }

// PtrTo returns a pointer to elem in kernel (user false) or user memory.
func PtrTo(elem *Type, user bool) *Type {
	return &Type{Kind: Ptr, Size: 8, Elem: elem, User: user}
}

// ArrayOf returns an array of n elements of elem.
func ArrayOf(elem *Type, n int) *Type {
	return &Type{Kind: Array, Size: elem.Size * n, Elem: elem, Len: n}
}

// TupleOf lays out a tuple of the given element types C-style: each element
// aligned to its natural alignment, the whole padded to 8 bytes.
func TupleOf(elems ...*Type) *Type {
	t := &Type{Kind: Tuple}
	off := 0
	for i, e := range elems {
		a := e.Align()
		off = (off + a - 1) / a * a
		t.Fields = append(t.Fields, Field{Name: fmt.Sprint(i), Offset: off, Type: e})
		off += e.Size
	}
	a := t.Align()
	t.Size = (off + a - 1) / a * a
	return t
}

// Align is the natural alignment of t in bytes.
func (t *Type) Align() int {
	switch t.Kind {
	case Int, Bool, Ptr:
		if t.Size == 0 {
			return 1
		}
		return t.Size
	case Array:
		return t.Elem.Align()
	case Struct, Tuple:
		if t.CAlign > 0 {
			return t.CAlign
		}
		a := 1
		for _, f := range t.Fields {
			if fa := f.Type.Align(); fa > a {
				a = fa
			}
		}
		return a
	case Stack, Ksym, Usym, Agg, Timestamp:
		return 8
	case Void:
		return max(t.Size, 1) // a floating-point member (FloatType)
	case View:
		if t.InRegister() || t.Name == "inet" {
			return 8
		}
	}
	return 1
}

// FloatType is C's float (4 bytes), double (8) or long double (16) as a member of a C
// definition: BPF has no floating point, so it has no value a script can
// use; it keeps its place in the layout and prints as null, as bpftrace's
// "none" type.
func FloatType(size int) *Type {
	name := map[int]string{4: "float", 8: "double", 16: "long double"}[size]
	return &Type{Kind: Void, Size: size, Name: name}
}

// InRegister reports whether values of type t live in a register (and
// take 8 bytes in maps and records) rather than in memory.
func (t *Type) InRegister() bool {
	switch t.Kind {
	case Int, Bool, Ptr, Ksym, Stack, Timestamp:
		return true
	case View:
		return t.Size == 8 && t.Name != "macaddr"
	}
	return false
}

// IsInteger reports whether t is usable as an integer in arithmetic.
func (t *Type) IsInteger() bool {
	return t.Kind == Int || t.Kind == Bool || t.Kind == Ptr || t.Kind == Ksym || t.Kind == Timestamp
}

// Field looks up a member by name.
func (t *Type) Field(name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Equal reports whether a and b are the same type (same kind and layout).
func Equal(a, b *Type) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil || a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Int:
		return a.Size == b.Size && a.Signed == b.Signed
	case Str, Buf:
		return a.Size == b.Size
	case Ptr:
		return a.User == b.User && Equal(a.Elem, b.Elem)
	case Array:
		return a.Len == b.Len && Equal(a.Elem, b.Elem)
	case Struct:
		// a struct known only by name (not completed yet) is the named one
		stub := len(a.Fields) == 0 || len(b.Fields) == 0
		return a.Name == b.Name && (a.Size == b.Size || stub)
	case Stack, View:
		return a.Name == b.Name && a.Len == b.Len && a.Mode == b.Mode
	case Tuple:
		if len(a.Fields) != len(b.Fields) || a.Named != b.Named {
			return false
		}
		for i := range a.Fields {
			if !Equal(a.Fields[i].Type, b.Fields[i].Type) || a.Named && a.Fields[i].Name != b.Fields[i].Name {
				return false
			}
		}
		return true
	case Agg:
		if len(a.AggParams) != len(b.AggParams) {
			return false
		}
		for i := range a.AggParams {
			if a.AggParams[i] != b.AggParams[i] {
				return false
			}
		}
		return a.AggFn == b.AggFn && (a.AggArg == nil) == (b.AggArg == nil) &&
			(a.AggArg == nil || a.AggArg.Signed == b.AggArg.Signed)
	}
	return true
}

// String spells t the way error messages and -d output name it.
func (t *Type) String() string {
	if t == nil {
		return "<nil>"
	}
	switch t.Kind {
	case Void:
		return "void"
	case Bool:
		return "bool"
	case Int:
		if t.Signed {
			return fmt.Sprintf("int%d", t.Size*8)
		}
		return fmt.Sprintf("uint%d", t.Size*8)
	case Str:
		return fmt.Sprintf("string[%d]", t.Size)
	case Ptr:
		s := t.Elem.String() + " *"
		if t.User {
			s += " (user)"
		}
		return s
	case Array:
		return fmt.Sprintf("%s[%d]", t.Elem, t.Len)
	case Struct:
		return t.Name
	case Tuple:
		var parts []string
		for _, f := range t.Fields {
			parts = append(parts, f.Type.String())
		}
		return "(" + strings.Join(parts, ",") + ")"
	case Buf:
		return fmt.Sprintf("buffer[%d]", t.Size)
	case Stack:
		return t.Name
	case Ksym:
		return "ksym"
	case Usym:
		return "usym"
	case View:
		if t.Name == "inet" || t.Name == "cgroup_path" {
			return t.Name + "_t"
		}
		if t.Name == "macaddr" {
			return "macaddr_t"
		}
		return "string"
	case Agg:
		return t.AggFn.String() + "_t"
	}
	return "invalid"
}

// storedBool is a bool in an 8-byte slot, as tuples and maps keep it.
var storedBool = &Type{Kind: Bool, Size: 8}

// Stored is the type a value takes in an 8-byte slot of a record user
// space reads (printf arguments, print values): integers widen to 64 bits
// (keeping their enum names), bools fill the slot; other types stay as
// they are. Variables and maps keep an integer's width (ints.go).
func Stored(t *Type) *Type {
	if t.Kind == Bool {
		return storedBool
	}
	if t.Kind != Int {
		return t
	}
	if t.Enum != nil {
		return &Type{Kind: Int, Size: 8, Signed: t.Signed, Name: t.Name, Enum: t.Enum}
	}
	return IntType(8, t.Signed)
}
