package lang

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/alecthomas/participle/v2"

	"github.com/gotrace/gotrace/internal/scriptgen"
)

// paren renders an expression fully parenthesized, to test precedence.
func paren(e Expr) string {
	switch e := e.(type) {
	case *IntLit:
		return fmt.Sprint(e.Val)
	case *StrLit:
		return fmt.Sprintf("%q", e.Val)
	case *BoolLit:
		return fmt.Sprint(e.Val)
	case *Ident:
		return e.Name
	case *Var:
		return e.Name
	case *PosParam:
		if e.Count {
			return "$#"
		}
		return fmt.Sprintf("$%d", e.N)
	case *MapExpr:
		if len(e.Keys) == 0 {
			return e.Name
		}
		return e.Name + "[" + list(e.Keys) + "]"
	case *Call:
		return e.Fun + "(" + list(e.Args) + ")"
	case *Binary:
		return "(" + paren(e.X) + " " + e.Op + " " + paren(e.Y) + ")"
	case *Unary:
		if e.Postfix {
			return "(" + paren(e.X) + e.Op + ")"
		}
		return "(" + e.Op + paren(e.X) + ")"
	case *Ternary:
		if e.Then == nil {
			return "(" + paren(e.Cond) + " ?: " + paren(e.Else) + ")"
		}
		return "(" + paren(e.Cond) + " ? " + paren(e.Then) + " : " + paren(e.Else) + ")"
	case *Field:
		if e.Arrow {
			return paren(e.X) + "->" + e.Name
		}
		return paren(e.X) + "." + e.Name
	case *Index:
		return paren(e.X) + "[" + paren(e.Index) + "]"
	case *Cast:
		return "((" + e.Type + ")" + paren(e.X) + ")"
	case *Tuple:
		return "(" + list(e.Elems) + ",)"
	case *Paren:
		return paren(e.X)
	}
	return fmt.Sprintf("?%T", e)
}

func list(es []Expr) string {
	var s []string
	for _, e := range es {
		s = append(s, paren(e))
	}
	return strings.Join(s, ", ")
}

func TestPrecedence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"a || b && c", "(a || (b && c))"},
		{"a | b ^ c & d", "(a | (b ^ (c & d)))"},
		{"a == b < c", "(a == (b < c))"},
		{"a < b << 1", "(a < (b << 1))"},
		{"1 << 2 + 3", "(1 << (2 + 3))"},
		{"-a * !b", "((-a) * (!b))"},
		{"~$x % 3 / 2", "(((~$x) % 3) / 2)"},
		{"a ? b : c ? d : e", "(a ? b : (c ? d : e))"},
		{"a ?: b", "(a ?: b)"},
		{"a && b ? 1 : 2", "((a && b) ? 1 : 2)"},
		{"$x++ + ++$y", "(($x++) + (++$y))"},
		{"*$p + &$q", "((*$p) + (&$q))"},
		{"(uint32)$x + 1", "(((uint32)$x) + 1)"},
		{"(struct task_struct *)curtask->pid", "((struct task_struct *)curtask->pid)"},
		{"((struct task_struct *)curtask)->pid", "((struct task_struct *)curtask)->pid"},
		{"(pid) - 1", "(pid - 1)"},
		{"(1, \"a\", $x)", "(1, \"a\", $x,)"},
		{"$t.0 + args.fd + args->fd", "(($t.0 + args.fd) + args->fd)"},
		{"@m[1, comm] + @", "(@m[1, comm] + @)"},
		{"$a[2][3]", "$a[2][3]"},
		{"str(args.filename, 16)", "str(args.filename, 16)"},
		{"$1 + $#", "($1 + $#)"},
		{"0x10 + 1_000 + 010 + 0b101 + 1e3 + 5u + 7ull", "((((((16 + 1000) + 8) + 5) + 1000) + 5) + 7)"},
		{"\"a\\tb\\x41\\101\\\"\"", "\"a\\tbAA\\\"\""},
		{"true != false", "(true != false)"},
		{"a >= b <= c > d", "(((a >= b) <= c) > d)"},
		{"1 - -1", "(1 - (-1))"},
	} {
		e, err := ParseExpr("test", []byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := paren(e); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestProbeSpecs(t *testing.T) {
	for _, tc := range []struct {
		src   string
		specs []string
		pred  string
	}{
		{"BEGIN {}", []string{"BEGIN"}, ""},
		{"tracepoint:syscalls:sys_enter_openat { }", []string{"tracepoint:syscalls:sys_enter_openat"}, ""},
		{"t:syscalls:sys_enter_* /pid == 1/ { }", []string{"t:syscalls:sys_enter_*"}, "(pid == 1)"},
		{"uprobe:/bin/bash:readline,\n  uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc { }", []string{"uprobe:/bin/bash:readline", "uretprobe:/lib/x86_64-linux-gnu/libc.so.6:malloc"}, ""},
		{"kprobe:vfs_read+16 { }", []string{"kprobe:vfs_read+16"}, ""},
		{"interval:s:1,i:ms:100 { }", []string{"interval:s:1", "i:ms:100"}, ""},
		{`uprobe:/bin/x:"ns::f(int)" { }`, []string{`uprobe:/bin/x:"ns::f(int)"`}, ""},
		{"hardware:cache-misses:1000 { }", []string{"hardware:cache-misses:1000"}, ""},
		{"k:f /($x / 2) > 1/ { }", []string{"k:f"}, "(($x / 2) > 1)"},
		{"k:f /@m[$x / 2]/ { }", []string{"k:f"}, "@m[($x / 2)]"},
		{"usdt:/usr/bin/prog:provider:probe { }", []string{"usdt:/usr/bin/prog:provider:probe"}, ""},
		{"*:* { }", []string{"*:*"}, ""},
	} {
		f, err := Parse("test", []byte(tc.src))
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		var got []string
		for _, s := range f.Probes[0].Specs {
			got = append(got, s.Raw)
		}
		if strings.Join(got, "|") != strings.Join(tc.specs, "|") {
			t.Errorf("%q: specs %q, want %q", tc.src, got, tc.specs)
		}
		pred := ""
		if f.Probes[0].Pred != nil {
			pred = paren(f.Probes[0].Pred)
		}
		if pred != tc.pred {
			t.Errorf("%q: predicate %s, want %s", tc.src, pred, tc.pred)
		}
	}
}

func TestStatements(t *testing.T) {
	src := `// a comment
#!not really a shebang but a comment line is fine here
BEGIN
{
	$x = 1; $x += 2; @m[1] <<= 3;;
	if ($x > 1) { printf("a\n"); } else if $x { @a = 1 } else { @b = 2 }
	while ($x < 10) { $x++; if ($x == 5) { break } continue; }
	unroll(4) { $x-- }
	for ($kv : @m) { print($kv.0) }
	for ($i : 0..$x) { return; }
	{ $y = 2 }
	/* multi
	   line */
	exit()
}
END { print(@m) }`
	f, err := Parse("s.gt", []byte(src))
	if err != nil {
		t.Fatal(Format(err, []byte(src)))
	}
	if len(f.Probes) != 2 {
		t.Fatalf("%d probes", len(f.Probes))
	}
	var kinds []string
	for _, s := range f.Probes[0].Body.Stmts {
		kinds = append(kinds, strings.TrimPrefix(fmt.Sprintf("%T", s), "*lang."))
	}
	want := "AssignStmt AssignStmt AssignStmt IfStmt WhileStmt UnrollStmt ForStmt ForStmt BlockStmt ExprStmt"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("statements:\n got %s\nwant %s", got, want)
	}
	as := f.Probes[0].Body.Stmts[2].(*AssignStmt)
	if as.Op != "<<=" || as.At.Line != 5 || as.At.Col != 19 || as.At.EndCol != 30 {
		t.Errorf("assignment %q at %v", as.Op, as.At)
	}
	ifs := f.Probes[0].Body.Stmts[3].(*IfStmt)
	if _, ok := ifs.Else.(*IfStmt); !ok {
		t.Errorf("else if: %T", ifs.Else)
	}
	fr := f.Probes[0].Body.Stmts[7].(*ForStmt)
	if fr.Var.Name != "$i" || fr.Var.At.Line != 10 || fr.Hi == nil {
		t.Errorf("for range: %+v", fr)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`BEGIN { printf("x") printf("y") }`, "stdin:1:21-27: ERROR: syntax error: expected ';' before this statement"},
		{`BEGIN { 1 = 2 }`, "stdin:1:9-10: ERROR: cannot assign to this"},
		{`BEGIN { printf("x) }`, "stdin:1:16-21: ERROR: syntax error: unterminated string"},
		{"BEGIN {\n  printf(\"x\")\n", "stdin:3:1-2: ERROR: syntax error: unexpected end of input"},
		{`BEGIN { $x = 1 + ; }`, `stdin:1:18-19: ERROR: syntax error: unexpected ";"`},
		{`BEGIN { $x = 99999999999999999999999 }`, "stdin:1:14-37: ERROR: integer 99999999999999999999999 does not fit in 64 bits"},
		{`BEGIN { $x = "\q" }`, `stdin:1:14-18: ERROR: unknown escape \q in string`},
		{`BEGIN { $x = 1 ` + "`" + ` }`, "stdin:1:16-17: ERROR: syntax error: unexpected character \"`\""},
		{`BEGIN { for ($x : @m[1]) {} }`, "stdin:1:19-24: ERROR: for loops iterate over a whole map"},
		{`BEGIN { $0 }`, "stdin:1:9-11: ERROR: positional parameters start at $1"},
		{`{ }`, `stdin:1:1-2: ERROR: syntax error: unexpected "{"`},
	} {
		_, err := Parse("stdin", []byte(tc.src))
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		got := Format(err, []byte(tc.src))
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q:\n got %s\nwant prefix %s", tc.src, got, tc.want)
		}
		// Every syntax error shows the source line and a ~ under its range.
		if !strings.Contains(got, "~") && !strings.HasSuffix(tc.src, "\n") { // (not at the end of the input)
			t.Errorf("%q: no underline in\n%s", tc.src, got)
		}
	}
}

func TestDump(t *testing.T) {
	f, err := Parse("stdin", []byte(`BEGIN /1/ { @[comm] = count(); $x = -1 ? "a" : "b"; }`))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	Dump(&b, f)
	want := `Program
 probe: BEGIN  (1:1)
  predicate
   int: 1  (1:8)
  =  (1:13)
   map: @  (1:13)
    identifier: comm  (1:15)
   call: count  (1:23)
  =  (1:32)
   variable: $x  (1:32)
   ?:  (1:37)
    - (pre)  (1:37)
     int: 1  (1:38)
    string: "a"  (1:42)
    string: "b"  (1:48)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`BEGIN { printf("hi %d\n", pid); exit(); }`,
		`t:syscalls:sys_enter_openat /comm == "x"/ { @[comm] = count(); }`,
		`i:s:1 { $x = 1 ? 2 : 3; while ($x) { $x--; } for ($i : 0..3) {} }`,
		`uprobe:/bin/sh:main { @h = hist(arg0); print(@h, 10); }`,
		`BEGIN { $a = (typeof(pid))1 + (uint8[4])$x + (t *)0 + (struct s *)p + (x)y + sizeof(struct s); }`,
		`macro m(t, $v) { (t)$v } BEGIN { $x = m(pid, $y) ?: { let $z: typeof($y) = 1; $z }; }`,
		`config = { x = 1 } let @m = hash(10); struct s { int a; struct { int b; } c; } enum { A = -1, B, }`,
		`k:f /(arg0 / 2)[1] > 1/ { if (1) { } else if $1 { } else { $t.0.f->g[1]++; } }`,
		`BEGIN { "{" /* } */ } // }` + "\n" + `END { $# }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got := parseResult(fileParser(), src)
		if got == "" {
			t.Fatal("empty result")
		}
		if want := parseResult(tokenByTokenParser(), src); got != want {
			t.Fatalf("%q: with body tokens:\n%s\ntoken by token:\n%s", src, got, want)
		}
	})
}

// tokenByTokenParser parses as Parse does, but with the bodies of probes
// and macros read token by token from participle's lexer rather than
// given as body tokens.
var tokenByTokenParser = sync.OnceValue(func() *participle.Parser[gFile] {
	return newFileParser(lexDef{start: "Root", skip: true})
})

// parseResult is the tree of src as -d ast shows it, or the error as the
// user sees it.
func parseResult(fp *participle.Parser[gFile], src string) string {
	file, err := parseWith(fp, "stdin", []byte(src), Options{})
	if err != nil {
		return "ERROR: " + Format(err, []byte(src))
	}
	var b strings.Builder
	Dump(&b, file)
	return b.String()
}

// TestBodyTokens checks that a body read from a body token parses as it
// does read token by token: the lexer's reading of where a body ends
// (bodyEnd) is the lexer's own.
func TestBodyTokens(t *testing.T) {
	corpus := lexCorpus(t)
	corpus["large"] = scriptgen.Large(10)
	for i, src := range []string{
		`BEGIN { "{" } END { "}" }`, `BEGIN { "\"}" }`, `BEGIN { "\\" } }`, `BEGIN { "a\` + "\n" + `" }`,
		`BEGIN { // }` + "\n}", `BEGIN { /* } */ }`, `BEGIN { /* }`, `BEGIN { /*/ } */ }`, `BEGIN { /**/ }`,
		`BEGIN { $# } END { $1 + $x }`, `BEGIN { $ }`, `BEGIN { $$ }`, `BEGIN { # }`, "BEGIN { ` }", `BEGIN { é }`,
		`BEGIN { "é{" }`, "BEGIN { \f }", `BEGIN { { { } }`, `BEGIN { } }`, `BEGIN {`, `BEGIN { "`, `BEGIN { "\`,
		`k:f /1/ { } k:g /(1/2)/ { x } macro m { 1 } macro n(a) { a } macro { }`, `BEGIN, { }`, `k:f k:g { }`,
		`macro m() { 1; } BEGIN { m() }`, `BEGIN { @x = ; }`, "BEGIN {\n  printf(\"x\")\n",
		`config = { a = 1 } struct s { int a; } enum e { A } BEGIN { }`,
	} {
		corpus[fmt.Sprintf("case %d", i)] = src
	}
	for name, src := range corpus {
		if got, want := parseResult(fileParser(), src), parseResult(tokenByTokenParser(), src); got != want {
			t.Errorf("%s: with body tokens:\n%s\ntoken by token:\n%s", name, got, want)
		}
	}
}

// keys lists the variables of the tree under n as name#scope, in order.
func keys(n Node) string {
	var out []string
	Inspect(n, func(n Node) bool {
		if v, ok := n.(*Var); ok {
			out = append(out, v.Key())
		}
		return true
	})
	return strings.Join(out, " ")
}

func TestScopes(t *testing.T) {
	src := `BEGIN {
	$x = 1;
	if (1) { let $x = $x + 1; $y = $x; }
	$z = $x;
	{ let $x: uint32; $x = 2; }
	let $w = 5;
}`
	f, err := Parse("s.gt", []byte(src))
	if err != nil {
		t.Fatal(Format(err, []byte(src)))
	}
	got := keys(f.Probes[0].Body)
	want := "$x $x#1 $x $y $x#1 $z $x $x#2 $x#2 $w"
	if got != want {
		t.Errorf("scopes:\n got %s\nwant %s", got, want)
	}
	let := f.Probes[0].Body.Stmts[3].(*BlockStmt).Body.Stmts[0].(*LetStmt)
	if let.Type != "uint32" || let.Value != nil {
		t.Errorf("let: %+v", let)
	}
}

func TestMacros(t *testing.T) {
	src := `macro inc($v) { $v += 1; $v }
macro twice(x) { let $t = x; $t * 2 }
macro count_into(@m, $k) { @m[$k] = count(); }
BEGIN {
	$a = 1;
	$b = inc($a);
	$c = twice($a + 1);
	count_into(@hits, comm);
	$d = { let $q = 3; $q + 1 };
	_ = pid();
}`
	f, err := Parse("m.gt", []byte(src))
	if err != nil {
		t.Fatal(Format(err, []byte(src)))
	}
	body := f.Probes[0].Body.Stmts
	// inc($a) works on the caller's $a.
	inc := body[1].(*AssignStmt).Rhs.(*BlockExpr)
	if got := keys(inc); got != "$a $a" {
		t.Errorf("inc: %s", got)
	}
	// twice(x) substitutes the expression; its own $t is local.
	tw := body[2].(*AssignStmt).Rhs.(*BlockExpr)
	if got := keys(tw); !regexp.MustCompile(`^\$t#\d+ \$a \$t#\d+$`).MatchString(got) {
		t.Errorf("twice: %s", got)
	}
	// count_into(@hits, comm): the map parameter renames, $k holds comm.
	ci := body[3].(*ExprStmt).X.(*BlockExpr)
	asg := ci.Stmts[1].(*AssignStmt)
	if m := asg.Lhs.(*MapExpr); m.Name != "@hits" {
		t.Errorf("map parameter: %s", m.Name)
	}
	if ci.Value != nil {
		t.Errorf("a statement macro has no value")
	}
	if _, ok := body[4].(*AssignStmt).Rhs.(*BlockExpr); !ok {
		t.Errorf("block expression: %T", body[4].(*AssignStmt).Rhs)
	}
	if id, ok := body[5].(*ExprStmt).X.(*Ident); !ok || id.Name != "pid" {
		t.Errorf("_ = pid(): %#v", body[5])
	}

	for _, tc := range []struct{ src, want string }{
		{"macro f($x) { $x }\nBEGIN { f(1, 2) }", "m.gt:2:9-16: ERROR: Call to f() has arguments that do not match any definition.\nBEGIN { f(1, 2) }\n        ~~~~~~~\nHINT: the closest definition of f() has a different number of arguments. Expected: 1 but got 2"},
		{"macro strlen(x, y) { x }\nBEGIN { strlen(1, 2, 3) }", "m.gt:2:9-24: ERROR: Call to strlen() has arguments that do not match any definition."},
		{"macro nsecs(x) { x }\nBEGIN { @ = nsecs() }", "m.gt:2:13-20: ERROR: Call to nsecs() has arguments that do not match any definition."},
		{"macro f($x) { f($x) }\nBEGIN { f(1) }", "m.gt:1:15-20: ERROR: macro f calls itself"},
		{"macro f(@m) { @m }\nBEGIN { f(1) }", "m.gt:2:11-12: ERROR: macro f: argument 1 must be a map"},
		{"BEGIN { $x = { 1; }; }", "m.gt:1:14-15: ERROR: a block used as a value must end with an expression"},
	} {
		_, err := Parse("m.gt", []byte(tc.src))
		if err == nil || !strings.HasPrefix(Format(err, []byte(tc.src)), tc.want) {
			t.Errorf("%q: got %v, want %s", tc.src, err, tc.want)
		}
	}
}

// TestConditionals checks #if/#ifdef/#ifndef/#elif/#else/#endif: the
// branches not taken are dropped without moving the positions of what
// follows, and BPFTRACE_HAVE_BTF is defined.
func TestConditionals(t *testing.T) {
	src := `#ifndef BPFTRACE_HAVE_BTF
#include <linux/no.h>
#else
#include <linux/yes.h>
#endif
#define LEVEL 2
#if LEVEL > 1 && defined(LEVEL)
#include <level2.h>
#elif LEVEL > 0
#include <level1.h>
#else
#include <level0.h>
#endif
#if 0
#if 1
#include <nested.h>
#endif
#endif
BEGIN { $x = LEVEL; }
`
	f, err := Parse("c.bt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var incs []string
	for _, inc := range f.Includes {
		incs = append(incs, inc.Path)
	}
	if got := strings.Join(incs, " "); got != "linux/yes.h level2.h" {
		t.Errorf("includes taken: %q", got)
	}
	if p := f.Probes[0].At; p.Line != 19 {
		t.Errorf("BEGIN at line %d, want 19", p.Line)
	}
	for _, bad := range []struct{ src, msg string }{
		{"#endif\nBEGIN {}", "c.bt:1:1: ERROR: #endif without #if"},
		{"#ifdef X\nBEGIN {}", "c.bt:1:1: ERROR: #if without #endif"},
		{"#if 1\n#else\n#else\n#endif", "c.bt:3:1: ERROR: #else without #if"},
		{"#if (1\n#endif", "c.bt:1:1: ERROR: #if (1: missing )"},
	} {
		_, err := Parse("c.bt", []byte(bad.src))
		if err == nil || !strings.Contains(err.Error(), bad.msg) {
			t.Errorf("%q: got %v, want %q", bad.src, err, bad.msg)
		}
	}
}

// TestRawNewlineInString: a string literal may hold a raw newline (a
// one-liner built with echo gets one from its \n), and what follows it
// keeps its position.
func TestRawNewlineInString(t *testing.T) {
	src := "BEGIN { printf(\"a\nb\"); $x = 1; }"
	f, err := Parse("stdin", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	stmts := f.Probes[0].Body.Stmts
	if got := stmts[0].(*ExprStmt).X.(*Call).Args[0].(*StrLit).Val; got != "a\nb" {
		t.Errorf("string %q, want %q", got, "a\nb")
	}
	if p := stmts[1].Pos(); p.Line != 2 || p.Col != 6 {
		t.Errorf("$x at %d:%d, want 2:6", p.Line, p.Col)
	}
}
