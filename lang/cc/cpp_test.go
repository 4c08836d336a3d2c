package cc

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
)

// memFS is an Options.ReadFile over a map.
func memFS(files map[string]string) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		if s, ok := files[path]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
}

// pp preprocesses src and spells the tokens it gives, one space apart.
func pp(src string, files map[string]string) (string, lang.ErrorList) {
	var errs lang.ErrorList
	p := preprocess("main.c", []byte(src), Options{ReadFile: memFS(files)}, &errs)
	var s []string
	for _, t := range p.out {
		s = append(s, t.text)
	}
	return strings.Join(s, " "), errs
}

var ppCases = []struct{ name, src, want string }{
	{"object-like", "#define N 4\n#define M N + N\nM", "4 + 4"},
	{"function-like", "#define SQ(x) ((x) * (x))\nSQ(a + 1)", "( ( a + 1 ) * ( a + 1 ) )"},
	{"function-like name without call", "#define F(x) x\nint F; F (1)", "int F ; 1"},
	{"object-like with parenthesis", "#define F (x) x\nF(1)", "( x ) x ( 1 )"},
	{"stringify", `#define S(x) #x` + "\nS(a  +  \"q\\n\" 'c') S() S( lead )", `"a + \"q\\n\" 'c'" "" "lead"`},
	{"stringify does not expand", "#define S(x) #x\n#define X(x) S(x)\n#define N 4\nS(N) X(N)", `"N" "4"`},
	{"paste", "#define C(a, b) a ## b\nC(x, y) C(1, 2) C(, z) C(z, ) C(,) C(<, <=)", "xy 12 z z <<="},
	{"paste then rescan", "#define N 4\n#define C(a, b) a ## b\nC(N, ) C(, N) C(N, N)", "4 4 NN"},
	{"paste operands are not expanded", "#define N 4\n#define C(a) a ## _x a\nC(N)", "N_x 4"},
	{"variadic", "#define V(f, ...) f(__VA_ARGS__)\nV(g) V(g, 1) V(g, 1, (2, 3))", "g ( ) g ( 1 ) g ( 1 , ( 2 , 3 ) )"},
	{"gnu comma paste", "#define L(fmt, ...) p(fmt, ##__VA_ARGS__)\nL(\"a\") L(\"b\", 1, 2)", `p ( "a" ) p ( "b" , 1 , 2 )`},
	{"no recursion", "#define foo foo\n#define bar a bar\nfoo bar", "foo a bar"},
	{"no mutual recursion", "#define a b\n#define b a\na b", "a b"},
	{"standard example", "#define f(a) a*g\n#define g(a) f(a)\nf(2)(9)", "2 * 9 * g"},
	{"arguments expanded first", "#define F(x) [x]\n#define N 1\nF(F(N))", "[ [ 1 ] ]"},
	{"call across lines", "#define F(x, y) x+y\nF(1,\n 2) F\n(3, 4)", "1 + 2 3 + 4"},
	{"redefinition and undef", "#define N 1\n#define N 2\nN\n#undef N\nN", "2 N"},
	{"empty macro", "#define E\nint E x;", "int x ;"},
	{"splice", "#define LONG 1 + \\\n 2\nLONG in\\\nt", "1 + 2 int"},
	{"comments", "a /* b\n c */ d // e\nf", "a d f"},
	{"line and file", "__LINE__\n__LINE__ __FILE__", `1 2 "main.c"`},
	{"libbpf macros", `SEC("x") __always_inline __noinline __weak __ksym __kptr __percpu_kptr __hidden __arg_ctx __arg_nonnull __arg_trusted likely(a) unlikely(b) barrier() offsetof`,
		`__attribute__ ( ( section ( "x" ) ) ) inline __attribute__ ( ( always_inline ) ) __attribute__ ( ( noinline ) ) ` +
			`__attribute__ ( ( weak ) ) __attribute__ ( ( section ( ".ksyms" ) ) ) ( a ) ( b ) ( ( void ) 0 ) __builtin_offsetof`},
	{"predefined", "__bpf__ __BPF__ __GOTRACE__ __STDC__ __LITTLE_ENDIAN__ __BYTE_ORDER__ __ORDER_BIG_ENDIAN__ __CHAR_BIT__ __SIZEOF_LONG__ __SIZEOF_POINTER__ NULL true false bool",
		"1 1 1 1 1 1234 4321 8 8 8 ( ( void * ) 0 ) 1 0 _Bool"},
	{"conditionals", `#if defined(__bpf__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
le
#elif 1
be
#else
none
#endif
#ifdef NOPE
nope
#elif NOPE2 + 1 == 1 && !defined NOPE
yes
#endif
#ifndef __GOTRACE__
no
#else
gt
#endif
#if 0
#error not here
#include <sys/whatever.h>
#bogus
# if 1
inner
# else
inner2
# endif
#elif 1
after
#endif`, "le yes gt after"},
	{"if arithmetic", `#if (1 ? 2 : 3) == 2 && -1 < 0 && -1 > 0u && 7 / 2 == 3 && -7 % 3 == -1 && 010 == 8 && 0x10 == 16 && 'a' == 97 && (1 << 4) == 16 && ~0 == -1 && (3 ^ 1) == 2 && (3 | 4) == 7 && (6 & 3) == 2 && 2 >= 2 && 2 <= 2 && 1 != 2 && 0 ? 0 : 1
ok
#endif
#if 0 && 1 / 0 || 1 ? 1 : 1 / 0
ok2
#endif`, "ok ok2"},
	{"if with macros", "#define V 3\n#define IS(x) ((x) > 2)\n#if IS(V) && defined IS\nyes\n#endif", "yes"},
	{"nested skipped groups", "#if 0\n#if 1\na\n#else\nb\n#endif\nc\n#else\nd\n#endif", "d"},
	{"pragma and friends", "#pragma once\n#pragma GCC diagnostic push\n#warning careful\n#line 10\n#ident \"x\"\n#\nx", "x"},
	{"system headers", "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n#include <stdint.h>\nx", "x"},
}

func TestPreprocess(t *testing.T) {
	for _, c := range ppCases {
		t.Run(c.name, func(t *testing.T) {
			got, errs := pp(c.src, nil)
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestInclude(t *testing.T) {
	files := map[string]string{
		"dir/a.h":     "#pragma once\n#include \"sub/b.h\"\nint a;\n",
		"dir/sub/b.h": "#ifndef B_H\n#define B_H\n#include \"../a.h\"\n#include \"c.h\"\nint b;\n#endif\n",
		"dir/sub/c.h": "#include \"vmlinux.h\"\nint c = B;\n",
		"dir/self.h":  "#include \"self.h\"\nint self;\n",
	}
	var errs lang.ErrorList
	p := preprocess("dir/main.c", []byte("#include \"a.h\"\n#include \"a.h\"\n#include \"sub/b.h\"\n#include \"self.h\"\n#define B 2\nint m;"), Options{ReadFile: memFS(files)}, &errs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var s []string
	for _, t := range p.out {
		s = append(s, t.text)
	}
	if got, want := strings.Join(s, " "), "int c = B ; int b ; int a ; int self ; int m ;"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !p.vmlinux || p.vmlinuxAt != 0 {
		t.Errorf("vmlinux %v at %d", p.vmlinux, p.vmlinuxAt)
	}
	// Positions name the header as joined to the including file's directory.
	if got := p.out[0].pos.String(); got != "dir/sub/c.h:2:1" {
		t.Errorf("first token at %s", got)
	}
	if got := p.out[5].pos.String(); got != "dir/sub/b.h:5:1" {
		t.Errorf("'int b' at %s", got)
	}

	f, err := Parse("dir/main.c", []byte("#include \"a.h\"\nint m;"), Options{ReadFile: memFS(files)})
	if err != nil {
		t.Fatal(err)
	}
	if !f.VMLinux || len(f.Decls) != 4 {
		t.Errorf("VMLinux %v, %d decls", f.VMLinux, len(f.Decls))
	}
}

func TestPositions(t *testing.T) {
	src := "/* a\n   comment */ int\tx = 1; // c\n#define TWO(a) (a + 2)\n" +
		"int y = TWO(z);\nint va\\\nlue = 3;\n  char *s = \"q\";\n"
	f, err := Parse("p.c", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"p.c:2:19", "p.c:4:5", "p.c:5:5", "p.c:7:9"}
	for i, d := range f.Decls {
		if got := PosOf(d).String(); got != want[i] {
			t.Errorf("decl %d at %s, want %s", i, got, want[i])
		}
	}
	x := f.Decls[0].(*VarDecl)
	if x.Type.At.String() != "p.c:2:15" || PosOf(x.Init).String() != "p.c:2:23" || PosOf(x.Init).Offset != len("/* a\n   comment */ int\tx = ") {
		t.Errorf("x: type at %v, init at %v", x.Type.At, PosOf(x.Init))
	}
	// The macro's tokens are where it was used; the argument is where it was written.
	y := f.Decls[1].(*VarDecl).Init.(*Binary)
	if got := y.At.String(); got != "p.c:4:9" {
		t.Errorf("+ from the macro at %s", got)
	}
	if got := PosOf(y.X).String(); got != "p.c:4:13" {
		t.Errorf("argument z at %s", got)
	}
	if got := f.Decls[2].(*VarDecl).Name; got != "value" {
		t.Errorf("spliced name %q", got)
	}
	if got := PosOf(f.Decls[2].(*VarDecl).Init).String(); got != "p.c:6:7" {
		t.Errorf("3 after the splice at %s", got)
	}
}

func TestReadFileDefault(t *testing.T) {
	_, err := Parse("testdata/none.c", []byte("#include \"does-not-exist.h\"\n"), Options{})
	var list lang.ErrorList
	if !errors.As(err, &list) || len(list) != 1 || !strings.HasPrefix(list[0].Error(), "testdata/none.c:1:1: ERROR: #include \"does-not-exist.h\": open testdata/does-not-exist.h") {
		t.Fatalf("got %v", err)
	}
}

func TestIncludeLimits(t *testing.T) {
	// Every path ending in x.h reads the same text, which includes two
	// more: without limits, 2^64 files.
	src := "#include \"a/x.h\"\n#include \"b/x.h\"\nint x;\n"
	read := func(path string) ([]byte, error) { return []byte(src), nil }
	_, err := Parse("x.h", []byte(src), Options{ReadFile: read})
	if err == nil || !strings.Contains(err.Error(), "includes are nested too deeply") {
		t.Fatalf("got %v", err)
	}
	var b strings.Builder
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&b, "#include \"h%d.h\"\n", i)
	}
	_, err = Parse("m.c", []byte(b.String()), Options{ReadFile: func(string) ([]byte, error) { return nil, nil }})
	if err == nil || err.Error() != "m.c:257:1: ERROR: #include \"h256.h\": more than 256 headers" {
		t.Fatalf("got %v", err)
	}
}

func TestIncludeVMLinuxAngle(t *testing.T) {
	var errs lang.ErrorList
	p := preprocess("main.c", []byte("int a;\n#include <vmlinux.h>\nint b;\n"), Options{}, &errs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !p.vmlinux || p.vmlinuxAt != 3 {
		t.Errorf("vmlinux %v at %d", p.vmlinux, p.vmlinuxAt)
	}
}
