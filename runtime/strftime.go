package runtime

import (
	"fmt"
	"strings"
	"time"
)

// strftimeFractions writes the fraction of t's second into format where
// strftime()'s extensions ask for it, as bpftrace does before formatting:
// %k nanoseconds (9 digits), %f microseconds (6), %l milliseconds (3).
// (C's %k and %l, blank-padded hours, remain for time().)
func strftimeFractions(format string, t time.Time) string {
	if !strings.Contains(format, "%") {
		return format
	}
	var b strings.Builder
	ns := t.Nanosecond()
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			b.WriteByte(format[i])
			continue
		}
		switch format[i+1] {
		case 'k':
			fmt.Fprintf(&b, "%09d", ns)
		case 'f':
			fmt.Fprintf(&b, "%06d", ns/1000)
		case 'l':
			fmt.Fprintf(&b, "%03d", ns/1000000)
		default:
			b.WriteString(format[i : i+2])
		}
		i++
	}
	return b.String()
}

// Strftime formats t with C strftime conversions (as time() and
// strftime() take them): %Y %m %d %H %M %S %y %b %B %a %A %e %j %p %Z %z
// %s %T %D %F %R %n %t %%, the C locale's %c %x %X %r, %u %w, the ISO
// 8601 week and year %V %G %g, %C, %k %l (blank-padded hours), %P (am or
// pm), the week numbers %U (weeks start on Sunday) and %W (on Monday),
// and %f for microseconds (a bpftrace addition).
func Strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", hour12(t))
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'T':
			b.WriteString(Strftime("%H:%M:%S", t))
		case 'D':
			b.WriteString(Strftime("%m/%d/%y", t))
		case 'F':
			b.WriteString(Strftime("%Y-%m-%d", t))
		case 'R':
			b.WriteString(Strftime("%H:%M", t))
		case 'c':
			b.WriteString(Strftime("%a %b %e %H:%M:%S %Y", t))
		case 'x':
			b.WriteString(Strftime("%m/%d/%y", t))
		case 'X':
			b.WriteString(Strftime("%H:%M:%S", t))
		case 'r':
			b.WriteString(Strftime("%I:%M:%S %p", t))
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'V':
			_, w := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 'G':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%d", y)
		case 'g':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", y%100)
		case 'C':
			fmt.Fprintf(&b, "%02d", t.Year()/100)
		case 'k':
			fmt.Fprintf(&b, "%2d", t.Hour())
		case 'l':
			fmt.Fprintf(&b, "%2d", hour12(t))
		case 'P':
			b.WriteString(strings.ToLower(t.Format("PM")))
		case 'U':
			fmt.Fprintf(&b, "%02d", (t.YearDay()-1+7-int(t.Weekday()))/7)
		case 'W':
			fmt.Fprintf(&b, "%02d", (t.YearDay()-1+7-(int(t.Weekday())+6)%7)/7)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// hour12 is t's hour on a 12-hour clock (1 to 12).
func hour12(t time.Time) int {
	if h := t.Hour() % 12; h != 0 {
		return h
	}
	return 12
}
