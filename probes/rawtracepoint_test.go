package probes

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang/types"
)

// testBTF builds a small kernel BTF with two raw tracepoints.
func testBTF(t *testing.T) *btf.Spec {
	t.Helper()
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	uintT := &btf.Int{Name: "unsigned int", Size: 4}
	charT := &btf.Int{Name: "char", Size: 1, Encoding: btf.Signed}
	boolT := &btf.Typedef{Name: "bool", Type: &btf.Int{Name: "_Bool", Size: 1, Encoding: btf.Bool}}
	task := &btf.Struct{Name: "task_struct", Size: 40}
	task.Members = []btf.Member{
		{Name: "pid", Type: intT, Offset: 0},
		{Name: "flags", Type: uintT, Offset: 4 * 8, BitfieldSize: 3},
		{Name: "comm", Type: &btf.Array{Type: charT, Index: intT, Nelems: 16}, Offset: 8 * 8},
		{Name: "parent", Type: &btf.Pointer{Target: task}, Offset: 24 * 8},
		{Name: "", Type: &btf.Union{Size: 8, Members: []btf.Member{
			{Name: "a", Type: intT}, {Name: "b", Type: uintT},
		}}, Offset: 32 * 8},
	}
	voidPtr := &btf.Pointer{Target: &btf.Void{}}
	sw := &btf.Func{Name: "__probestub_sched_switch", Linkage: btf.StaticFunc, Type: &btf.FuncProto{
		Return: &btf.Void{},
		Params: []btf.FuncParam{
			{Name: "__data", Type: voidPtr},
			{Name: "preempt", Type: boolT},
			{Name: "prev", Type: &btf.Pointer{Target: task}},
			{Name: "next", Type: &btf.Pointer{Target: task}},
			{Name: "prev_state", Type: uintT},
		},
	}}
	wk := &btf.Func{Name: "__traceiter_sched_wakeup", Linkage: btf.StaticFunc, Type: &btf.FuncProto{
		Return: intT,
		Params: []btf.FuncParam{
			{Name: "__data", Type: voidPtr},
			{Name: "p", Type: &btf.Pointer{Target: task}},
		},
	}}
	name := &btf.Func{Name: "__traceiter_sys_enter", Linkage: btf.StaticFunc, Type: &btf.FuncProto{
		Return: intT,
		Params: []btf.FuncParam{
			{Name: "__data", Type: voidPtr},
			{Name: "regs", Type: &btf.Pointer{Target: &btf.Struct{Name: "pt_regs", Size: 168}}},
			{Name: "id", Type: &btf.Int{Name: "long int", Size: 8, Encoding: btf.Signed}},
		},
	}}
	b, err := btf.NewBuilder([]btf.Type{sw, wk, name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := b.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func btfTarget(t *testing.T) *DirTarget {
	d := testTarget()
	d.BTF = testBTF(t)
	return d
}

func TestRawTracepointContexts(t *testing.T) {
	env := NewEnv(btfTarget(t)).(*env)
	ctxs, err := env.contexts("rt:sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	c := ctxs[0]
	if c.Name != "rawtracepoint:vmlinux:sched_switch" || c.Kind != types.ProgRawTracepoint || c.Provider != "rawtracepoint" {
		t.Errorf("context = %+v", c)
	}
	want := "preempt@0:uint8 prev@8:struct task_struct * next@16:struct task_struct * prev_state@24:uint32"
	var got []string
	for _, f := range c.Args.Fields {
		got = append(got, f.Name+"@"+itoaTest(f.Offset)+":"+f.Type.String())
	}
	if strings.Join(got, " ") != want {
		t.Errorf("args = %s\nwant %s", strings.Join(got, " "), want)
	}
	if c.Args.Size != 32 {
		t.Errorf("args size %d", c.Args.Size)
	}
	task := c.Args.Fields[1].Type.Elem
	var names []string
	for _, f := range task.Fields {
		names = append(names, f.Name+"@"+itoaTest(f.Offset)+":"+f.Type.String())
	}
	// the bitfield is left out; the anonymous union's members are lifted.
	if got := strings.Join(names, " "); got != "pid@0:int32 comm@8:int8[16] parent@24:struct task_struct * a@32:int32 b@32:uint32" {
		t.Errorf("task_struct = %s", got)
	}
	if task.Fields[2].Type.Elem != task {
		t.Errorf("task_struct.parent does not point back to task_struct")
	}
	if task.Fields[1].Type.Elem.Name != "char" {
		t.Errorf("comm is not a char array")
	}

	ctxs, err = env.contexts("rawtracepoint:sched_*")
	if err != nil || len(ctxs) != 2 || ctxs[1].Name != "rawtracepoint:vmlinux:sched_wakeup" {
		t.Errorf("wildcard: %v, %v", ctxs, err)
	}
	if _, err := env.contexts("rawtracepoint:nosuch"); err == nil || err.Error() != "rawtracepoint not found: nosuch" {
		t.Errorf("missing: %v", err)
	}
	if _, err := env.contexts("rawtracepoint:nosuch*"); err == nil || err.Error() != "no rawtracepoint matches nosuch*" {
		t.Errorf("no match: %v", err)
	}
	if _, err := newEnvForTest(testTarget()).contexts("rawtracepoint:sched_switch"); err == nil || !strings.HasPrefix(err.Error(), "rawtracepoints require kernel BTF") {
		t.Errorf("no BTF: %v", err)
	}
}

func itoaTest(n int) string { return strconv.Itoa(n) }

// TestRawTracepointTpBTF: where the kernel types raw tracepoint programs
// by BTF, a raw tracepoint's program is a tp_btf tracing program on the
// tracepoint, with its number of arguments (argN beyond them is refused).
func TestRawTracepointTpBTF(t *testing.T) {
	tgt := btfTarget(t)
	tgt.Features[FeatureTpBTF] = true
	ctxs, err := newEnvForTest(tgt).contexts("rawtracepoint:sched_switch")
	if err != nil {
		t.Fatal(err)
	}
	c := ctxs[0]
	if c.Kind != types.ProgTracing || !c.RawTP || c.AttachTo != "sched_switch" || c.NumArgs != 4 || c.Args.Size != 32 {
		t.Errorf("context = %+v", c)
	}
}

func TestListRawTracepoints(t *testing.T) {
	got, err := ListVerbose(btfTarget(t), "rawtracepoint:*")
	if err != nil {
		t.Fatal(err)
	}
	want := `rawtracepoint:vmlinux:sched_switch
    bool preempt
    struct task_struct * prev
    struct task_struct * next
    unsigned int prev_state
rawtracepoint:vmlinux:sched_wakeup
    struct task_struct * p
rawtracepoint:vmlinux:sys_enter
    struct pt_regs * regs
    long int id`
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
}

func newEnvForTest(t Target) *env { return NewEnv(t).(*env) }
