package probes

import (
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func testTarget() *DirTarget { return NewDirTarget("testdata") }

func contexts(t *testing.T, raw string) []*types.Context {
	t.Helper()
	ctxs, err := NewEnv(testTarget()).Contexts(&lang.ProbeSpec{At: lang.Pos{Line: 1, Col: 1}, Raw: raw})
	if err != nil {
		t.Fatalf("Contexts(%q): %v", raw, err)
	}
	return ctxs
}

func contextsErr(t *testing.T, raw string) *lang.Error {
	t.Helper()
	pos := lang.Pos{Line: 3, Col: 7}
	_, err := NewEnv(testTarget()).Contexts(&lang.ProbeSpec{At: pos, Raw: raw})
	var le *lang.Error
	if !errors.As(err, &le) {
		t.Fatalf("Contexts(%q) error = %v, want a *lang.Error", raw, err)
	}
	if le.Pos != pos {
		t.Errorf("Contexts(%q) error at %v, want %v", raw, le.Pos, pos)
	}
	return le
}

func field(t *testing.T, st *types.Type, name string) types.Field {
	t.Helper()
	f, ok := st.Field(name)
	if !ok {
		t.Fatalf("%s has no field %s", st, name)
	}
	return f
}

func TestBeginEnd(t *testing.T) {
	for raw, want := range map[string]string{"BEGIN": "begin", "begin": "begin", "END": "end", "end": "end"} {
		c := contexts(t, raw)
		if len(c) != 1 || c[0].Provider != want || c[0].Name != want || c[0].Kind != types.ProgRawTracepoint || c[0].Args != nil {
			t.Errorf("%s: got %+v", raw, c[0])
		}
	}
}

func TestRuntimeProbes(t *testing.T) {
	for raw, want := range map[string]string{"self:signal:SIGUSR1": "self:signal:SIGUSR1", "test:okay": "test:okay", "bench:lhist": "bench:lhist"} {
		c := contexts(t, raw)
		if len(c) != 1 || c[0].Name != want || c[0].Kind != types.ProgRawTracepoint || c[0].Args != nil {
			t.Errorf("%s: got %+v", raw, c[0])
		}
	}
}

func TestTracepointSysEnterOpenat(t *testing.T) {
	c := contexts(t, "t:syscalls:sys_enter_openat")
	if len(c) != 1 {
		t.Fatalf("got %d contexts", len(c))
	}
	ctx := c[0]
	if ctx.Name != "tracepoint:syscalls:sys_enter_openat" || ctx.Provider != "tracepoint" || ctx.Kind != types.ProgTracepoint || !ctx.ArgsUser {
		t.Errorf("context = %+v", ctx)
	}
	st := ctx.Args
	if st.Kind != types.Struct || st.Name != "struct _tracepoint_syscalls_sys_enter_openat" || st.Size != 48 {
		t.Errorf("args = %s size %d", st.Name, st.Size)
	}
	want := []struct {
		name string
		off  int
		typ  string
	}{
		{"common_type", 0, "uint16"},
		{"common_flags", 2, "uint8"},
		{"common_preempt_count", 3, "uint8"},
		{"common_pid", 4, "int32"},
		{"__syscall_nr", 8, "int32"},
		{"dfd", 16, "int32"}, // declared int: read as bpftrace reads it
		{"filename", 24, "int8 * (user)"},
		{"flags", 32, "int32"},
		{"mode", 40, "uint16"},
	}
	if len(st.Fields) != len(want) {
		t.Fatalf("got %d fields, want %d", len(st.Fields), len(want))
	}
	for i, w := range want {
		f := st.Fields[i]
		if f.Name != w.name || f.Offset != w.off || f.Type.String() != w.typ {
			t.Errorf("field %d = %s@%d %s, want %s@%d %s", i, f.Name, f.Offset, f.Type, w.name, w.off, w.typ)
		}
	}
	fn := field(t, st, "filename")
	if fn.Type.Elem.Name != "char" || !fn.Type.User {
		t.Errorf("filename = %+v", fn.Type)
	}
}

func TestTracepointCharArrayAndDataLoc(t *testing.T) {
	sw := contexts(t, "tracepoint:sched:sched_switch")[0]
	if sw.ArgsUser {
		t.Errorf("sched_switch args are not user memory")
	}
	comm := field(t, sw.Args, "prev_comm")
	if comm.Type.Kind != types.Array || comm.Type.Len != 16 || comm.Type.Elem.Name != "char" || comm.Type.Elem.Size != 1 || comm.Offset != 8 {
		t.Errorf("prev_comm = %+v elem %+v", comm, comm.Type.Elem)
	}
	if f := field(t, sw.Args, "prev_state"); f.Type != types.Int64 || f.Offset != 32 {
		t.Errorf("prev_state = %s@%d", f.Type, f.Offset)
	}
	if f := field(t, sw.Args, "next_pid"); f.Type != types.Int32 || f.Offset != 56 {
		t.Errorf("next_pid = %s@%d", f.Type, f.Offset)
	}
	if sw.Args.Size != 64 {
		t.Errorf("sched_switch size %d", sw.Args.Size)
	}

	ex := contexts(t, "tracepoint:sched:sched_process_exec")[0]
	fn := field(t, ex.Args, "filename")
	if !fn.DataLoc || fn.Type.Kind != types.Str || fn.Offset != 8 {
		t.Errorf("filename = %+v", fn)
	}
	if f := field(t, ex.Args, "old_pid"); f.DataLoc || f.Type != types.Int32 {
		t.Errorf("old_pid = %+v", f)
	}
}

func TestTracepointPointersAndArrays(t *testing.T) {
	ex := contexts(t, "tracepoint:syscalls:sys_enter_execve")[0]
	argv := field(t, ex.Args, "argv")
	if argv.Type.String() != "int8 * (user) * (user)" {
		t.Errorf("argv = %s", argv.Type)
	}
	raw := contexts(t, "tracepoint:raw_syscalls:sys_enter")[0]
	args := field(t, raw.Args, "args")
	if args.Type.Kind != types.Array || args.Type.Len != 6 || args.Type.Elem != types.Uint64 {
		t.Errorf("args = %s", args.Type)
	}
	if raw.ArgsUser {
		t.Errorf("raw_syscalls args are not user memory")
	}
}

func TestTracepointWildcards(t *testing.T) {
	c := contexts(t, "tracepoint:syscalls:sys_enter_*")
	var names []string
	for _, x := range c {
		names = append(names, x.Name)
	}
	want := "tracepoint:syscalls:sys_enter_execve tracepoint:syscalls:sys_enter_openat tracepoint:syscalls:sys_enter_read tracepoint:syscalls:sys_enter_write"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	// read and write have the same record layout, so they share args.
	if c[2].Args != c[3].Args {
		t.Errorf("sys_enter_read and sys_enter_write args differ: %s, %s", c[2].Args, c[3].Args)
	}
	if c[1].Args == c[2].Args {
		t.Errorf("sys_enter_openat and sys_enter_read args are the same")
	}
	if n := len(contexts(t, "t:*:sys_exit_*")); n != 2 {
		t.Errorf("t:*:sys_exit_* gave %d probes, want 2", n)
	}
	if n := len(contexts(t, "tracepoint:sched*:*")); n != 4 {
		t.Errorf("tracepoint:sched*:* gave %d probes, want 4", n)
	}
}

func TestTracepointErrors(t *testing.T) {
	tests := []struct{ raw, msg, hint string }{
		{"tracepoint:syscall:sys_enter_openat", "No matches for tracepoint syscall:sys_enter_openat.; tracepoint not found: syscall:sys_enter_openat", "did you mean syscalls:sys_enter_openat?"},
		{"tracepoint:syscalls:sys_enter_opnat", "tracepoint not found: syscalls:sys_enter_opnat", "did you mean syscalls:sys_enter_openat?"},
		{"tracepoint:shced:sched_switch", "tracepoint not found: shced:sched_switch", "did you mean sched:sched_switch?"},
		{"tracepoint:nosuch:zzz", "tracepoint not found: nosuch:zzz", "list tracepoints with: gotrace -l 'tracepoint:nosuch:*'"},
		{"tracepoint:syscalls:nomatch*", "no tracepoint matches syscalls:nomatch*", "list tracepoints with: gotrace -l 'tracepoint:*'"},
		{"tracepoint:a", "tracepoint probe type requires 2 arguments, found 1", ""},
		{"watchpoint:0x1000:8:w", "watchpoint probe watchpoint:4096:8:w is not available: this machine has no working hardware breakpoints", "hardware breakpoints need debug registers and a kernel with CONFIG_HAVE_HW_BREAKPOINT; some virtual machines have none, or never fire them"},
	}
	for _, tt := range tests {
		e := contextsErr(t, tt.raw)
		if !strings.Contains(e.Msg+"; "+e.Hint, tt.msg) || !strings.HasSuffix(e.Hint, tt.hint) {
			t.Errorf("%s: got %q (hint %q), want %q (hint %q)", tt.raw, e.Msg, e.Hint, tt.msg, tt.hint)
		}
	}
}

func TestPerfContexts(t *testing.T) {
	for raw, want := range map[string]string{
		"interval:1s":       "interval:us:1000000",
		"i:ms:500":          "interval:ms:500",
		"profile:hz:99":     "profile:hz:99",
		"software:faults:1": "software:faults:1",
	} {
		c := contexts(t, raw)
		if len(c) != 1 || c[0].Name != want || c[0].Kind != types.ProgPerfEvent || c[0].Args != nil {
			t.Errorf("%s: got %+v", raw, c[0])
		}
	}
	e := contextsErr(t, "hardware:cycles")
	if !strings.Contains(e.Msg, "no hardware performance counters") || e.Hint == "" {
		t.Errorf("hardware error = %q hint %q", e.Msg, e.Hint)
	}
}

func TestSpecOfRoundTrip(t *testing.T) {
	c := contexts(t, "named=interval:s:2")[0]
	if c.Name != "named" {
		t.Fatalf("name %q", c.Name)
	}
	s, err := specOf(c)
	if err != nil || s.Provider != "interval" || s.Target != "s" || s.Freq != 2 {
		t.Errorf("specOf = %+v, %v", s, err)
	}
	s, err = specOf(&types.Context{Name: "tracepoint:sched:sched_switch"})
	if err != nil || s.Target != "sched" || s.Func != "sched_switch" {
		t.Errorf("specOf by name = %+v, %v", s, err)
	}
}

// missing_probes = warn words its warning as bpftrace does for every kind
// of probe: "No matches for PROVIDER [TARGET:]FUNC. Skipping.", with the
// provider's full name and without a module gotrace filled in itself.
func TestMissingProbeWarning(t *testing.T) {
	tgt := testTarget()
	for _, f := range []Feature{FeatureTracepoint, FeatureRawTracepoint, FeatureKprobe, FeatureUprobe, FeatureFentry, FeatureIter, FeatureBTF} {
		tgt.Features[f] = true
	}
	if spec, err := btf.LoadKernelSpec(); err == nil {
		tgt.BTF = spec
	}
	cases := map[string]string{
		"tracepoint:syscalls:nonsense":      "No matches for tracepoint syscalls:nonsense. Skipping.",
		"t:nosuch:zz":                       "No matches for tracepoint nosuch:zz. Skipping.",
		"kprobe:nonsense":                   "No matches for kprobe nonsense. Skipping.",
		"kretprobe:nonsense":                "No matches for kretprobe nonsense. Skipping.",
		"uprobe:testdata/bin/prog:nonsense": "No matches for uprobe testdata/bin/prog:nonsense. Skipping.",
		"uprobe:/no/such/binary:f":          "No matches for uprobe /no/such/binary:f. Skipping.",
	}
	if tgt.BTF != nil {
		cases["rawtracepoint:nonsense"] = "No matches for rawtracepoint nonsense. Skipping."
		cases["fentry:nonsense"] = "No matches for fentry nonsense. Skipping."
		cases["fexit:nonsense"] = "No matches for fexit nonsense. Skipping."
		cases["iter:nonsense"] = "No matches for iter nonsense. Skipping."
	}
	for raw, want := range cases {
		_, err := NewEnv(tgt).Contexts(&lang.ProbeSpec{At: lang.Pos{Line: 2, Col: 5}, Raw: raw})
		var mp *types.MissingProbeError
		if !errors.As(err, &mp) {
			t.Errorf("%s: %v, want a missing probe", raw, err)
			continue
		}
		if mp.Warning != want || mp.Err.Pos != (lang.Pos{Line: 2, Col: 5}) {
			t.Errorf("%s: warning %q at %v, want %q at 2:5", raw, mp.Warning, mp.Err.Pos, want)
		}
	}
}
