package types_test

import (
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// testEnv answers contexts from the probes package's fake target, so the
// checker is tested without root or tracefs.
func testEnv(t *testing.T) types.Env {
	t.Helper()
	return probes.NewEnv(probes.NewDirTarget("../../probes/testdata"))
}

// TestErrors runs the chunked cases of testdata/errors.gt: chunks are
// separated by lines of "---"; a line ending in `### "regexp"` must get an
// error matching regexp on that line, and a chunk without one must check
// cleanly. A line ending in `### warning "regexp"` must get a warning
// matching regexp (the chunk checking cleanly), and a chunk with such a
// line may have no warning that none of its lines expects.
func TestErrors(t *testing.T) {
	data, err := os.ReadFile("testdata/errors.gt")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv(t)
	want := regexp.MustCompile(`###\s*(warning\s+)?"(.*)"\s*$`)
	for i, chunk := range strings.Split(string(data), "\n---\n") {
		type expect struct {
			line int
			re   *regexp.Regexp
		}
		var exps, warns []expect
		var src strings.Builder
		for n, line := range strings.Split(chunk, "\n") {
			if m := want.FindStringSubmatchIndex(line); m != nil {
				e := expect{n + 1, regexp.MustCompile(line[m[4]:m[5]])}
				if m[2] >= 0 {
					warns = append(warns, e)
				} else {
					exps = append(exps, e)
				}
				line = line[:m[0]]
			}
			src.WriteString(line + "\n")
		}
		f, err := lang.Parse("chunk", []byte(src.String()))
		var info *types.Info
		if err == nil {
			info, err = types.Check(f, env, types.Config{Params: []string{"42", "hello"}})
		}
		if len(warns) > 0 && err == nil {
			for _, w := range warns {
				found := false
				for _, got := range info.Warnings {
					if got.Pos.Line == w.line && w.re.MatchString(got.Msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("chunk %d line %d: want warning matching %q, got %v", i, w.line, w.re, info.Warnings)
				}
			}
			for _, got := range info.Warnings {
				if !slices.ContainsFunc(warns, func(w expect) bool { return got.Pos.Line == w.line && w.re.MatchString(got.Msg) }) {
					t.Errorf("chunk %d: unexpected warning %s", i, got)
				}
			}
		}
		var list lang.ErrorList
		var one *lang.Error
		switch {
		case errors.As(err, &list):
		case errors.As(err, &one):
			list = lang.ErrorList{one}
		case err != nil:
			t.Errorf("chunk %d: unpositioned error %v", i, err)
			continue
		}
		for _, e := range exps {
			found := false
			for _, got := range list {
				if got.Pos.Line == e.line && e.re.MatchString(got.Msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("chunk %d line %d: want error matching %q, got %v", i, e.line, e.re, list)
			}
		}
		if len(exps) == 0 && len(list) > 0 {
			t.Errorf("chunk %d: unexpected errors:\n%s", i, lang.Format(list, []byte(src.String())))
		}
	}
}

// TestSettings checks the order in which settings apply: defaults, the
// config block, then BPFTRACE_ environment variables.
func TestSettings(t *testing.T) {
	src := `config = { max_strlen = 100; stack_mode = perf; missing_probes = warn }
tracepoint:syscalls:sys_enter_nothing_here { @x = 1; }
BEGIN { @s = "a"; }`
	f, err := lang.Parse("s.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	info, err := types.Check(f, testEnv(t), types.Config{Env: map[string]string{"BPFTRACE_STACK_MODE": "raw", "BPFTRACE_MAX_MAP_KEYS": "77"}})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	s := info.Settings
	if s.MaxStrlen != 100 || s.StackMode != "raw" || s.MaxMapKeys != 77 || !s.PrintMapsOnExit || s.MissingProbes != "warn" {
		t.Errorf("settings: %+v", s)
	}
	if len(info.Warnings) != 1 || !strings.Contains(lang.Format(lang.ErrorList(info.Warnings), []byte(src)), "s.gt:2:1-43: WARNING: No matches for tracepoint syscalls:sys_enter_nothing_here. Skipping.") {
		t.Errorf("warnings: %v", info.Warnings)
	}
	if len(info.Probes) != 1 {
		t.Errorf("the missing probe should be dropped: %d probes", len(info.Probes))
	}
	if _, err := types.Check(f, testEnv(t), types.Config{Env: map[string]string{"BPFTRACE_MAX_STRLEN": "x"}}); err == nil || !strings.Contains(err.Error(), "BPFTRACE_MAX_STRLEN=x: wants a non-negative integer") {
		t.Errorf("bad environment value: %v", err)
	}
}

// TestCLayout checks inline C definitions against the System V layout.
func TestCLayout(t *testing.T) {
	src := `struct inner { char c; long l; };
struct s {
	char a;
	int b;
	unsigned short c, d[3];
	struct inner in;
	struct s *next;
	unsigned int f1 : 3, f2 : 30;
	int f3 : 5;
	u8 tail;
};
union u { char c[3]; u64 x; int i; };
enum color { RED, GREEN = 5, BLUE };
BEGIN { $p = (struct s *)0; $q = (union u *)0; @c = BLUE; }`
	var s, u *types.Type
	for c, ty := range checkedCasts(t, src) {
		switch {
		case strings.Contains(c.Type, "struct s"):
			s = ty.Elem
		case strings.Contains(c.Type, "union u"):
			u = ty.Elem
		}
	}
	if s == nil || u == nil {
		t.Fatal("casts not typed")
	}
	want := map[string][3]int{ // offset, bit offset, bit size
		"a": {0, 0, 0}, "b": {4, 0, 0}, "c": {8, 0, 0}, "d": {10, 0, 0}, "in": {16, 0, 0},
		"next": {32, 0, 0}, "f1": {40, 0, 3}, "f2": {44, 0, 30}, "f3": {48, 0, 5}, "tail": {49, 0, 0},
	}
	for name, w := range want {
		fld, ok := s.Field(name)
		if !ok {
			t.Errorf("no field %s", name)
			continue
		}
		if got := [3]int{fld.Offset, fld.BitOff, fld.BitSize}; got != w {
			t.Errorf("%s: got %v, want %v", name, got, w)
		}
	}
	if s.Size != 56 {
		t.Errorf("sizeof(struct s) = %d, want 56", s.Size)
	}
	if fld, _ := s.Field("d"); fld.Type.Kind != types.Array || fld.Type.Len != 3 {
		t.Errorf("d: %v", fld.Type)
	}
	if u.Size != 8 {
		t.Errorf("sizeof(union u) = %d, want 8", u.Size)
	}
	for _, fld := range u.Fields {
		if fld.Offset != 0 {
			t.Errorf("union member %s at %d", fld.Name, fld.Offset)
		}
	}
}

// TestCLayoutPacked checks __attribute__((packed)) and aligned(N), after
// the closing brace or after the tag, on structs and on structs defined
// in place; the layouts are gcc's for the same definitions.
func TestCLayoutPacked(t *testing.T) {
	src := `struct p1 { char a; int b; } __attribute__((packed));
struct __attribute__((packed)) p2 { char a; long b; short c; };
struct nest { char a; struct __attribute__((__packed__)) { char x; int y; } in; struct { char p; long q; } __attribute__((packed)) in2; };
struct al { char c; } __attribute__((aligned(8)));
struct w { char a; struct al b; struct p1 c; };
union __attribute__((packed)) pu { char c[3]; int i; };
BEGIN { $a = (struct p1 *)0; $b = (struct p2 *)0; $c = (struct nest *)0; $d = (struct w *)0; $e = (union pu *)0; }`
	got := map[string]*types.Type{}
	for _, ty := range checkedCasts(t, src) {
		if ty.Kind == types.Ptr {
			got[ty.Elem.Name] = ty.Elem
		}
	}
	for _, w := range []struct {
		name    string
		size    int
		offsets map[string]int
	}{
		{"struct p1", 5, map[string]int{"a": 0, "b": 1}},
		{"struct p2", 11, map[string]int{"a": 0, "b": 1, "c": 9}},
		{"struct nest", 15, map[string]int{"a": 0, "in": 1, "in2": 6}},
		{"struct w", 24, map[string]int{"a": 0, "b": 8, "c": 16}},
		{"union pu", 4, map[string]int{"c": 0, "i": 0}},
	} {
		ty := got[w.name]
		if ty == nil {
			t.Errorf("%s: not typed", w.name)
			continue
		}
		if ty.Size != w.size {
			t.Errorf("sizeof(%s) = %d, want %d", w.name, ty.Size, w.size)
		}
		for name, off := range w.offsets {
			if fld, ok := ty.Field(name); !ok || fld.Offset != off {
				t.Errorf("offsetof(%s, %s) = %d (%v), want %d", w.name, name, fld.Offset, ok, off)
			}
		}
	}
}

// TestIntTypes checks the integer typing rules: smallest-type literals,
// sign-flexible literals, 64-bit arithmetic and promotion on assignment.
func TestIntTypes(t *testing.T) {
	for _, tc := range []struct{ stmts, want string }{
		{`$v = 1;`, "int8"},
		{`$v = -1;`, "int8"},
		{`$v = 1000;`, "int16"},
		{`$v = -129;`, "int16"},
		{`$v = 70000;`, "int32"},
		{`$v = 0xffffffffffffffff;`, "uint64"},
		{`$v = 1 + 2;`, "int8"},
		{`$v = 100 * 100;`, "int16"},
		{`$v = (uint8)1;`, "uint8"},
		{`$v = (uint8)1 + (uint8)2;`, "uint64"},
		{`$v = (uint32)5 + 3;`, "uint64"},
		{`$v = (uint32)5 + (int8)3;`, "int64"},
		{`$v = (uint64)1 - (uint64)2;`, "int64"},
		{`$v = -(uint32)5;`, "uint64"},
		{`$v = ~(int16)5;`, "int64"},
		{`$v = 1; $v = (uint64)2;`, "uint64"},
		{`$v = 1; $v = -1000;`, "int16"},
		{`$v = (uint8)1; $v = 1000;`, "uint16"},
		{`$v = (uint64)1; $v = (int64)-1;`, "int64"},
		{`$v = (uint32)1; $v = (int8)-1;`, "int64"},
		{`$v = (uint8)1; $v = (int32)-1;`, "int32"},
		{`$v = (uint16)1; $v = (int8)-1;`, "int32"},
		{`$v = (int8)1; $w = $v; $v = (int16)2;`, "int16"},
		{`$v = (uint8)1; $v++;`, "uint64"},
		{`let $v: uint8 = 1; $v += 1;`, "uint8"},
		{`$v = pid > 0 ? (int8)1 : (int16)2;`, "int16"},
		{`for $v : 0..3 { }`, "int8"},
		{`for $v : 0..1000 { }`, "int16"},
		{`for $v : (uint32)1..3 { }`, "uint32"},
		{`for $v : (int8)-3..(uint8)5 { }`, "int8"},
	} {
		src := "BEGIN { " + tc.stmts + " }"
		f, err := lang.Parse("t.gt", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		info, err := types.Check(f, testEnv(t), types.Config{})
		if err != nil {
			t.Errorf("%s: %v", src, lang.Format(err, []byte(src)))
			continue
		}
		var got []string
		lang.Inspect(f.Probes[0].Body, func(n lang.Node) bool {
			if v, ok := n.(*lang.Var); ok && v.Name == "$v" {
				got = append(got, info.Types.Of(v).String())
			}
			return true
		})
		for _, g := range got {
			if g != tc.want {
				t.Errorf("%s: $v is %v, want %s everywhere", src, got, tc.want)
				break
			}
		}
	}
}

// TestMapIntTypes checks that a map's integer values and keys keep the
// promotion of the types given to them, without widening to 64 bits.
func TestMapIntTypes(t *testing.T) {
	for _, tc := range []struct{ stmts, key, value string }{
		{`@m[1] = 1;`, "int8", "int8"},
		{`@m[-1] = (uint8)1;`, "int8", "uint8"},
		{`@m[1] = 1; @m[(uint32)2] = (uint32)2;`, "uint32", "uint32"},
		{`@m[1] = 1; @m[2] = -1; @m[(int32)3] = (int32)3;`, "int32", "int32"},
		{`@m[(int8)1] = (int8)1; @m[(uint8)2] = (uint8)2;`, "int16", "int16"},
		{`@m[(uint32)1] = (uint32)1; @m[(int32)2] = (int32)2;`, "int64", "int64"},
		{`@m[(int64)1] = (int64)1; @m[(uint64)2] = (uint64)2;`, "int64", "int64"},
		{`@m[1, "hi"] = 2; @m[1000, "a"] = 3;`, "(int16,string[3])", "int8"},
		{`$x = @m[(uint16)7]; @m[1] = (int16)2;`, "uint16", "int16"},
		{`@m[1] = (int16)2; @m[1]++;`, "int8", "int64"},
		{`@m[1] = (uint8)2; @m[1] += 1;`, "int8", "uint64"},
	} {
		info := checkSource(t, "BEGIN { "+tc.stmts+" }")
		mi := info.Maps["@m"]
		if mi == nil {
			t.Errorf("%s: no map @m", tc.stmts)
			continue
		}
		key := mi.Key.String()
		if len(mi.Keys) > 1 {
			var names []string
			for _, k := range mi.Keys {
				names = append(names, k.String())
			}
			key = "(" + strings.Join(names, ",") + ")"
		}
		if key != tc.key || mi.Value.String() != tc.value {
			t.Errorf("%s: @m has keys %s and values %s, want %s and %s", tc.stmts, key, mi.Value, tc.key, tc.value)
		}
	}
}

// checkSource parses and checks src (c.gt), failing the test on errors.
// checkedCasts checks src and returns the type of each of its casts.
func checkedCasts(t *testing.T, src string) map[*lang.Cast]*types.Type {
	t.Helper()
	f, info := checkFile(t, src)
	casts := map[*lang.Cast]*types.Type{}
	for _, p := range f.Probes {
		lang.Inspect(p.Body, func(n lang.Node) bool {
			if c, ok := n.(*lang.Cast); ok {
				casts[c] = info.TypeOf(c)
			}
			return true
		})
	}
	return casts
}

func checkSource(t *testing.T, src string) *types.Info {
	t.Helper()
	_, info := checkFile(t, src)
	return info
}

// checkFile parses and checks src, which must have no error.
func checkFile(t *testing.T, src string) (*lang.File, *types.Info) {
	t.Helper()
	f, err := lang.Parse("c.gt", []byte(src))
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	info, err := types.Check(f, testEnv(t), types.Config{})
	if err != nil {
		t.Fatal(lang.Format(err, []byte(src)))
	}
	return f, info
}

// TestSpeculativeCheck: a checking sweep right after the first
// inferring sweep that reads a type the sweep then joins anew (BEGIN
// reads @m before END stores into it) is done again, and what it found
// is reported once.
func TestSpeculativeCheck(t *testing.T) {
	info := checkSource(t, `BEGIN { $x = @m; debugf("%d", $x); } END { @m = (uint8)1; }`)
	n := 0
	for _, w := range info.Warnings {
		if strings.Contains(w.Msg, "debugf()") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the debugf warning is reported %d times, want once: %v", n, info.Warnings)
	}
	if mi := info.Maps["@m"]; mi == nil || mi.Value.String() != "uint8" {
		t.Errorf("@m = %v, want uint8 values", mi)
	}
}
