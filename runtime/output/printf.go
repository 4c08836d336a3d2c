package output

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang/printf"
)

// sprintf formats as C's printf does for the conversions bpftrace
// accepts: flags (- + space # 0), width, precision, length modifiers
// and the verbs d i u x X o c s p e f g %, plus %r, %rx and %rh for
// buffers. As in C, the length modifier says the width of an integer
// conversion: none is an int (32 bits), hh a char, h a short, l ll j z t
// 64 bits; every integer arrives as 64 bits and is cut to that width.
// A string verb (%s) prints any value as text output would.
// %gr prints GFP flags by name, with the bits gfp gives (nil: the
// defaults).
func sprintf(format string, args []value, gfp map[string]int) string {
	var b []byte
	ai := 0
	for _, seg := range printf.Parse(format) {
		b = append(b, seg.Text...)
		if !seg.HasConv() {
			continue
		}
		var v value
		ok := ai < len(args)
		if ok {
			v = args[ai]
			ai++
		}
		b = appendConv(b, &seg.Conv, v, ok, gfp)
	}
	return string(b)
}

// appendConv formats one argument (ok: there is one) as c says.
func appendConv(b []byte, c *printf.Conv, v value, ok bool, gfp map[string]int) []byte {
	switch {
	case c.Verb == 'g' && c.Mode == 'r':
		if gfp == nil {
			gfp = DefaultGFPBits
		}
		return append(b, pad(c.Spec, FormatGFP(asUint(v), gfp))...)
	case c.Verb == 'r':
		return append(b, pad(c.Spec, bufferText(v, c.Mode))...)
	case !ok:
		return append(b, "%!"+string(c.Verb)+"(MISSING)"...)
	}
	if strings.IndexByte("diuxXoc", c.Verb) >= 0 && v.enum == "" {
		v = cutInt(v, c.Length, c.Verb == 'd' || c.Verb == 'i' || c.Verb == 'c')
	}
	return append(b, conv(c.Spec, c.Verb, v)...)
}

// cutInt narrows an integer argument to the width its length modifier
// gives (C's conversions), signed for d and i.
func cutInt(v value, length string, signed bool) value {
	if v.kind != vInt && v.kind != vUint && v.kind != vBool {
		return v
	}
	bits := cutBits(length)
	if bits == 0 {
		return v
	}
	u := asUint(v) & (1<<bits - 1)
	if signed {
		return value{kind: vInt, i: int64(u<<(64-bits)) >> (64 - bits)}
	}
	return value{kind: vUint, u: u}
}

// conv formats one argument.
func conv(spec string, verb byte, v value) string {
	switch verb {
	case 's':
		return fmt.Sprintf("%"+spec+"s", v.text())
	case 'd', 'i':
		switch v.kind {
		case vUint, vSym:
			return fmt.Sprintf("%"+spec+"d", v.u)
		case vInt, vBool:
			return fmt.Sprintf("%"+spec+"d", v.i)
		}
		return fmt.Sprintf("%"+spec+"s", v.text())
	case 'u':
		return fmt.Sprintf("%"+spec+"d", asUint(v))
	case 'x', 'X', 'o':
		s := fmt.Sprintf("%"+spec+string(verb), asUint(v))
		if verb == 'o' && strings.Contains(spec, "#") {
			// C's # flag gives octal a leading 0; Go's gives 0 too.
			return s
		}
		return s
	case 'c':
		return fmt.Sprintf("%"+spec+"c", rune(byte(asUint(v))))
	case 'p':
		return fmt.Sprintf("%"+spec+"s", "0x"+strconv.FormatUint(asUint(v), 16))
	case 'e', 'E', 'f', 'F', 'g', 'G':
		f := float64(asUint(v))
		if v.kind == vInt {
			f = float64(v.i)
		}
		return fmt.Sprintf("%"+spec+string(verb), f)
	}
	return "%" + spec + string(verb)
}

func asUint(v value) uint64 {
	switch v.kind {
	case vInt, vBool:
		return uint64(v.i)
	case vUint, vSym:
		return v.u
	}
	return 0
}

// bufferText shows a buffer: %r escapes what is not printable, %rx every
// byte as \xNN, %rh every byte as two hex digits separated by spaces.
func bufferText(v value, mode byte) string {
	s := v.s
	if v.kind != vBuf {
		s = v.text()
	}
	switch mode {
	case 'x':
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "\\x%02x", s[i])
		}
		return b.String()
	case 'h':
		parts := make([]string, len(s))
		for i := 0; i < len(s); i++ {
			parts[i] = fmt.Sprintf("%02x", s[i])
		}
		return strings.Join(parts, " ")
	}
	return hexBuffer(s)
}

func pad(spec, s string) string {
	return fmt.Sprintf("%"+spec+"s", s)
}
