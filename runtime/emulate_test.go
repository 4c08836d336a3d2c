package runtime_test

import (
	"strings"
	"testing"

	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime"
)

// vmCases are scripts and what each prints, run in the VM: TestInVM
// checks them, FuzzCompile starts from them.
var vmCases = []struct{ name, src, want string }{
	{"arith", `BEGIN { $a = 7; $b = -3; printf("%d %d %d %d %d %d\n", $a + $b, $a * $b, $a / $b, $a % $b, -$a / 2, $b << 2); exit(); }`,
		"4 -21 -2 1 -3 -12\n"},
	{"unsigned", `BEGIN { $u = (uint32)0xffffffff; printf("%u %ld %d\n", $u, $u + 1, (int8)200); exit(); }`,
		"4294967295 4294967296 -56\n"},
	{"bits", `BEGIN { printf("%x %x %x %d %d\n", 0xf0 | 0x0f, 0xff & 0x3c, 0xff ^ 0x0f, ~0, !5); exit(); }`,
		"ff 3c f0 -1 0\n"},
	{"compare", `BEGIN { printf("%d %d %d %d\n", 3 < 5, -1 < 1, 5 >= 5, 2 != 2); exit(); }`, "1 1 1 0\n"},
	{"logic", `BEGIN { $x = 0; if ($x != 0 && 10 / $x > 1) { printf("no\n"); } if ($x == 0 || 10 / $x > 1) { printf("short-circuit\n"); } exit(); }`,
		"short-circuit\n"},
	{"ternary", `BEGIN { $a = 5; printf("%s %d %d\n", $a > 3 ? "big" : "small", $a ?: 9, 0 ?: 9); exit(); }`, "big 5 9\n"},
	{"strings", `BEGIN { $s = "abc"; $t = "abd"; printf("%d %d %d %d\n", $s == "abc", $s == $t, $s != $t, strlen($s)); exit(); }`, "1 0 1 3\n"},
	{"while", `BEGIN { $i = 0; $s = 0; while ($i < 10) { $i++; if ($i == 3) { continue; } if ($i == 8) { break; } $s += $i; } printf("%d %d\n", $i, $s); exit(); }`,
		"8 25\n"},
	{"unroll-range", `BEGIN { $s = 0; unroll(5) { $s += 2; } for ($i : 1..4) { $s += $i; } printf("%d\n", $s); exit(); }`, "16\n"},
	{"tuples", `BEGIN { $t = (1, "two", -3); printf("%d %s %d\n", $t.0, $t.1, $t.2); exit(); }`, "1 two -3\n"},
	{"maps", `BEGIN { @m[1, "a"] = 10; @m[2, "b"] = 20; @m[1, "a"] += 5; printf("%d %d %d\n", @m[1, "a"], @m[2, "b"], @m[3, "c"]); delete(@m, (2, "b")); printf("%d %d\n", has_key(@m, (2, "b")), has_key(@m, (1, "a"))); clear(@m); exit(); }`,
		"15 20 0\n0 1\n"},
	{"aggregations", `BEGIN { @c = count(); @c = count(); @s = sum(5); @s = sum(-8); @mn = min(4); @mn = min(-2); @mx = max(4); @mx = max(9); @a = avg(3); @a = avg(6); printf("%d %d %d %d %d\n", @c, @s, @mn, @mx, @a); exit(); }`,
		"2 -3 -2 9 4\n@a: 4\n@c: 2\n@mn: -2\n@mx: 9\n@s: -3\n"},
	{"for-map", `BEGIN { @x[1] = 10; @x[2] = 20; $sum = 0; for ($kv : @x) { $sum += $kv.0 * $kv.1; } printf("%d\n", $sum); clear(@x); exit(); }`, "50\n"},
	{"hist", `BEGIN { @h = hist(0); @h = hist(1); @h = hist(5); @h = hist(-1); @h = hist(1024); exit(); }`,
		"@h:\n(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[0]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[1]                    1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[2, 4)                 0 |                                                    |\n[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[8, 16)                0 |                                                    |\n[16, 32)               0 |                                                    |\n[32, 64)               0 |                                                    |\n[64, 128)              0 |                                                    |\n[128, 256)             0 |                                                    |\n[256, 512)             0 |                                                    |\n[512, 1K)              0 |                                                    |\n[1K, 2K)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n"},
	{"lhist", `BEGIN { @l = lhist(25, 0, 50, 10); @l = lhist(26, 0, 50, 10); @l = lhist(60, 0, 50, 10); exit(); }`,
		"@l:\n[20, 30)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n[30, 40)               0 |                                                    |\n[40, 50)               0 |                                                    |\n[50, ...)              1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |\n\n"},
	{"stats", `BEGIN { @s[comm] = stats(10); @s[comm] = stats(30); exit(); }`, "@s[gotrace]: { .count = 2, .average = 20, .total = 40 }\n"},
	{"big-strings", `BEGIN { $a = str($1); $b = str($1); $c = str($1); printf("%s %s %s\n", $a, $b, $c); exit(); }`, "p p p\n"},
	{"macro-let", `macro twice($x) { $x * 2 } BEGIN { let $v: int64 = 21; printf("%d %d\n", twice($v), sizeof(uint16)); exit(); }`, "42 2\n"},
	{"bitfields", `struct s { int a : 3; unsigned int b : 5; }; BEGIN { printf("%d\n", offsetof(struct s, b)); exit(); }`, "0\n"},
	{"print", `BEGIN { @m[2] = 20; @m[1] = 10; @m[3] = 30; print(@m, 2); print((1, "x")); clear(@m); exit(); }`,
		"@m[2]: 20\n@m[3]: 30\n(1, x)\n"},
	{"len-assert", `BEGIN { @a[1] = 1; @a[2] = 2; static_assert(sizeof(uint64) == 8, "size"); assert(len(@a) == 2, "two"); printf("len %d\n", len(@a)); clear(@a); assert(len(@a) == 1, "one"); printf("unreached\n"); }`,
		"len 2\n"},
	{"buf", `BEGIN { printf("%r|%rh\n", buf("a\002b", 3), buf("xyz", 2)); exit(); }`, "a\\x02b|78 79\n"},
	{"records", `BEGIN { $r = (a = 1, b = "x"); printf("%d %s %s\n", $r.a, $r.b, $r); print((n = 2, ok = true)); exit(); }`, "1 x { .a = 1, .b = x }\n{ .n = 2, .ok = true }\n"},
	{"str-search", `BEGIN { $n = "wor"; $h = "hello world"; printf("%d %d %d %d %d %d\n", strcontains($h, "o w"), strcontains($h, "xyz"), strstr($h, $n), strstr($h, "hello world!"), strstr("", ""), strcontains(comm, $n)); exit(); }`,
		"1 0 6 -1 0 0\n"},
	{"str-concat-memcmp", `BEGIN { $s = str_concat("foo", "bar", "!"); @k[str_concat("a", "b")] = 1; printf("%s %d %d %d %d %d\n", $s, strlen($s), @k["ab"], memcmp("abc", "abd", 3), memcmp("abc", "abd", 2), memcmp("b", "a", 1)); clear(@k); exit(); }`,
		"foobar! 7 1 -1 0 1\n"},
	{"net", `BEGIN { printf("%s %s %s %s %s\n", ntop(0x0100007f), ntop(pton("10.1.2.3")), ntop(pton("fe80::1")), ntop(10, pton("::ffff:1.2.3.4")), macaddr(pton("102:304:506::"))); exit(); }`,
		"127.0.0.1 10.1.2.3 fe80::1 ::ffff:1.2.3.4 01:02:03:04:05:06\n"},
	{"getopt-string-in-map", `BEGIN { @s = getopt("name", "dflt"); @k[getopt("name", "k")] = 1; exit(); }`, "@k[k]: 1\n@s: dflt\n"},
	{"views", `BEGIN { printf("%s|%s|%s|%s\n", strerror(2), strerror(0), syscall_name(0), probetype); @e[strerror(13)] = 1; exit(); }`,
		"No such file or directory|Success|read|special\n@e[Permission denied]: 1\n"},
	{"incdec-new-map", `BEGIN { @b[1]++; @c--; @b[1]++; printf("%d %d\n", @b[1], @c); exit(); }`, "2 -1\n@b[1]: 2\n@c: -1\n"},
	{"int-typing", `BEGIN { let $a: uint8 = 255; $a += 1; $b = (int8)1; $c = 1; $c = 1000; $x = (uint64)-1; $y = (int64)1; $u = (uint32)5; $d = $u; $d = -1; printf("%d %d %d %d %d %d %d %d %d\n", $a, sizeof($b), sizeof($c), sizeof(1), $x + $y, $x > $y, $u > -1, sizeof($d), $d); exit(); }`,
		"0 1 2 1 0 0 1 8 -1\n"},
	{"int-widths", `BEGIN { @v = (uint8)200; @w = (int8)-3; @w = 1; @k[(int16)-2, "a"] = (uint16)65535; @k[1, "bb"] = 7; @one[(int8)-1] = (int16)-300; let $n: uint8 = 255; $n++; let $s: int8 = -128; $s--; $u = (uint8)255; $u++; printf("%d %d %d %d %d %d %d %d %d\n", sizeof(@v), sizeof(@w), sizeof(@k[1, "a"]), sizeof(@one[0]), @v + @w, @k[-2, "a"], $n, $s, $u); for ($kv : @one) { print($kv); } exit(); }`,
		"1 1 2 2 201 65535 0 127 256\n(-1, -300)\n@k[1, bb]: 7\n@k[-2, a]: 65535\n@one[-1]: -300\n@v: 200\n@w: 1\n"},
	{"range-widths", `BEGIN { $s = 0; for $i : 0..3 { $s += sizeof($i); } for $j : (int8)126..(uint8)130 { printf("%d ", $j); } for $k : (uint32)4000000000..(uint32)4000000002 { printf("%u ", $k); } printf("%d\n", $s); exit(); }`,
		"126 127 -128 -127 4000000000 4000000001 3\n"},
	{"arrays-index", `BEGIN { $a = (int8[8])12345; $x = (uint8[4])0x01020304; $i = 2; $s = "hello"; $t = (1, "a"); printf("%x %x %d %d %d %d %d %d %s\n", $a[0], $a[1], (uint64)$a, (uint32)$x, $x[$i], $x[$i + 7], $s[1], $t[0], $t[1]); print($x); @a = (bool[2])(uint16)1; exit(); }`,
		"39 30 12345 16909060 2 0 101 1 a\n[4,3,2,1]\n@a: [true,false]\n"},
	{"tuple-keys-delete", `BEGIN { $k = (1, "ab"); @m[$k] = 5; @m[2, "abcdef"] = 6; @m[(3, "x")] = 7; $d = delete(@m, (3, "x")); $e = delete(@m, (3, "x")); printf("%d %d %d %d %d\n", @m[1, "ab"], has_key(@m, (2, "abcdef")), @m[$k], $d, $e); exit(); }`,
		"5 1 5 1 0\n@m[1, ab]: 5\n@m[2, abcdef]: 6\n"},
	{"macro-bare-for", `macro depth() { 3 } macro sum($n) { $s = 0; for $j : 0..$n { $s += $j; } $s } BEGIN { printf("%d %d\n", sum(depth), depth); exit(); }`, "3 3\n"},
	{"c-constants", `#include <errno.h>
macro greet { printf("hi "); } BEGIN { greet!(); printf("%d %d %d %s %s\n", EAGAIN, SIGKILL, __NR_openat, strerror(EPERM), syscall_name(__NR_read)); exit(); }`, "hi 11 9 257 Operation not permitted read\n"},
	{"tuple-promotion", `BEGIN { $a = ("ab", 1); $a = ("abc", -2); print($a); $r = (color = "green", size = 2); $r = (size = 10, color = "blue"); print($r); @m[1] = (1, "a"); @m[2] = (-5, "bcd"); exit(); }`,
		"(abc, -2)\n{ .color = blue, .size = 10 }\n@m[1]: (1, a)\n@m[2]: (-5, bcd)\n"},
	{"loop-vars-bools", `config = { on_stack_limit = 0 } BEGIN { @c = count(); print(((bool)@c, (bool)0)); @a[16] = 32; @b[64] = "aa"; for ($kv : @a) { print($kv); } for ($kv : @b) { print($kv); } printf("%d\n", __builtin_ncpus == ncpus); clear(@a); clear(@b); clear(@c); exit(); }`,
		"(true, false)\n(16, 32)\n(64, aa)\n1\n"},
	{"pointer-arith", `struct A { int a; int b; char c[28]; }; BEGIN { @ = (int32 *)0x32; @ += 1; $p = (int64 *)0x32; $p++; $q = (struct A *)1024; printf("%d %d\n", $q - 5, $q + 1); print($p); exit(); }`,
		"844 1060\n0x3a\n@: 0x36\n"},
	{"tuple-key-promotion", `BEGIN { @["hi", ("hellolongstr", 2)] = 1; @["hellolongstr", ("hi", 5)] = 2; exit(); }`,
		"@[hi, (hellolongstr, 2)]: 1\n@[hellolongstr, (hi, 5)]: 2\n"},
	{"c-defs", `struct Foo { int x; struct Bar { int x; } bar; struct { long d } anon; } enum { ONE = 1, TWO = 2 }; BEGIN { printf("%d %d %d\n", offsetof(struct Foo, bar.x), offsetof(struct Foo, anon.d), ONE + 1); @x = ONE; @y = (ONE, TWO); unroll(TWO) { printf("u\n"); } exit(); }`,
		"4 8 2\nu\nu\n@x: ONE\n@y: (ONE, TWO)\n"},
	{"buf-compare", `BEGIN { $a = buf("hi", 2); $b = buf("bye", 3); $c = buf("hi", 2); printf("%d %d %d\n", $a == $c, $a != $b, $a == $b); exit(); }`, "1 1 0\n"},
	{"range-bpf-loop", `BEGIN { @n = 4; $s = 0; for ($i : 0..@n) { if ($i == 1) { continue; } $s += $i; } for ($j : -3..3) { if ($j == 1) { break; } $s += 100; } for ($k : 5..2) { $s = -1; } printf("%d\n", $s); delete(@n); exit(); }`, "405\n"},
	{"ternary-bool-tuple", `BEGIN { $a = nsecs ? true : false; print($a); $t = pid >= 0 ? ("hello-long-str", "a") : ("b", "hello-long-str"); print($t); exit(); }`, "true\n(hello-long-str, a)\n"},
	{"print-unset-scalar", `BEGIN { print(@c); print(@s); exit(); } END { @c = count(); @s = stats(2); }`,
		"@c: 0\n@s: { .count = 0, .average = 0, .total = 0 }\n@c: 1\n@s: { .count = 1, .average = 2, .total = 2 }\n"},
	{"divide-by-zero", `BEGIN { @z = 0; printf("%d %d %d\n", 10 / @z, 10 % @z, 10 / (@z + 5)); delete(@z); exit(); }`, "1 1 2\n"},
	{"string-to-array", `BEGIN { print((int8[])"hello"); $s = "ab"; print((uint8[3])$s); exit(); }`, "[104,101,108,108,111,0]\n[97,98,0]\n"},
	{"tuple-layout", `struct Foo { int m; int n; } BEGIN { $a = ((int8)1, (int64)1, (int8)1, (int64)1); $b = ((int8)1, (int16)-2, (int32)3); $c = ((int32)1, (int16)1, (int8)1); $d = ((int8)-100, (int8)100, "abcdef", 3, (int32)1, (int64)-10, (int8)10, (int16)-555, "abc"); $e = ((int32)1, *((struct Foo *)0)); printf("%d %d %d %d %d\n", sizeof($a), sizeof($b), sizeof($c), sizeof($d), sizeof($e)); print($b); print($d); $f = (1, true, (int16)7); $f = (1000, false, 2); print($f); print(($b.1, $d.7, $f.0)); @t = ((int8)1, ((int8)-20, (int8)30)); exit(); }`,
		"32 8 8 32 12\n(1, -2, 3)\n(-100, 100, abcdef, 3, 1, -10, 10, -555, abc)\n(1000, false, 2)\n(-2, -555, 1000)\n@t: (1, (-20, 30))\n"},
	{"c-attributes", `struct foo { int x; char y; int z; } struct bar { int x; char y; int z; } __attribute__((packed)) struct bar2 { int x; char y; int z; } /**/ __attribute__ /**/ ((packed)) __attribute__((aligned(1))) struct bar3 { char c; } __attribute__((__aligned__(8))); BEGIN { $v = (uint64)0x0807060504030201; $b = *(struct bar *)&$v; printf("%d %d %d %d %d %d\n", sizeof(struct foo), sizeof(struct bar), sizeof(struct bar2), sizeof(struct bar3), offsetof(struct bar, z), $b.y); exit(); }`,
		"12 9 9 8 5 5\n"},
	{"macro-types", `struct Foo { char m; } macro sof(a, b) { sizeof(a[2]) + sizeof(b*) + sizeof(b) } macro m(t) { sizeof(t) + 2 } macro n(z) { m(typeof(z)) } macro cst(a) { (a*)-1 } macro cpu(x) { x } BEGIN { printf("%d %d %s %d\n", sof(typeof(uint64*), typeof(struct Foo)), n(typeof(uint64*)), cpu("hi"), cpu() >= 0); print(cst(typeof(uint8))); exit(); }`,
		"25 10 hi 1\n0xff\n"},
	{"loop-return", `BEGIN { @m["foo"] = 1; @m["bar"] = 2; for ($i : @m) { if ($i.0 == "bar") { print($i.0); return; } } print("not here"); } BEGIN { for ($i : 1..4) { for ($j : 1..$i) { print($j); if ($j == 2) { return; } } } print("nor here"); } BEGIN { for ($i : 1..4) { if ($i == 2) { exit(); } print($i); } print("nor there"); }`,
		"bar\n1\n1\n2\n1\n@m[foo]: 1\n@m[bar]: 2\n"},
	{"block-aggregation-void-ternary", `BEGIN { @a = { let $a = 100; avg($a) }; @c[1] = { $z = 1; count() }; nsecs ? printf("yes\n") : printf("no\n"); $x = 0; $x ? printf("yes\n") : printf("no\n"); exit(); }`,
		"yes\nno\n@a: 100\n@c[1]: 1\n"},
	{"c-packed", `struct __attribute__((packed)) pk { char a; int b; short c; }; struct wrap { char x; struct pk p; } BEGIN { $v = (uint64)0x0807060504030201; $p = *(struct pk *)&$v; printf("%d %d %d %x %x\n", sizeof(struct pk), offsetof(struct pk, c), sizeof(struct wrap), $p.b, $p.c); exit(); }`,
		"7 5 8 5040302 706\n"},
	{"macro-builtin-names", `macro strlen(x, y) { x + y } macro cpu(x) { x } macro fmt() { "%d %d %d %s\n" } macro comm() { "mine" } BEGIN { printf(fmt(), strlen("abc"), strlen(1, 2), cpu() >= 0, comm()); exit(); }`,
		"3 3 1 mine\n"},
	{"macro-type-params", `struct Foo { int a; long b; } macro cst(t) { (t)300 } macro lt(t) { let $x: t = 5; $x } macro sof(t) { sizeof(struct t) } macro add(x) { (x) - 1 + (x)*2 } BEGIN { $w = (uint16)7; printf("%d %d %d %d %d %d %d\n", cst(typeof(uint8)), cst(typeof($w)), lt(typeof(uint32)), sizeof(lt(typeof(uint8))), sof(typeof(Foo)), sof(Foo), add(5)); exit(); }`,
		"44 300 5 1 16 16 14\n"},
	{"block-aggregations", `macro c() { count() } macro s(x) { sum(x) } BEGIN { @c = { count() }; @c = c(); @c = c; @s[1] = { $a = 2; sum($a) }; @s[1] = s(3); @mn = { min(3) }; @mx = { let $m = 4; max($m) }; @st = { stats(4) }; @h = { hist(5) }; exit(); }`,
		"@c: 3\n@h:\n[4, 8)                 1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n\n@mn: 3\n@mx: 4\n@s[1]: 5\n@st: { .count = 1, .average = 4, .total = 4 }\n"},
	{"string-search-literals", `BEGIN { print(strcontains("hello-test-world", "not-there")); print(strcontains("hello-test-world", "test")); print(strstr("hello-test-world", "test")); print(strstr("abc", "z")); $s = "hello"; print((strcontains($s, "ll"), strstr($s, "lo"))); exit(); }`,
		"false\ntrue\n6\n-1\n(true, 3)\n"},
	{"dw-ustack-no-registers", `BEGIN { @[dw_ustack(3)] = count(); @n = len(@); exit(); }`,
		"@[\n]: 1\n@n: 1\n"},
	{"typeof", `BEGIN { $b = (int8)1; let $a: typeof($b); $a = -3; $c = (typeof(uint16))70000; printf("%d %d %d %d\n", sizeof(typeof($b)), $a, $c, sizeof(typeof(uint32 *))); exit(); }`,
		"1 -3 4464 8\n"},
	{"typeinfo", `struct Foo { int a; } BEGIN { $u = (uint32)7; $s = "hi"; $i = 0; print(typeinfo($u)); print(typeinfo(struct Foo *)); print(typeinfo((a=(int16)1, b=$s)).full_type); print(typeinfo(kstack(perf, 3)).full_type); if (typeinfo($u).base_type == "int") { printf("int %s\n", typeinfo($i++).full_type); } printf("%d\n", $i); exit(); }`,
		"{ .btf_id = 0, .base_type = int, .full_type = uint32 }\n{ .btf_id = 0, .base_type = pointer, .full_type = struct Foo * }\nrecord { .a = int16, .b = string[3] }\nkstack_perf_3\nint int64\n0\n"},
	{"typeinfo-aggregations", `BEGIN { @c = count(); @h[1] = hist(3); @u = sum((uint8)2); printf("%s %s %s\n", typeinfo(@c).base_type, typeinfo(@h[1]).full_type, typeinfo(@u).full_type); clear(@c); clear(@h); clear(@u); exit(); }`,
		"count_t hist_t usum_t\n"},
	{"big-scratch", `config = { max_strlen = 20000 } BEGIN { $a = str((int8 *)nsecs); $b = $a; @m[$a] = $b; for ($kv : @m) { printf("%d|%s|%s|\n", sizeof($kv.1), $kv.0, $kv.1); } clear(@m); exit(); }`,
		"20000|||\n"},
	{"address-of", `BEGIN { $a = 1; $b = &$a; $a = 5; @m[1] = 42; $p = &@m[1]; $s = "str"; $q = &$s; printf("%d %d %d %s\n", *$b, *$p, &@m[2] == 0, *$q); clear(@m); exit(); }`,
		"5 42 1 str\n"},
	{"tuple-compare", `BEGIN { $t = (1, "a"); $u = (1, "a"); $v = (2, "a"); printf("%d %d %d %d %d\n", $t == $u, $t != $u, $t == $v, pton("1.2.3.4") == pton("1.2.3.4"), pton("1.2.3.4") != pton("1.2.3.5")); exit(); }`,
		"1 0 0 1 1\n"},
	{"type-predicates", `BEGIN { $s = "abc"; printf("%d%d%d%d%d%d %d %s %d %d\n", is_integer(1), is_unsigned_integer((uint8)1), is_str($s), is_literal($s), is_array(pton("::1")), is_ptr((int8 *)0), strcap($s), signal_name(9), is_err((uint64)-2), default_str_length); exit(); }`,
		"111011 4 Killed 1 1024\n"},
	{"find", `BEGIN { @map[2] = (1, "hello"); let $val; if (find(@map, 2, $val)) { print($val); } if (!find(@map, 3, $val)) { printf("no 3\n"); } clear(@map); exit(); }`,
		"(1, hello)\nno 3\n"},
	{"tseries", `BEGIN { @c = -2; } interval:ms:100 { @t = tseries(@c, 100ms, 4); @a[1] = tseries(@c * 10, 200ms, 2, "avg"); @m = tseries(@c, 1s, 2, "min"); @c++; if (@c == 4) { exit(); } }`,
		"@a[1]:\n             15                                                 30\nhh:mm:ss.ms  |___________________________________________________|\n22:13:20.400 *                                                   | 15\n22:13:20.600 |                                                   * 30\n             v___________________________________________________v\n             15                                                 30\n\n@c: 4\n" +
			"@m:\n                   -3                                                 -1\nhh:mm:ss.ns        |___________________________________________________|\n22:13:20.000000000 |                         *                         | -2\n                   v___________________________________________________v\n                   -3                                                 -1\n\n" +
			"@t:\n             0                                                   3\nhh:mm:ss.ms  |___________________________________________________|\n22:13:20.300 *                                                   | 0\n22:13:20.400 |                *                                  | 1\n22:13:20.500 |                                 *                 | 2\n22:13:20.600 |                                                   * 3\n             v___________________________________________________v\n             0                                                   3\n\n"},
	{"enums", `enum color { RED, GREEN = 5, BLUE }; BEGIN { $c = (enum color)5; @m[$c] = 1; printf("%s %d %s %s %s\n", $c, $c, (enum color)9, (enum color)6, $c + 1); print($c); clear(@m); @n[(enum color)7] = (enum color)0; exit(); }`,
		"GREEN 5 9 BLUE 6\nGREEN\n@n[7]: RED\n"},
	{"sub-signed", `BEGIN { $a = (uint64)1 - (uint64)2; printf("%d %lu\n", $a, (uint64)((uint64)1 - (uint64)2)); print($a); exit(); }`, "-1 18446744073709551615\n-1\n"},
	{"exit-code", `BEGIN { printf("before\n"); exit(); printf("after\n"); } END { printf("end\n"); }`, "before\nend\n"},
	{"if-value", `BEGIN { $x = 1; $y = 0; print(if ($x) { if ($y) { 1 } else { let $q = 7; $q * 2 } } else { 0 }); $s = if ($y) { "a" } else if ($x) { "bcd" } else { "e" }; print($s); exit(); }`, "14\nbcd\n"},
	{"ternary-bufs", `BEGIN { $x = 1; $a = $x ? buf("hi", 2) : buf("bye", 3); $b = $x - 1 ? buf("hi", 2) : buf("bye", 3); printf("%r %r\n", $a, $b); exit(); }`, "hi bye\n"},
	{"address-of-string", `BEGIN { $a = "abc"; $b = &$a; $c = username; $d = &$c; printf("%s %s=%s\n", *$b, *$d, username); exit(); }`, "abc 0=0\n"},
	{"bswap-byte", `BEGIN { printf("%x %x\n", bswap((int8)0x12), bswap((uint16)0x1234)); exit(); }`, "12 3412\n"},
	{"struct-keys", `struct S { int a; int b; } BEGIN { $x = (uint64)0x0000000300000002; $p = (struct S *)&$x; @s[*$p] = 1; @t[*$p, 42] = 2; exit(); }`, "@s[{ .a = 2, .b = 3 }]: 1\n@t[{ .a = 2, .b = 3 }, 42]: 2\n"},
	{"compound-first", `BEGIN { $i = 0; while ($i < 3) { @a += 5; @b[$i] -= $i; $i++; } printf("%d\n", @a); clear(@b); exit(); }`, "15\n@a: 15\n"},
	{"param-literals", `BEGIN { @l = lhist(3, 0, 10, 1); printf("%s %s %d\n", $1, str($1 + 0), strncmp("pa", $1, 1)); clear(@l); exit(); }`, "p p 0\n"},
}

// vmUnverified are the vmCases our verifier refuses, and why: TestInVM
// runs them in the VM without verifying them. Each is a bug of the code
// generator, which the kernel's verifier would refuse too.
var vmUnverified = map[string]string{
	"c-packed": "the packed struct's int b (at offset 1) is read from the stack with one 4-byte load: a misaligned stack access",
}

// TestInVM compiles scripts (with "p" as $1) through our verifier and
// runs them in the VM: the printed output must be exactly what the
// script means.
func TestInVM(t *testing.T) {
	for _, tc := range vmCases {
		t.Run(tc.name, func(t *testing.T) {
			opts := pipelinetest.Options{Config: types.Config{Params: []string{"p"}}}
			if why, ok := vmUnverified[tc.name]; ok {
				t.Logf("not verified: %s", why)
				opts.Stop = runtime.StageCompile
			}
			c := pipelinetest.MustCompile(t, tc.src, opts)
			got := pipelinetest.Emulate(t, c)
			// The maps come after the exit-time blank lines.
			got = strings.Replace(got, "\n\n\n", "\n", 1)
			got = strings.TrimPrefix(got, "\n\n")
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
