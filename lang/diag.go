package lang

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is a diagnostic tied to a script position. Every pass reports its
// complaints as *Error values (or an ErrorList of them) so that the command
// line prints them all the same way, as bpftrace prints its diagnostics:
// the range of the offending text, the severity, the message, the source
// line and a ~ under the range, then the advice on HINT lines:
//
//	script.gt:3:9-15: ERROR: Unknown function: prnitf
//	    prnitf("x");
//	    ~~~~~~
//	HINT: did you mean printf?
type Error struct {
	Pos  Pos
	Msg  string
	Hint string // optional advice, printed after "HINT: "
	// Warning marks a diagnostic that does not stop the script.
	Warning bool
	// Src is the text of the file Pos is in when that is a file the
	// script imported (File.Imported), for Format to show its line; nil
	// means the script's own text.
	Src []byte
}

// AttachSources gives each diagnostic of err that is positioned in one
// of the imported files of sources (File.Imported) that file's text, so
// that Format shows its lines.
func AttachSources(err error, sources map[string][]byte) {
	if err == nil || len(sources) == 0 {
		return
	}
	list, _ := diagnostics(err)
	for _, e := range list {
		if src, ok := sources[e.Pos.File]; ok && e.Src == nil {
			e.Src = src
		}
	}
}

// diagnostics returns the positioned diagnostics err holds (an ErrorList
// or one *Error, maybe wrapped), or false when it holds none.
func diagnostics(err error) (ErrorList, bool) {
	var list ErrorList
	var one *Error
	switch {
	case errors.As(err, &list):
		return list, true
	case errors.As(err, &one):
		return ErrorList{one}, true
	}
	return nil, false
}

// severity is the word a diagnostic's first line calls it by.
func (e *Error) severity() string {
	if e.Warning {
		return "WARNING: "
	}
	return "ERROR: "
}

func (e *Error) Error() string {
	if e.Pos.IsValid() || e.Pos.File != "" {
		return e.Pos.Range() + ": " + e.severity() + e.Msg
	}
	return e.severity() + e.Msg
}

// WithHint sets the error's hint and returns the error.
func (e *Error) WithHint(hint string) *Error {
	e.Hint = hint
	return e
}

// Errorf makes a positioned error.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// ErrorList is a list of positioned errors, in source order.
type ErrorList []*Error

func (l *ErrorList) Add(pos Pos, format string, args ...any) *Error {
	e := Errorf(pos, format, args...)
	*l = append(*l, e)
	return e
}

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Sort orders the list by position.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// Err returns nil for an empty list and the list otherwise.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// ANSI colours of the first line of errors and warnings on a terminal.
const (
	colorRed    = "\033[31m"
	colorYellow = "\033[33m"
	colorReset  = "\033[0m"
)

// Format renders err for a user, without colour. Positioned errors get
// the source line and a ~ underline of their range; src is the text of
// the script the positions point into (it may be nil). Errors come
// before warnings. An error that is not a diagnostic is printed as
// "ERROR: <message>".
func Format(err error, src []byte) string { return FormatColor(err, src, false) }

// FormatColor is Format, with the first line of each error red and of
// each warning yellow when color is set.
func FormatColor(err error, src []byte, color bool) string {
	var b strings.Builder
	list, ok := diagnostics(err)
	if !ok {
		msg := err.Error()
		if !strings.HasPrefix(msg, "ERROR: ") {
			msg = "ERROR: " + msg
		}
		if color {
			msg = colorRed + msg + colorReset
		}
		return msg + "\n"
	}
	lines := map[string][]string{} // of the sources the errors are in, by name
	write := func(e *Error) {
		text, ok := lines[e.Pos.File]
		if !ok {
			src := src
			if e.Src != nil {
				src = e.Src
			}
			if src != nil {
				text = strings.Split(string(src), "\n")
			}
			lines[e.Pos.File] = text
		}
		pos := e.Pos
		if line, ok := sourceLine(text, pos.Line); ok && pos.Col > 0 && pos.EndLine == 0 {
			pos.EndLine, pos.EndCol = pos.Line, tokenEndCol(line, pos.Col)
		}
		// an error without a message is advice alone: its HINT lines
		if e.Msg != "" || e.Hint == "" {
			writeHead(&b, e, pos, e.Msg, color)
			writeContext(&b, text, pos)
			writeExpansions(&b, e, text, color)
		}
		if e.Hint != "" {
			b.WriteString("HINT: " + e.Hint + "\n")
		}
	}
	for _, e := range list {
		if !e.Warning {
			write(e)
		}
	}
	for _, e := range list {
		if e.Warning {
			write(e)
		}
	}
	return b.String()
}

// writeContext writes the source lines of the range pos: one line and a
// ~ under the range, or every line of a range over several; tabs are
// shown as four spaces.
func writeContext(b *strings.Builder, text []string, pos Pos) {
	if pos.EndLine > pos.Line {
		for n := pos.Line; n <= pos.EndLine; n++ {
			if line, ok := sourceLine(text, n); ok {
				b.WriteString(line)
				b.WriteByte('\n')
			}
		}
		return
	}
	line, ok := sourceLine(text, pos.Line)
	if !ok || pos.Col <= 0 {
		return
	}
	b.WriteString(strings.ReplaceAll(line, "\t", "    "))
	b.WriteByte('\n')
	var mark strings.Builder
	for x := 0; x < len(line) && x < pos.EndCol-1; x++ {
		m := byte('~')
		if x < pos.Col-1 {
			m = ' '
		}
		if line[x] == '\t' {
			mark.WriteString(strings.Repeat(string(m), 4))
		} else {
			mark.WriteByte(m)
		}
	}
	b.WriteString(mark.String())
	b.WriteByte('\n')
}

// tokenEndCol is the column just past the word, number, string or
// attach point that begins at column col of line: the end of a
// diagnostic's range when the pass that made it knew only its start.
func tokenEndCol(line string, col int) int {
	i := col - 1
	if i >= len(line) {
		return col + 1
	}
	if line[i] == '"' {
		for j := i + 1; j < len(line); j++ {
			switch line[j] {
			case '\\':
				j++
			case '"':
				return j + 2
			}
		}
		return len(line) + 1
	}
	j := i
	for j < len(line) && strings.IndexByte("_$@:.*/-+?[]", line[j]) >= 0 || j < len(line) && isAlnum(line[j]) {
		j++
	}
	if j == i {
		j++
	}
	return j + 1
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// sourceLine is line n of a source split into lines.
func sourceLine(lines []string, n int) (string, bool) {
	if n <= 0 || n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// writeExpansions writes, for a diagnostic inside a macro's body, the
// macro calls it was expanded for, innermost first, each as a diagnostic
// of the same severity saying "expanded from" with its source line.
func writeExpansions(b *strings.Builder, e *Error, text []string, color bool) {
	for from := e.Pos.From; from != nil; from = from.From {
		writeHead(b, e, *from, "expanded from", color)
		writeContext(b, text, *from)
	}
}

// writeHead writes a diagnostic's first line: the range (when it has a
// place), e's severity and msg, red for an error and yellow for a warning
// when color is set.
func writeHead(b *strings.Builder, e *Error, pos Pos, msg string, color bool) {
	head := e.severity() + msg
	if pos.IsValid() || pos.File != "" {
		head = pos.Range() + ": " + head
	}
	if color {
		c := colorRed
		if e.Warning {
			c = colorYellow
		}
		head = c + head + colorReset
	}
	b.WriteString(head)
	b.WriteByte('\n')
}
