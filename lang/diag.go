package lang

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is a diagnostic tied to a script position. Every pass reports its
// complaints as *Error values (or an ErrorList of them) so that the command
// line prints them all the same way:
//
//	script.gt:3:9: error: unknown function 'prnitf'
//	    prnitf("x");
//	    ^~~~~~
//	hint: did you mean printf?
type Error struct {
	Pos  Pos
	Msg  string
	Hint string // optional one-line advice
	Len  int    // optional length of the offending text, for the ~~~ underline
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

func (e *Error) Error() string {
	sev := "error: "
	if e.Warning {
		sev = "warning: "
	}
	if e.Pos.IsValid() || e.Pos.File != "" {
		return e.Pos.String() + ": " + sev + e.Msg
	}
	return sev + e.Msg
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

// Format renders err for a user. Positioned errors get the source line and a
// caret under the column; src is the text of the script the positions point
// into (it may be nil). Errors that are not positioned are printed as
// "error: <message>".
func Format(err error, src []byte) string {
	var b strings.Builder
	list, ok := diagnostics(err)
	if !ok {
		msg := err.Error()
		if !strings.HasPrefix(msg, "error: ") {
			msg = "error: " + msg
		}
		return msg + "\n"
	}
	lines := map[string][]string{} // of the sources the errors are in, by name
	for _, e := range list {
		b.WriteString(e.Error())
		b.WriteByte('\n')
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
		if line, ok := sourceLine(text, e.Pos.Line); ok && e.Pos.Col > 0 {
			b.WriteString(line)
			b.WriteByte('\n')
			b.WriteString(caretIndent(line, e.Pos.Col))
			b.WriteByte('^')
			if e.Len > 1 {
				b.WriteString(strings.Repeat("~", e.Len-1))
			}
			b.WriteByte('\n')
		}
		if e.Hint != "" {
			b.WriteString("hint: " + e.Hint + "\n")
		}
	}
	return b.String()
}

// sourceLine is line n of a source split into lines.
func sourceLine(lines []string, n int) (string, bool) {
	if n <= 0 || n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// caretIndent returns the whitespace that puts a caret under column col of
// line, keeping tabs as tabs so the caret lines up in a terminal.
func caretIndent(line string, col int) string {
	var b strings.Builder
	for i := 0; i < col-1; i++ {
		if i < len(line) && line[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
