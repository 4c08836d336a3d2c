package lang

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Nesting deeper than maxNesting, of any construct and anywhere, is a
// syntax error at the token that goes past the limit: never a Go stack
// overflow, and never a cost that grows with the depth of the input
// beyond the limit.

// deep is deeper than the limit by far (the parser stops at the limit,
// so any depth beyond it costs the same); 50,000 parentheses overflowed
// the stack of the participle grammar gotrace had before.
const deep = 5 * maxNesting

// nested repeats open n times around core, and close after it.
func nested(open, core, close string, n int) string {
	return strings.Repeat(open, n) + core + strings.Repeat(close, n)
}

func TestNestingLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		at   string // what the error's position must point at
	}{
		{"blocks", "BEGIN " + nested("{ ", "", "} ", deep), "{"},
		{"block statements", "BEGIN { " + nested("{ ", "$x = 1;", "} ", deep) + "}", "{"},
		{"block values", "BEGIN { $x = " + nested("{ ", "1", " }", deep) + "; }", "{"},
		{"parentheses", "BEGIN { $x = " + nested("(", "1", ")", deep) + "; }", "("},
		{"tuples", "BEGIN { $x = " + nested("(1, ", "1", ")", deep) + "; }", "("},
		{"unary operators", "BEGIN { $x = " + strings.Repeat("!", deep) + "1; }", "!"},
		{"minus signs", "BEGIN { $x = " + strings.Repeat("- ", deep) + "1; }", "-"},
		{"pointers", "BEGIN { $x = " + strings.Repeat("*", deep) + "$p; }", "*"},
		{"increments", "BEGIN { $x = " + strings.Repeat("++ ", deep) + "$p; }", "+"},
		{"casts", "BEGIN { $x = " + strings.Repeat("(int8)", deep) + "1; }", "("},
		{"struct casts", "BEGIN { $x = " + strings.Repeat("(struct s *)", deep) + "1; }", "("},
		{"bare casts", "BEGIN { $x = " + strings.Repeat("(t)", deep) + "1; }", "("},
		{"typeof casts", "BEGIN { $x = " + strings.Repeat("(typeof(1))", deep) + "1; }", "("},
		{"typeof arguments", "BEGIN { $x = " + nested("(typeof(", "1", "))", deep) + "; }", "("},
		{"ternary else", "BEGIN { $x = " + strings.Repeat("1 ? 1 : ", deep) + "1; }", "?"},
		{"ternary then", "BEGIN { $x = " + strings.Repeat("1 ? ", deep) + "1" + strings.Repeat(" : 1", deep) + "; }", "?"},
		{"elvis", "BEGIN { $x = " + strings.Repeat("1 ?: ", deep) + "1; }", "?"},
		{"if", "BEGIN { " + nested("if 1 { ", "", "} ", deep) + "}", "{"},
		{"else if", "BEGIN { if 1 {} " + strings.Repeat("else if 1 {} ", deep) + "}", "else{"},
		{"while", "BEGIN { " + nested("while 1 { ", "", "} ", deep) + "}", "{"},
		{"for", "BEGIN { " + nested("for ($i : 0..1) { ", "", "} ", deep) + "}", "{"},
		{"calls", "BEGIN { $x = " + nested("f(", "1", ")", deep) + "; }", "("},
		{"map keys", "BEGIN { $x = " + nested("@m[", "1", "]", deep) + "; }", "["},
		{"indexes", "BEGIN { $x = " + nested("$a[", "1", "]", deep) + "; }", "["},
		{"index chain", "BEGIN { $x = $a" + strings.Repeat("[1]", deep) + "; }", "["},
		{"field chain", "BEGIN { $x = $a" + strings.Repeat(".b", deep) + "; }", "."},
		{"arrow chain", "BEGIN { $x = $a" + strings.Repeat("->b", deep) + "; }", "-"},
		{"postfix increments", "BEGIN { $x = $a" + strings.Repeat("++", deep) + "; }", "+"},
		{"predicate", "k:f /" + nested("(", "1", ")", deep) + "/ { }", "("},
		{"config value", "config = { x = " + nested("(", "1", ")", deep) + " } BEGIN { }", "("},
		{"map size", "let @m = hash(" + nested("(", "1", ")", deep) + "); BEGIN { }", "("},
		{"macro body", "macro m() " + nested("{ ", "1", " }", deep) + " BEGIN { }", "{"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("stdin", []byte(tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			list, ok := err.(ErrorList)
			if !ok || len(list) != 1 {
				t.Fatalf("%T %v", err, err)
			}
			e := list[0]
			if want := fmt.Sprintf("syntax error: nested too deeply: gotrace reads at most %d levels of blocks, parentheses and operators", maxNesting); e.Msg != want {
				t.Fatalf("message %q", e.Msg)
			}
			if e.Pos.File != "stdin" || e.Pos.Line != 1 || e.Pos.Offset+1 != e.Pos.Col {
				t.Fatalf("position %+v", e.Pos)
			}
			if c := tc.src[e.Pos.Offset]; !strings.ContainsRune(tc.at, rune(c)) {
				t.Errorf("the error is at %q, want one of %q: %q", c, tc.at, tc.src[max(0, e.Pos.Offset-20):e.Pos.Offset+1])
			}
			// the limit is reached after about maxNesting of the
			// constructs, not sooner and not later
			if n := strings.Count(tc.src[:e.Pos.Offset], tc.at[:1]); n < maxNesting/2 || n > 2*maxNesting {
				t.Errorf("the error comes after %d of %q", n, tc.at[:1])
			}
			if got := Format(err, []byte(tc.src)); !strings.Contains(got, "\n"+strings.Repeat(" ", e.Pos.Col-1)+"~") {
				t.Errorf("no underline at column %d", e.Pos.Col)
			}
		})
	}
}

// TestNestingLimitPosition checks the position exactly: the probe's
// block is a level, and so is each parenthesis.
func TestNestingLimitPosition(t *testing.T) {
	src := "BEGIN { $x = " + nested("(", "1", ")", 50000) + "; }"
	_, err := Parse("stdin", []byte(src))
	col := len("BEGIN { $x = ") + maxNesting
	want := fmt.Sprintf("stdin:1:%d-%d: ERROR: syntax error: nested too deeply: gotrace reads at most %d levels of blocks, parentheses and operators\n",
		col, col+1, maxNesting)
	if got := Format(err, []byte(src)); !strings.HasPrefix(got, want) {
		t.Errorf("got  %.200s\nwant %s", got, want)
	}
}

// TestNestingWithinLimit: what nests less deeply than the limit parses,
// and long chains of binary operators are not nesting at all.
func TestNestingWithinLimit(t *testing.T) {
	n := maxNesting - 10
	for _, src := range []string{
		"BEGIN { $x = " + nested("(", "1", ")", n) + "; }",
		"BEGIN " + nested("{ ", "", "} ", n),
		"BEGIN { $x = " + strings.Repeat("!", n) + "1; }",
		"BEGIN { $x = " + strings.Repeat("1 ? 1 : ", n) + "1; }",
		"BEGIN { if 1 {} " + strings.Repeat("else if 1 {} ", n/2) + "}",
		"BEGIN { $x = $a" + strings.Repeat(".b", n) + "; }",
	} {
		f, err := Parse("stdin", []byte(src))
		if err != nil {
			t.Errorf("%.40s...: %v", src, err)
			continue
		}
		var b strings.Builder
		Dump(&b, f)
	}
	for _, src := range []string{
		"BEGIN { $x = 1" + strings.Repeat(" + 1", 20000) + "; }",
		"BEGIN { $x = 1" + strings.Repeat(" * 2 + 1 << 3 || 4 && 5 == 6", 2000) + "; }",
	} {
		if _, err := Parse("stdin", []byte(src)); err != nil {
			t.Errorf("%.40s...: %v", src, err)
		}
	}
}

// TestNestingExpr: lone expressions and #define values have the limit
// too.
func TestNestingExpr(t *testing.T) {
	src := nested("(", "1", ")", deep)
	_, err := ParseExpr("expr", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Errorf("ParseExpr: %v", err)
	}
	src = "#define X " + src + "\nBEGIN { $x = X; }"
	_, err = Parse("stdin", []byte(src))
	if err == nil || !regexp.MustCompile(`^stdin:1:11: ERROR: #define X: cannot read its value`).MatchString(err.Error()) {
		t.Errorf("#define: %.200v", err)
	}
}
