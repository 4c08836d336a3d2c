package main

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// The REPL's screen while background programs print.
//
// peterh/liner owns the terminal while it shows the prompt, and has no
// call to print above it: a background program writing then would write
// into the line being typed. What liner does have is a redraw on
// SIGWINCH (the terminal was resized): it draws the prompt and the line,
// with the cursor where it was, at the start of the row the cursor is
// on. So a program's output, while the prompt is shown, is written as:
// back to the row's start and erase it (the prompt and the typed text),
// the output, a line break if it did not end in one, and a SIGWINCH to
// gotrace itself, after which liner draws the prompt and the typed text
// again below the output. The edit line is one row that scrolls sideways
// (liner's single-line mode): its redraw on SIGWINCH of several rows
// would erase rows of the output.
//
// liner could do this itself with one method (State.Print(s): erase the
// edit rows, write s, redraw) called from any goroutine; this is the
// smallest way around its absence.
type screen struct {
	tty bool // stdin and stdout are a terminal: the prompt is liner's
	mu  sync.Mutex
	on  bool // the prompt is shown
}

func (s *screen) prompting(on bool) {
	s.mu.Lock()
	s.on = on
	s.mu.Unlock()
}

// promptWriter writes a program's output to w, above the prompt when
// one is shown.
type promptWriter struct {
	s *screen
	w io.Writer
}

func (p *promptWriter) Write(b []byte) (int, error) {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if !p.s.on || !p.s.tty {
		return p.w.Write(b)
	}
	if _, err := io.WriteString(p.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	n, err := p.w.Write(b)
	if err == nil && n > 0 && b[n-1] != '\n' {
		_, err = io.WriteString(p.w, "\n")
	}
	syscall.Kill(os.Getpid(), syscall.SIGWINCH)
	return n, err
}
