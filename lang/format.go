package lang

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// FormatScript prints a script back in the canonical layout of
// `gotrace --fmt`, the layout of bpftrace's own formatter:
//
//   - each attach point of a probe on a line of its own (with a ',' after
//     all but the last), the predicate /.../ on the next line, and the
//     body's '{' on the line after;
//   - statements one to a line, indented two spaces a level, ending in ';';
//     the blocks of if, else, while, for and unroll open on the statement's
//     line and close on a line of their own (`} else {`);
//   - one space around binary and assignment operators, after ',' and
//     around the ':' of for and ?:, and none inside parentheses and brackets;
//   - lines kept to 90 columns where a call's arguments, or the && or ||
//     terms of a predicate or an if's condition, can go on several lines
//     (aligned after the '(' or the '/'): of the ways to break them that
//     fit, the one with the earliest breaks;
//   - a blank line between top-level items, except between #define,
//     #include, import and map declaration lines written together.
//
// What the script says is kept as written: attach points, literals
// (0x10 stays 0x10), parentheses, the macros and #define constants (not
// expanded), imports (not read), and the C definitions, which are copied
// as they are. Comments are kept: a comment on a line of its own stays on
// a line of its own before what followed it, one at the end of a line
// stays at the end of that line; so are the lines an #if leaves out, and
// single blank lines between statements. The result parses to the same
// tree as the script, and formatting it again changes nothing. The
// tools bpftrace ships, which its own formatter keeps formatted, come out
// of FormatScript as they are.
//
// name is the script's name in errors; a script that does not parse is
// not formatted, and the error says why.
func FormatScript(name string, src []byte) ([]byte, error) {
	text, errs := conditionals(name, src)
	if len(errs) > 0 {
		return nil, errs.Err()
	}
	tree, err := parseFile(fileParser(), name, text)
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	f := &formatter{src: string(src)}
	if err := f.scan(name, string(text)); err != nil {
		return nil, syntaxError(name, src, err)
	}
	f.file(tree)
	return []byte(f.String()), nil
}

// formatter writes the layout of FormatScript as a list of lines.
type formatter struct {
	src    string          // the script as written
	toks   []token         // every token of the script, comments and white space too
	extras []extra         // comments and the lines #if left out, by offset
	next   int             // the first extra not written yet
	close  map[int32]int32 // the offset of each '{' -> that of its '}'
	lines  []string
	indent int
	// blank asks for a blank line before the next line written.
	blank bool
	inner bool // formats a block inside an expression: extras are the outer formatter's
}

// extra is text the parse tree does not hold: a comment, a shebang line,
// or lines an #if left out. trailing is set for a comment that follows
// code on its line.
type extra struct {
	off, end int
	text     string
	trailing bool
	verbatim bool // written at the start of a line, as it is (#if lines)
}

// scan lexes the script once more, keeping its comments and white
// space, to find the comments, where each block ends, and the lines the
// conditional directives blanked in text.
func (f *formatter) scan(name, text string) error {
	d := scriptLexDef
	d.skip = false
	toks, err := d.tokens(nil, text, lexerPos(name))
	if err != nil {
		return err
	}
	f.toks = toks
	f.close = map[int32]int32{}
	var open []int32
	for i, t := range toks {
		switch t.Type {
		case tokComment, tokShebang:
			e := extra{off: int(t.Pos.Offset), end: int(t.Pos.Offset) + len(t.Value), text: strings.TrimRight(t.Value, " \t\r")}
			if t.Type == tokShebang {
				e.verbatim = true
			}
			for j := i - 1; j >= 0; j-- {
				if p := toks[j]; p.Type != tokSpace {
					e.trailing = true
					break
				} else if strings.Contains(p.Value, "\n") {
					break
				}
			}
			f.extras = append(f.extras, e)
		}
		switch t.Value {
		case "{":
			open = append(open, t.Pos.Offset)
		case "}":
			if n := len(open); n > 0 {
				f.close[open[n-1]] = t.Pos.Offset
				open = open[:n-1]
			}
		}
	}
	// the lines #if, #else and #endif left out, and the directives
	for off := 0; off < len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		if text[off:off+end] == f.src[off:off+end] {
			off += end + 1
			continue
		}
		start := off
		for off < len(text) {
			end := strings.IndexByte(text[off:], '\n')
			if end < 0 {
				end = len(text) - off
			}
			if text[off:off+end] == f.src[off:off+end] {
				break
			}
			off += end + 1
		}
		stop := min(off, len(f.src))
		f.extras = append(f.extras, extra{off: start, end: stop, text: strings.TrimRight(f.src[start:stop], "\n"), verbatim: true})
	}
	sort.SliceStable(f.extras, func(i, j int) bool { return f.extras[i].off < f.extras[j].off })
	return nil
}

func lexerPos(name string) lexer.Position {
	return lexer.Position{Filename: name, Line: 1, Column: 1}
}

func (f *formatter) String() string {
	// Each line loses its trailing blanks. A line may hold line breaks of
	// the source's own (a string with a raw newline, a block comment, text
	// an #if left out): the text before those is kept as written, since
	// blanks there can be part of a string.
	var b strings.Builder
	for _, l := range f.lines {
		b.WriteString(strings.TrimRight(l, " \t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// line writes a line at the current indentation.
func (f *formatter) line(s string) {
	if f.blank && len(f.lines) > 0 && f.lines[len(f.lines)-1] != "" {
		f.lines = append(f.lines, "")
	}
	f.blank = false
	f.lines = append(f.lines, strings.Repeat("  ", f.indent)+s)
}

// appendLast adds s to the last line written.
func (f *formatter) appendLast(s string) {
	f.lines[len(f.lines)-1] += s
}

// blankBefore reports whether a blank line is written before offset off.
func (f *formatter) blankBefore(off int) bool {
	i := off
	for i > 0 && strings.IndexByte(" \t\r\n", f.src[i-1]) >= 0 {
		i--
	}
	return strings.Count(f.src[i:off], "\n") >= 2
}

// at prepares to write what begins at offset off: it writes the extras
// before it, and asks for a blank line where the script has one.
func (f *formatter) at(off int) {
	f.flush(off)
	if f.blankBefore(off) {
		f.blank = true
	}
}

// flush writes the extras that begin before offset off.
func (f *formatter) flush(off int) {
	if f.inner {
		return
	}
	for f.next < len(f.extras) && f.extras[f.next].off < off {
		e := f.extras[f.next]
		f.next++
		switch {
		case e.trailing && len(f.lines) > 0 && strings.TrimSpace(f.lines[len(f.lines)-1]) != "":
			f.appendLast(" " + e.text)
		case e.verbatim:
			// an #endif closes what is above it: a blank line asked for
			// the next item goes after it, unless the script has one here
			pending := f.blank
			f.blank = f.blankBefore(e.off)
			indent := f.indent
			f.indent = 0
			f.line(e.text)
			f.indent, f.blank = indent, pending
		default:
			if f.blankBefore(e.off) {
				f.blank = true
			}
			f.line(e.text)
		}
	}
}

// skip drops the extras before offset off: they are inside text copied
// as it is.
func (f *formatter) skip(off int) {
	for f.next < len(f.extras) && f.extras[f.next].off < off {
		f.next++
	}
}

// endOf is the offset just after the last token before offset off that
// is not white space or a comment.
func (f *formatter) endOf(off int) int {
	i := sort.Search(len(f.toks), func(i int) bool { return int(f.toks[i].Pos.Offset) >= off })
	for i--; i >= 0; i-- {
		if t := f.toks[i]; t.Type != tokSpace && t.Type != tokComment && t.Type != tokShebang && t.Type != tokEOF {
			return int(t.Pos.Offset) + len(t.Value)
		}
	}
	return 0
}

// oneLiners are the items written together without a blank line
// between them when the script has none.
func oneLiner(it *gTop) bool {
	return it.Preproc != "" || it.Import != nil || it.Let != nil
}

func (f *formatter) file(tree *gFile) {
	for i, it := range tree.Items {
		off := it.Pos.Offset
		if i > 0 && !(oneLiner(it) && oneLiner(tree.Items[i-1])) {
			f.blank = true
		}
		f.at(off)
		switch {
		case it.Preproc != "":
			f.line(strings.TrimRight(it.Preproc, " \t\r"))
		case it.Import != nil:
			f.line("import " + *it.Import + ";")
		case it.Config != nil:
			f.line("config = {")
			f.indent++
			for _, ci := range it.Config.Items {
				f.at(ci.Pos.Offset)
				f.line(ci.Key + " = " + f.expr(ci.Value) + ";")
			}
			f.flush(f.closeAfter(off))
			f.indent--
			f.line("}")
		case it.Let != nil:
			size := ""
			if it.Let.Size != nil {
				size = f.expr(it.Let.Size)
			}
			f.line("let " + it.Let.Name + " = " + it.Let.Kind + "(" + size + ");")
		case it.Macro != nil:
			m := it.Macro
			var ps []string
			for _, p := range m.Params {
				ps = append(ps, p.Name)
			}
			f.line("macro " + m.Name + "(" + strings.Join(ps, ", ") + ")")
			f.body(m.Body)
		case it.CDef != nil || it.Enum != nil:
			// C as it is written
			end := len(f.src)
			if i+1 < len(tree.Items) {
				end = tree.Items[i+1].Pos.Offset
			}
			end = f.endOf(end)
			f.skip(end)
			f.line(f.src[off:end])
		case it.Probe != nil:
			p := it.Probe
			for j, s := range p.Specs {
				f.at(s.Pos.Offset)
				if j < len(p.Specs)-1 {
					f.line(s.Raw + ",")
				} else {
					f.line(s.Raw)
				}
			}
			if p.Pred != nil {
				f.flush(int(p.Pred.Pos.Offset))
				f.line("/" + f.predicate(p.Pred) + "/")
			}
			f.body(p.Body)
		}
	}
	f.flush(len(f.src) + 1)
}

// closeAfter is the offset of the '}' closing the first '{' after off.
func (f *formatter) closeAfter(off int) int {
	for _, t := range f.toks {
		if int(t.Pos.Offset) > off && t.Value == "{" {
			return int(f.close[t.Pos.Offset])
		}
	}
	return len(f.src)
}

// body writes the body of a probe or a macro, its braces on lines of
// their own.
func (f *formatter) body(b *gBlock) {
	f.flush(int(b.Pos.Offset))
	f.line("{")
	f.block(b)
}

// open writes a block that opens at the end of the last line written.
func (f *formatter) open(b *gBlock) {
	f.appendLast(" {")
	f.block(b)
}

// block writes the items of b and its closing brace; its '{' is written.
func (f *formatter) block(b *gBlock) {
	f.indent++
	f.items(b.Items)
	if end, ok := f.close[b.Pos.Offset]; ok {
		f.flush(int(end))
	}
	f.indent--
	f.blank = false
	f.line("}")
}

func (f *formatter) items(items []*gItem) {
	for i, it := range items {
		f.at(int(it.Pos.Offset))
		semi := ";"
		if it.Semis == 0 && i == len(items)-1 {
			semi = "" // the value of a block, or a last statement written without one
		}
		switch {
		case it.If != nil:
			f.ifStmt(it.If)
		case it.While != nil:
			f.line("while " + f.expr(it.While.Cond))
			f.open(it.While.Body)
		case it.Unroll != nil:
			f.line("unroll (" + f.expr(it.Unroll.Count) + ")")
			f.open(it.Unroll.Body)
		case it.For != nil:
			fr := it.For
			var rng string
			if fr.Map != nil {
				rng = f.mapExpr(fr.Map)
			} else {
				rng = f.expr(fr.Lo) + ".." + f.expr(fr.Hi)
			}
			f.line("for " + fr.Var.Name + " : " + rng)
			f.open(fr.Body)
		case it.Block != nil:
			f.line("{")
			f.block(it.Block)
		case it.Jump != "" && it.Ret != nil:
			lhs := it.Jump + " "
			f.line(lhs + f.wrapped(it.Ret, lhs, semi) + semi)
		case it.Jump != "":
			f.line(it.Jump + semi)
		case it.Let != nil:
			f.line(f.let(it.Let) + semi)
		case it.Simple != nil:
			if a := it.Simple.Assign; a != nil {
				lhs := f.expr(it.Simple.X) + " " + a.Op + " "
				f.line(lhs + f.wrapped(a.Y, lhs, semi) + semi)
			} else {
				f.line(f.wrapped(it.Simple.X, "", semi) + semi)
			}
		}
	}
}

func (f *formatter) ifStmt(s *gIf) {
	f.line("if " + f.cond(s.Cond, "if "))
	for {
		f.open(s.Then)
		switch {
		case s.ElseIf != nil:
			s = s.ElseIf
			f.appendLast(" else if " + f.cond(s.Cond, "} else if "))
			continue
		case s.Else != nil:
			f.appendLast(" else")
			f.open(s.Else)
		}
		return
	}
}

func (f *formatter) let(l *gLet) string {
	s := "let " + l.Var.Name
	if t := l.Type; t != nil {
		s += ": "
		switch {
		case t.TypeOf != nil:
			s += "typeof(" + f.arg(t.TypeOf) + ")"
		case t.Name != nil:
			s += typeName(t.Name)
		default:
			s += t.Word
		}
		if t.Len != nil {
			s += "[" + *t.Len + "]"
		}
	}
	if l.Value != nil {
		s += " = "
		s += f.wrapped(l.Value, s, ";")
	}
	return s
}

// lineWidth is the width the layout keeps lines to, as bpftrace's
// formatter does: long calls have their arguments on several lines, long
// predicates their && or || terms.
const lineWidth = 90

// wrapped is an expression that follows before on its line (after the
// indentation) and precedes after: a call too long for the line has its
// arguments on several lines, each after the call's '('.
func (f *formatter) wrapped(g *gExpr, before, after string) string {
	flat := f.expr(g)
	col := 2*f.indent + width(before)
	if col+width(flat)+width(after) <= lineWidth || g.Tail != nil {
		return flat
	}
	u, ok := g.Cond.(*gUnary)
	if !ok || u.Prim == nil || u.Prim.Kind != primCall || len(u.Ops) > 0 || len(u.Prim.Call.Args) < 2 {
		return flat
	}
	c := u.Prim.Call
	head := c.Fun
	if c.Bang {
		head += "!"
	}
	head += "("
	var args []string
	for _, a := range c.Args {
		args = append(args, f.arg(a))
	}
	lines, ok := wrapList(args, ", ", lineWidth-col-width(head)-1)
	if !ok {
		return flat
	}
	return head + strings.Join(lines, "\n"+strings.Repeat(" ", col+width(head))) + ")"
}

// cond is the condition of an if after before: a parenthesized chain
// of && (or of ||) too long for the line has its terms on several lines,
// each after the '('.
func (f *formatter) cond(g *gExpr, before string) string {
	flat := f.expr(g)
	col := 2*f.indent + width(before)
	if col+width(flat)+2 <= lineWidth || g.Tail != nil {
		return flat
	}
	u, ok := g.Cond.(*gUnary)
	if !ok || u.Prim == nil || u.Prim.Kind != primParen || len(u.Ops) > 0 || len(u.Prim.Paren.Elems) != 1 || u.Prim.Paren.Elems[0].Name != "" {
		return flat
	}
	inner := u.Prim.Paren.Elems[0].X
	b, ok := inner.Cond.(*gBinary)
	if !ok || inner.Tail != nil || (b.Rest[0].Op != "&&" && b.Rest[0].Op != "||") {
		return flat
	}
	op := b.Rest[0].Op
	terms := []string{f.operand(b.X)}
	for _, r := range b.Rest {
		terms = append(terms, f.operand(r.Y))
	}
	lines, ok := wrapList(terms, " "+op+" ", lineWidth-col-4)
	if !ok {
		return flat
	}
	return "(" + strings.Join(lines, "\n"+strings.Repeat(" ", col+1)) + ")"
}

// predicate is a probe's predicate: a chain of && (or of ||) too long
// for the line has its terms on several lines, each after the '/'.
func (f *formatter) predicate(g *gExpr) string {
	flat := f.expr(g)
	b, ok := g.Cond.(*gBinary)
	if width(flat)+2 <= lineWidth || g.Tail != nil || !ok {
		return flat
	}
	op := b.Rest[0].Op
	if op != "&&" && op != "||" {
		return flat
	}
	terms := []string{f.operand(b.X)}
	for _, r := range b.Rest {
		terms = append(terms, f.operand(r.Y))
	}
	lines, ok := wrapList(terms, " "+op+" ", lineWidth-2)
	if !ok {
		return flat
	}
	return strings.Join(lines, "\n ")
}

// wrapList puts items, joined by sep, on lines of at most avail columns,
// as bpftrace's formatter does: of the ways to break the list that fit,
// the one whose breaks come earliest. ok is false when the list fits on
// one line, holds a line break already, or cannot be made to fit.
func wrapList(items []string, sep string, avail int) (lines []string, ok bool) {
	n := len(items)
	if n < 2 || n > 16 {
		return nil, false
	}
	widths := make([]int, n)
	total := 0
	for i, it := range items {
		if strings.Contains(it, "\n") {
			return nil, false
		}
		widths[i] = width(it)
		if i < n-1 {
			widths[i] += width(sep)
		}
		total += widths[i]
	}
	if total < avail {
		return nil, false
	}
	for mask := 1; mask < 1<<(n-1); mask++ {
		fits, cur := true, widths[0]
		for i := 1; i < n && fits; i++ {
			if mask&(1<<(i-1)) != 0 {
				fits = cur <= avail
				cur = widths[i]
			} else {
				cur += widths[i]
			}
		}
		if !fits || cur > avail {
			continue
		}
		line := items[0]
		for i := 1; i < n; i++ {
			if mask&(1<<(i-1)) != 0 {
				lines = append(lines, strings.TrimRight(line+sep, " "))
				line = items[i]
			} else {
				line += sep + items[i]
			}
		}
		return append(lines, line), true
	}
	return nil, false
}

func width(s string) int { return utf8.RuneCountInString(s) }

// typeName is a type as the layout writes it: struct task_struct*.
func typeName(t *gTypeName) string {
	var s string
	switch {
	case t.Tag != "":
		s = t.Tag + " " + t.Name
	case t.Named != "":
		s = t.Named
	default:
		s = t.Base
	}
	return s + strings.Join(t.Stars, "")
}

// expr is an expression on one line (but for the blocks it may hold).
func (f *formatter) expr(g *gExpr) string {
	s := f.operand(g.Cond)
	if t := g.Tail; t != nil {
		if t.Then == nil {
			s += " ?: " + f.expr(t.Else)
		} else {
			s += " ? " + f.expr(t.Then) + " : " + f.expr(t.Else)
		}
	}
	return s
}

func (f *formatter) operand(o gOperand) string {
	switch o := o.(type) {
	case *gBinary:
		var b strings.Builder
		b.WriteString(f.operand(o.X))
		for _, op := range o.Rest {
			b.WriteString(" " + op.Op + " ")
			b.WriteString(f.operand(op.Y))
		}
		return b.String()
	case *gUnary:
		return f.unary(o)
	}
	return ""
}

func (f *formatter) unary(u *gUnary) string {
	switch {
	case u.Op != "":
		x := f.unary(u.X)
		// - -x, not --x; & &x, not &&x
		if x != "" && u.Op[len(u.Op)-1] == x[0] {
			return u.Op + " " + x
		}
		return u.Op + x
	case u.Cast != nil:
		c := u.Cast
		var ty string
		switch {
		case c.TypeOf != nil:
			ty = "typeof(" + f.arg(c.TypeOf) + ")"
		case c.Type != nil:
			ty = typeName(c.Type)
		default:
			ty = c.Bare
		}
		if c.Arr != nil {
			ty += "["
			if c.Arr.N != nil {
				ty += *c.Arr.N
			}
			ty += "]"
		}
		return "(" + ty + ")" + f.unary(c.X)
	}
	var b strings.Builder
	b.WriteString(f.primary(u.Prim))
	for _, op := range u.Ops {
		switch op.Op {
		case ".", "->":
			b.WriteString(op.Op + op.Name)
		case "[":
			b.WriteString("[" + f.expr(op.Index) + "]")
		default:
			b.WriteString(op.Op)
		}
	}
	return b.String()
}

func (f *formatter) primary(p *gPrimary) string {
	switch p.Kind {
	case primCall:
		c := p.Call
		var args []string
		for _, a := range c.Args {
			args = append(args, f.arg(a))
		}
		bang := ""
		if c.Bang {
			bang = "!"
		}
		return c.Fun + bang + "(" + strings.Join(args, ", ") + ")"
	case primMap:
		return f.mapExpr(p.Map)
	case primParen:
		var elems []string
		for _, e := range p.Paren.Elems {
			s := f.expr(e.X)
			if e.Name != "" {
				s = e.Name + " = " + s
			}
			elems = append(elems, s)
		}
		return "(" + strings.Join(elems, ", ") + ")"
	case primBlock:
		return f.blockExpr(p.Block)
	}
	return p.Text
}

// blockExpr is a block used as an expression, on lines of its own
// indented one level more than the line it begins on.
func (f *formatter) blockExpr(b *gBlock) string {
	in := &formatter{src: f.src, toks: f.toks, close: f.close, indent: f.indent, inner: true}
	in.block(b)
	return "{\n" + strings.Join(in.lines, "\n")
}

func (f *formatter) arg(a *gArg) string {
	if a.Type != nil {
		return typeName(a.Type)
	}
	return f.expr(a.X)
}

func (f *formatter) mapExpr(m *gMap) string {
	if len(m.Keys) == 0 {
		return m.Name
	}
	var keys []string
	for _, k := range m.Keys {
		keys = append(keys, f.expr(k))
	}
	return m.Name + "[" + strings.Join(keys, ", ") + "]"
}
