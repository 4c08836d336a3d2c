package output

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func str(s string, n int) []byte {
	b := make([]byte, n)
	copy(b, s)
	return b
}

// log2Bucket is the bucket of n in a hist() with k sub-bucket bits, as the
// code generator computes it.
func log2Bucket(n int64, k int) uint64 {
	if n < 0 {
		return 0
	}
	if n < 1<<k {
		return uint64(1 + n)
	}
	i := 63
	for n>>i == 0 {
		i--
	}
	return uint64(1 + 1<<k + (i-k)<<k + int(n>>(i-k)) - 1<<k)
}

// histMap builds a per-CPU hist map from values spread over two CPUs.
func histMap(name string, key *types.Type, keys [][]byte, values [][]int64, k int) *Map {
	m := &Map{Name: name, Key: key, Value: &types.Type{Kind: types.Agg, AggFn: types.AggHist, AggParams: []int64{int64(k)}, AggArg: types.Int64},
		Bucketed: true, BucketOff: 8}
	for ki, vals := range values {
		counts := map[uint64][2]uint64{}
		for i, v := range vals {
			c := counts[log2Bucket(v, k)]
			c[i%2]++
			counts[log2Bucket(v, k)] = c
		}
		for b, c := range counts {
			m.Entries = append(m.Entries, Entry{Key: cat(keys[ki], u64(b)), PerCPU: [][]byte{u64(c[0]), u64(c[1])}})
		}
	}
	return m
}

func lhistMap(name string, vals []int64, lo, hi, step int64) *Map {
	m := &Map{Name: name, Value: &types.Type{Kind: types.Agg, AggFn: types.AggLhist, AggParams: []int64{lo, hi, step}, AggArg: types.Int64},
		Bucketed: true, BucketOff: 8}
	counts := map[uint64]uint64{}
	for _, v := range vals {
		var b uint64
		switch {
		case v < lo:
			b = 0
		case v >= hi:
			b = uint64(1 + (hi-lo)/step)
		default:
			b = uint64(1 + (v-lo)/step)
		}
		counts[b]++
	}
	for b, c := range counts {
		m.Entries = append(m.Entries, Entry{Key: cat(u64(0), u64(b)), PerCPU: [][]byte{u64(c)}})
	}
	return m
}

type fakeSym struct{}

func (fakeSym) Kernel(addr uint64) string           { return "kfunc_" + strings.Repeat("x", int(addr%3)) }
func (fakeSym) User(pid uint32, addr uint64) string { return "ufunc" }
func (fakeSym) Time(format string, ns uint64) string {
	return format + "@" + strconv.FormatUint(ns, 10)
}
func (fakeSym) UserName(uid uint64) string { return "user" + strconv.FormatUint(uid, 10) }
func (fakeSym) GFPBits() map[string]int    { return nil }

func (fakeSym) CgroupPath(id uint64, filter string) string {
	return "unified:/cg" + strconv.FormatUint(id, 10) + "(" + filter + ")"
}
func (fakeSym) Frames(t *types.Type, raw []byte) []string {
	if t.Mode == "perf" {
		return []string{"\tffffffff81000010 first+16 ([kernel.kallsyms])", "\tffffffff81000020 second+32 ([kernel.kallsyms])"}
	}
	return []string{"first+16", "second+32"}
}

// scenario prints every value kind and aggregation through p.
func scenario(p *Printer) {
	tuple := types.TupleOf(types.Int64, types.StrType(8), types.Int64)
	count := &types.Type{Kind: types.Agg, AggFn: types.AggCount}
	comm := types.StrType(16)

	p.Attached(p.w, 3)
	p.Printf("hello %d %s %5d|%-5d|%x|%X|%o|%c|%u|%% %s %p\n", []Arg{
		{types.Int64, u64(uint64(^uint64(41)))}, {types.StrType(8), str("world", 8)}, {types.Int64, u64(3)},
		{types.Int64, u64(4)}, {types.Uint64, u64(255)}, {types.Uint64, u64(255)}, {types.Uint64, u64(8)},
		{types.Uint64, u64(65)}, {types.Int64, u64(^uint64(0))}, {tuple, cat(u64(1), str("ab", 8), u64(2))},
		{types.Uint64, u64(0xffff8880)},
	})
	p.Printf("%s %s %r|%rx|%rh\n", []Arg{
		{&types.Type{Kind: types.Ksym, Size: 8}, u64(4)},
		{types.UsymType, cat(u64(0x400000), u64(7))},
		{&types.Type{Kind: types.Buf, Size: 5}, []byte{3, 'a', 1, 'b', 0}},
		{&types.Type{Kind: types.Buf, Size: 5}, []byte{2, 'a', 1, 0, 0}},
		{&types.Type{Kind: types.Buf, Size: 5}, []byte{2, 'a', 1, 0, 0}},
	})
	p.Value(types.Int64, u64(uint64(^uint64(4))))
	p.Value(tuple, cat(u64(1), str("two", 8), u64(3)))
	rec := &types.Type{Kind: types.Struct, Name: "struct s", Size: 12, Fields: []types.Field{
		{Name: "a", Offset: 0, Type: types.Int32}, {Name: "b", Offset: 4, Type: types.Uint32},
		{Name: "c", Offset: 8, Type: types.ArrayOf(types.Uint8, 3)}}}
	p.Value(rec, []byte{1, 0, 0, 0, 2, 0, 0, 0, 7, 8, 9, 0})
	p.Value(types.BoolType, []byte{1})
	p.Value(&types.Type{Kind: types.Stack, Size: 8, Name: "kstack", Len: 127, Mode: "bpftrace"}, u64(1))
	p.End()

	// count by comm: sorted by value, ties by key
	p.Map(&Map{Name: "@", Key: comm, Value: count, Entries: []Entry{
		{Key: str("bash", 16), PerCPU: [][]byte{u64(3), u64(4)}},
		{Key: str("cat", 16), PerCPU: [][]byte{u64(1), u64(0)}},
		{Key: str("awk", 16), PerCPU: [][]byte{u64(7), u64(0)}},
		{Key: str("zsh", 16), PerCPU: [][]byte{u64(0), u64(1)}},
	}})
	// tuple keys, print(@m, 2)
	p.Map(&Map{Name: "@bytes", Key: types.TupleOf(comm, types.Int64), Value: &types.Type{Kind: types.Agg, AggFn: types.AggSum, AggArg: types.Int64},
		Top: 2, Entries: []Entry{
			{Key: cat(str("a", 16), u64(1)), PerCPU: [][]byte{u64(10), u64(5)}},
			{Key: cat(str("b", 16), u64(2)), PerCPU: [][]byte{u64(100), u64(0)}},
			{Key: cat(str("c", 16), u64(3)), PerCPU: [][]byte{u64(uint64(^uint64(9))), u64(0)}},
		}})
	// min and max, div
	minT := &types.Type{Kind: types.Agg, AggFn: types.AggMin, AggArg: types.Int64}
	p.Map(&Map{Name: "@min", Value: minT, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{cat(u64(uint64(^uint64(2))), u64(1)), cat(u64(99), u64(0))}}}})
	maxT := &types.Type{Kind: types.Agg, AggFn: types.AggMax, AggArg: types.Int64}
	p.Map(&Map{Name: "@max", Value: maxT, Div: 2, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{cat(u64(40), u64(1)), cat(u64(99), u64(1))}}}})
	// avg and stats, keyed and not
	avgT := &types.Type{Kind: types.Agg, AggFn: types.AggAvg, AggArg: types.Int64}
	p.Map(&Map{Name: "@avg", Value: avgT, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{cat(u64(10), u64(1)), cat(u64(21), u64(1))}}}})
	statsT := &types.Type{Kind: types.Agg, AggFn: types.AggStats, AggArg: types.Int64}
	p.Map(&Map{Name: "@stats", Key: types.Int64, Value: statsT, Entries: []Entry{
		{Key: u64(2), PerCPU: [][]byte{cat(u64(30), u64(2))}},
		{Key: u64(1), PerCPU: [][]byte{cat(u64(3000), u64(3))}},
	}})
	// plain values: strings sort by key, integers by value
	p.Map(&Map{Name: "@names", Key: types.Int64, Value: types.StrType(8), Entries: []Entry{
		{Key: u64(2), PerCPU: [][]byte{str("two", 8)}}, {Key: u64(uint64(^uint64(0))), PerCPU: [][]byte{str("minus", 8)}},
		{Key: u64(1), PerCPU: [][]byte{str("one", 8)}},
	}})
	p.Map(&Map{Name: "@flag", Key: types.BoolType, Value: types.Int64, Entries: []Entry{
		{Key: u64(1), PerCPU: [][]byte{u64(5)}}, {Key: u64(0), PerCPU: [][]byte{u64(9)}},
	}})
	p.Map(&Map{Name: "@t", Value: tuple, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{cat(u64(1), str("two", 8), u64(3))}}}})
	// stacks as keys
	p.Map(&Map{Name: "@stacks", Key: &types.Type{Kind: types.Stack, Size: 8, Name: "kstack", Len: 127, Mode: "bpftrace"}, Value: count,
		Entries: []Entry{{Key: u64(1), PerCPU: [][]byte{u64(2)}}}})
	p.Map(&Map{Name: "@perf", Key: &types.Type{Kind: types.Stack, Size: 8, Name: "kstack", Len: 127, Mode: "perf"}, Value: count,
		Entries: []Entry{{Key: u64(1), PerCPU: [][]byte{u64(2)}}}})
	// histograms
	p.Map(histMap("@h", nil, [][]byte{u64(0)}, [][]int64{{-5, 0, 1, 2, 3, 1000, 1500000}}, 0))
	p.Map(histMap("@k", types.Int64, [][]byte{u64(1), u64(2)}, [][]int64{{5, 6, 7, 9, 1 << 40}, {100}}, 0))
	p.Map(histMap("@sub", nil, [][]byte{u64(0)}, [][]int64{{0, 3, 4, 5, 7, 8, 12, 13, 100, 5000}}, 2))
	p.Map(lhistMap("@l", []int64{-1, 5, 55, 200}, 0, 100, 10))
	p.Map(lhistMap("@lk", []int64{1024, 2048, 5000, 1 << 20}, 0, 2<<20, 1024*256))
	p.Map(&Map{Name: "@empty", Key: types.Int64, Value: count})
	p.Lost(p.w, 3)
	p.Text("time", "12:00:00\n")
	p.Text("join", "a b c")
	p.Diagnostic(p.w, "warnf", "careful", "s.gt", 3, 5, 0)
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Format
	}{{"text", Text}, {"json", JSON}} {
		var b bytes.Buffer
		p := New(&b, tc.f)
		p.Sym = fakeSym{}
		scenario(p)
		golden := filepath.Join("testdata", "scenario."+tc.name)
		if *update {
			os.WriteFile(golden, b.Bytes(), 0o644)
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s output differs from %s:\n%s", tc.name, golden, b.String())
		}
		if tc.f == JSON {
			// Every line is one JSON object with a type.
			for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
				var obj map[string]any
				if err := json.Unmarshal([]byte(line), &obj); err != nil {
					t.Errorf("not JSON: %s: %v", line, err)
				} else if obj["type"] == nil {
					t.Errorf("no type: %s", line)
				}
			}
		}
	}
}

func TestLog2Labels(t *testing.T) {
	for _, tc := range []struct {
		i, k int
		want string
	}{
		{3, 0, "4"}, {11, 0, "1K"}, {12, 0, "2K"}, {21, 0, "1M"}, {31, 0, "1G"},
		{27, 2, "224"}, {9, 2, "10"}, {10, 2, "12"}, {45, 2, "5K"}, {46, 2, "6K"},
	} {
		if got := log2Label(tc.i, tc.k).text(); got != tc.want {
			t.Errorf("log2Label(%d, %d) = %s, want %s", tc.i, tc.k, got, tc.want)
		}
	}
}

func TestSprintf(t *testing.T) {
	i := func(v int64) value { return value{kind: vInt, i: v} }
	s := func(v string) value { return value{kind: vStr, s: v} }
	for _, tc := range []struct {
		format string
		args   []value
		want   string
	}{
		{"%d %i %ld %lld %lu", []value{i(-1), i(2), i(3), i(4), i(-1)}, "-1 2 3 4 18446744073709551615"},
		{"%5s|%-5s|%.2s", []value{s("ab"), s("ab"), s("abc")}, "   ab|ab   |ab"},
		{"%05d|%+d|% d|%x|%#x|%08X", []value{i(42), i(5), i(5), i(255), i(255), i(255)}, "00042|+5| 5|ff|0xff|000000FF"},
		{"%c%c", []value{i('o'), i('k')}, "ok"},
		{"100%%", nil, "100%"},
		{"%s", []value{i(7)}, "7"},
		{"%d %d", []value{i(1)}, "1 %!d(MISSING)"},
	} {
		if got := sprintf(tc.format, tc.args, nil); got != tc.want {
			t.Errorf("sprintf(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

// TestViews: the values user space formats (ntop, macaddr, strerror,
// syscall_name, username, cgroup_path).
func TestViews(t *testing.T) {
	inet := func(af uint64, addr ...byte) []byte {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint64(b, af)
		copy(b[8:], addr)
		return b
	}
	num := func(n int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)) }
	view := func(name string) *types.Type { return &types.Type{Kind: types.View, Size: 8, Name: name, Mode: "*"} }
	for _, tc := range []struct {
		t    *types.Type
		raw  []byte
		want string
	}{
		{types.InetType, inet(2, 127, 0, 0, 1), "127.0.0.1"},
		{types.InetType, inet(10, []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}...), "2001:db8::1"},
		{types.InetType, inet(10, []byte{10: 0xff, 11: 0xff, 12: 10, 15: 1}...), "::ffff:10.0.0.1"},
		{&types.Type{Kind: types.View, Size: 6, Name: "macaddr"}, []byte{0x18, 0xc0, 0x4d, 8, 0x2e, 0xbb}, "18:C0:4D:08:2E:BB"},
		{view("strerror"), num(1), "Operation not permitted"},
		{view("strerror"), num(0), "Success"},
		{view("strerror"), num(5000), "Unknown error"},
		{view("syscall_name"), num(59), "execve"},
		{view("syscall_name"), num(9999), "Unknown syscall"},
		{view("username"), num(7), "user7"},
		{view("cgroup_path"), num(3), "unified:/cg3(*)"},
	} {
		v := decode(tc.t, tc.raw, fakeSym{})
		if got := v.text(); got != tc.want {
			t.Errorf("%s %v: got %q, want %q", tc.t.Name, tc.raw, got, tc.want)
		}
		if got, want := v.json(), jsonString(tc.want); got != want {
			t.Errorf("%s JSON: got %s, want %s", tc.t.Name, got, want)
		}
	}
}

// TestEnums: values of a C enum type print by name in text (the number
// when no enumerator has it) and as numbers in JSON.
func TestEnums(t *testing.T) {
	et := &types.Type{Kind: types.Int, Size: 8, Signed: true, Name: "enum color", Enum: map[int64]string{0: "RED", 5: "GREEN"}}
	raw := func(n int64) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)) }
	for _, tc := range []struct {
		n          int64
		text, json string
	}{{5, "GREEN", "5"}, {0, "RED", "0"}, {7, "7", "7"}} {
		v := decode(et, raw(tc.n), nil)
		if v.text() != tc.text || v.json() != tc.json || v.keyJSON() != jsonString(tc.json) {
			t.Errorf("%d: text %q json %s key %s, want %q %s", tc.n, v.text(), v.json(), v.keyJSON(), tc.text, tc.json)
		}
		if got := sprintf("%s=%d", []value{v, v}, nil); got != tc.text+"="+strconv.FormatInt(tc.n, 10) {
			t.Errorf("printf: %s", got)
		}
	}
}
