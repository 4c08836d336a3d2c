package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Messages of the command line itself, in bpftrace's words: "ERROR: ...",
// "WARNING: ...", "HINT: ...", red and yellow where bpftrace colours them
// (BPFTRACE_COLOR=auto|always|never; auto: when stdout and stderr are both
// terminals). Diagnostics of the script (positioned, with the source
// line) come from lang.FormatColor.

// argv0 is the name gotrace was started under (os.Args[0]).
var argv0 = "gotrace"

// progName is the base name gotrace runs under: "gotrace", or
// "bpftrace" when run through a link of that name (the drop-in way).
func progName() string { return filepath.Base(argv0) }

// asBpftrace reports whether gotrace runs under bpftrace's name.
func asBpftrace() bool { return strings.HasPrefix(progName(), "bpftrace") }

type logger struct {
	w       io.Writer
	color   bool
	quietW  bool // --no-warnings
	warned  map[string]bool
	printed int // messages written
}

func newLogger(w io.Writer) *logger {
	return &logger{w: w, color: colorize(w), warned: map[string]bool{}}
}

const (
	ansiRed    = "\033[31m"
	ansiYellow = "\033[33m"
	ansiReset  = "\033[0m"
)

func (l *logger) emit(kind, color, format string, args ...any) {
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	if l.color && color != "" {
		fmt.Fprintf(l.w, "%s%s: %s%s\n", color, kind, msg, ansiReset)
	} else {
		fmt.Fprintf(l.w, "%s: %s\n", kind, msg)
	}
	l.printed++
}

func (l *logger) errorf(format string, args ...any) { l.emit("ERROR", ansiRed, format, args...) }

func (l *logger) hintf(format string, args ...any) { l.emit("HINT", "", format, args...) }

func (l *logger) warnf(format string, args ...any) {
	if l.quietW {
		return
	}
	l.emit("WARNING", ansiYellow, format, args...)
}

// warnOnce warns once per key.
func (l *logger) warnOnce(key, format string, args ...any) {
	if l.warned[key] {
		return
	}
	l.warned[key] = true
	l.warnf(format, args...)
}

// colorize decides bpftrace's way whether messages are coloured.
func colorize(w io.Writer) bool {
	switch v := os.Getenv("BPFTRACE_COLOR"); v {
	case "always":
		return true
	case "never":
		return false
	case "", "auto":
	default:
		// warned about in checkEnvironment
	}
	f, ok := w.(*os.File)
	return ok && isTerminal(f) && isTerminal(os.Stdout)
}
