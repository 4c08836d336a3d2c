package probes

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Spec is an attach point parsed into its parts. Which fields are used
// depends on the provider; Name spells the spec the way bpftrace names the
// probe.
type Spec struct {
	Provider string // canonical provider: "begin", "tracepoint", "interval", ...
	Target   string // tracepoint category, time unit, event name, binary, module
	Lang     string // uprobe language qualifier ("cpp")
	Ns       string // usdt provider namespace
	Func     string // tracepoint event, function, usdt probe, signal, test name
	Offset   uint64 // kprobe/uprobe: +offset after the function
	Address  uint64 // kprobe/uprobe/watchpoint: absolute address
	Freq     uint64 // interval/profile: rate in Target units; software/hardware: count
	Len      uint64 // watchpoint: length in bytes
	Mode     string // watchpoint: r, w, x combination
	Pin      string // iter: pin path
	ProgID   uint64 // fentry:bpf: program id
	UserName string // name given with "name=provider:..."
	Raw      string // the spec as written
}

// SpecError is a complaint about an attach point, with optional advice.
type SpecError struct {
	Msg  string
	Hint string
	// Missing marks an attach point that names something that does not
	// exist (missing_probes decides whether that stops the script).
	Missing bool
	// Unplaced marks a complaint about what the attach point names rather
	// than about its text: it is reported without a script position, as
	// bpftrace reports it.
	Unplaced bool
}

func missingf(format string, args ...any) *SpecError {
	return &SpecError{Msg: fmt.Sprintf(format, args...), Missing: true}
}

func (e *SpecError) Error() string { return e.Msg }

func specErrorf(format string, args ...any) *SpecError {
	return &SpecError{Msg: fmt.Sprintf(format, args...)}
}

// ProviderNames returns the canonical provider names.
func ProviderNames() []string {
	var names []string
	for _, p := range registry {
		names = append(names, p.name)
	}
	return names
}

// CanonicalProvider maps a provider as written (full name or short name,
// any case) to its canonical name, or "" when there is no such provider.
func CanonicalProvider(s string) string {
	for _, p := range registry {
		if p.name == s {
			return p.name
		}
		for _, a := range p.aliases {
			if a == s {
				return p.name
			}
		}
	}
	low := strings.ToLower(s)
	for _, p := range registry {
		if p.name == low {
			return p.name
		}
		for _, a := range p.aliases {
			if a == low {
				return p.name
			}
		}
	}
	return ""
}

// splitParts splits a spec at colons outside double quotes; quotes are
// removed and, inside them, a backslash escapes the next character.
func splitParts(raw string) ([]string, error) {
	var parts []string
	var cur strings.Builder
	inQuotes := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case inQuotes && c == '\\' && i+1 < len(raw):
			i++
			cur.WriteByte(raw[i])
		case c == ':' && !inQuotes:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	if inQuotes {
		return nil, specErrorf("unterminated quote in attach point %s", raw)
	}
	return append(parts, cur.String()), nil
}

// HasWildcard reports whether s is a pattern: it holds '*' (or a [...] set).
func HasWildcard(s string) bool {
	return strings.Contains(s, "*") || (strings.Contains(s, "[") && strings.Contains(s, "]"))
}

// Match reports whether name matches pattern, where '*' matches any run
// of characters (bpftrace's wildcards).
func Match(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	toks := strings.Split(pattern, "*")
	first, last := toks[0], toks[len(toks)-1]
	if !strings.HasPrefix(name, first) {
		return false
	}
	name = name[len(first):]
	for _, t := range toks[1 : len(toks)-1] {
		i := strings.Index(name, t)
		if i < 0 {
			return false
		}
		name = name[i+len(t):]
	}
	return strings.HasSuffix(name, last)
}

// ParseUint parses a number the way bpftrace reads numbers in attach
// points: decimal, 0x hex, 0b binary, 0-prefixed octal, '_' separators,
// an exponent (1e6), and integer or time suffixes (ns, us, ms, s, m, h, d;
// time suffixes scale to nanoseconds).
func ParseUint(s string) (uint64, error) {
	n := strings.ReplaceAll(s, "_", "")
	base := 10
	switch {
	case len(n) >= 2 && (n[:2] == "0x" || n[:2] == "0X"):
		base, n = 16, n[2:]
	case len(n) >= 2 && (n[:2] == "0b" || n[:2] == "0B"):
		base, n = 2, n[2:]
	case len(n) >= 2 && n[0] == '0' && n[1] >= '0' && n[1] <= '7':
		base, n = 8, n[1:]
	}
	end := 0
	for end < len(n) && digitVal(n[end]) < base {
		end++
	}
	if end == 0 {
		return 0, fmt.Errorf("invalid integer: %s", s)
	}
	v, err := strconv.ParseUint(n[:end], base, 64)
	if err != nil {
		return 0, fmt.Errorf("overflow error, maximum value is %d: %s", uint64(math.MaxUint64), s)
	}
	rest := n[end:]
	if len(rest) >= 2 && (rest[0] == 'e' || rest[0] == 'E') && rest[1] >= '1' && rest[1] <= '9' {
		if v == 0 || v >= 10 {
			return 0, fmt.Errorf("coefficient part of scientific literal must be 1-9: %s", s)
		}
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		exp, _ := strconv.Atoi(rest[1:j])
		for ; exp > 0; exp-- {
			if v > math.MaxUint64/10 {
				return 0, fmt.Errorf("overflow error, maximum value is %d: %s", uint64(math.MaxUint64), s)
			}
			v *= 10
		}
		rest = rest[j:]
	}
	mult := map[string]uint64{
		"": 1, "u": 1, "ul": 1, "ull": 1, "l": 1, "ll": 1,
		"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9, "d": 86400e9,
	}
	m, ok := mult[rest]
	if !ok {
		return 0, fmt.Errorf("invalid trailing bytes: %s", s)
	}
	hi, lo := bits.Mul64(v, m)
	if hi != 0 {
		return 0, fmt.Errorf("overflow error, maximum value is %d: %s", uint64(math.MaxUint64), s)
	}
	return lo, nil
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

func countError(provider string, found int, expected ...int) *SpecError {
	want := strconv.Itoa(expected[0])
	if len(expected) > 1 {
		want += " or " + strconv.Itoa(expected[1])
	}
	return specErrorf("%s probe type requires %s arguments, found %d", provider, want, found)
}

// Parse parses an attach point as written in a script ("t:syscalls:sys_enter_open*",
// "interval:1s", "BEGIN", ...) into a Spec with the canonical provider.
// It checks the form of the spec only; whether the probe exists on a host
// is decided by an Env or by Attach.
func Parse(raw string) (Spec, error) {
	s := Spec{Raw: raw}
	parts, err := splitParts(raw)
	if err != nil {
		return s, err
	}
	front := parts[0]
	if i := strings.IndexByte(front, '='); i >= 0 && i != len(front)-1 {
		s.UserName, front = front[:i], front[i+1:]
	}
	if front == "" {
		return s, specErrorf("invalid attach point: %q", raw)
	}
	if HasWildcard(front) {
		return s, &SpecError{
			Msg:  "wildcards in the probe type are only supported when listing probes: " + front,
			Hint: "list the matching probes with: gotrace -l '" + raw + "'",
		}
	}
	s.Provider = CanonicalProvider(front)
	if s.Provider == "" {
		e := specErrorf("invalid probe type: %s", front)
		if sug := suggestProvider(front); sug != "" {
			e.Hint = "did you mean " + sug + "?"
		}
		return s, e
	}
	if err := providerOf(s.Provider).parse(&s, parts[1:]); err != nil {
		return s, err
	}
	return s, nil
}

var timeUnits = map[string]bool{"s": true, "ms": true, "us": true, "hz": true}

// parseRate reads interval and profile rates: "N" (nanoseconds, suffixes
// allowed: 1s, 100ms), or "unit:N" with unit s, ms, us or hz.
func parseRate(s *Spec, args []string) error {
	switch len(args) {
	case 1:
		v, err := ParseUint(args[0])
		if err != nil {
			return specErrorf("Invalid rate of %s probe: %v", s.Provider, err)
		}
		if v < 1000 {
			return specErrorf("Invalid rate of %s probe. Minimum is 1000 or 1us. Found: %d nanoseconds", s.Provider, v)
		}
		s.Target, s.Freq = "us", v/1000
	case 2:
		s.Target = args[0]
		if !timeUnits[s.Target] {
			e := specErrorf("%s is not an accepted unit of time", s.Target)
			e.Hint = "use one of s, ms, us, hz, e.g. " + s.Provider + ":ms:100"
			return e
		}
		v, err := ParseUint(args[1])
		if err != nil {
			return specErrorf("Invalid rate of %s probe: %v", s.Provider, err)
		}
		s.Freq = v
	default:
		return countError(s.Provider, len(args), 1, 2)
	}
	if s.Freq == 0 {
		return specErrorf("%s frequency should be a positive integer", s.Provider)
	}
	return nil
}

// parseFuncOffset reads "func", "func+offset" or an address.
func parseFuncOffset(s *Spec, fn string, allowOffset bool) error {
	if fn == "" {
		return specErrorf("%s probe must have a function", s.Provider)
	}
	if i := strings.IndexByte(fn, '+'); i >= 0 {
		if !allowOffset {
			return specErrorf("Offset not allowed")
		}
		if strings.Count(fn, "+") != 1 {
			return specErrorf("Cannot take more than one offset")
		}
		off, err := ParseUint(fn[i+1:])
		if err != nil || fn[:i] == "" {
			return specErrorf("Invalid offset: %s", fn)
		}
		s.Func, s.Offset = fn[:i], off
		return nil
	}
	if fn[0] >= '0' && fn[0] <= '9' {
		if a, err := ParseUint(fn); err == nil {
			s.Address = a
			return nil
		}
	}
	s.Func = fn
	return nil
}

func suggestProvider(s string) string {
	low := strings.ToLower(s)
	best, bestD := "", 3
	for _, p := range registry {
		if d := editDistance(low, p.name); d < bestD {
			best, bestD = p.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Name is the probe's full name as bpftrace prints it for the `probe`
// builtin: the canonical provider followed by the parts that are set,
// e.g. "tracepoint:syscalls:sys_enter_openat", "interval:us:1000000",
// "begin".
func (s Spec) Name() string {
	if s.UserName != "" {
		return s.UserName
	}
	var b strings.Builder
	b.WriteString(s.Provider)
	add := func(p string) {
		b.WriteByte(':')
		b.WriteString(p)
	}
	if s.Target != "" {
		add(s.Target)
	}
	if s.Lang != "" {
		add(s.Lang)
	}
	if s.Ns != "" {
		add(s.Ns)
	}
	if s.ProgID != 0 {
		add(strconv.FormatUint(s.ProgID, 10))
	}
	if s.Func != "" {
		add(s.Func)
		if s.Offset != 0 {
			b.WriteString("+" + strconv.FormatUint(s.Offset, 10))
		}
	}
	if s.Address != 0 {
		add(strconv.FormatUint(s.Address, 10))
	}
	if s.Freq != 0 {
		add(strconv.FormatUint(s.Freq, 10))
	}
	if s.Len != 0 {
		add(strconv.FormatUint(s.Len, 10))
	}
	if s.Mode != "" {
		add(s.Mode)
	}
	return b.String()
}
