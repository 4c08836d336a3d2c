package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime/output"
)

// Records.
//
// handle interprets one ring buffer record by its event id (the first
// 8 bytes, an index into the program's Events): printf through its
// compiled format, exit(), print(), clear() and zero() of a map, which
// only user space can do whole, printed values, time(), join(), runtime
// warnings, helper errors, errorf()/warnf(), cat(), system() and
// unwatch(), each done in the order the records arrive. The watchpoints'
// links (onceCloser) and the small readers handle uses are here too.

// unwatch removes the watchpoints on addr (unwatch()); an address no
// watchpoint watches is ignored, as it may already be removed.
func (s *session) unwatch(addr uint64) {
	s.mu.Lock()
	ls := s.watches[addr]
	delete(s.watches, addr)
	s.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
}

// onceCloser closes c once, however often it is closed.
type onceCloser struct {
	c    io.Closer
	once sync.Once
	err  error
}

func (o *onceCloser) Close() error {
	o.once.Do(func() { o.err = o.c.Close() })
	return o.err
}

// handle interprets one ring buffer record.
func (s *session) handle(rec []byte) {
	if s.skip(rec) {
		return
	}
	s.out.Lock()
	defer s.out.Unlock()
	if len(rec) < 8 {
		return
	}
	id := binary.LittleEndian.Uint64(rec)
	if id >= uint64(len(s.prog.Events)) {
		return
	}
	ev := s.prog.Events[id]
	if s.opts.Buffer == Unbuffered {
		defer s.w.Flush()
	}
	switch ev.Kind {
	case codegen.EventPrintf:
		// the common case first: one compiled format, no allocation
		if f := s.formats[id]; f.Fits(rec) {
			s.printer.PrintfRecord(f, rec)
		}
	case codegen.EventExit:
		code := 0
		if len(rec) >= 16 {
			code = int(int64(binary.LittleEndian.Uint64(rec[8:])))
		}
		s.setExited(code)
	case codegen.EventPrintMap:
		if mm := s.prog.MapByName(ev.Map); mm != nil {
			if om, err := s.maps.read(mm); err == nil {
				om.Top, om.Div = ev.Top, ev.Div
				if om.Key == nil && len(om.Entries) == 0 && !om.Bucketed {
					// print(@x) of a scalar map not set yet shows its zero
					om.Entries = []output.Entry{{Key: make([]byte, 8), PerCPU: [][]byte{make([]byte, mm.ValSize)}}}
				}
				s.printer.MapAs(om, ev.As)
			}
		}
	case codegen.EventUnwatch:
		if len(rec) >= 16 {
			s.unwatch(binary.LittleEndian.Uint64(rec[8:]))
		}
	case codegen.EventClear, codegen.EventZero:
		if mm := s.prog.MapByName(ev.Map); mm != nil {
			s.maps.clear(mm, ev.Kind == codegen.EventZero)
		}
	case codegen.EventPrintValue:
		a := ev.Args[0]
		if a.Offset+slotBytes(a.Type) <= len(rec) {
			s.printer.Value(a.Type, rec[a.Offset:a.Offset+slotBytes(a.Type)])
		}
	case codegen.EventTime:
		s.printer.Text("time", Strftime(ev.Format, time.Now()))
	case codegen.EventJoin:
		s.printer.Text("join", joinRecord(rec, ev.Format))
	case codegen.EventRuntimeWarning:
		if !s.opts.NoWarnings {
			s.beforeStderr()
			s.printer.RuntimeWarning(s.opts.Err, ev.Format, ev.Pos)
		}
	case codegen.EventHelperError:
		if len(rec) >= 16 && !s.opts.NoWarnings {
			s.beforeStderr()
			s.printer.HelperError(s.opts.Err, ev.Helper, int64(binary.LittleEndian.Uint64(rec[8:])), ev.Pos)
		}
	case codegen.EventErrorf, codegen.EventWarnf, codegen.EventCat, codegen.EventSystem:
		f := s.formats[id]
		if !f.Fits(rec) {
			return
		}
		text := s.printer.SprintfRecord(f, rec)
		switch ev.Kind {
		case codegen.EventErrorf, codegen.EventWarnf:
			sev := "warnf"
			if ev.Kind == codegen.EventErrorf {
				sev = "errorf"
			}
			s.beforeStderr()
			s.printer.Diagnostic(s.opts.Err, sev, text, ev.Pos.File, ev.Pos.Line, ev.Pos.Col, ev.EndCol)
			s.printer.Expansions(s.opts.Err, sev, ev.Pos)
		case codegen.EventCat:
			s.printer.Text("cat", catFile(text, s.prog.Settings.MaxCatBytes))
		case codegen.EventSystem:
			cmd := exec.Command("/bin/sh", "-c", text)
			cmd.Stdout, cmd.Stderr = s.opts.Out, s.opts.Err
			if s.printer.IsJSON() {
				// the command's output is a record of its own:
				// {"type": "syscall", "data": "..."}, as bpftrace
				var out bytes.Buffer
				cmd.Stdout = &out
				cmd.Run()
				s.printer.Text("syscall", out.String())
				return
			}
			if s.opts.Buffer == FullyBuffered {
				cmd.Stdout = s.w // after what gathered, as it was printed
			} else {
				s.w.Flush() // the command writes to stdout itself
			}
			cmd.Run()
		}
	}
}

// joinRecord joins the strings of a join() record with sep, up to the
// first empty one.
func joinRecord(rec []byte, sep string) string {
	var parts []string
	for i := 0; i < codegen.JoinArgs; i++ {
		off := 8 + i*codegen.JoinArgSize
		if off >= len(rec) {
			break
		}
		s := rec[off:min(off+codegen.JoinArgSize, len(rec))]
		if n := bytes.IndexByte(s, 0); n >= 0 {
			s = s[:n]
		}
		if len(s) == 0 {
			break
		}
		parts = append(parts, string(s))
	}
	return strings.Join(parts, sep)
}

// catFile reads at most max bytes of a file for cat(); a file that cannot
// be read gives a message, as bpftrace prints one.
func catFile(path string, max int) string {
	f, err := os.Open(path)
	if err != nil {
		reason := err.Error()
		var errno syscall.Errno
		if errors.As(err, &errno) {
			reason = errno.Error()
			reason = strings.ToUpper(reason[:1]) + reason[1:]
		}
		return fmt.Sprintf("ERROR: failed to open file '%s' (%s)\n", path, reason)
	}
	defer f.Close()
	b := make([]byte, max)
	n, _ := io.ReadFull(f, b)
	return string(b[:n])
}

// slotBytes is how many bytes a value of type t takes in a record.
func slotBytes(t *types.Type) int {
	if t.InRegister() {
		return 8
	}
	return t.Size
}
