package output

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/gotrace/gotrace/lang/printf"
	"github.com/gotrace/gotrace/lang/types"
)

// Slot says where one printf argument lies in a record: its type, its
// offset from the record's start and the bytes it takes.
type Slot struct {
	Type   *types.Type
	Offset int
	Size   int
}

// Formatter is a printf format compiled for the arguments of one kind of
// record: the format is parsed once (lang/printf), and each conversion
// is bound to its argument's slot and to the code that formats it.
// Integers under d i u x X s and strings under s, with no flags but - and
// 0 and a width, are formatted straight from the record's bytes without
// allocating; every other conversion decodes its argument and goes through
// the general code of sprintf, so both give the same bytes.
type Formatter struct {
	segs   []fseg
	end    int  // bytes a record must have to hold every argument
	gfp    bool // a %gr conversion: the symbolizer's GFP bits are wanted
	format string
}

type fseg struct {
	text string
	op   fop
	conv printf.Conv
	slot Slot
	// opInt: the integer's bytes and signedness, and the width in bits
	// the length modifier cuts it to (0: none) as signed or unsigned
	size, cutBits   int
	signed, cutSign bool
}

type fop uint8

const (
	opText    fop = iota // literal text only (the end of the format)
	opGeneric            // decode the argument; sprintf's code formats it
	opMissing            // no argument (or one %r/%gr takes as zero)
	opInt                // an integer without enum names: d i u x X s
	opStr                // a string: s
)

// NewFormatter compiles format, parsed into segs (lang/printf, as the
// checker parsed it), for records whose arguments lie in slots.
func NewFormatter(format string, segs []printf.Segment, slots []Slot) *Formatter {
	f := &Formatter{format: format}
	ai := 0
	for _, seg := range segs {
		fs := fseg{text: seg.Text, conv: seg.Conv}
		if !seg.HasConv() {
			f.segs = append(f.segs, fs)
			continue
		}
		fs.op = opMissing
		if ai < len(slots) {
			fs.slot = slots[ai]
			ai++
			fs.op = opGeneric
			f.end = max(f.end, fs.slot.Offset+fs.slot.Size)
		}
		c := &fs.conv
		if c.Verb == 'g' && c.Mode == 'r' {
			f.gfp = true
		}
		if fs.op == opGeneric && c.Mode == 0 && simpleSpec(c) {
			t := fs.slot.Type
			switch {
			case t.Kind == types.Int && t.Enum == nil && t.Size <= 8 && fs.slot.Size >= t.Size && c.Width < 1000:
				fs.size, fs.signed = t.Size, t.Signed
				switch c.Verb {
				case 'd', 'i', 'u', 'x', 'X':
					fs.op, fs.cutBits, fs.cutSign = opInt, cutBits(c.Length), c.Verb == 'd' || c.Verb == 'i'
				case 's':
					if !c.Zero {
						fs.op = opInt
					}
				}
			case isString(t) && t.Trailer == "" && c.Verb == 's' && !c.Zero && c.Width < 1000 && fs.slot.Size >= t.Size:
				fs.op = opStr
			}
		}
		f.segs = append(f.segs, fs)
	}
	return f
}

// cutBits is the width cutInt cuts an integer to for a length modifier
// (0: none).
func cutBits(length string) int {
	switch length {
	case "hh":
		return 8
	case "h":
		return 16
	case "l", "ll", "L", "q", "j", "z", "t":
		return 0
	}
	return 32
}

// simpleSpec: flags - and 0 and a width at most, which the fast paths
// format as Go's fmt does.
func simpleSpec(c *printf.Conv) bool {
	return !c.Plus && !c.Space && !c.Sharp && c.Prec < 0
}

// isString: a value decode turns into a vStr of the bytes up to the first
// NUL (str(), comm, char arrays).
func isString(t *types.Type) bool {
	return t.Kind == types.Str || t.Kind == types.Array && t.Elem.Kind == types.Int && t.Elem.Size == 1 && t.Elem.Name == "char"
}

// Format is the format the formatter was compiled from.
func (f *Formatter) Format() string { return f.format }

// Fits says whether rec is long enough for every argument.
func (f *Formatter) Fits(rec []byte) bool { return len(rec) >= f.end }

// Append formats the record rec (it must fit) and appends the text to dst.
func (f *Formatter) Append(dst, rec []byte, sym Symbolizer) []byte {
	var gfp map[string]int
	if f.gfp && sym != nil {
		gfp = sym.GFPBits()
	}
	for i := range f.segs {
		s := &f.segs[i]
		dst = append(dst, s.text...)
		switch s.op {
		case opText:
		case opInt:
			dst = s.appendInt(dst, rec[s.slot.Offset:])
		case opStr:
			raw := rec[s.slot.Offset : s.slot.Offset+s.slot.Type.Size]
			for j, c := range raw {
				if c == 0 {
					raw = raw[:j]
					break
				}
			}
			dst = appendPadded(dst, &s.conv, raw, utf8.RuneCount(raw))
		case opMissing:
			dst = appendConv(dst, &s.conv, value{}, false, gfp)
		case opGeneric:
			v := decode(s.slot.Type, rec[s.slot.Offset:s.slot.Offset+s.slot.Size], sym)
			dst = appendConv(dst, &s.conv, v, true, gfp)
		}
	}
	return dst
}

// appendInt formats the integer at raw as readInt, cutInt and conv do
// for d i u x X and s, with the flags simpleSpec allows.
func (s *fseg) appendInt(dst, raw []byte) []byte {
	var u uint64
	if s.size == 8 {
		u = binary.LittleEndian.Uint64(raw)
	} else {
		u = le64(raw[:s.size])
	}
	signed := s.signed
	if signed && s.size < 8 {
		shift := 64 - 8*s.size
		u = uint64(int64(u<<shift) >> shift)
	}
	if s.cutBits > 0 {
		shift := 64 - s.cutBits
		if signed = s.cutSign; signed {
			u = uint64(int64(u<<shift) >> shift)
		} else {
			u = u << shift >> shift
		}
	}
	c := &s.conv
	neg := false
	base := 10
	switch c.Verb {
	case 'u':
	case 'x', 'X':
		base = 16
	default: // d i s: signed values keep their sign
		if neg = signed && int64(u) < 0; neg {
			u = -u
		}
	}
	var tmp [24]byte
	d := tmp[:0]
	if neg {
		d = append(d, '-')
	}
	d = strconv.AppendUint(d, u, base)
	if c.Verb == 'X' {
		for i, ch := range d {
			if ch >= 'a' && ch <= 'f' {
				d[i] = ch - 'a' + 'A'
			}
		}
	}
	n := len(d)
	switch {
	case c.Width <= n:
		return append(dst, d...)
	case c.Minus:
		dst = append(dst, d...)
		return appendRepeat(dst, ' ', c.Width-n)
	case c.Zero && c.Verb != 's':
		if neg {
			dst = append(dst, '-')
			d = d[1:]
		}
		dst = appendRepeat(dst, '0', c.Width-n)
		return append(dst, d...)
	}
	dst = appendRepeat(dst, ' ', c.Width-n)
	return append(dst, d...)
}

// appendPadded appends s (of n runes) padded with spaces to the width, on
// the left or with - on the right, as fmt's %s does.
func appendPadded(dst []byte, c *printf.Conv, s []byte, n int) []byte {
	if c.Width <= n {
		return append(dst, s...)
	}
	if c.Minus {
		dst = append(dst, s...)
		return appendRepeat(dst, ' ', c.Width-n)
	}
	dst = appendRepeat(dst, ' ', c.Width-n)
	return append(dst, s...)
}

func appendRepeat(dst []byte, c byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, c)
	}
	return dst
}

// appendJSONString appends s as a JSON string, escaped as jsonString
// escapes it.
func appendJSONString(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			if c <= 0x1f {
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}
