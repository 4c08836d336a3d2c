package cc

import (
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
)

// errorCases are bad files and every error they give, in order.
var errorCases = []struct{ src, want string }{
	{"int f(void) { return 1 }", "t.c:1:24: ERROR: expected ';' after the return statement, found '}'"},
	{"int f(void) { x = 1 }", "t.c:1:21: ERROR: expected ';' after the expression, found '}'"},
	{"foo_t x;", "t.c:1:1: ERROR: unknown type name 'foo_t'"},
	{"int f(void) {\n  foo_t x = 1;\n}", "t.c:2:3: ERROR: unknown type name 'foo_t'"},
	{"int f(void) { return (foo_t)x; }", "t.c:1:23: ERROR: unknown type name 'foo_t'"},
	{"int f(foo_t x);", "t.c:1:7: ERROR: unknown type name 'foo_t'"},
	{"#include <sys/socket.h>", "t.c:1:1: ERROR: #include <sys/socket.h>: gotrace's C compiler knows only these system headers: " + strings.Join(systemHeaders, ", ")},
	{"  #  error this is not supported", "t.c:1:3: ERROR: #error this is not supported"},
	{"double d;", "t.c:1:1: ERROR: BPF has no floating point: 'double' is a floating-point type"},
	{"int x = 1.5 + 2e3;", "t.c:1:9: ERROR: BPF has no floating point: '1.5' is a floating-point constant\n" +
		"t.c:1:15: ERROR: BPF has no floating point: '2e3' is a floating-point constant"},
	{"int x = 08 + 12abc + 0x + 99999999999999999999;", "t.c:1:9: ERROR: invalid digit '8' in octal constant '08'\n" +
		"t.c:1:14: ERROR: invalid suffix 'abc' on integer constant '12abc'\nt.c:1:22: ERROR: invalid integer constant '0x'\n" +
		"t.c:1:27: ERROR: integer constant '99999999999999999999' is too large"},
	{`char c = '\q', d = '', e = 'ab';`, "t.c:1:10: ERROR: unknown escape sequence '\\q'\nt.c:1:20: ERROR: empty character constant\n" +
		"t.c:1:28: ERROR: character constant 'ab' has more than one character"},
	{"char *s = \"abc\nint x;", "t.c:1:11: ERROR: missing terminating '\"' character"},
	{"int f(void) { if (x { } }", "t.c:1:21: ERROR: expected ')' after the condition of 'if', found '{'"},
	{"int f(void) { return;", "t.c:1:13: ERROR: missing '}' to close the block opened here"},
	{"#define F(a, b) a\nint x = F(1);", "t.c:2:9: ERROR: macro 'F' expects 2 arguments, found 1"},
	{"#define F(a) a\nint x = F(1", "t.c:2:9: ERROR: unterminated use of macro 'F' (missing ')')"},
	{"#if 1\nint x;", "t.c:1:1: ERROR: unterminated conditional directive (#if without #endif)"},
	{"#endif\n#else\n#if 1 +\n#endif\n#if 1\n#else\n#elif 1\n#endif", "t.c:1:1: ERROR: #endif without #if\nt.c:2:1: ERROR: #else without #if\n" +
		"t.c:3:7: ERROR: missing operand at the end of the #if expression\nt.c:7:1: ERROR: #elif after #else"},
	{"#if 1 / 0\n#endif\n#if (1\n#endif\n#if 1 2\n#endif\n#if defined\n#endif", "t.c:1:7: ERROR: division by zero in #if expression\n" +
		"t.c:3:6: ERROR: expected ')' in #if expression\nt.c:5:7: ERROR: unexpected '2' in #if expression\n" +
		"t.c:7:5: ERROR: 'defined' must be followed by a macro name"},
	{"#define C(a, b) a ## b\nint x = C(+, /);", "t.c:2:9: ERROR: pasting '+' and '/' does not give a valid token\nt.c:2:16: ERROR: expected an expression, found ';'"},
	{"#define\n#define 3 x\n#define F(a x\n#define G(a, a) a\n#define H(a) #b\n#define I ## x\n#undef\n#foo", "t.c:1:1: ERROR: #define needs a macro name\n" +
		"t.c:2:9: ERROR: macro name must be an identifier, found '3'\nt.c:3:13: ERROR: expected ',' or ')' in the parameter list of macro 'F'\n" +
		"t.c:4:14: ERROR: duplicate macro parameter 'a'\nt.c:5:14: ERROR: '#' is not followed by a parameter of macro 'H'\n" +
		"t.c:6:9: ERROR: '##' cannot be at either end of the body of macro 'I'\nt.c:7:1: ERROR: #undef needs a macro name\n" +
		"t.c:8:2: ERROR: unknown preprocessing directive '#foo'"},
	{"#include \"missing.h\"\n#include\n#include <stdio.h", "t.c:1:1: ERROR: #include \"missing.h\": open missing.h: file does not exist\n" +
		"t.c:2:1: ERROR: #include expects \"FILENAME\" or <FILENAME>\nt.c:3:1: ERROR: #include expects \"FILENAME\" or <FILENAME>"},
	{"struct { int a; } ;  struct s { int a } x; int y = @;", "t.c:1:39: ERROR: expected ';' after the member declaration, found '}'\n" +
		"t.c:1:52: ERROR: unexpected character '@'"},
	{"int a; int b = ; int c; } int d;", "t.c:1:16: ERROR: expected an expression, found ';'\nt.c:1:25: ERROR: expected a declaration, found '}'"},
	{"int f(void) { else x; }", "t.c:1:15: ERROR: 'else' without a matching 'if'"},
	{"short long x; unsigned signed y; void int z; struct s int w; int long long long v;", "t.c:1:1: ERROR: invalid combination of type specifiers 'short long'\n" +
		"t.c:1:15: ERROR: invalid combination of type specifiers 'unsigned signed'\nt.c:1:34: ERROR: invalid combination of type specifiers 'void int'\n" +
		"t.c:1:55: ERROR: 'int' after a type name\nt.c:1:62: ERROR: invalid combination of type specifiers 'int long long long'"},
	{"int x = ({ 1; });", "t.c:1:9: ERROR: statement expressions ({ ... }) are not supported by gotrace's C compiler"},
	{"int f(void) { int; struct; x = sizeof(struct) ; }", "t.c:1:26: ERROR: expected a name or '{' after 'struct', found ';'"},
	{"int x = 1 /* unterminated", "t.c:1:11: ERROR: unterminated comment"},
	{"int f(void) { goto 1; a = b ? c; }", "t.c:1:20: ERROR: expected a label name after 'goto', found '1'"},
	{"int f(void) { a = b ? c; }", "t.c:1:24: ERROR: expected ':' in the conditional expression, found ';'"},
	{"int f(void) { s->1; }", "t.c:1:18: ERROR: expected a member name after '->', found '1'"},
	{"typeof(x) y;", "t.c:1:8: ERROR: 'typeof' of an expression is not supported by gotrace's C compiler: name a type"},
}

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		_, err := Parse("t.c", []byte(c.src), Options{ReadFile: memFS(nil)})
		list, _ := err.(lang.ErrorList)
		if err != nil && len(list) == 0 {
			t.Errorf("%q: the error is a %T, not a lang.ErrorList", c.src, err)
			continue
		}
		var got []string
		for _, e := range list {
			got = append(got, e.Error())
		}
		if g := strings.Join(got, "\n"); g != c.want {
			t.Errorf("%q:\ngot\n%s\nwant\n%s", c.src, g, c.want)
		}
	}
}
