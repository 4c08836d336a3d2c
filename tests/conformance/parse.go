package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// defaultTimeout is the TIMEOUT (seconds) of a test that names none.
const defaultTimeout = 5

// expectMode is how one expectation is matched against the output.
type expectMode int

const (
	expectText      expectMode = iota // EXPECT: a whole line, leading/trailing space ignored
	expectTextNone                    // EXPECT_NONE
	expectRegex                       // EXPECT_REGEX: a (Python) regex searched in multi-line mode
	expectRegexNone                   // EXPECT_REGEX_NONE
	expectFile                        // EXPECT_FILE: the whole output equals a file
	expectJSON                        // EXPECT_JSON: the output (JSON or NDJSON) equals a file's JSON
)

var expectDirective = [...]string{
	expectText:      "EXPECT",
	expectTextNone:  "EXPECT_NONE",
	expectRegex:     "EXPECT_REGEX",
	expectRegexNone: "EXPECT_REGEX_NONE",
	expectFile:      "EXPECT_FILE",
	expectJSON:      "EXPECT_JSON",
}

func (m expectMode) String() string { return expectDirective[m] }

// Expect is one EXPECT* directive.
type Expect struct {
	Mode expectMode
	Text string // the text, regex, or file path
}

// Test is one test case of a runtime test file. Fields mirror the
// directives of bpftrace's runtime test format.
type Test struct {
	Suite          string // the file's base name
	Name           string
	File           string // the file the test came from
	Line           int    // the line of its first directive
	Run            string // RUN: a shell command with {{BPFTRACE}} placeholders
	Prog           string // PROG: a program given with -e
	Expects        []Expect
	HasExactExpect bool // EXPECT_FILE or EXPECT_JSON: output before attach is dropped
	Timeout        int  // seconds, counted from the attach notification
	Befores        []string
	After          string
	Setup          string
	Cleanup        string
	KernelMin      string
	KernelMax      string
	Requires       []string
	Env            map[string]string
	EnvOrder       []string // ENV keys in the order given
	Arch           []string
	Features       []string // REQUIRES_FEATURE without '!'
	NegFeatures    []string // REQUIRES_FEATURE with '!'
	WillFail       bool
	NewPidNS       bool
	SkipIfEnvHas   *[2]string
	ReturnCode     int
	LocalizeTS     int // -1 when absent
}

// ID is the test's name as filters and reports use it: suite.name.
func (t *Test) ID() string { return t.Suite + "." + t.Name }

// ParseError is a file the runner cannot read as a test file; bpftrace's
// engine refuses to run at all then.
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// knownFeatures are the names REQUIRES_FEATURE may use; any other is an
// error of the test file.
var knownFeatures = map[string]bool{
	"loop": true, "probe_read_kernel": true, "btf": true, "fentry": true,
	"dpath": true, "signal": true, "iter": true, "libpath_resolv": true,
	"dwarf": true, "kprobe_multi": true, "kprobe_session": true,
	"uprobe_multi": true, "aot": true, "skboutput": true, "get_tai_ns": true,
	"get_func_ip": true, "jiffies64": true, "lookup_percpu_elem": true,
	"dwunwind": true, "blazesym": true,
}

// ParseFile reads one runtime test file. arch is the host's identifiers
// (machine name, and "le" or "be"); tests whose ARCH excludes the host are
// returned in skipped rather than tests.
func ParseFile(path string, arch []string) (tests, skipped []*Test, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ParseText(path, string(data), arch)
}

// splitLinesKeepEnds splits like Python's readlines: every line keeps its
// "\n", the last one only if the file ends with one.
func splitLinesKeepEnds(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// ParseText parses the text of a test file named path.
//
// The format: tests are separated by empty lines; lines starting with '#'
// are comments; each line is "DIRECTIVE value". A line that starts with
// as many blanks as the previous directive's name plus one continues a
// PROG, EXPECT or EXPECT_REGEX on a new line.
func ParseText(path, text string, arch []string) (tests, skipped []*Test, err error) {
	suite := filepath.Base(path)
	lines := splitLinesKeepEnds(text)
	var block []string
	start := 0
	for i, line := range lines {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if line != "\n" {
			if len(block) == 0 {
				start = i + 1
			}
			block = append(block, line)
		}
		if line == "\n" || i == len(lines)-1 {
			if len(block) == 0 {
				continue
			}
			t, err := parseTest(block, suite, path, start)
			if err != nil {
				return nil, nil, err
			}
			if archMatches(t.Arch, arch) {
				tests = append(tests, t)
			} else {
				skipped = append(skipped, t)
			}
			block = nil
		}
	}
	return tests, skipped, nil
}

// archMatches applies ARCH: "x86_64|aarch64" runs on either, "!s390x"
// runs anywhere else; host holds the machine name and "le"/"be".
func archMatches(want, host []string) bool {
	if len(want) == 0 {
		return true
	}
	in := func(a string) bool {
		for _, h := range host {
			if h == a {
				return true
			}
		}
		return false
	}
	var pos, neg []string
	for _, a := range want {
		if strings.HasPrefix(a, "!") {
			neg = append(neg, a[1:])
		} else {
			pos = append(pos, a)
		}
	}
	ok := true
	if len(pos) > 0 {
		ok = false
		for _, a := range pos {
			if in(a) {
				ok = true
			}
		}
	}
	if ok {
		for _, a := range neg {
			if in(a) {
				return false
			}
		}
	}
	return ok
}

// hostArch returns the identifiers ARCH is matched against.
func hostArch() []string {
	m := map[string]string{"amd64": "x86_64", "arm64": "aarch64", "386": "i686",
		"ppc64le": "ppc64le", "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "arm": "armv7l",
		"loong64": "loongarch64", "mips64": "mips64"}
	machine := m[runtime.GOARCH]
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		if n := unix.ByteSliceToString(u.Machine[:]); n != "" {
			machine = n
		}
	}
	endian := "le"
	switch runtime.GOARCH {
	case "ppc64", "s390x", "mips", "mips64", "sparc64":
		endian = "be"
	}
	return []string{strings.ToLower(machine), endian}
}

// isBlankPrefix reports whether s[:n] (or all of s when shorter) is
// non-empty and all whitespace, as Python's str.isspace does.
func isBlankPrefix(s string, n int) bool {
	if n > len(s) {
		n = len(s)
	}
	if n == 0 {
		return false
	}
	for _, c := range s[:n] {
		if !strings.ContainsRune(" \t\n\r\v\f", c) {
			return false
		}
	}
	return true
}

func parseTest(block []string, suite, path string, line int) (*Test, error) {
	t := &Test{Suite: suite, File: path, Line: line, Env: map[string]string{}, LocalizeTS: -1, ReturnCode: 0}
	fail := func(format string, a ...any) error {
		return &ParseError{File: path, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	timeoutSet, returnCodeSet := false, false
	prev := ""
	for _, item := range block {
		if isBlankPrefix(item, len(prev)+1) {
			// A continuation line: drop the indentation and the final
			// character (the newline).
			cont := ""
			if len(item) > len(prev)+1 {
				cont = item[len(prev)+1 : len(item)-1]
			}
			switch prev {
			case "PROG":
				t.Prog += "\n" + cont
				continue
			case "EXPECT", "EXPECT_REGEX":
				t.Expects[len(t.Expects)-1].Text += "\n" + cont
				continue
			}
		}
		fields := strings.Fields(item)
		if len(fields) == 0 {
			return nil, fail("blank line inside a test")
		}
		name := fields[0]
		value := ""
		if rest := strings.TrimSpace(item); len(rest) > len(name) {
			value = strings.TrimLeft(rest[len(name):], " \t\n\r\v\f")
		}
		prev = name
		switch name {
		case "NAME":
			t.Name = value
		case "RUN":
			t.Run = value
		case "PROG":
			t.Prog = value
		case "EXPECT":
			t.Expects = append(t.Expects, Expect{expectText, value})
		case "EXPECT_NONE":
			t.Expects = append(t.Expects, Expect{expectTextNone, value})
		case "EXPECT_REGEX":
			t.Expects = append(t.Expects, Expect{expectRegex, value})
		case "EXPECT_REGEX_NONE":
			t.Expects = append(t.Expects, Expect{expectRegexNone, value})
		case "EXPECT_FILE":
			t.HasExactExpect = true
			t.Expects = append(t.Expects, Expect{expectFile, value})
		case "EXPECT_JSON":
			t.HasExactExpect = true
			t.Expects = append(t.Expects, Expect{expectJSON, value})
		case "TIMEOUT":
			n, err := strconv.Atoi(strings.Trim(value, " "))
			if err != nil {
				return nil, fail("TIMEOUT %q: %v", value, err)
			}
			t.Timeout, timeoutSet = n, true
		case "BEFORE":
			t.Befores = append(t.Befores, value)
		case "AFTER":
			t.After = value
		case "SETUP":
			t.Setup = value
		case "CLEANUP":
			t.Cleanup = value
		case "MIN_KERNEL":
			t.KernelMin = value
		case "MAX_KERNEL":
			t.KernelMax = value
		case "REQUIRES":
			t.Requires = append(t.Requires, value)
		case "ENV":
			for _, kv := range strings.Fields(value) {
				k, v, ok := strings.Cut(kv, "=")
				if !ok {
					return nil, fail("ENV %q is not KEY=VALUE", kv)
				}
				if _, dup := t.Env[k]; !dup {
					t.EnvOrder = append(t.EnvOrder, k)
				}
				t.Env[k] = v
			}
		case "ARCH":
			t.Arch = nil
			for _, a := range strings.Split(value, "|") {
				t.Arch = append(t.Arch, strings.TrimSpace(a))
			}
		case "REQUIRES_FEATURE":
			for _, f := range strings.Split(value, " ") {
				f = strings.TrimSpace(f)
				neg := strings.HasPrefix(f, "!")
				f = strings.TrimPrefix(f, "!")
				if !knownFeatures[f] {
					return nil, fail("%s is invalid for REQUIRES_FEATURE", f)
				}
				if neg {
					t.NegFeatures = append(t.NegFeatures, f)
				} else {
					t.Features = append(t.Features, f)
				}
			}
		case "WILL_FAIL":
			t.WillFail = true
		case "NEW_PIDNS":
			t.NewPidNS = true
		case "SKIP_IF_ENV_HAS":
			k, v, _ := strings.Cut(value, "=")
			t.SkipIfEnvHas = &[2]string{k, v}
		case "RETURN_CODE":
			n, err := strconv.Atoi(strings.Trim(value, " "))
			if err != nil {
				return nil, fail("RETURN_CODE %q: %v", value, err)
			}
			t.ReturnCode, returnCodeSet = n, true
		case "LOCALIZE_TIMESTAMPS":
			n, err := strconv.Atoi(strings.Trim(value, " "))
			if err != nil {
				return nil, fail("LOCALIZE_TIMESTAMPS %q: %v", value, err)
			}
			t.LocalizeTS = n
		default:
			return nil, fail("field %s is not a runtime test directive", name)
		}
	}
	switch {
	case t.Name == "":
		return nil, fail("test NAME is required")
	case t.Run == "" && t.Prog == "":
		return nil, fail("test %s: RUN or PROG is required", t.Name)
	case t.Run != "" && t.Prog != "":
		return nil, fail("test %s: RUN and PROG both given", t.Name)
	case len(t.Expects) == 0 && !returnCodeSet:
		return nil, fail("test %s: at least one EXPECT (or variation) is required", t.Name)
	case len(t.Expects) > 1 && t.HasExactExpect:
		return nil, fail("test %s: EXPECT_JSON or EXPECT_FILE can not be used with other EXPECTs", t.Name)
	case t.ReturnCode != 0 && t.WillFail:
		return nil, fail("test %s: WILL_FAIL and RETURN_CODE can not be used together", t.Name)
	}
	if !timeoutSet {
		t.Timeout = defaultTimeout
	}
	return t, nil
}
