package output

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Format is the output format: bpftrace's text, one JSON object per
// line, or text with maps keyed by stacks as folded stacks
// (profilewriter.go).
type Format int

const (
	Text Format = iota
	JSON
	Folded
)

// Arg is one printf argument: its type and its raw bytes.
type Arg struct {
	Type *types.Type
	Raw  []byte
}

// Printer writes a program's output. It is not safe for concurrent use.
type Printer struct {
	w   io.Writer
	f   Format
	buf []byte     // a printf record's text, reused
	jbf []byte     // its JSON object, reused
	Sym Symbolizer // names addresses and stacks; nil prints them as numbers
	// Loc is the time zone of the times text output shows (tseries);
	// nil: the local one.
	Loc *time.Location
	// Profile, when set, takes the maps keyed by stacks instead of
	// printing them (pprof, flame graphs: profilewriter.go).
	Profile *ProfileWriter
	// Src is the script's text, which run-time warnings quote; Color
	// colours their first line (BPFTRACE_COLOR).
	Src   []byte
	Color bool
}

// IsJSON tells whether the printer prints JSON records.
func (p *Printer) IsJSON() bool { return p.f == JSON }

// New returns a printer writing to w.
func New(w io.Writer, f Format) *Printer { return &Printer{w: w, f: f} }

func (p *Printer) args(args []Arg) []value {
	vs := make([]value, len(args))
	for i, a := range args {
		vs[i] = decode(a.Type, a.Raw, p.Sym)
	}
	return vs
}

// Sprintf formats a printf format with its arguments, as printf prints
// them (for system() and cat() too).
func (p *Printer) Sprintf(format string, args []Arg) string {
	var bits map[string]int
	if p.Sym != nil && strings.Contains(format, "gr") {
		bits = p.Sym.GFPBits()
	}
	return sprintf(format, p.args(args), bits)
}

// Printf prints a printf record.
func (p *Printer) Printf(format string, args []Arg) error {
	s := p.Sprintf(format, args)
	if p.f == JSON {
		return p.emit("printf", jsonString(s))
	}
	_, err := io.WriteString(p.w, s)
	return err
}

// PrintfRecord prints a printf record through its compiled format: the
// text as it is, or in JSON a {"type": "printf", "data": "..."} object.
// It does not allocate for the conversions Formatter formats itself.
func (p *Printer) PrintfRecord(f *Formatter, rec []byte) error {
	p.buf = f.Append(p.buf[:0], rec, p.Sym)
	if p.f == JSON {
		p.jbf = append(p.jbf[:0], `{"type": "printf", "data": `...)
		p.jbf = appendJSONString(p.jbf, p.buf)
		p.jbf = append(p.jbf, "}\n"...)
		_, err := p.w.Write(p.jbf)
		return err
	}
	_, err := p.w.Write(p.buf)
	return err
}

// SprintfRecord formats a record through its compiled format, as
// PrintfRecord prints it in text (for errorf, warnf, cat and system).
func (p *Printer) SprintfRecord(f *Formatter, rec []byte) string {
	return string(f.Append(nil, rec, p.Sym))
}

// emit writes {"type": T, "data": data}.
func (p *Printer) emit(typ, data string) error {
	_, err := fmt.Fprintf(p.w, "{\"type\": \"%s\", \"data\": %s}\n", typ, data)
	return err
}

// Value prints print(value): the value on a line.
func (p *Printer) Value(t *types.Type, raw []byte) error {
	v := decode(t, raw, p.Sym)
	if p.f == JSON {
		return p.emit("value", v.json())
	}
	_, err := io.WriteString(p.w, v.text()+"\n")
	return err
}

// Map prints a map: print(@m) and the maps at exit.
func (p *Printer) Map(m *Map) error {
	if done, err := p.profileMap(m); done {
		return err
	}
	es := m.entries(p.Sym)
	if p.f == JSON {
		return p.mapJSON(m, es)
	}
	var b strings.Builder
	for _, e := range es {
		b.WriteString(m.Name)
		if m.Key != nil {
			b.WriteString("[" + e.key.keyText() + "]")
		}
		if e.hist != nil {
			b.WriteString(":\n")
			b.WriteString(e.hist.rows())
			b.WriteString("\n")
			continue
		}
		if e.ts != nil {
			loc := p.Loc
			if loc == nil {
				loc = time.Local
			}
			b.WriteString(":\n")
			b.WriteString(e.ts.graph(loc))
			b.WriteString("\n")
			continue
		}
		b.WriteString(": " + e.val.text() + "\n")
	}
	_, err := io.WriteString(p.w, b.String())
	return err
}

func (p *Printer) mapJSON(m *Map, es []*entry) error {
	if len(es) == 0 {
		return nil
	}
	typ := "map"
	switch {
	case IsTSeries(m.Value):
		typ = "tseries"
	case m.Bucketed:
		typ = "hist"
	case m.Value.Kind == types.Agg && (m.Value.AggFn == types.AggAvg || m.Value.AggFn == types.AggStats):
		typ = "stats"
	}
	val := func(e *entry) string {
		if e.ts != nil {
			return e.ts.json()
		}
		if e.hist != nil {
			return e.hist.json()
		}
		return e.val.json()
	}
	var data string
	if m.Key == nil {
		data = val(es[0])
	} else {
		parts := make([]string, len(es))
		for i, e := range es {
			parts[i] = e.key.keyJSON() + ": " + val(e)
		}
		data = "{" + strings.Join(parts, ", ") + "}"
	}
	return p.emit(typ, "{"+jsonString(m.Name)+": "+data+"}")
}

// Attached reports how many probes are attached: on w (stderr) in text,
// as an attached_probes object on the output in JSON.
func (p *Printer) Attached(w io.Writer, n int) {
	if p.f == JSON {
		fmt.Fprintf(p.w, "{\"type\": \"attached_probes\", \"count\": %d, \"data\": {\"probes\": %d}}\n", n, n)
		return
	}
	if n == 1 {
		fmt.Fprintf(w, "Attached 1 probe\n")
		return
	}
	fmt.Fprintf(w, "Attached %d probes\n", n)
}

// Lost reports records the kernel could not hand over: on w (stderr) in
// text, as a lost_events object in JSON.
func (p *Printer) Lost(w io.Writer, n uint64) {
	if p.f == JSON {
		fmt.Fprintf(p.w, "{\"type\": \"lost_events\", \"count\": %d, \"data\": {\"events\": %d}}\n", n, n)
		return
	}
	fmt.Fprintf(w, "Lost %d events\n", n)
}

// End marks the end of the run, before the maps are printed: two empty
// lines in text, nothing in JSON or folded stacks.
func (p *Printer) End() error {
	if p.f == JSON || p.f == Folded {
		return nil
	}
	_, err := io.WriteString(p.w, "\n\n")
	return err
}

// Text prints the output of time(), cat() or join() (typ names which):
// as it is in text, as {"type": typ, "data": "..."} in JSON. join() ends
// its line.
func (p *Printer) Text(typ, s string) error {
	if p.f == JSON {
		return p.emit(typ, jsonString(s))
	}
	if typ == "join" {
		s += "\n"
	}
	_, err := io.WriteString(p.w, s)
	return err
}

// Diagnostic prints errorf() and warnf() (severity "errorf" or "warnf")
// with the script position they come from: on w (stderr) in text, as an
// object on the output in JSON. In text, a known end column makes the
// position a range, as bpftrace prints it: stdin:1:9-62.
// HelperError reports a helper that failed at run time (-k) at the
// expression at pos, as bpftrace does: its reason (strerror of the return
// code, or that a map lookup found nothing), the helper and the code,
// then the source line; in JSON a helper_error record.
func (p *Printer) HelperError(w io.Writer, helper string, retcode int64, pos lang.Pos) {
	reason := "Can't lookup map element because it does not exist."
	if helper != "map_lookup_elem" {
		reason = errnoText(-retcode)
	}
	if p.f == JSON {
		fmt.Fprintf(p.w, "{\"type\": \"helper_error\", \"msg\": %s, \"helper\": %s, \"retcode\": %d, \"filename\": %s, \"line\": %d, \"col\": %d}\n",
			jsonString(errnoText(-retcode)), jsonString(helper), retcode, jsonString(pos.File), pos.Line, pos.Col)
		return
	}
	msg := fmt.Sprintf("%s\nAdditional Info - helper: %s, retcode: %d", reason, helper, retcode)
	io.WriteString(w, lang.FormatColor(&lang.Error{Pos: pos, Msg: msg, Warning: true}, p.Src, p.Color))
}

// RuntimeWarning reports a mishap of the expression at pos at run time
// (an array index out of bounds, a division by 0), with the source line;
// in JSON a runtime_error record.
func (p *Printer) RuntimeWarning(w io.Writer, msg string, pos lang.Pos) {
	if p.f == JSON {
		fmt.Fprintf(p.w, "{\"type\": \"runtime_error\", \"msg\": %s, \"filename\": %s, \"line\": %d, \"col\": %d}\n",
			jsonString(msg), jsonString(pos.File), pos.Line, pos.Col)
		return
	}
	io.WriteString(w, lang.FormatColor(&lang.Error{Pos: pos, Msg: msg, Warning: true}, p.Src, p.Color))
}

// errnoText is C's strerror of an errno: "Bad address" for EFAULT.
func errnoText(errno int64) string {
	s := syscall.Errno(errno).Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (p *Printer) Diagnostic(w io.Writer, severity, msg, file string, line, col, endCol int) {
	if p.f == JSON {
		fmt.Fprintf(p.w, "{\"type\": \"%s\", \"msg\": %s, \"filename\": %s, \"line\": %d, \"col\": %d}\n",
			severity, jsonString(msg), jsonString(file), line, col)
		return
	}
	word := "WARNING"
	if severity == "errorf" {
		word = "ERROR"
	}
	at := strconv.Itoa(col)
	if endCol > col {
		at += "-" + strconv.Itoa(endCol)
	}
	fmt.Fprintf(w, "%s:%d:%s: %s: %s\n", file, line, at, word, msg)
}

// Expansions follows a Diagnostic of an errorf() or warnf() in a macro's
// body: the macro calls it was expanded for, each with its source line,
// as compile-time diagnostics show them. JSON records carry no chain.
func (p *Printer) Expansions(w io.Writer, severity string, pos lang.Pos) {
	if p.f == JSON || pos.From == nil {
		return
	}
	io.WriteString(w, lang.FormatColor(&lang.Error{Pos: *pos.From, Msg: "expanded from", Warning: severity != "errorf"}, p.Src, p.Color))
}
