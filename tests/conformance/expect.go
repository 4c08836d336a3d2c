package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// decodeLine turns raw output bytes into text the way the engine's
// text-mode pipe does: bytes that are not UTF-8 become \xNN.
func decodeLine(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&sb, `\x%02x`, b[0])
			b = b[1:]
			continue
		}
		sb.Write(b[:n])
		b = b[n:]
	}
	return sb.String()
}

// lineSplitter cuts a byte stream into lines ending in "\n", turning
// "\r\n" and a lone "\r" into "\n" (universal newlines).
type lineSplitter struct {
	buf      []byte
	skipLF   bool
	complete []string
}

func (s *lineSplitter) Write(p []byte) {
	for _, c := range p {
		if s.skipLF {
			s.skipLF = false
			if c == '\n' {
				continue
			}
		}
		switch c {
		case '\r':
			s.skipLF = true
			fallthrough
		case '\n':
			s.buf = append(s.buf, '\n')
			s.complete = append(s.complete, decodeLine(s.buf))
			s.buf = s.buf[:0]
		default:
			s.buf = append(s.buf, c)
		}
	}
}

// Lines returns the complete lines seen since the last call.
func (s *lineSplitter) Lines() []string {
	l := s.complete
	s.complete = nil
	return l
}

// Rest returns an unterminated last line, if any.
func (s *lineSplitter) Rest() string {
	r := decodeLine(s.buf)
	s.buf = nil
	return r
}

// pyRegexp compiles a Python `re` pattern, searched with re.M, as Go's
// RE2 syntax. Python-only constructs with an RE2 equivalent are rewritten;
// for the rest (lookaround, backreferences) it returns an error and
// matchRegex falls back to python3 where one is installed.
func pyRegexp(pattern string) (*regexp.Regexp, error) {
	var sb strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c == '\\' && i+1 < len(pattern) {
			n := pattern[i+1]
			switch {
			case n == 'Z' && !inClass:
				sb.WriteString(`\z`)
			case n >= '1' && n <= '9' && !inClass:
				return nil, fmt.Errorf("backreference \\%c", n)
			default:
				sb.WriteByte(c)
				sb.WriteByte(n)
			}
			i++
			continue
		}
		switch {
		case c == '[' && !inClass:
			inClass = true
			sb.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal in both dialects.
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				sb.WriteByte('^')
				i++
			}
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				sb.WriteString(`\]`)
				i++
			}
			continue
		case c == '[' && inClass:
			// Python takes '[' inside a class as a literal; RE2 may read
			// "[:" as the start of a POSIX class.
			sb.WriteString(`\[`)
			continue
		case c == ']' && inClass:
			inClass = false
		case c == '(' && !inClass && (strings.HasPrefix(pattern[i:], "(?=") || strings.HasPrefix(pattern[i:], "(?!") ||
			strings.HasPrefix(pattern[i:], "(?<=") || strings.HasPrefix(pattern[i:], "(?<!")):
			return nil, fmt.Errorf("lookaround assertion")
		case c == '{' && !inClass:
			// Python reads "{,n}" as {0,n}.
			if strings.HasPrefix(pattern[i:], "{,") {
				sb.WriteString("{0")
				continue
			}
		}
		sb.WriteByte(c)
	}
	return regexp.Compile("(?m)" + expandRepeats(sb.String()))
}

// bigRepeat is a one-character atom repeated more often than RE2's limit
// of 1000 (Python has none).
var bigRepeat = regexp.MustCompile(`(\\.|[^\\()\[\]{}|*+?])\{(\d{4,})\}`)

// expandRepeats rewrites X{5555} as X{1000}X{1000}...X{555}.
func expandRepeats(p string) string {
	return bigRepeat.ReplaceAllStringFunc(p, func(m string) string {
		sub := bigRepeat.FindStringSubmatch(m)
		n, err := strconv.Atoi(sub[2])
		if err != nil || n <= 1000 {
			return m
		}
		var sb strings.Builder
		for ; n > 1000; n -= 1000 {
			sb.WriteString(sub[1] + "{1000}")
		}
		fmt.Fprintf(&sb, "%s{%d}", sub[1], n)
		return sb.String()
	})
}

// matchRegex searches output for a Python regex.
func matchRegex(pattern, output string) (bool, error) {
	re, err := pyRegexp(pattern)
	if err == nil {
		return re.MatchString(output), nil
	}
	py, lerr := exec.LookPath("python3")
	if lerr != nil {
		return false, fmt.Errorf("regex %q: %v (and no python3 to fall back on)", pattern, err)
	}
	cmd := exec.Command(py, "-c", "import re,sys; sys.exit(0 if re.search(sys.argv[1], sys.stdin.read(), re.M) else 1)", pattern)
	cmd.Stdin = strings.NewReader(output)
	if rerr := cmd.Run(); rerr != nil {
		if _, ok := rerr.(*exec.ExitError); ok && cmd.ProcessState.ExitCode() == 1 {
			return false, nil
		}
		return false, fmt.Errorf("regex %q: python3: %v", pattern, rerr)
	}
	return true, nil
}

// lineRegexp is what EXPECT matches: the text as a whole line, blanks
// around it ignored.
func lineRegexp(text string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(text) + `\s*$`)
}

// localizeTimestamps formats the expected text as strftime does with the
// local time of the Unix second ts (LOCALIZE_TIMESTAMPS): %H and friends
// become that time's fields.
func localizeTimestamps(text string, ts int) string {
	if ts < 0 {
		return text
	}
	t := time.Unix(int64(ts), 0).Local()
	var sb strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '%' || i+1 == len(text) {
			sb.WriteByte(text[i])
			continue
		}
		i++
		switch text[i] {
		case 'H':
			fmt.Fprintf(&sb, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&sb, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&sb, "%02d", t.Second())
		case 'd':
			fmt.Fprintf(&sb, "%02d", t.Day())
		case 'm':
			fmt.Fprintf(&sb, "%02d", int(t.Month()))
		case 'Y':
			fmt.Fprintf(&sb, "%d", t.Year())
		case '%':
			sb.WriteByte('%')
		default:
			sb.WriteByte('%')
			sb.WriteByte(text[i])
		}
	}
	return sb.String()
}

// pyStrip trims what Python's str.strip() trims.
func pyStrip(s string) string { return strings.TrimSpace(s) }

// pySplitLines splits like Python's str.splitlines().
func pySplitLines(s string) []string {
	var lines []string
	start := 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			lines = append(lines, s[start:i])
			start = i + n
		case '\r':
			lines = append(lines, s[start:i])
			if i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
			start = i + n
		}
		i += n
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}

// parseJSON reads exactly one JSON value, numbers kept exact.
func parseJSON(s string) (any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("extra data after the JSON value")
	}
	return v, nil
}

// jsonNumber gives a JSON value's number as Python compares it (bools
// are 0 and 1).
func jsonNumber(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		r, ok := new(big.Rat).SetString(string(x))
		return r, ok
	case bool:
		if x {
			return big.NewRat(1, 1), true
		}
		return new(big.Rat), true
	}
	return nil, false
}

// jsonEqual compares two decoded JSON values with Python's ==: objects
// ignore key order, 1 equals 1.0, true equals 1.
func jsonEqual(a, b any) bool {
	if na, ok := jsonNumber(a); ok {
		nb, ok := jsonNumber(b)
		if !ok {
			return false
		}
		if _, ab := a.(bool); ab {
			if _, bb := b.(bool); bb {
				return a == b
			}
		}
		return na.Cmp(nb) == 0
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// checkJSON compares output with the JSON (or, for .ndjson, one JSON
// value a line) in file.
func checkJSON(file, output string) (bool, string) {
	data, err := os.ReadFile(file)
	if err != nil {
		return false, err.Error()
	}
	outLines := pySplitLines(pyStrip(output))
	if filepath.Ext(file) == ".ndjson" {
		fileLines := pySplitLines(pyStrip(string(data)))
		if len(fileLines) != len(outLines) {
			return false, fmt.Sprintf("%d lines of JSON expected, got %d", len(fileLines), len(outLines))
		}
		for i := range fileLines {
			got, err := parseJSON(outLines[i])
			if err != nil {
				return false, fmt.Sprintf("output line %d: %v", i+1, err)
			}
			want, err := parseJSON(fileLines[i])
			if err != nil {
				return false, fmt.Sprintf("%s line %d: %v", file, i+1, err)
			}
			if !jsonEqual(got, want) {
				return false, fmt.Sprintf("line %d differs: want %s got %s", i+1, fileLines[i], outLines[i])
			}
		}
		return true, ""
	}
	if len(outLines) != 1 {
		return false, fmt.Sprintf("expected a single line of JSON output, got %d lines", len(outLines))
	}
	got, err := parseJSON(pyStrip(output))
	if err != nil {
		return false, "output: " + err.Error()
	}
	want, err := parseJSON(string(data))
	if err != nil {
		return false, file + ": " + err.Error()
	}
	if !jsonEqual(got, want) {
		return false, "JSON differs: want " + string(bytes.TrimSpace(data))
	}
	return true, ""
}

// checkExpect reports whether output meets one expectation, and if not,
// a short reason.
func checkExpect(e Expect, output string, localizeTS int) (bool, string) {
	switch e.Mode {
	case expectText:
		if lineRegexp(e.Text).MatchString(output) {
			return true, ""
		}
		return false, "EXPECT " + e.Text
	case expectTextNone:
		if !lineRegexp(e.Text).MatchString(output) {
			return true, ""
		}
		return false, "EXPECT_NONE " + e.Text
	case expectRegex, expectRegexNone:
		m, err := matchRegex(e.Text, output)
		if err != nil {
			return false, err.Error()
		}
		if m == (e.Mode == expectRegex) {
			return true, ""
		}
		return false, e.Mode.String() + " " + e.Text
	case expectFile:
		data, err := os.ReadFile(e.Text)
		if err != nil {
			return false, err.Error()
		}
		if pyStrip(output) == localizeTimestamps(pyStrip(string(data)), localizeTS) {
			return true, ""
		}
		return false, "EXPECT_FILE " + e.Text
	case expectJSON:
		ok, why := checkJSON(e.Text, output)
		if ok {
			return true, ""
		}
		return false, "EXPECT_JSON " + e.Text + ": " + why
	}
	return false, "unknown expectation"
}

// checkAll checks every expectation; it returns the reasons of those that
// failed.
// File paths are relative to dir, the directory the test runs in.
func checkAll(t *Test, output, dir string) []string {
	var failed []string
	for _, e := range t.Expects {
		if (e.Mode == expectFile || e.Mode == expectJSON) && !filepath.IsAbs(e.Text) {
			e.Text = filepath.Join(dir, e.Text)
		}
		if ok, why := checkExpect(e, output, t.LocalizeTS); !ok {
			failed = append(failed, why)
		}
	}
	return failed
}
