package codegen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// TestCInVM imports C files, calls their functions from scripts and runs
// the programs in the VM: each result is what C says it is.
func TestCInVM(t *testing.T) {
	for _, tc := range []struct{ name, c, script, want string }{
		{"add-one", `int __add_one(int val) { return 1 + val; }`,
			`BEGIN { print(__add_one(1)); exit(); }`, "2\n"},
		{"integer-conversions", `
unsigned char wrap(unsigned char c) { return c + 250; }
short neg(short v) { return -v; }
int idiv(int a, int b) { return a / b; }
int imod(int a, int b) { return a % b; }
unsigned int udiv(unsigned int a, unsigned int b) { return a / b; }
int sar(int a) { return a >> 1; }
unsigned int shr(unsigned int a) { return a >> 1; }
int overflow(int a) { return a * 2; }
long widen(int a) { return a; }
unsigned long uwiden(int a) { return (unsigned int)a; }
int cmp_mixed(int a, unsigned int b) { return a < b; }
int chars(void) { char c = 200; unsigned char u = 200; return c + u; }
long lit(void) { return (0xffffffff + 1) * 10 + (4294967295 + 1); }
`, `BEGIN { printf("%d %d %d %d %u %d %u %d %ld %lu %d %d %ld\n", wrap(10), neg(-5), idiv(-7, 2), imod(-7, 2), udiv(4294967295, 2), sar(-8), shr(4294967288), overflow(2000000000), widen(-1), uwiden(-1), cmp_mixed(-1, 1), chars(), lit()); exit(); }`,
			"4 5 -3 -1 2147483647 -4 2147483644 -294967296 -1 4294967295 0 144 4294967296\n"},
		{"control-flow", `
int sum_odd(int n) {
	int total = 0;
	for (int i = 1; i <= n; i++) {
		if (i % 2 == 0)
			continue;
		total += i;
	}
	return total;
}
int classify(int x) {
	switch (x) {
	case 0: return 100;
	case 1:
	case 2: return 200;
	case -3: { int y = x * 2; return y; }
	default: break;
	}
	return -1;
}
int falls(int x) {
	int r = 0;
	switch (x) { case 1: r += 1; case 2: r += 10; break; case 3: r = 99; }
	return r;
}
int dowhile(int n) { int i = 0; do { i++; } while (i < n); return i; }
int gotos(int n) {
	int i = 0;
again:
	i++;
	if (i < n)
		goto again;
	return i;
}
int logic(int a, int b) { return (a && b) + 2 * (a || b) + 4 * !a + 8 * (a > b ? 1 : 0); }
`, `BEGIN { printf("%d %d %d %d %d %d | %d %d %d | %d %d | %d %d %d\n", sum_odd(10), classify(0), classify(2), classify(-3), classify(7), classify(1), falls(1), falls(2), falls(3), dowhile(0), dowhile(5), gotos(4), logic(0, 3), logic(5, 0)); exit(); }`,
			"25 100 200 -6 -1 200 | 11 10 99 | 1 5 | 4 6 10\n"},
		{"memory", `
#include <linux/types.h>
struct point { int x; int y; };
struct rect { struct point a, b; char name[8]; unsigned int flags : 3; unsigned int kind : 5; };
typedef struct rect rect_t;
enum shape { SQUARE = 4, TRIANGLE = 3 };

static int area(const struct rect *r) { return (r->b.x - r->a.x) * (r->b.y - r->a.y); }

int shapes(int w) {
	rect_t r = { .a = { 1, 2 }, .b = { .x = 1 + w, .y = 2 + w }, .name = "sq", .kind = 17 };
	r.flags = 5;
	int arr[4] = { [2] = 7, 9 };
	int *p = arr;
	p += 2;
	return area(&r) * 1000 + *p * 100 + p[1] * 10 + r.flags + r.kind + (r.name[1] == 'q') + sizeof(rect_t) + SQUARE;
}
long diff(void) { long a[5]; return &a[4] - &a[1]; }
int fill(void) {
	char buf[16];
	__builtin_memset(buf, 'a', sizeof(buf));
	buf[15] = 0;
	int n = 0;
	while (buf[n])
		n++;
	return n;
}
int compound(void) { struct point *q = &(struct point){ .y = 6 }; return q->x + q->y; }
int swapped(void) { return __builtin_bswap16(0x1234) == 0x3412; }
`, `BEGIN { printf("%d %ld %d %d %d\n", shapes(3), diff(), fill(), compound(), swapped()); exit(); }`,
			"9845 3 15 6 1\n"},
		{"callbacks-and-helpers", `
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct count_ctx { const char *s; __u32 max; __u32 n; };

static int count_cb(__u32 i, void *data) {
	struct count_ctx *ctx = data;
	char ch;
	if (i >= ctx->max)
		return 1;
	bpf_probe_read_kernel(&ch, sizeof(ch), ctx->s + i);
	if (ch == '\0')
		return 1;
	ctx->n++;
	return 0;
}

long my_strlen(const char *s, __u32 max) {
	struct count_ctx ctx = { .s = s, .max = max };
	bpf_loop(max, count_cb, &ctx, 0);
	return ctx.n;
}

static __always_inline int twice(int x) { return x * 2; }
int chain(int x) { return twice(twice(x)) + 1; }
int pid_matches(unsigned int pid) { return (bpf_get_current_pid_tgid() >> 32) == pid; }
`, `BEGIN { $s = "hello world"; printf("%d %d %d %d\n", my_strlen($s, 64), my_strlen("abc", 2), chain(5), pid_matches(pid)); exit(); }`,
			"11 2 21 1\n"},
		{"globals", `
#include <errno.h>
typedef char msg_t[16];
static msg_t msgs[] = { [0] = "ok", [EPERM] = "not permitted", [ENOENT] = "no entry" };
static const int primes[] = { 2, 3, 5, 7 };
struct cfg { int a; unsigned int b : 4; unsigned int c : 4; char tag[4]; } config = { .a = -1, .b = 3, .c = 9, .tag = "xy" };
static unsigned long calls;

int msg(int e, msg_t *out) {
	calls++;
	if (e < 0 || e >= sizeof(msgs) / sizeof(msgs[0]) || msgs[e][0] == 0)
		return -1;
	__builtin_memcpy(out, &msgs[e], sizeof(*out));
	return 0;
}
long state(void) { return calls * 1000 + primes[3] * 100 + config.a * 10 + config.b + config.c + config.tag[1]; }
`, `BEGIN { $m = ((uint64)0, (uint64)0); $r = msg(2, &$m); $s = ((uint64)0, (uint64)0); $q = msg(9, &$s); printf("%d %s %d %d\n", $r, str(&$m), $q, state()); exit(); }`,
			"0 no entry -1 2823\n"},
		{"script-values", `
#include <linux/types.h>
struct pair { __u64 a; __u64 b; };
__u64 sum_pair(const struct pair *p) { return p->a + p->b; }
int first(const char *s) { return s[0]; }
_Bool is_big(__u64 v) { return v > 100; }
void nothing(int x) { x++; }
`, `struct pair { uint64 a; uint64 b; } BEGIN { $t = ((uint64)7, (uint64)8); nothing(1); printf("%d %c %d %d\n", sum_pair(&$t), first("xyz"), is_big(1000), is_big(5)); exit(); }`,
			"15 x 1 0\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "lib.bpf.c"), []byte(tc.c), 0o644); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, "main.gt")
			src := []byte(`import "lib.bpf.c"; ` + tc.script)
			if err := os.WriteFile(name, src, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := lang.Parse(name, src)
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			info, err := types.Check(f, probes.NewEnv(probes.NewDirTarget("../probes/testdata")), types.Config{})
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			prog, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2})
			if err != nil {
				t.Fatal(lang.Format(err, src))
			}
			var out, errOut bytes.Buffer
			if _, err := runtime.Emulate(prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, NumCPU: 2,
				TaiStart: 1_700_000_000_000_000_000, Loc: time.UTC}); err != nil {
				t.Fatal(err)
			}
			if got := bytes.TrimRight(out.Bytes(), "\n"); string(got)+"\n" != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
