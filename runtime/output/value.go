// Package output prints what a gotrace program produces — printf records,
// print() values, maps and aggregations — exactly as bpftrace prints
// them, in text or JSON. The kernel path and the VM path both print
// through it, so their output can be compared byte for byte.
//
// Values arrive as raw little-endian bytes with the type that lays them
// out (lang/types). They are first decoded into a small tree of values
// (value.go): integers (signed or not), strings, booleans, tuples, records
// (structs), arrays, buffers, symbols (ksym, usym: a name that JSON shows
// as its number) and stacks. Text and JSON renderers walk that tree.
//
// Maps (map.go) are merged over CPUs (sums for count, sum, avg and stats
// totals and histogram buckets; the smallest or largest set value for min
// and max), sorted as bpftrace sorts them (by value for count, sum, min,
// max and integers; by average for avg and stats; by the total of their
// buckets for histograms; by key otherwise, keys first ordered field by
// field so that ties are stable), cut to print(@m, top) and divided by
// print(@m, top, div). Histograms show the buckets from the first to the
// last non-empty one, with bpftrace's labels: [lo, hi) with K, M, G, ...
// suffixes on powers of two, [n] for one-value buckets, (..., 0) below
// and [max, ...) above.
//
// Text lines: `@m: v`, `@m[k1, k2]: v` (tuple keys without parentheses),
// a histogram as `@m:` or `@m[k]:` followed by rows of a 16-column label,
// an 8-column count and a 52-column bar, then a blank line. JSON: one
// object per line, {"type": T, "data": ...}, with T printf, value, map,
// hist, stats, attached_probes, lost_events, time, cat, join, errorf or
// warnf.
package output

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/gotrace/gotrace/lang/types"
)

// Symbolizer names addresses and stacks; the runtime provides one that
// reads the kernel's and processes' symbols, tests a fake.
type Symbolizer interface {
	Kernel(addr uint64) string
	User(pid uint32, addr uint64) string
	// Frames returns the frames of a kstack/ustack value, formatted for
	// the type's mode.
	Frames(t *types.Type, raw []byte) []string
	// Time formats a strftime() value: monotonic nanoseconds as wall time.
	Time(format string, ns uint64) string
	// User names a uid (username).
	UserName(uid uint64) string
	// CgroupPath gives the paths of a cgroup id in the hierarchies whose
	// names match filter (cgroup_path()).
	CgroupPath(id uint64, filter string) string
	// GFPBits gives the bit of each single GFP flag of this kernel (%gr),
	// or nil for DefaultGFPBits.
	GFPBits() map[string]int
}

// value is a decoded value.
type value struct {
	kind   vkind
	i      int64  // vInt (signed), vBool
	u      uint64 // vUint, vSym (the number JSON shows)
	s      string // vStr, vSym (the name)
	elems  []value
	names  []string // vRecord field names
	frames []string // vStack
	mode   string   // vStack
	enum   string   // vInt, vUint of a C enum type: the enumerator's name
	ptr    bool     // vUint: a pointer, which text shows in hex
}

type vkind int

const (
	vInt vkind = iota
	vUint
	vStr
	vBool
	vTuple
	vRecord
	vArray
	vBuf
	vSym
	vStack
	vNull
)

func le64(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// readInt reads an integer of size bytes.
func readInt(b []byte, size int, signed bool) value {
	u := le64(b[:min(size, len(b))])
	if !signed {
		if size < 8 {
			u &= 1<<(8*size) - 1
		}
		return value{kind: vUint, u: u}
	}
	shift := 64 - 8*size
	return value{kind: vInt, i: int64(u<<shift) >> shift}
}

func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// decode turns raw bytes laid out as t into a value.
func decode(t *types.Type, raw []byte, sym Symbolizer) value {
	if len(raw) < t.Size {
		raw = append(raw, make([]byte, t.Size-len(raw))...)
	}
	switch t.Kind {
	case types.Int:
		v := readInt(raw, t.Size, t.Signed)
		if t.Enum != nil {
			n := v.i
			if v.kind == vUint {
				n = int64(v.u)
			}
			v.enum = t.Enum[n]
		}
		return v
	case types.Bool:
		return value{kind: vBool, i: int64(raw[0] & 1)}
	case types.Str:
		s := cstring(raw[:t.Size])
		if t.Trailer != "" && len(s) == t.Size {
			s += t.Trailer // a str() cut at max_strlen
		}
		return value{kind: vStr, s: s}
	case types.Ptr:
		return value{kind: vUint, u: le64(raw), ptr: true}
	case types.Tuple:
		v := value{kind: vTuple}
		for _, f := range t.Fields {
			v.elems = append(v.elems, decode(f.Type, raw[f.Offset:], sym))
			if t.Named {
				v.names = append(v.names, f.Name)
			}
		}
		return v
	case types.Struct:
		v := value{kind: vRecord}
		for _, f := range t.Fields {
			fv := decode(f.Type, raw[f.Offset:], sym)
			if f.BitSize > 0 {
				u := le64(raw[f.Offset:f.Offset+f.Type.Size]) >> f.BitOff & (1<<f.BitSize - 1)
				fv = value{kind: vUint, u: u}
				if f.Type.Signed && u&(1<<(f.BitSize-1)) != 0 {
					fv = value{kind: vInt, i: int64(u) - 1<<f.BitSize}
				}
			}
			v.names = append(v.names, f.Name)
			v.elems = append(v.elems, fv)
		}
		return v
	case types.Array:
		if t.Elem.Kind == types.Int && t.Elem.Size == 1 && t.Elem.Name == "char" {
			return value{kind: vStr, s: cstring(raw[:t.Size])}
		}
		v := value{kind: vArray}
		for i := 0; i < t.Len; i++ {
			v.elems = append(v.elems, decode(t.Elem, raw[i*t.Elem.Size:], sym))
		}
		return v
	case types.Buf:
		n := int(raw[0])
		if n > t.Size-1 {
			n = t.Size - 1
		}
		return value{kind: vBuf, s: string(raw[1 : 1+n])}
	case types.Ksym:
		addr := le64(raw)
		name := fmt.Sprintf("0x%x", addr)
		if sym != nil {
			name = sym.Kernel(addr)
		}
		return value{kind: vSym, s: name, u: addr}
	case types.Usym:
		addr, pid := le64(raw), le64(raw[8:])
		name := fmt.Sprintf("0x%x", addr)
		if sym != nil {
			name = sym.User(uint32(pid), addr)
		}
		return value{kind: vSym, s: name, u: addr}
	case types.Timestamp:
		ns := le64(raw)
		s := strconv.FormatUint(ns, 10)
		if sym != nil {
			s = sym.Time(t.Name, ns)
		}
		return value{kind: vStr, s: s}
	case types.View:
		return value{kind: vStr, s: view(t, raw, sym)}
	case types.Stack:
		v := value{kind: vStack, mode: t.Mode}
		if sym != nil {
			v.frames = sym.Frames(t, raw[:8])
		}
		return v
	}
	return value{kind: vNull}
}

// view formats the values user space prints through a formatter (the
// View types): addresses, errno messages, system call names, user names
// and cgroup paths.
func view(t *types.Type, raw []byte, sym Symbolizer) string {
	n := le64(raw)
	switch t.Name {
	case "inet":
		switch n {
		case afInet:
			return netip.AddrFrom4([4]byte(raw[8:12])).String()
		case afInet6:
			return netip.AddrFrom16([16]byte(raw[8:24])).String()
		}
		return ""
	case "macaddr":
		return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", raw[0], raw[1], raw[2], raw[3], raw[4], raw[5])
	case "strerror":
		return strerror(int64(n))
	case "syscall_name":
		if name, ok := types.SyscallNames[n]; ok {
			return name
		}
		return "Unknown syscall"
	case "signal_name":
		return signalText(int64(n))
	case "username":
		if sym != nil {
			return sym.UserName(n)
		}
	case "cgroup_path":
		if sym != nil {
			return sym.CgroupPath(n, t.Mode)
		}
	}
	return strconv.FormatUint(n, 10)
}

// Address families of ntop() values.
const (
	afInet  = 2
	afInet6 = 10
)

// signalDescriptions are the C library's strsignal texts of signals 1-31.
var signalDescriptions = [...]string{1: "Hangup", 2: "Interrupt", 3: "Quit", 4: "Illegal instruction",
	5: "Trace/breakpoint trap", 6: "Aborted", 7: "Bus error", 8: "Floating point exception", 9: "Killed",
	10: "User defined signal 1", 11: "Segmentation fault", 12: "User defined signal 2", 13: "Broken pipe",
	14: "Alarm clock", 15: "Terminated", 16: "Stack fault", 17: "Child exited", 18: "Continued",
	19: "Stopped (signal)", 20: "Stopped", 21: "Stopped (tty input)", 22: "Stopped (tty output)",
	23: "Urgent I/O condition", 24: "CPU time limit exceeded", 25: "File size limit exceeded",
	26: "Virtual timer expired", 27: "Profiling timer expired", 28: "Window changed", 29: "I/O possible",
	30: "Power failure", 31: "Bad system call"}

// signalText spells a signal as strsignal does (signal_name()): the
// C library keeps signals 32 and 33 for itself, so real-time signals
// count from 34; what is no signal is N/A.
func signalText(n int64) string {
	switch {
	case n >= 1 && n <= 31:
		return signalDescriptions[n]
	case n == 0 || n == 32 || n == 33:
		return fmt.Sprintf("Unknown signal %d", n)
	case n >= 34 && n <= 64:
		return fmt.Sprintf("Real-time signal %d", n-34)
	}
	return "N/A"
}

// strerror spells an errno (or its negation, as kernel functions return
// it) as the C library's strerror does.
func strerror(n int64) string {
	if n < 0 {
		n = -n
	}
	if n > 0 && n < 4096 {
		if s := syscall.Errno(n).Error(); !strings.HasPrefix(s, "errno ") {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	if n == 0 {
		return "Success"
	}
	return "Unknown error"
}

// text renders a value as bpftrace's text output does.
func (v value) text() string {
	if v.enum != "" {
		return v.enum
	}
	switch v.kind {
	case vInt:
		return strconv.FormatInt(v.i, 10)
	case vUint:
		if v.ptr {
			return "0x" + strconv.FormatUint(v.u, 16)
		}
		return strconv.FormatUint(v.u, 10)
	case vStr, vSym:
		return v.s
	case vBool:
		if v.i != 0 {
			return "true"
		}
		return "false"
	case vTuple:
		if v.names != nil { // a record prints like a struct
			return recordText(v)
		}
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = e.text()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case vRecord:
		return recordText(v)
	case vArray:
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = e.text()
		}
		return "[" + strings.Join(parts, ",") + "]"
	case vBuf:
		return hexBuffer(v.s)
	case vStack:
		var b strings.Builder
		b.WriteByte('\n')
		for _, f := range v.frames {
			if v.mode != "perf" && v.mode != "build_id" && v.mode != "raw" {
				b.WriteString("        ")
			}
			b.WriteString(f)
			b.WriteByte('\n')
		}
		return b.String()
	}
	return "null"
}

// hexBuffer shows printable bytes as they are and the others as \xNN.
func hexBuffer(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 32 && c <= 126 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	return b.String()
}

// json renders a value as bpftrace's JSON output does.
func (v value) json() string {
	switch v.kind {
	case vInt:
		return jsonInt(v.i >= -1<<53 && v.i <= 1<<53, strconv.FormatInt(v.i, 10))
	case vUint, vSym:
		return jsonInt(v.u <= 1<<53, strconv.FormatUint(v.u, 10))
	case vStr:
		return jsonString(v.s)
	case vBool:
		if v.i != 0 {
			return "true"
		}
		return "false"
	case vTuple, vArray:
		if v.names != nil {
			parts := make([]string, len(v.elems))
			for i, e := range v.elems {
				parts[i] = jsonString(v.names[i]) + ": " + e.json()
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = e.json()
		}
		return "[" + strings.Join(parts, ",") + "]"
	case vRecord:
		parts := make([]string, len(v.elems))
		for i, e := range v.elems {
			parts[i] = jsonString(v.names[i]) + ": " + e.json()
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case vBuf:
		parts := make([]string, len(v.s))
		for i := 0; i < len(v.s); i++ {
			parts[i] = strconv.Itoa(int(int8(v.s[i])))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case vStack:
		return jsonString(v.text())
	}
	return "null"
}

// jsonInt writes an integer as a number, or as a string when a double
// could not hold it exactly (as bpftrace does).
func jsonInt(exact bool, s string) string {
	if exact {
		return s
	}
	return jsonString(s)
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c <= 0x1f {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// keyText is a map key as text: tuples lose their parentheses.
func (v value) keyText() string {
	s := v.text()
	if v.kind == vTuple {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	}
	return s
}

// keyJSON is a map key as a JSON object key: the text form, tuples
// without parentheses and spaces.
func (v value) keyJSON() string {
	if v.enum != "" {
		v.enum = "" // JSON shows enums as numbers
	}
	if v.kind == vTuple {
		return jsonString(strings.ReplaceAll(v.keyText(), " ", ""))
	}
	return jsonString(v.text())
}

// compare orders two values of the same type, for sorting keys.
func compare(a, b value) int {
	switch a.kind {
	case vInt:
		return cmp3(a.i < b.i, a.i > b.i)
	case vUint, vSym:
		// bpftrace compares integer keys as signed 64-bit numbers.
		return cmp3(int64(a.u) < int64(b.u), int64(a.u) > int64(b.u))
	case vStr, vBuf:
		return strings.Compare(a.s, b.s)
	case vBool:
		return cmp3(a.i < b.i, a.i > b.i)
	case vTuple, vRecord, vArray:
		for i := range a.elems {
			if i >= len(b.elems) {
				return 1
			}
			if c := compare(a.elems[i], b.elems[i]); c != 0 {
				return c
			}
		}
	}
	return 0
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// recordText prints a struct or a record: { .a = 1, .b = x }.
func recordText(v value) string {
	if len(v.elems) == 0 {
		return "{}"
	}
	parts := make([]string, len(v.elems))
	for i, e := range v.elems {
		parts[i] = "." + v.names[i] + " = " + e.text()
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}
