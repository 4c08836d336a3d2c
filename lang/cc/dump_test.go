package cc

import (
	"fmt"
	"strconv"
	"strings"
)

// This file prints syntax trees compactly, for the tests to compare:
// types as ptr(T), arr[N](T), fn(params)(result); expressions as
// S-expressions; statements in a C-like shorthand.

func dumpFile(f *File) string {
	var lines []string
	for _, d := range f.Decls {
		lines = append(lines, dumpDecl(d))
	}
	return strings.Join(lines, "\n")
}

func dumpDecl(d Decl) string {
	switch d := d.(type) {
	case *FuncDecl:
		var b strings.Builder
		b.WriteString("func ")
		for _, f := range []struct {
			on   bool
			name string
		}{{d.Static, "static"}, {d.Inline, "inline"}, {d.Extern, "extern"}, {d.Ksym, "ksym"}, {d.Weak, "weak"}} {
			if f.on {
				b.WriteString(f.name + " ")
			}
		}
		if d.Section != "" {
			b.WriteString("sec(" + d.Section + ") ")
		}
		b.WriteString(d.Name + dumpParams(d.Params, d.Variadic) + " " + dumpType(d.Result))
		if d.Body != nil {
			b.WriteString(" " + dumpStmt(d.Body))
		}
		return b.String()
	case *VarDecl:
		s := "var "
		if d.Static {
			s += "static "
		}
		if d.Extern {
			s += "extern "
		}
		s += d.Name + " " + dumpType(d.Type)
		if d.Init != nil {
			s += " = " + dumpExpr(d.Init)
		}
		return s
	case *TypedefDecl:
		return "typedef " + d.Name + " " + dumpType(d.Type)
	case *TagDecl:
		return "tag " + dumpType(d.Type)
	}
	return fmt.Sprintf("?%T", d)
}

func dumpParams(ps []*Param, variadic bool) string {
	var s []string
	for _, p := range ps {
		if p.Name != "" {
			s = append(s, p.Name+" "+dumpType(p.Type))
		} else {
			s = append(s, dumpType(p.Type))
		}
	}
	if variadic {
		s = append(s, "...")
	}
	return "(" + strings.Join(s, ", ") + ")"
}

func dumpType(t *Type) string {
	if t == nil {
		return "<nil>"
	}
	q := ""
	if t.Const {
		q += "const "
	}
	if t.Volatile {
		q += "volatile "
	}
	switch t.Kind {
	case Named:
		s := q + t.Name
		if t.Record != nil {
			var fs []string
			for _, f := range t.Record.Fields {
				x := f.Name + " " + dumpType(f.Type)
				if f.Name == "" {
					x = dumpType(f.Type)
				}
				if f.Bits != nil {
					x += ":" + dumpExpr(f.Bits)
				}
				fs = append(fs, x)
			}
			s += "{" + strings.Join(fs, "; ") + "}"
		}
		if t.Enum != nil {
			var is []string
			for _, it := range t.Enum.Items {
				x := it.Name
				if it.Value != nil {
					x += "=" + dumpExpr(it.Value)
				}
				is = append(is, x)
			}
			s += "{" + strings.Join(is, ", ") + "}"
		}
		if t.Packed {
			s += " packed"
		}
		if t.Aligned != nil {
			s += " aligned(" + dumpExpr(t.Aligned) + ")"
		}
		return s
	case Pointer:
		return q + "ptr(" + dumpType(t.Elem) + ")"
	case ArrayOf:
		n := ""
		if t.Len != nil {
			n = dumpExpr(t.Len)
		}
		return q + "arr[" + n + "](" + dumpType(t.Elem) + ")"
	case FuncOf:
		return q + "fn" + dumpParams(t.Params, t.Variadic) + "(" + dumpType(t.Elem) + ")"
	}
	return "?type"
}

func dumpExprs(xs []Expr) string {
	var s []string
	for _, x := range xs {
		s = append(s, dumpExpr(x))
	}
	return strings.Join(s, " ")
}

func dumpExpr(x Expr) string {
	switch x := x.(type) {
	case nil:
		return "<nil>"
	case *Ident:
		return x.Name
	case *IntLit:
		s := strconv.FormatUint(x.Value, 10)
		if x.Char {
			return "c" + s
		}
		if x.Unsigned {
			s += "u"
		}
		s += strings.Repeat("l", x.Longs)
		if !x.Decimal {
			s += "n" // not decimal
		}
		return s
	case *StringLit:
		return strconv.Quote(x.Value)
	case *Unary:
		return "(" + x.Op + " " + dumpExpr(x.X) + ")"
	case *Postfix:
		return "(post" + x.Op + " " + dumpExpr(x.X) + ")"
	case *Binary:
		return "(" + x.Op + " " + dumpExpr(x.X) + " " + dumpExpr(x.Y) + ")"
	case *Assign:
		return "(" + x.Op + " " + dumpExpr(x.X) + " " + dumpExpr(x.Y) + ")"
	case *Cond:
		return "(? " + dumpExprs([]Expr{x.C, x.Then, x.Else}) + ")"
	case *Call:
		if len(x.Args) == 0 {
			return "(call " + dumpExpr(x.Fun) + ")"
		}
		return "(call " + dumpExpr(x.Fun) + " " + dumpExprs(x.Args) + ")"
	case *Index:
		return "(idx " + dumpExpr(x.X) + " " + dumpExpr(x.I) + ")"
	case *Member:
		op := "."
		if x.Arrow {
			op = "->"
		}
		return "(" + op + " " + dumpExpr(x.X) + " " + x.Name + ")"
	case *Cast:
		return "(cast " + dumpType(x.Type) + " " + dumpExpr(x.X) + ")"
	case *Sizeof:
		op := "sizeof"
		if x.Align {
			op = "alignof"
		}
		if x.Type != nil {
			return "(" + op + " type " + dumpType(x.Type) + ")"
		}
		return "(" + op + " " + dumpExpr(x.X) + ")"
	case *Offsetof:
		return "(offsetof " + dumpType(x.Type) + " " + strings.Join(x.Path, "|") + ")"
	case *InitList:
		var s []string
		for _, it := range x.Items {
			d := ""
			for _, ds := range it.Designator {
				if ds.Index != nil {
					d += "[" + dumpExpr(ds.Index) + "]"
				} else {
					d += "." + ds.Field
				}
			}
			if d != "" {
				d += "="
			}
			s = append(s, d+dumpExpr(it.Value))
		}
		return "{" + strings.Join(s, ", ") + "}"
	case *CompoundLit:
		return "(lit " + dumpType(x.Type) + " " + dumpExpr(x.Init) + ")"
	}
	return fmt.Sprintf("?%T", x)
}

func dumpStmt(s Stmt) string {
	switch s := s.(type) {
	case nil:
		return "<nil>"
	case *Block:
		var ss []string
		for _, x := range s.Stmts {
			ss = append(ss, dumpStmt(x))
		}
		return "{" + strings.Join(ss, "; ") + "}"
	case *DeclStmt:
		var ds []string
		for _, d := range s.Decls {
			ds = append(ds, dumpDecl(d))
		}
		return "decl(" + strings.Join(ds, ", ") + ")"
	case *ExprStmt:
		if s.X == nil {
			return "nop"
		}
		return dumpExpr(s.X)
	case *IfStmt:
		r := "if " + dumpExpr(s.Cond) + " " + dumpStmt(s.Then)
		if s.Else != nil {
			r += " else " + dumpStmt(s.Else)
		}
		return r
	case *WhileStmt:
		return "while " + dumpExpr(s.Cond) + " " + dumpStmt(s.Body)
	case *DoStmt:
		return "do " + dumpStmt(s.Body) + " while " + dumpExpr(s.Cond)
	case *ForStmt:
		c, p := "", ""
		if s.Cond != nil {
			c = dumpExpr(s.Cond)
		}
		if s.Post != nil {
			p = dumpExpr(s.Post)
		}
		i := ""
		if s.Init != nil {
			i = dumpStmt(s.Init)
		}
		return "for " + i + "; " + c + "; " + p + " " + dumpStmt(s.Body)
	case *ReturnStmt:
		if s.X == nil {
			return "return"
		}
		return "return " + dumpExpr(s.X)
	case *BreakStmt:
		return "break"
	case *ContinueStmt:
		return "continue"
	case *SwitchStmt:
		return "switch " + dumpExpr(s.X) + " " + dumpStmt(s.Body)
	case *CaseStmt:
		if s.Value == nil {
			return "default: " + dumpStmt(s.Stmt)
		}
		return "case " + dumpExpr(s.Value) + ": " + dumpStmt(s.Stmt)
	case *LabelStmt:
		return s.Name + ": " + dumpStmt(s.Stmt)
	case *GotoStmt:
		return "goto " + s.Label
	}
	return fmt.Sprintf("?%T", s)
}
