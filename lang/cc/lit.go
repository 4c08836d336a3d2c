package cc

import (
	"fmt"
	"strings"
)

// noFloat is the complaint about floating-point constants and types.
const noFloat = "BPF has no floating point"

// parseInt reads an integer constant: decimal, octal (0...), hex (0x...)
// or binary (0b...), then a suffix of u/U and l/L/ll/LL in either order.
// msg is non-empty when the text is not such a constant.
func parseInt(text string) (v uint64, unsigned bool, longs int, decimal bool, msg string) {
	s := text
	base := uint64(10)
	switch {
	case len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	decimal = base == 10
	if base != 16 && strings.ContainsAny(s, ".eE") || base == 16 && strings.ContainsAny(s, ".pP") {
		return 0, false, 0, false, fmt.Sprintf("%s: '%s' is a floating-point constant", noFloat, text)
	}
	n := 0
	overflow := false
	for ; n < len(s); n++ {
		c := s[n]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f' && base == 16:
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F' && base == 16:
			d = uint64(c-'A') + 10
		default:
			d = 99
		}
		if d == 99 {
			break
		}
		if d >= base {
			return 0, false, 0, false, fmt.Sprintf("invalid digit '%c' in %s constant '%s'", c, baseName(base), text)
		}
		if v > (^uint64(0)-d)/base {
			overflow = true
		}
		v = v*base + d
	}
	if n == 0 && base != 8 {
		return 0, false, 0, false, fmt.Sprintf("invalid integer constant '%s'", text)
	}
	suffix := s[n:]
	switch {
	case suffix == "":
	default:
		rest := suffix
		if rest[0] == 'u' || rest[0] == 'U' {
			unsigned, rest = true, rest[1:]
		}
		switch {
		case strings.HasPrefix(rest, "ll") || strings.HasPrefix(rest, "LL"):
			longs, rest = 2, rest[2:]
		case strings.HasPrefix(rest, "l") || strings.HasPrefix(rest, "L"):
			longs, rest = 1, rest[1:]
		}
		if !unsigned && (rest == "u" || rest == "U") {
			unsigned, rest = true, ""
		}
		if rest != "" {
			return 0, false, 0, false, fmt.Sprintf("invalid suffix '%s' on integer constant '%s'", suffix, text)
		}
	}
	if overflow {
		return 0, false, 0, false, fmt.Sprintf("integer constant '%s' is too large", text)
	}
	return v, unsigned, longs, decimal, ""
}

func baseName(base uint64) string {
	switch base {
	case 2:
		return "binary"
	case 8:
		return "octal"
	case 16:
		return "hexadecimal"
	}
	return "decimal"
}

// unquote resolves the escapes of a character or string literal's text
// (prefix and quotes included).
func unquote(text string) (string, string) {
	i := strings.IndexAny(text, "'\"")
	if i < 0 || len(text) < i+2 {
		return "", "bad literal"
	}
	s := text[i+1 : len(text)-1]
	if !strings.Contains(s, "\\") {
		return s, ""
	}
	var b strings.Builder
	for j := 0; j < len(s); j++ {
		c := s[j]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		j++
		if j >= len(s) {
			return "", "incomplete escape sequence"
		}
		c = s[j]
		switch c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'v':
			b.WriteByte(11)
		case 'e', 'E':
			b.WriteByte(27)
		case '\\', '\'', '"', '?':
			b.WriteByte(c)
		case 'x':
			var v uint64
			k := j + 1
			for ; k < len(s) && isHex(s[k]); k++ {
				v = v*16 + hexVal(s[k])
				if v > 0xff {
					return "", fmt.Sprintf("hex escape sequence '\\%s' is out of range", s[j:k+1])
				}
			}
			if k == j+1 {
				return "", "\\x used with no following hex digits"
			}
			b.WriteByte(byte(v))
			j = k - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := 0
			k := j
			for ; k < len(s) && k < j+3 && s[k] >= '0' && s[k] <= '7'; k++ {
				v = v*8 + int(s[k]-'0')
			}
			if v > 0xff {
				return "", fmt.Sprintf("octal escape sequence '\\%s' is out of range", s[j:k])
			}
			b.WriteByte(byte(v))
			j = k - 1
		default:
			return "", fmt.Sprintf("unknown escape sequence '\\%c'", c)
		}
	}
	return b.String(), ""
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) uint64 {
	switch {
	case c >= 'a':
		return uint64(c-'a') + 10
	case c >= 'A':
		return uint64(c-'A') + 10
	}
	return uint64(c - '0')
}

// parseChar returns the value of a character constant. Its type is int
// and char is signed, so '\xff' is -1.
func parseChar(text string) (uint64, string) {
	s, msg := unquote(text)
	if msg != "" {
		return 0, msg
	}
	switch len(s) {
	case 0:
		return 0, "empty character constant"
	case 1:
		return uint64(int64(int8(s[0]))), ""
	}
	return 0, fmt.Sprintf("character constant %s has more than one character", text)
}
