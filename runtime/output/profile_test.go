package output

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/gotrace/gotrace/lang/types"
)

// stackSym is a symbolizer whose stacks are a table: stack id to frames
// (leaf first), kernel stacks from kstacks, user stacks from ustacks.
type stackSym struct {
	fakeSym
	kstacks map[uint32][]Frame
	ustacks map[uint32][]Frame
}

func (s stackSym) StackFrames(t *types.Type, raw []byte) []Frame {
	id := uint32(le64(raw))
	if t.Name == "kstack" {
		return s.kstacks[id]
	}
	return s.ustacks[id]
}

var (
	kstackT = &types.Type{Kind: types.Stack, Size: 8, Name: "kstack", Len: 127, Mode: "bpftrace"}
	ustackT = &types.Type{Kind: types.Stack, Size: 8, Name: "ustack", Len: 127, Mode: "bpftrace"}
	countT  = &types.Type{Kind: types.Agg, AggFn: types.AggCount}
)

const (
	binPath = "/usr/bin/busy"
	libc    = "/usr/lib/x86_64-linux-gnu/libc.so.6"
)

func uframe(addr uint64, fn, obj string) Frame {
	f := Frame{Addr: addr, Func: fn, Object: obj, BuildID: "b1d" + obj[len(obj)-4:], MapStart: 0x400000, MapLimit: 0x500000}
	if obj == libc {
		f.MapStart, f.MapLimit, f.MapOff = 0x7f0000000000, 0x7f0000100000, 0x28000
	}
	return f
}

func kframe(addr uint64, fn string) Frame {
	return Frame{Addr: addr, Func: fn, Kernel: true, Object: "[kernel.kallsyms]", BuildID: "6b65726e656c"}
}

// testStacks: user stacks 1 (main → work → hot) and 2 (main → work →
// write in libc), kernel stack 1 (entry → ksys_write → vfs_write).
var testStacks = stackSym{
	ustacks: map[uint32][]Frame{
		1: {uframe(0x401030, "hot", binPath), uframe(0x401020, "work", binPath), uframe(0x401010, "main", binPath)},
		2: {uframe(0x7f0000001000, "write", libc), uframe(0x401024, "work", binPath), uframe(0x401010, "main", binPath)},
	},
	kstacks: map[uint32][]Frame{
		1: {kframe(0xffffffff81000300, "vfs_write"), kframe(0xffffffff81000200, "ksys_write"), kframe(0xffffffff81000100, "entry_SYSCALL_64")},
	},
}

// profileMap is @[kstack, ustack, comm, pid] = count() with three
// entries: busy's hot loop (kernel stack not captured: id -1), busy
// writing, and an idle one with neither stack.
func profileMap() *Map {
	key := types.TupleOf(kstackT, ustackT, types.StrType(16), types.Uint32)
	none := uint64(0xffffffff)
	entry := func(kid, uid uint64, comm string, pid uint64, counts ...uint64) Entry {
		k := cat(u64(kid), u64(uid|pid<<32), str(comm, 16), u64(pid)[:4])
		k = append(k, make([]byte, key.Size-len(k))...)
		var per [][]byte
		for _, c := range counts {
			per = append(per, u64(c))
		}
		return Entry{Key: k, PerCPU: per}
	}
	return &Map{Name: "@cpu", Key: key, Value: countT, Entries: []Entry{
		entry(none, 1, "busy", 42, 60, 40),
		entry(1, 2, "busy", 42, 5, 5),
		entry(none, none, "swapper/0", 0, 7, 0),
	}}
}

func TestIsProfile(t *testing.T) {
	for _, tc := range []struct {
		m    *Map
		want bool
	}{
		{profileMap(), true},
		{&Map{Name: "@", Key: kstackT, Value: countT}, true},
		{&Map{Name: "@", Key: ustackT, Value: &types.Type{Kind: types.Agg, AggFn: types.AggSum, AggArg: types.Int64}}, true},
		{&Map{Name: "@", Key: ustackT, Value: types.Int64}, true},
		{&Map{Name: "@", Key: types.StrType(16), Value: countT}, false},
		{&Map{Name: "@", Key: kstackT, Value: &types.Type{Kind: types.Agg, AggFn: types.AggHist}, Bucketed: true}, false},
		{&Map{Name: "@", Value: countT}, false},
	} {
		if got := IsProfile(tc.m); got != tc.want {
			t.Errorf("IsProfile(%s[%v] = %v) = %v", tc.m.Name, tc.m.Key, tc.m.Value, got)
		}
	}
}

func TestProfileOf(t *testing.T) {
	p, err := ProfileOf(profileMap(), testStacks)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Samples) != 3 {
		t.Fatalf("%d samples, want 3", len(p.Samples))
	}
	// sorted as the map prints: by value
	s := p.Samples[1]
	var names []string
	for _, f := range s.Stack {
		names = append(names, f.Name())
	}
	if s.Value != 10 || strings.Join(names, ",") != "vfs_write,ksys_write,entry_SYSCALL_64,write,work,main" {
		t.Errorf("sample 1: value %d, stack %v", s.Value, names)
	}
	want := []ProfileLabel{{Key: "key2", Str: "busy"}, {Key: "key3", Str: "42", Num: 42, IsNum: true}}
	if len(s.Labels) != 2 || s.Labels[0] != want[0] || s.Labels[1] != want[1] {
		t.Errorf("labels %+v, want %+v", s.Labels, want)
	}
	if idle := p.Samples[0]; idle.Value != 7 || len(idle.Stack) != 1 || idle.Stack[0].Name() != "[no stack]" {
		t.Errorf("idle sample %+v", idle)
	}
}

const wantFolded = `busy;42;main;work;hot 100
busy;42;main;work;write;entry_SYSCALL_64;ksys_write;vfs_write 10
swapper/0;0;[no stack] 7
`

func TestFolded(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, Folded)
	p.Sym = testStacks
	p.End()
	if err := p.Map(profileMap()); err != nil {
		t.Fatal(err)
	}
	// a map that is not a profile prints as text
	p.Map(&Map{Name: "@n", Value: countT, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{u64(3)}}}})
	if got := b.String(); got != wantFolded+"@n: 3\n" {
		t.Errorf("folded output:\n%s\nwant:\n%s@n: 3", got, wantFolded)
	}
	// the fold of one stack, and names that would break a line
	lines := Fold(&StackProfile{Samples: []StackSample{
		{Stack: []Frame{{Func: "a;b"}, {Func: "x\ny"}}, Value: 2},
		{Stack: []Frame{{Func: "a:b"}, {Func: "x y"}}, Value: 3},
		{Stack: []Frame{{Object: "/lib/libz.so.1", Addr: 5}, {}}, Value: 1},
		{Stack: []Frame{{Func: "neg"}}, Value: -4},
	}})
	var got []string
	for _, l := range lines {
		got = append(got, l.String())
	}
	if strings.Join(got, "|") != "[unknown];[libz.so.1] 1|x y;a:b 5" {
		t.Errorf("folded: %q", got)
	}
}

// TestPprof: the profile reads back with the pprof package and with a
// real pprof (go tool pprof), showing the functions and totals of the
// map.
func TestPprof(t *testing.T) {
	p, err := ProfileOf(profileMap(), testStacks)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WritePprof(&b, []*StackProfile{p}, PprofOptions{Comments: []string{"gotrace test"}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "cpu.pb.gz")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	prof, err := profile.Parse(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.SampleType) != 1 || prof.SampleType[0].Type != "cpu" || prof.SampleType[0].Unit != "count" {
		t.Errorf("sample types %v", prof.SampleType)
	}
	var total int64
	for _, s := range prof.Sample {
		total += s.Value[0]
	}
	if total != 117 || len(prof.Sample) != 3 {
		t.Errorf("%d samples of %d in all, want 3 of 117", len(prof.Sample), total)
	}
	kernel := 0
	for _, m := range prof.Mapping {
		if !m.HasFunctions {
			t.Errorf("mapping %s does not say it has functions", m.File)
		}
		if m.File == "[kernel.kallsyms]" {
			kernel++
			if m.Start != 0xffffffff81000100 || m.Limit != 0xffffffff81000301 || m.BuildID != "6b65726e656c" {
				t.Errorf("kernel mapping %x-%x %s", m.Start, m.Limit, m.BuildID)
			}
		}
		if m.File == libc && (m.Start != 0x7f0000000000 || m.Offset != 0x28000 || m.BuildID != "b1dso.6") {
			t.Errorf("libc mapping %+v", m)
		}
	}
	if kernel != 1 || len(prof.Mapping) != 3 {
		t.Errorf("%d mappings, %d of the kernel: want 3 and 1", len(prof.Mapping), kernel)
	}

	goTool := lookGo(t)
	out, err := exec.Command(goTool, "tool", "pprof", "-raw", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -raw: %v\n%s", err, out)
	}
	raw := string(out)
	for _, want := range []string{"gotrace test", "cpu/count", "hot", "vfs_write", "entry_SYSCALL_64", "[kernel.kallsyms]", libc,
		"key2:[busy]", "key3:[42]"} {
		if !strings.Contains(raw, want) {
			t.Errorf("go tool pprof -raw does not show %q:\n%s", want, raw)
		}
	}
	out, err = exec.Command(goTool, "tool", "pprof", "-top", "-nodecount=20", path).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof -top: %v\n%s", err, out)
	}
	top := string(out)
	for _, re := range []string{`(?m)^\s*100\s+85\.47%\s+85\.47%\s+100\s+85\.47%\s+hot$`, `(?m)^\s*0\s+0%\s+\S+\s+110\s+94\.02%\s+main$`,
		`Showing nodes accounting for 117, 100% of 117 total`} {
		if !regexp.MustCompile(re).MatchString(top) {
			t.Errorf("go tool pprof -top does not match %s:\n%s", re, top)
		}
	}
	// tagging by the comm label keeps busy's samples only
	out, err = exec.Command(goTool, "tool", "pprof", "-top", "-tagfocus=key2=busy", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "accounting for 110, 94.02% of 117 total") {
		t.Errorf("go tool pprof -tagfocus=key2=busy: %v\n%s", err, out)
	}
}

// TestPprofSeveralMaps: two maps are two sample types of one profile.
func TestPprofSeveralMaps(t *testing.T) {
	a, _ := ProfileOf(profileMap(), testStacks)
	m := profileMap()
	m.Name = "@offcpu_ns"
	m.Value = &types.Type{Kind: types.Agg, AggFn: types.AggSum, AggArg: types.Uint64}
	b, _ := ProfileOf(m, testStacks)
	prof, err := Pprof([]*StackProfile{a, b}, PprofOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(prof.SampleType) != 2 || prof.SampleType[1].Type != "offcpu_ns" || prof.SampleType[1].Unit != "nanoseconds" || prof.DefaultSampleType != "cpu" {
		t.Errorf("sample types %v, default %s", prof.SampleType, prof.DefaultSampleType)
	}
	if len(prof.Sample) != 6 || prof.Sample[3].Value[0] != 0 || prof.Sample[3].Value[1] != 7 {
		t.Errorf("samples %v", prof.Sample)
	}
	if _, err := Pprof([]*StackProfile{a, a}, PprofOptions{}); err == nil {
		t.Error("two maps of one name made a profile")
	}
}

func lookGo(t *testing.T) string {
	t.Helper()
	goTool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("no go command to run go tool pprof, but CI=true")
			}
			t.Skip("no go command")
		}
	}
	return goTool
}

// TestFlameGraph: the SVG is well-formed XML, each frame's box is as
// wide as its share, and kernel frames are colored apart.
func TestFlameGraph(t *testing.T) {
	p, _ := ProfileOf(profileMap(), testStacks)
	var b bytes.Buffer
	if err := WriteFlameGraph(&b, []*StackProfile{p}, FlameGraphOptions{Title: "CPU <busy>"}); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	frames := map[string]float64{}
	fills := map[string]string{}
	var cur string
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch se.Name.Local {
		case "g":
			if cur = attr["data-n"]; cur != "" {
				w, err := strconv.ParseFloat(attr["data-w"], 64)
				if err != nil {
					t.Errorf("frame %s: data-w %q", cur, attr["data-w"])
				}
				frames[cur] += w
			}
		case "rect":
			if cur != "" {
				fills[cur] = attr["fill"]
			}
		}
	}
	for name, want := range map[string]float64{"all": 1, "busy": 110.0 / 117, "hot": 100.0 / 117, "vfs_write": 10.0 / 117, "[no stack]": 7.0 / 117} {
		if got := frames[name]; got < want-1e-6 || got > want+1e-6 {
			t.Errorf("frame %s is %.4f wide, want %.4f", name, got, want)
		}
	}
	// orange (no blue) for the kernel, red (green = blue) for user code
	rgb := func(s string) (r, g, b int) {
		fmt.Sscanf(s, "rgb(%d,%d,%d)", &r, &g, &b)
		return
	}
	for _, k := range []string{"vfs_write", "ksys_write", "entry_SYSCALL_64"} {
		if r, g, b := rgb(fills[k]); b != 0 || g < 90 || r < 190 {
			t.Errorf("kernel frame %s is %s, not orange", k, fills[k])
		}
	}
	for _, u := range []string{"hot", "work", "main", "write"} {
		if r, g, b := rgb(fills[u]); g != b || r < 200 {
			t.Errorf("user frame %s is %s, not red", u, fills[u])
		}
	}
	if !strings.Contains(b.String(), "CPU &lt;busy&gt;") {
		t.Error("the title is not escaped")
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string][2]int{"text": {int(Text), 0}, "json": {int(JSON), 0}, "folded": {int(Folded), 0},
		"pprof": {int(Text), int(PprofProfile)}, "flamegraph": {int(Text), int(FlameGraphSVG)}} {
		f, p, err := ParseFormat(in)
		if err != nil || int(f) != want[0] || int(p) != want[1] {
			t.Errorf("ParseFormat(%s) = %v, %v, %v", in, f, p, err)
		}
	}
	if _, _, err := ParseFormat("yaml"); err == nil {
		t.Error("ParseFormat(yaml) took it")
	}
}

// TestProfileWriter: a printer with a ProfileWriter keeps the maps keyed
// by stacks (the last print of each) and prints the others; closing
// writes them.
func TestProfileWriter(t *testing.T) {
	var text, prof bytes.Buffer
	p := New(&text, Text)
	p.Sym = testStacks
	pw := NewProfileWriter(&prof, FoldedProfile)
	p.Profile = pw
	m := profileMap()
	m.Entries = m.Entries[:1]
	p.Map(m)
	p.Map(profileMap())
	p.Map(&Map{Name: "@n", Value: countT, Entries: []Entry{{Key: u64(0), PerCPU: [][]byte{u64(3)}}}})
	if text.String() != "@n: 3\n" || prof.Len() != 0 {
		t.Errorf("before Close: text %q, profile %q", text.String(), prof.String())
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	if prof.String() != wantFolded {
		t.Errorf("profile:\n%s", prof.String())
	}
	if err := NewProfileWriter(&prof, PprofProfile).Close(); err != ErrNoProfile {
		t.Errorf("an empty profile: %v", err)
	}
}
