// Chunks of imported C, separated by lines of ---. A line ending in
// ### "regexp" must get an error matching regexp at that line of the C
// file; a line `//script: ...` is the script that imports the chunk (by
// default one that calls nothing), and its ### is about the script.
int ok(int a) { return a + 1; }
---
int f(void) { return undeclared + 1; } ### "use of undeclared identifier 'undeclared'"
---
int f(void) { return g(1); } ### "call to undeclared function 'g'"
---
int f(void);
int g = f(); ### "the initializer of global g must be a constant"
---
extern int g; ### "extern variable g: imported C cannot link to other files' variables"
---
struct big { long a, b; };
struct big f(void) { struct big b = {}; return b; } ### "returns struct big: BPF functions return at most 8 bytes"
---
int f(int a, int b, int c, int d, int e, int x) { return a; } ### "has 6 parameters: BPF functions take at most 5"
---
int f(int a, ...) { return a; } ### "cannot take a variable number of arguments"
---
int f(int a) { return a; }
int f(int b) { return b; } ### "function f is defined twice"
---
int f(void) { foo_t x = 1; return x; } ### "unknown type name 'foo_t'"
---
struct s { int a; };
int f(struct s *p) { return p->b; } ### "struct s has no member b"
---
int f(int a) { return a->b; } ### "-> on int32, which is not a pointer"
---
int f(void) { break; return 0; } ### "break outside a loop or switch"
---
int f(void) { continue; } ### "continue outside a loop"
---
void f(void) { return 1; } ### "f returns void: return takes no value"
---
int f(void) { return; } ### "f must return a value of type int32"
---
int f(void) { goto nowhere; return 0; } ### "goto nowhere: no such label in f"
---
int f(void) { int a[2]; a = 0; return 0; } ### "= needs a variable or memory location on its left"
---
int f(void) { return &1 == 0; } ### "cannot take the address of this expression"
---
int f(int (*cb)(int)) { return cb(1); } ### "BPF has no indirect calls"
---
int f(void) { return 1 / 0; } ### "division by zero"
---
int f(int n) { int a[n]; return 0; } ### "this must be an integer constant"
---
int f(void) { struct s { int a; } x = { 1, 2 }; return x.a; } ### "too many values for struct s"
---
int f(void) { int x = { 1, 2 }; return x; } ### "a scalar is initialized with one value"
---
int f(void) { static int n; return n++; } ### "static and extern variables are not supported in functions"
---
int f(int x) { switch (x) { case x: return 1; } return 0; } ### "this must be an integer constant"
---
extern int bpf_no_such_kfunc(int) __attribute__((section(".ksyms"))); ### "the kernel has no function bpf_no_such_kfunc"
---
int f(void) __attribute__((section("kprobe/x"))) { return 0; } ### "has SEC\(\"kprobe/x\"\): imported C gives the script functions to call"
---
int a(int x);
int b(int x) { return a(x); }
int a(int x) { return b(x); }
//script: BEGIN { print(a(1)); }
### "a calls itself \(a -> b -> a\): BPF functions cannot recurse"
---
int f(void) { return bpf_get_current_pid_tgid; } ### "the BPF helper bpf_get_current_pid_tgid can only be called"
---
int f(void) { float x = 1; return 0; } ### "floating point"
---
int f(int a, int b) { return a + b; }
//script: BEGIN { print(f(1)); } ### "f takes 2 arguments, got 1"
---
int f(const char *s) { return s[0]; }
//script: BEGIN { print(f(1)); } ### "f: argument s is int8 \* in C, and this is int8"
---
int f(long x) { return x; }
//script: BEGIN { print(f("x")); } ### "f: argument x is int64 in C, and this is string"
---
long f(void *map) { return 0; }
//script: BEGIN { print(f(@never)); } ### "@never is passed to f but the script never stores into it"
---
#include <bpf/bpf_core_read.h>
struct s { int a; char name[4]; struct s *next; };
int f(struct s *p) { return BPF_CORE_READ(p, next, b); } ### "struct s has no member b"
int g(struct s *p) { return BPF_CORE_READ(p, a, a); } ### "BPF_CORE_READ: a is int32, not a pointer to follow"
int h(struct s *p) { return BPF_CORE_READ(p, name); } ### "BPF_CORE_READ gives scalars"
int i(int x) { return BPF_CORE_READ(x, a); } ### "BPF_CORE_READ: int32 is not a pointer to a struct or union"
---
#include <bpf/bpf_helpers.h>
struct { __uint(max_entries, 4); } m SEC(".maps"); ### "map m has no __uint\(type, BPF_MAP_TYPE_...\)"
---
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(colour, 4); } m SEC(".maps"); ### "map m: gotrace does not know the map attribute colour"
---
int f(short *p) { return __sync_fetch_and_add(p, 1); } ### "__sync_fetch_and_add takes a pointer to a 4- or 8-byte integer"
---
static int hidden(int x) { return x; }
//script: BEGIN { print(hidden(1)); } ### "hidden is static in .*lib.bpf.c: a script calls the functions a C file shares"
