package cc

import (
	"strings"
	"testing"
)

// parseCases are small files and the dump of what they parse to (see
// dump_test.go for the notation).
var parseCases = []struct {
	name, src, want string
}{
	{"declarators list", `int a = 1, *b;`, "var a int = 1\nvar b ptr(int)"},
	{"canonical type names",
		`unsigned long x; long unsigned int y; long int z; signed s; unsigned u; long long int ll;
		signed char sc; char c; _Bool bb; unsigned short us; short int si; long long unsigned llu; bool b2; void *vp;`,
		"var x unsigned long\nvar y unsigned long\nvar z long\nvar s int\nvar u unsigned int\nvar ll long long\n" +
			"var sc signed char\nvar c char\nvar bb _Bool\nvar us unsigned short\nvar si short\nvar llu unsigned long long\n" +
			"var b2 _Bool\nvar vp ptr(void)"},
	{"derived declarators",
		`int *a[4]; int (*f)(int); void (*cb)(void *); char (*pa)[8]; int m[2][3]; const char *const p; int (*fs[3])(int, ...);`,
		"var a arr[4](ptr(int))\nvar f ptr(fn(int)(int))\nvar cb ptr(fn(ptr(void))(void))\nvar pa ptr(arr[8](char))\n" +
			"var m arr[2](arr[3](int))\nvar p const ptr(const char)\nvar fs arr[3](ptr(fn(int, ...)(int)))"},
	{"parenthesised name", `int (x); int *(*(pp)); int (*(*g)(char))[2];`,
		"var x int\nvar pp ptr(ptr(int))\nvar g ptr(fn(char)(ptr(arr[2](int))))"},
	{"struct fields, bitfields, anonymous members",
		`struct s { int a; char b[4]; unsigned x : 3, : 2; struct { int c; }; union { int d; long e; } u; };`,
		"tag struct s{a int; b arr[4](char); x unsigned int:3; unsigned int:2; struct {c int}; u union {d int; e long}}"},
	{"definition with declarators", `struct s { int a; } v, *pv;`, "tag struct s{a int}\nvar v struct s\nvar pv ptr(struct s)"},
	{"GNU ?:", `int f(int a, int b) { return a ?: b; }`, "func f(a int, b int) int {return (? a <nil> b)}"},
	{"typeof of a type", `__typeof__(char[4]) *p; typeof(unsigned int) u;`, "var p ptr(arr[4](char))\nvar u unsigned int"},
	{"anonymous typedef'd struct", `typedef struct { int a; } foo_t; foo_t q;`, "typedef foo_t struct {a int}\nvar q foo_t"},
	{"enum", `enum e { A, B = 3, C, }; enum e ev; enum { X = 1 << 2 };`,
		"tag enum e{A, B=3, C}\nvar ev enum e\ntag enum {X=(<< 1 2)}"},
	{"packed and aligned",
		`struct __attribute__((packed)) pk { char a; int b; }; struct al { int a; } __attribute__((aligned(8))); struct __attribute__((aligned)) a2 { int x; };`,
		"tag struct pk{a char; b int} packed\ntag struct al{a int} aligned(8)\ntag struct a2{x int} aligned(8)"},
	{"forward declaration", `struct s; union u;`, "tag struct s\ntag union u"},
	{"SEC", `SEC("tp/x") int prog(void *ctx) { return 0; }`, "func sec(tp/x) prog(ctx ptr(void)) int {return 0}"},
	{"kfunc", `extern int bpf_x(int a, ...) __ksym __weak;`, "func extern ksym weak sec(.ksyms) bpf_x(a int, ...) int"},
	{"other attributes", `int __attribute__((unused, format(printf, 1, 2))) f(const char *, ...) __attribute__((noinline));
		int g(int a __attribute__((unused))) __attribute__((weak));`,
		"func f(ptr(const char), ...) int\nfunc weak g(a int) int"},
	{"inline", `static __always_inline int add(int a, int b) { return a + b; } static inline void n(void) {} __noinline int m(void);`,
		"func static inline add(a int, b int) int {return (+ a b)}\nfunc static inline n() void {}\nfunc m() int"},
	{"prototypes", `int f(void); int g(); int h(int, char *); void k(int a[], int (*cb)(void));`,
		"func f() int\nfunc g() int\nfunc h(int, ptr(char)) int\nfunc k(a arr[](int), cb ptr(fn()(int))) void"},
	{"typedef scopes",
		`typedef int myint; myint x; int f(void) { myint y = (myint)3; { int myint = 2; return myint * y; } }`,
		"typedef myint int\nvar x myint\nfunc f() int {decl(var y myint = (cast myint 3)); {decl(var myint int = 2); return (* myint y)}}"},
	{"parameter hides a typedef", `typedef int T; int f(int T) { return (T) * 2; }`,
		"typedef T int\nfunc f(T int) int {return (* T 2)}"},
	{"block-local typedef", `int f(void) { typedef char c_t; c_t z; } int g(void) { return (c_t) * 2; }`,
		"func f() int {decl(typedef c_t char); decl(var z c_t)}\nfunc g() int {return (* c_t 2)}"},
	{"storage classes", `static const volatile int cv = 1; extern char ext; register int r;`,
		"var static cv const volatile int = 1\nvar extern ext char\nvar r int"},
	{"local struct definition", `int f(void) { struct p { int x; } a = { 1 }, *b; return a.x; }`,
		"func f() int {decl(tag struct p{x int}, var a struct p = {1}, var b ptr(struct p)); return (. a x)}"},
	{"statements",
		`int f(int x) { if (x) return 1; else if (x > 2) x++; else { x--; } while (x < 10) x += 2; do x = x * 2; while (x);
		for (int i = 0, j = 1; i < 10; i++, j--) continue; for (;;) break; for (x = 0; x; ) ; return x; }`,
		"func f(x int) int {if x return 1 else if (> x 2) (post++ x) else {(post-- x)}; while (< x 10) (+= x 2); " +
			"do (= x (* x 2)) while x; for decl(var i int = 0, var j int = 1); (< i 10); (, (post++ i) (post-- j)) continue; " +
			"for ; ;  break; for (= x 0); x;  nop; return x}"},
	{"switch and labels",
		`int f(int x) { switch (x) { case 1: case 2: x = 3; break; case 3: { x = 4; } default: return 0; } again: if (x) goto again; out: ; return x; }`,
		"func f(x int) int {switch x {case 1: case 2: (= x 3); break; case 3: {(= x 4)}; default: return 0}; again: if x goto again; out: nop; return x}"},
	{"label at the end of a block", `void f(void) { switch (1) { default: } }`, "func f() void {switch 1 {default: nop}}"},
	{"precedence and associativity",
		`int f(int *p, struct s *q) { return a = b = c ? d : e ? f : g, *p++ + -~!x & y | z ^ w && q->a.b[3] || sizeof(int) + sizeof x + sizeof(struct s *) + _Alignof(long) + __alignof__(x); }`,
		"func f(p ptr(int), q ptr(struct s)) int {return (, (= a (= b (? c d (? e f g)))) (|| (&& (| (& (+ (* (post++ p)) (- (~ (! x)))) y) (^ z w)) (idx (. (-> q a) b) 3)) " +
			"(+ (+ (+ (+ (sizeof type int) (sizeof x)) (sizeof type ptr(struct s))) (alignof type long)) (alignof x))))}"},
	{"binary levels",
		`int f(void) { x = 1 + 2 * 3 - 4 / 5 % 6 << 1 >> 2 < 3 > 4 <= 5 >= 6 == 7 != 8; x <<= 1; x >>= 2; x |= 3; x &= 4; x ^= 5; x %= 6; x /= 7; x *= 8; x -= 9; x += 10; }`,
		"func f() int {(= x (!= (== (>= (<= (> (< (>> (<< (- (+ 1 (* 2 3)) (% (/ 4 5) 6)) 1) 2) 3) 4) 5) 6) 7) 8)); " +
			"(<<= x 1); (>>= x 2); (|= x 3); (&= x 4); (^= x 5); (%= x 6); (/= x 7); (*= x 8); (-= x 9); (+= x 10)}"},
	{"unary and postfix", `void f(void) { ++x; --*p; &a[1]; +x; f(1)(2); a.b->c[d](e)--; *(int *)p = 1; }`,
		"func f() void {(++ x); (-- (* p)); (& (idx a 1)); (+ x); (call (call f 1) 2); (post-- (call (idx (-> (. a b) c) d) e)); (= (* (cast ptr(int) p)) 1)}"},
	{"casts and compound literals",
		`int f(void) { return (int)x + (unsigned long)(char *)p + (u32)y + (struct s){ .a = 1, .b.c = 2, [3] = 4, { 5, 6 }, }.a + (int[]){1,2}[0]; }`,
		"func f() int {return (+ (+ (+ (+ (cast int x) (cast unsigned long (cast ptr(char) p))) (cast u32 y)) " +
			"(. (lit struct s {.a=1, .b.c=2, [3]=4, {5, 6}}) a)) (idx (lit arr[](int) {1, 2}) 0))}"},
	{"cast or product", `int g(void) { (void)f; x * y; u32 * y; return (x) * y + (u32) * y + (const struct s *)0 + (void (*)(int))0; }`,
		"func g() int {(cast void f); (* x y); decl(var y ptr(u32)); return (+ (+ (+ (* x y) (cast u32 (* y))) (cast ptr(const struct s) 0)) (cast ptr(fn(int)(void)) 0))}"},
	{"offsetof and builtins",
		`int f(void) { return __builtin_offsetof(struct s, a.b[1].c) + offsetof(struct t, x[i + 1]) + __builtin_expect(a, 0) + likely(b) + unlikely(c == 1); }`,
		"func f() int {return (+ (+ (+ (+ (offsetof struct s a|b[1]|c) (offsetof struct t x[i+1])) (call __builtin_expect a 0)) b) (== c 1))}"},
	{"integer and character constants",
		`int a = 10, b = 010, c = 0x1F, d = 0b101, e = 10u, f = 10UL, g = 10lu, h = 10LLU, i = 10ull, z = 0, big = 18446744073709551615u;
		int j = 'a', k = '\n', l = '\0', m = '\\', n = '\'', o = '\x41', q = '\101', r = '"', s = '\xff', t = '\e';`,
		"var a int = 10\nvar b int = 8n\nvar c int = 31n\nvar d int = 5n\nvar e int = 10u\nvar f int = 10ul\nvar g int = 10ul\n" +
			"var h int = 10ull\nvar i int = 10ull\nvar z int = 0\nvar big int = 18446744073709551615u\n" +
			"var j int = c97\nvar k int = c10\nvar l int = c0\nvar m int = c92\nvar n int = c39\nvar o int = c65\n" +
			"var q int = c65\nvar r int = c34\nvar s int = c18446744073709551615\nvar t int = c27"},
	{"strings", `char *s = "a\tb\n" "c\x41\101\"\\" "\?"; char t[] = "", u[4] = "abc";`,
		"var s ptr(char) = \"a\\tb\\ncAA\\\"\\\\?\"\nvar t arr[](char) = \"\"\nvar u arr[4](char) = \"abc\""},
	{"initializers", `struct s v = { .a = { [1] = 2, 3 }, .b.c[2] = 4, {}, 5, }; int w[2][2] = {{1, 2}, {3}};`,
		"var v struct s = {.a={[1]=2, 3}, .b.c[2]=4, {}, 5}\nvar w arr[2](arr[2](int)) = {{1, 2}, {3}}"},
	{"bpf_loop callback",
		`struct ctx { int n; char buf[16]; };
		static int cb(__u32 i, void *data) { struct ctx *c = data; if (c->buf[i] == 0) return 1; c->n++; return 0; }
		int run(void) { struct ctx c = {}; bpf_loop(16, cb, &c, 0); barrier(); return c.n; }`,
		"tag struct ctx{n int; buf arr[16](char)}\n" +
			"func static cb(i __u32, data ptr(void)) int {decl(var c ptr(struct ctx) = data); if (== (idx (-> c buf) i) 0) return 1; (post++ (-> c n)); return 0}\n" +
			"func run() int {decl(var c struct ctx = {}); (call bpf_loop 16 cb (& c) 0); (cast void 0); return (. c n)}"},
	{"predefined macros", `int f(void) { int x = NULL == 0; bool b = true, c = false; return (x & 1) * y; }`,
		"func f() int {decl(var x int = (== (cast ptr(void) 0) 0)); decl(var b _Bool = 1, var c _Bool = 0); return (* (& x 1) y)}"},
	{"fallthrough attribute and static assert", `void f(int x) { switch (x) { case 1: __attribute__((fallthrough)); default: break; } _Static_assert(1, "ok"); } _Static_assert(sizeof(int) == 4, "int");`,
		"func f(x int) void {switch x {case 1: nop; default: break}; nop}"},
	{"stray semicolons and extensions", `; __extension__ typedef unsigned long long ull_t; ull_t v;;`,
		"typedef ull_t unsigned long long\nvar v ull_t"},
	{"enumerator hides nothing, is an identifier", `enum { K = 2 }; int a[K];`, "tag enum {K=2}\nvar a arr[K](int)"},
	{"typedefs of definitions", `typedef struct foo { int a; } foo_t, *foo_p; typedef enum { EA, EB } e_t; typedef int (*cb_t)(void *); foo_p g(cb_t cb);`,
		"tag struct foo{a int}\ntypedef foo_t struct foo\ntypedef foo_p ptr(struct foo)\ntypedef e_t enum {EA, EB}\n" +
			"typedef cb_t ptr(fn(ptr(void))(int))\nfunc g(cb cb_t) foo_p"},
	{"anonymous definition shared by declarators", `struct { int a; } x, y[2];`, "var x struct {a int}\nvar y arr[2](struct {a int})"},
	{"qualified struct definition", `const struct cs { int a; } cv;`, "tag struct cs{a int}\nvar cv const struct cs"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("t.c", []byte(c.src), Options{})
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := dumpFile(f); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestKernelTypes(t *testing.T) {
	kt := func(name string) bool { return name == "sector_t" || name == "u32" }
	src := `sector_t before;
#include "vmlinux.h"
sector_t after; int f(void) { return (sector_t)1 + (other_t) - 1; }`
	_, err := Parse("k.c", []byte(src), Options{KernelType: kt})
	if err == nil || !strings.Contains(err.Error(), "k.c:1:1: ERROR: unknown type name 'sector_t'") {
		t.Fatalf("want an unknown type before vmlinux.h, got %v", err)
	}
	f, err := Parse("k.c", []byte(src[strings.Index(src, "#"):]), Options{KernelType: kt})
	if err != nil {
		t.Fatal(err)
	}
	if !f.VMLinux {
		t.Error("VMLinux not set")
	}
	want := "var after sector_t\nfunc f() int {return (- (+ (cast sector_t 1) other_t) 1)}"
	if got := dumpFile(f); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTag(t *testing.T) {
	f, err := Parse("t.c", []byte("struct s *a; union { int x; } b; enum e c; int d;"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"", ""}, {"union", ""}, {"enum", "e"}, {"", ""}}
	for i, d := range f.Decls {
		ty := d.(*VarDecl).Type
		if i == 0 {
			ty = ty.Elem
			if k, n := ty.Tag(); k != "struct" || n != "s" {
				t.Errorf("struct s: %q %q", k, n)
			}
			ty = d.(*VarDecl).Type
		}
		if k, n := ty.Tag(); k != want[i][0] || n != want[i][1] {
			t.Errorf("%s: %q %q", ty.Name, k, n)
		}
	}
}

func TestParamPositions(t *testing.T) {
	f, err := Parse("t.c", []byte("int f(const char *, int n);"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := f.Decls[0].(*FuncDecl).Params
	if ps[0].At.Col != 7 || ps[1].At.Col != 25 {
		t.Errorf("params at %v, %v", ps[0].At, ps[1].At)
	}
}
