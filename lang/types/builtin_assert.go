package types

import (
	"fmt"
	"strings"
)

// cFormat formats a printf-style message with values known when
// compiling (fail()).
func cFormat(format string, args []any) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.lhz", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		spec := strings.NewReplacer("l", "", "h", "", "z", "").Replace(format[i+1 : j])
		verb := format[j]
		switch {
		case verb == '%':
			b.WriteByte('%')
		case len(args) == 0:
			b.WriteString(format[i : j+1])
		default:
			if verb == 'u' || verb == 'i' {
				verb = 'd'
			}
			fmt.Fprintf(&b, "%"+spec+string(verb), args[0])
			args = args[1:]
		}
		i = j
	}
	return b.String()
}
