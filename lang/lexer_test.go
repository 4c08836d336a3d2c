package lang

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/lang/internal/lexdef"

	"github.com/gotrace/gotrace/internal/scriptgen"
)

// The lexer is generated from internal/lexdef (go generate). These tests
// check that the generated lexer reads scripts exactly as participle's
// regexp lexer does with the same definition, so that lexer_gen.go
// cannot drift from lexdef: regenerate it when lexdef changes.

var (
	// the lexers as they are, with every token
	genScriptLexer = lexDef{start: "Root"}
	genExprLexer   = lexDef{start: "Body"}

	regexpScriptLexer = lexer.MustStateful(lexdef.Rules())
	regexpExprLexer   = lexer.MustStateful(lexdef.ExprRules())
)

// lexAll lists the tokens def makes of src, one a line with its type's
// name and its position, then the error, if any.
func lexAll(def lexer.Definition, src string) string {
	names := map[lexer.TokenType]string{}
	for name, t := range def.Symbols() {
		names[t] = name
	}
	l, err := def.(lexer.StringDefinition).LexString("f.gt", src)
	if err != nil {
		return "ERROR: " + err.Error()
	}
	var b strings.Builder
	for {
		t, err := l.Next()
		if err != nil {
			// the message's words differ; where is what matters
			pos := err.(interface{ Position() lexer.Position }).Position()
			fmt.Fprintf(&b, "error at %d:%d:%d\n", pos.Line, pos.Column, pos.Offset)
			return b.String()
		}
		fmt.Fprintf(&b, "%s %q %d:%d:%d\n", names[t.Type], t.Value, t.Pos.Line, t.Pos.Column, t.Pos.Offset)
		if t.EOF() {
			return b.String()
		}
	}
}

// lexCorpus is every example tool and every script of the end-to-end
// tests: the scripts of tests/testdata/script, whole files and one-liners.
func lexCorpus(t testing.TB) map[string]string {
	corpus := map[string]string{}
	examples, _ := filepath.Glob("../examples/*.gt")
	for _, name := range examples {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		corpus[name] = string(data)
	}
	oneLiner := regexp.MustCompile(`-e '((?:[^']|'\\'')*)'`)
	archives, _ := filepath.Glob("../tests/testdata/script/*.txtar")
	for _, name := range archives {
		a, err := txtar.ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range oneLiner.FindAllStringSubmatch(string(a.Comment), -1) {
			corpus[fmt.Sprintf("%s: one-liner %d", name, i+1)] = strings.ReplaceAll(m[1], `'\''`, "'")
		}
		for _, f := range a.Files {
			if ext := filepath.Ext(f.Name); ext == ".gt" || ext == ".bt" || ext == ".h" {
				corpus[name+": "+f.Name] = string(f.Data)
			}
		}
	}
	if len(examples) == 0 || len(archives) == 0 {
		t.Fatal("no examples or test scripts found")
	}
	return corpus
}

func TestGeneratedLexer(t *testing.T) {
	corpus := lexCorpus(t)
	corpus["generated"] = scriptgen.Large(3)
	n := 0
	for name, src := range corpus {
		for _, text := range []string{src, strings.TrimRight(src, "\n")} {
			if got, want := lexAll(genScriptLexer, text), lexAll(regexpScriptLexer, text); got != want {
				t.Errorf("%s: the generated lexer reads it otherwise:\n%s", name, firstDiff(got, want))
			}
			if got, want := lexAll(genExprLexer, text), lexAll(regexpExprLexer, text); got != want {
				t.Errorf("%s, lexed as an expression: the generated lexer reads it otherwise:\n%s", name, firstDiff(got, want))
			}
			n++
		}
	}
	t.Logf("%d texts", n)
}

// TestLexerEdges are texts at the edges of the generated lexer: tokens
// that end the input, which it is given with a newline more.
func TestLexerEdges(t *testing.T) {
	for _, src := range []string{
		"", "\n", " ", "BEGIN", "BEGIN {}", "BEGIN {} // c", "BEGIN {} /* c */", "BEGIN {} /* c",
		"#define X 1", "#!/bin/gotrace", `BEGIN { "abc`, `BEGIN { "a\`, `BEGIN { "a\"`, `BEGIN { "a\\"`,
		"BEGIN { $x = 1 /", "BEGIN { $x = 1 /=", "k:f /1/ {}", "k:f /(1/2)/ {}", "k:f /1", "{ } }",
		"BEGIN { x }  \n\t ", "BEGIN { é }", "BEGIN { $x = 0x1fms + 1e3 + 5ull + 7LU }", "1if", "$1if",
		"uprobe:\"/x:f", "uprobe:/bin/x:\"f(int)\" { }", "a\xff", "BEGIN { \"\xff\" }", "\r\n",
		`usdt:./x:p:"\"q\"" { }`, `uprobe:/bin/sh:"f"+0 { }`, `uprobe:/x:"a\`, "$1 { }", "BEG$1 { }", "$1:$2", "$ { }",
	} {
		if got, want := lexAll(genScriptLexer, src), lexAll(regexpScriptLexer, src); got != want {
			t.Errorf("%q: the generated lexer reads it otherwise:\n%s", src, firstDiff(got, want))
		}
		if got, want := lexAll(genExprLexer, src), lexAll(regexpExprLexer, src); got != want {
			t.Errorf("%q, lexed as an expression: the generated lexer reads it otherwise:\n%s", src, firstDiff(got, want))
		}
	}
}

func FuzzLexer(f *testing.F) {
	for _, s := range []string{
		`BEGIN { printf("hi %d\n", pid); exit(); } // x`,
		`t:syscalls:sys_enter_openat /comm == "x" && (1/2)/ { @[comm] = count(); }`,
		"#define A 1\n#include <x.h>\nstruct s { int a; } /* c */",
		`uprobe:/bin/x:"ns::f(int)" { $x = 0x10 + 1_000us; $y = "\t\"" }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if got, want := lexAll(genScriptLexer, src), lexAll(regexpScriptLexer, src); got != want {
			t.Fatalf("%q: the generated lexer reads it otherwise:\n%s", src, firstDiff(got, want))
		}
		if got, want := lexAll(genExprLexer, src), lexAll(regexpExprLexer, src); got != want {
			t.Fatalf("%q, lexed as an expression: the generated lexer reads it otherwise:\n%s", src, firstDiff(got, want))
		}
	})
}

// firstDiff shows the first line where two listings differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Sprintf("token %d:\n generated: %s\n    regexp: %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("generated %d lines, regexp %d", len(g), len(w))
}
