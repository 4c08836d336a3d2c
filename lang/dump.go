package lang

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Dump writes the syntax tree of f as an indented outline, one node per
// line with its position, in the spirit of bpftrace's `-d ast`.
func Dump(w io.Writer, f *File) {
	d := &dumper{w: bufio.NewWriterSize(w, 64<<10)}
	defer d.w.Flush()
	d.line(0, "Program")
	for _, inc := range f.Includes {
		d.line(1, "include: %s", inc.Path)
	}
	for _, c := range f.Config {
		d.node(1, c.At, "config: %s", c.Key)
		d.expr(2, c.Value)
	}
	for _, m := range f.MapDecls {
		d.node(1, m.At, "let %s = %s", m.Name, m.Kind)
		if m.Size != nil {
			d.expr(2, m.Size)
		}
	}
	for _, p := range f.Probes {
		specs := make([]string, len(p.Specs))
		for i, s := range p.Specs {
			specs[i] = s.Raw
		}
		d.node(1, p.At, "probe: %s", strings.Join(specs, ", "))
		if p.Pred != nil {
			d.line(2, "predicate")
			d.expr(3, p.Pred)
		}
		d.block(2, p.Body)
	}
}

type dumper struct {
	w      *bufio.Writer
	spaces string // indentation, as long as the deepest line's
	num    []byte
}

func (d *dumper) indent(depth int) {
	if len(d.spaces) < depth {
		d.spaces = strings.Repeat(" ", 2*depth)
	}
	d.w.WriteString(d.spaces[:depth])
}

func (d *dumper) line(depth int, format string, args ...any) {
	d.indent(depth)
	fmt.Fprintf(d.w, format, args...)
	d.w.WriteByte('\n')
}

func (d *dumper) node(depth int, at Pos, format string, args ...any) {
	d.indent(depth)
	fmt.Fprintf(d.w, format, args...)
	d.num = append(d.num[:0], "  ("...)
	d.num = strconv.AppendInt(d.num, int64(at.Line), 10)
	d.num = append(d.num, ':')
	d.num = strconv.AppendInt(d.num, int64(at.Col), 10)
	d.num = append(d.num, ")\n"...)
	d.w.Write(d.num)
}

func (d *dumper) block(depth int, b *Block) {
	for _, s := range b.Stmts {
		d.stmt(depth, s)
	}
}

func (d *dumper) stmt(depth int, s Stmt) {
	switch s := s.(type) {
	case *ExprStmt:
		d.expr(depth, s.X)
	case *AssignStmt:
		d.node(depth, s.At, "%s", s.Op)
		d.expr(depth+1, s.Lhs)
		d.expr(depth+1, s.Rhs)
	case *IfStmt:
		d.node(depth, s.At, "if")
		d.expr(depth+1, s.Cond)
		d.line(depth+1, "then")
		d.block(depth+2, s.Then)
		if s.Else != nil {
			d.line(depth+1, "else")
			d.stmt(depth+2, s.Else)
		}
	case *WhileStmt:
		d.node(depth, s.At, "while")
		d.expr(depth+1, s.Cond)
		d.block(depth+1, s.Body)
	case *UnrollStmt:
		d.node(depth, s.At, "unroll")
		d.expr(depth+1, s.Count)
		d.block(depth+1, s.Body)
	case *ForStmt:
		d.node(depth, s.At, "for")
		d.expr(depth+1, s.Var)
		if s.Map != nil {
			d.expr(depth+1, s.Map)
		} else {
			d.line(depth+1, "range")
			d.expr(depth+2, s.Lo)
			d.expr(depth+2, s.Hi)
		}
		d.block(depth+1, s.Body)
	case *JumpStmt:
		d.node(depth, s.At, "%s", s.Keyword)
		if s.Value != nil {
			d.expr(depth+1, s.Value)
		}
	case *LetStmt:
		if s.Type != "" {
			d.node(depth, s.At, "let %s: %s", s.Var.Key(), s.Type)
			if s.TypeOf != nil {
				d.expr(depth+1, s.TypeOf)
			}
		} else {
			d.node(depth, s.At, "let %s", s.Var.Key())
		}
		if s.Value != nil {
			d.expr(depth+1, s.Value)
		}
	case *BlockStmt:
		d.node(depth, s.Body.At, "block")
		d.block(depth+1, s.Body)
	}
}

func (d *dumper) expr(depth int, e Expr) {
	switch e := e.(type) {
	case *IntLit:
		d.node(depth, e.At, "int: %d", e.Val)
	case *StrLit:
		d.node(depth, e.At, "string: %s", strconv.Quote(e.Val))
	case *BoolLit:
		d.node(depth, e.At, "bool: %t", e.Val)
	case *Ident:
		d.node(depth, e.At, "identifier: %s", e.Name)
	case *Var:
		d.node(depth, e.At, "variable: %s", e.Key())
	case *PosParam:
		if e.Count {
			d.node(depth, e.At, "param: $#")
		} else {
			d.node(depth, e.At, "param: $%d", e.N)
		}
	case *MapExpr:
		d.node(depth, e.At, "map: %s", e.Name)
		for _, k := range e.Keys {
			d.expr(depth+1, k)
		}
	case *Call:
		d.node(depth, e.At, "call: %s", e.Fun)
		for _, a := range e.Args {
			d.expr(depth+1, a)
		}
	case *Binary:
		d.node(depth, e.At, "%s", e.Op)
		d.expr(depth+1, e.X)
		d.expr(depth+1, e.Y)
	case *Unary:
		if e.Postfix {
			d.node(depth, e.At, "%s (post)", e.Op)
		} else {
			d.node(depth, e.At, "%s (pre)", e.Op)
		}
		d.expr(depth+1, e.X)
	case *Ternary:
		d.node(depth, e.Cond.Pos(), "?:")
		d.expr(depth+1, e.Cond)
		if e.Then != nil {
			d.expr(depth+1, e.Then)
		}
		d.expr(depth+1, e.Else)
	case *Field:
		op := "."
		if e.Arrow {
			op = "->"
		}
		d.node(depth, e.At, "%s %s", op, e.Name)
		d.expr(depth+1, e.X)
	case *Index:
		d.node(depth, e.At, "[]")
		d.expr(depth+1, e.X)
		d.expr(depth+1, e.Index)
	case *Cast:
		d.node(depth, e.At, "(%s)", e.Type)
		if e.TypeOf != nil {
			d.expr(depth+1, e.TypeOf)
		}
		d.expr(depth+1, e.X)
	case *Tuple:
		d.node(depth, e.At, "tuple")
		for _, x := range e.Elems {
			d.expr(depth+1, x)
		}
	case *Paren:
		d.expr(depth, e.X)
	case *TypeExpr:
		d.node(depth, e.At, "type: %s", e.Type)
	case *BlockExpr:
		d.node(depth, e.At, "block value")
		for _, st := range e.Stmts {
			d.stmt(depth+1, st)
		}
		if e.Value != nil {
			d.expr(depth+1, e.Value)
		}
	}
}
