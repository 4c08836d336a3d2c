package lang

import (
	"errors"
	"strings"
	"testing"
)

// TestDiagnosticLayout checks bpftrace's layout of diagnostics: the range,
// the severity, the source line with tabs as four spaces and a ~ under
// the range, HINT lines, errors before warnings, colour of the first
// line, every line of a range over several, and unpositioned errors.
func TestDiagnosticLayout(t *testing.T) {
	src := []byte("BEGIN {\n\t@x = foo(1);\n}\n")
	at := func(line, col, endLine, endCol int) Pos {
		return Pos{File: "s.bt", Line: line, Col: col, EndLine: endLine, EndCol: endCol}
	}
	list := ErrorList{
		{Pos: at(2, 7, 2, 13), Msg: "careful", Warning: true},
		{Pos: at(2, 7, 2, 13), Msg: "Unknown function: foo", Hint: "did you mean fop?"},
	}
	want := "s.bt:2:7-13: ERROR: Unknown function: foo\n" +
		"    @x = foo(1);\n" +
		"         ~~~~~~\n" +
		"HINT: did you mean fop?\n" +
		"s.bt:2:7-13: WARNING: careful\n" +
		"    @x = foo(1);\n" +
		"         ~~~~~~\n"
	if got := Format(list, src); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	colored := "\033[31ms.bt:2:7-13: ERROR: Unknown function: foo\033[0m\n"
	if got := FormatColor(list[1], src, true); got[:len(colored)] != colored {
		t.Errorf("colour: %q", got)
	}
	if got := FormatColor(list[0], src, true); got[:5] != "\033[33m" {
		t.Errorf("warning colour: %q", got)
	}
	multi := &Error{Pos: at(1, 1, 3, 2), Msg: "whole probe"}
	if got, want := Format(multi, src), "s.bt:1-3: ERROR: whole probe\nBEGIN {\n\t@x = foo(1);\n}\n"; got != want {
		t.Errorf("several lines: %q, want %q", got, want)
	}
	// a start without an end: the range is the word there
	word := &Error{Pos: Pos{File: "s.bt", Line: 2, Col: 7}, Msg: "w"}
	if got, want := Format(word, src), "s.bt:2:7-10: ERROR: w\n    @x = foo(1);\n         ~~~\n"; got != want {
		t.Errorf("word: %q, want %q", got, want)
	}
	if got := Format(errors.New("no place"), src); got != "ERROR: no place\n" {
		t.Errorf("plain: %q", got)
	}
	if got := Format(&Error{Msg: "unexpected program command line options: --bb", Hint: "expected program options: --aa"}, nil); got != "ERROR: unexpected program command line options: --bb\nHINT: expected program options: --aa\n" {
		t.Errorf("unpositioned: %q", got)
	}
}

// TestDiagnosticExpansions checks that an error in a macro's body names
// the calls the body was expanded for, innermost first, each with its
// source line, as the parser positions them.
func TestDiagnosticExpansions(t *testing.T) {
	src := "macro inner(x) { x } macro mid() { inner(1, 2) } macro outer() { mid() } begin { outer(); }"
	_, err := Parse("s.bt", []byte(src))
	if err == nil {
		t.Fatal("parse: no error")
	}
	got := Format(err, []byte(src))
	pad := func(n int) string { return "\n" + strings.Repeat(" ", n) }
	want := "s.bt:1:36-47: ERROR: Call to inner() has arguments that do not match any definition.\n" +
		src + pad(35) + "~~~~~~~~~~~\n" +
		"s.bt:1:66-71: ERROR: expanded from\n" +
		src + pad(65) + "~~~~~\n" +
		"s.bt:1:82-89: ERROR: expanded from\n" +
		src + pad(81) + "~~~~~~~\n" +
		"HINT: the closest definition of inner() has a different number of arguments. Expected: 1 but got 2\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
