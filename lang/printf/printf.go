// Package printf parses the formats of bpftrace's printf-like calls
// (printf, errorf, warnf, cat, system) into literal text and conversions,
// once, so that what prints a record applies conversions already parsed
// instead of scanning the format again for every record.
//
// It lives under lang because a format is part of the script: the
// checker (which says which argument types a format takes), the code
// generator (which could carry the parsed conversions on each event) and
// the printers (which apply them) can all share this one reading of it.
// It depends on nothing of gotrace's.
//
// A conversion is C's: '%', flags (- + space # 0), a width, a precision
// ('.' and digits), a length modifier (hh h l ll j z t, and L q for
// 64 bits) and a verb. %%
// (with anything between the two) is a literal '%'. %r, %rx and %rh print
// buffers, %gr GFP flags. A '%' whose conversion the format ends inside
// is literal text, and the last segment says so (Open). Any other byte after the length modifier is the verb:
// the parser does not judge verbs (the checker does).
package printf

// Conv is one conversion of a format.
type Conv struct {
	// Spec is the flags, width and precision as written between '%' and
	// the length modifier ("-5", "08", ".2"), which Go's fmt reads as C's
	// printf does.
	Spec string
	// Length is the length modifier: "", "hh", "h", "l", "ll", "j", "z"
	// or "t" (sequences of those letters are kept as written).
	Length string
	// Verb is the conversion character: d i u x X o c s p e f g ... ;
	// 'r' for %r, %rx and %rh; 'g' with Mode 'r' for %gr.
	Verb byte
	// Mode is 'x' or 'h' for %rx and %rh, 'r' for %gr, else 0.
	Mode byte

	// The flags, width and precision of Spec, decoded.
	Minus, Plus, Space, Sharp, Zero bool
	Width                           int // -1: none
	Prec                            int // -1: none
}

// Segment is literal text followed by at most one conversion.
type Segment struct {
	Text string // literal text, %% already made '%'
	Conv Conv   // Conv.Verb == 0: none (only the end of a format has none)
	// Open marks the last segment of a format that ends inside a
	// conversion (its '%' and what follows are in Text); the checker
	// refuses such a format.
	Open bool
}

// HasConv says whether the segment ends with a conversion.
func (s Segment) HasConv() bool { return s.Conv.Verb != 0 }

// Parse splits a format (escapes already decoded) into segments: each
// conversion with the literal text before it, and the text after the last
// conversion in a final segment without one.
func Parse(format string) []Segment {
	var segs []Segment
	var text []byte
	open := false
	lit := 0 // start of literal text not yet copied to text
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		text = append(text, format[lit:i]...)
		lit = i
		j := i + 1
		c := Conv{Width: -1, Prec: -1}
	flags:
		for ; j < len(format); j++ {
			switch format[j] {
			case '-':
				c.Minus = true
			case '+':
				c.Plus = true
			case ' ':
				c.Space = true
			case '#':
				c.Sharp = true
			case '0':
				c.Zero = true
			default:
				break flags
			}
		}
		j, c.Width = digits(format, j)
		if j < len(format) && format[j] == '.' {
			j, c.Prec = digits(format, j+1)
			if c.Prec < 0 {
				c.Prec = 0
			}
		}
		c.Spec = format[i+1 : j]
		lm := j
		for j < len(format) && isLength(format[j]) {
			j++
		}
		c.Length = format[lm:j]
		if j >= len(format) {
			open = true
			break // the format ends inside the conversion: literal text
		}
		c.Verb = format[j]
		i = j
		lit = j + 1
		switch c.Verb {
		case '%':
			text = append(text, '%')
			continue
		case 'g':
			if j+1 < len(format) && format[j+1] == 'r' {
				c.Mode = 'r'
				i, lit = j+1, j+2
			}
		case 'r':
			if j+1 < len(format) && (format[j+1] == 'x' || format[j+1] == 'h') {
				c.Mode = format[j+1]
				i, lit = j+1, j+2
			}
		}
		segs = append(segs, Segment{Text: string(text), Conv: c})
		text = text[:0]
	}
	text = append(text, format[lit:]...)
	if len(text) > 0 {
		segs = append(segs, Segment{Text: string(text), Open: open})
	}
	return segs
}

// digits reads a decimal number at f[j:]: the index after it and its
// value (-1 when there are no digits; numbers too large to matter are
// capped).
func digits(f string, j int) (int, int) {
	n := -1
	for ; j < len(f) && f[j] >= '0' && f[j] <= '9'; j++ {
		if n < 0 {
			n = 0
		}
		if n < 1e8 {
			n = n*10 + int(f[j]-'0')
		}
	}
	return j, n
}

func isLength(c byte) bool {
	switch c {
	case 'h', 'l', 'L', 'q', 'j', 'z', 't':
		return true
	}
	return false
}
