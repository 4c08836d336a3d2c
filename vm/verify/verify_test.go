package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/vm/insn"
)

func TestKernelLogInsn(t *testing.T) {
	for _, c := range []struct {
		log  string
		insn int
		msg  string
	}{
		{`0: R1=ctx() R10=fp0
0: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????
1: (bf) r2 = r10                      ; R2=fp0 R10=fp0
5: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=m,ks=4,vs=8)
6: (79) r1 = *(u64 *)(r0 +0)
R0 invalid mem access 'map_value_or_null'
processed 6 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
`, 6, "R0 invalid mem access 'map_value_or_null'"},
		{"back-edge from insn 4 to 2\nprocessed 0 insns (limit 1000000)\n", 4, "back-edge from insn 4 to 2"},
		{"unreachable insn 3\n", 3, "unreachable insn 3"},
		{"0: (05) goto pc-1\ninfinite loop detected at insn 0\ncur state: R1=ctx() R10=fp0\nprocessed 2 insns\n", 0, "cur state: R1=ctx() R10=fp0"},
		{"last insn is not an exit or jmp\nprocessed 0 insns (limit 1000000)\n", -1, "last insn is not an exit or jmp"},
		{"", -1, ""},
	} {
		insn, msg := KernelLogInsn(strings.Split(c.log, "\n"))
		if insn != c.insn || msg != c.msg {
			t.Errorf("KernelLogInsn(%q) = %d, %q; want %d, %q", c.log, insn, msg, c.insn, c.msg)
		}
	}
}

func check(t *testing.T, pt ebpf.ProgramType, text string, opts Options, maps ...*ebpf.MapSpec) error {
	t.Helper()
	p, err := assemble(text)
	if err != nil {
		t.Fatal(err)
	}
	tc := &textCase{prog: p, maps: maps}
	b, fds, err := tc.raw(nil)
	if err != nil {
		t.Fatal(err)
	}
	return Raw(b, pt, fds, opts)
}

func TestCtxSize(t *testing.T) {
	prog := "ldxdw %r0, [%r1+16]\nexit\n"
	if err := check(t, ebpf.TracePoint, prog, Options{CtxSize: 24}); err != nil {
		t.Errorf("read inside the record: %v", err)
	}
	err := check(t, ebpf.TracePoint, prog, Options{CtxSize: 20})
	if err == nil || !strings.Contains(err.Error(), "past the end of the tracepoint's 20-byte record") {
		t.Errorf("read past the record: %v", err)
	}
	if err := check(t, ebpf.RawTracepoint, "ldxdw %r0, [%r1+16]\nexit\n", Options{CtxSize: 16}); err == nil {
		t.Errorf("raw tracepoint argument 2 of 2 accepted")
	}
}

func TestMaxInsns(t *testing.T) {
	prog := "mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 100, loop\nexit\n"
	if err := check(t, ebpf.TracePoint, prog, Options{}); err != nil {
		t.Fatal(err)
	}
	err := check(t, ebpf.TracePoint, prog, Options{MaxInsns: 50})
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(e.Msg, "50 instruction limit") {
		t.Errorf("got %v, want the 50 instruction limit", err)
	}
}

func TestErrorDetail(t *testing.T) {
	m := &ebpf.MapSpec{Name: "m", Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	err := check(t, ebpf.TracePoint, `
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map:m
call map_lookup_elem
ldxdw %r0, [%r0+0]
exit
`, Options{}, m)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if e.Insn != 6 || !strings.HasPrefix(e.Msg, "map value may be NULL") {
		t.Errorf("got %v", e)
	}
	if !strings.Contains(e.Detail, "R0=map_value_or_null(map=m") || !strings.Contains(e.Detail, "fp-8=") {
		t.Errorf("detail %q lacks the state", e.Detail)
	}
	if strings.Contains(e.Msg, "\n") {
		t.Errorf("message is not one line: %q", e.Msg)
	}
}

// The code generator's form: labels, symbolic jumps and calls, maps by
// name, positions as comments.
func TestProgramSymbolic(t *testing.T) {
	maps := map[string]*ebpf.MapSpec{"counts": {Name: "counts", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 16}}
	insns := asm.Instructions{
		asm.Mov.Imm(asm.R0, 0).WithSymbol("prog").WithSource(asm.Comment("t.gt:1:1")),
		{OpCode: asm.StoreImmOp(asm.DWord), Dst: asm.RFP, Offset: -8},
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -8),
		asm.LoadMapPtr(asm.R1, 0).WithReference("counts"),
		asm.FnMapLookupElem.Call(),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord).WithSource(asm.Comment("t.gt:2:5")),
		asm.Call.Label("helper"),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
		asm.Mov.Imm(asm.R0, 1).WithSymbol("helper"),
		asm.Return(),
	}
	if err := Program(insns, ebpf.Kprobe, maps, Options{}); err != nil {
		t.Fatal(err)
	}
	// Without the NULL check the load is refused at its raw index (the
	// lddw counts two).
	bad := append(asm.Instructions(nil), insns...)
	bad[6] = asm.Mov.Imm(asm.R3, 0)
	err := Program(bad, ebpf.Kprobe, maps, Options{})
	var e *Error
	if !errors.As(err, &e) || e.Insn != 8 {
		t.Fatalf("got %v, want a refusal at insn 8", err)
	}
	if err := Program(insns, ebpf.Kprobe, nil, Options{}); err == nil || !strings.Contains(err.Error(), `map "counts"`) {
		t.Errorf("missing map: got %v", err)
	}
}

func TestRawErrors(t *testing.T) {
	if err := Raw(make([]byte, 12), ebpf.TracePoint, nil, Options{}); err == nil {
		t.Error("12 bytes accepted")
	}
	if err := Raw(nil, ebpf.TracePoint, nil, Options{}); err == nil {
		t.Error("empty program accepted")
	}
	if err := Raw([]byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, ebpf.SchedCLS, nil, Options{}); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("unsupported program type: %v", err)
	}
	// lddw of a map fd the program was not given
	if err := Raw([]byte{0x18, 0x11, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}, ebpf.TracePoint, nil, Options{}); err == nil || !strings.Contains(err.Error(), "fd 7") {
		t.Errorf("unknown fd: %v", err)
	}
}

func TestText(t *testing.T) {
	src := `# a conformance-style file
-- asm
mov %r0, 0
exit
-- result
0x0
`
	if err := Text([]byte(src), ebpf.TracePoint, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := Text([]byte("-- asm\nbogus %r0\n"), 0, Options{}); err == nil || !strings.Contains(err.Error(), "unknown instruction") {
		t.Errorf("bad instruction: %v", err)
	}
	if err := Text([]byte("mov %r0, 0\n"), 0, Options{}); err == nil {
		t.Error("text without -- asm accepted")
	}
}

func TestCommand(t *testing.T) {
	var out, errb strings.Builder
	code := Command([]string{"testdata/exit_r0_set.data", "testdata/map_lookup_unchecked.data"}, &out, &errb)
	want := "ACCEPT exit_r0_set\nREJECT map_lookup_unchecked: insn 6: map value may be NULL here: check the lookup's result (r0) against 0 before using it\n"
	if code != 1 || out.String() != want {
		t.Errorf("got %d\n%s\nwant 1\n%s\nstderr: %s", code, out.String(), want, errb.String())
	}
	out.Reset()
	if code := Command([]string{"-type", "socket", "testdata/sock_ctx_len.data"}, &out, &errb); code != 0 || out.String() != "ACCEPT sock_ctx_len\n" {
		t.Errorf("got %d %q", code, out.String())
	}
	out.Reset()
	// The flag's type wins over the file's: a socket filter may not call
	// the stack helper.
	if code := Command([]string{"-type", "socket", "-d", "testdata/helper_get_stackid.data"}, &out, &errb); code != 1 || !strings.Contains(out.String(), "REJECT helper_get_stackid: insn 4:") || !strings.Contains(out.String(), "\tR1=") {
		t.Errorf("got %d %q", code, out.String())
	}
	if code := Command([]string{"-type", "bogus", "x"}, &out, &errb); code != 2 {
		t.Errorf("bad type: got %d", code)
	}
	if code := Command([]string{"testdata/nonexistent.data"}, &out, &errb); code != 2 {
		t.Errorf("missing file: got %d", code)
	}
}

func TestNumCPU(t *testing.T) {
	m := &ebpf.MapSpec{Name: "m", Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 32, MaxEntries: 1}
	prog := `
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map:m
call map_lookup_elem
jeq %r0, 0, out
mov %r6, %r0
call get_smp_processor_id
lsh %r0, 3
add %r6, %r0
ldxdw %r0, [%r6+0]
out:
mov %r0, 0
exit
`
	if err := check(t, ebpf.TracePoint, prog, Options{NumCPU: 4}, m); err != nil {
		t.Errorf("4 CPUs: %v", err)
	}
	if err := check(t, ebpf.TracePoint, prog, Options{NumCPU: 5}, m); err == nil {
		t.Errorf("5 CPUs: accepted an index up to 32")
	}
	if err := check(t, ebpf.TracePoint, prog, Options{}, m); err == nil {
		t.Errorf("unknown CPUs: accepted")
	}
}

// TestSpillSize checks the bit arithmetic of slot.spillSize and
// slot.anySpill against counting byte by byte, for every slot.
func TestSpillSize(t *testing.T) {
	var sl slot
	for n := 0; n < 1<<16; n++ {
		for j := range sl.typ {
			sl.typ[j] = uint8(n>>(2*j)) & 3
		}
		want, any := 0, false
		for want < 8 && sl.typ[want] == sSpill {
			want++
		}
		for _, b := range sl.typ {
			any = any || b == sSpill
		}
		if got := sl.spillSize(); got != want {
			t.Fatalf("spillSize of %v = %d, want %d", sl.typ, got, want)
		}
		if sl.anySpill() != any {
			t.Fatalf("anySpill of %v = %v, want %v", sl.typ, !any, any)
		}
	}
}

// TestAppendPlain compares appendPlain with asm.Instruction.Marshal (its
// bytes decoded) for
// every opcode byte and a spread of registers, offsets and constants.
func TestAppendPlain(t *testing.T) {
	regs := []asm.Register{0, 1, 5, 10, 11, 15}
	offs := []int16{0, 1, -1, 0x7fff, -0x8000}
	consts := []int64{0, 1, -1, 0x7fffffff, -0x80000000, 0x100000000, -0x123456789a, math.MaxInt64, math.MinInt64}
	plain := 0
	for op := 0; op <= 0xff; op++ {
		for _, dst := range regs {
			for _, src := range regs {
				for _, off := range offs {
					for _, c := range consts {
						ins := asm.Instruction{OpCode: asm.OpCode(op), Dst: dst, Src: src, Offset: off, Constant: c}
						got, ok := appendPlain(nil, &ins)
						if !ok {
							continue
						}
						plain++
						var enc bytes.Buffer
						if _, err := ins.Marshal(&enc, binary.LittleEndian); err != nil {
							t.Fatalf("%#x: appendPlain encodes what Marshal refuses: %v", op, err)
						}
						want, err := insn.Decode(enc.Bytes())
						if err != nil {
							t.Fatalf("%#x: Marshal's bytes % x do not decode: %v", op, enc.Bytes(), err)
						}
						if len(got) != len(want) {
							t.Fatalf("%#x: appendPlain made %d slots, Marshal %d", op, len(got), len(want))
						}
						for k := range got {
							if got[k].Insn != want[k] {
								t.Fatalf("%#x dst %d src %d off %d imm %d: appendPlain %+v, Marshal %+v", op, dst, src, off, c, got[k].Insn, want[k])
							}
						}
					}
				}
			}
		}
	}
	if plain == 0 {
		t.Fatal("appendPlain encoded nothing")
	}
}

// TestLookupKeyThroughMove: a hash map's key does not matter to safety,
// so the 1,024 keys ten branches build are one state to the verifier,
// also when the map's address reaches r1 by a move from a callee-saved
// register (as reused map addresses do) in a program that looks up an
// array too. An array's key matters (a constant key in range cannot
// fail), and there the paths stay apart.
func TestLookupKeyThroughMove(t *testing.T) {
	var ladder strings.Builder
	ladder.WriteString("mov %r7, 0\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&ladder, "call get_prandom_u32\njeq %%r0, 0, a%d\nadd %%r7, %d\na%d:\n", i, 1<<i, i)
	}
	prog := func(m string) string {
		return `stw [%r10-16], 0
mov %r2, %r10
add %r2, -16
lddw %r1, map:a
call map_lookup_elem
lddw %r6, map:` + m + "\n" + ladder.String() + `stxdw [%r10-8], %r7
mov %r1, %r6
mov %r2, %r10
add %r2, -8
call map_lookup_elem
mov %r0, 0
exit
`
	}
	hash := &ebpf.MapSpec{Name: "h", Type: ebpf.Hash, KeySize: 8, ValueSize: 8, MaxEntries: 1}
	array := &ebpf.MapSpec{Name: "a", Type: ebpf.Array, KeySize: 4, ValueSize: 8, MaxEntries: 1}
	opts := Options{MaxInsns: 2000}
	if err := check(t, ebpf.TracePoint, prog("h"), opts, hash, array); err != nil {
		t.Errorf("hash map through a move: %v", err)
	}
	err := check(t, ebpf.TracePoint, prog("a"), opts, hash, array)
	var e *Error
	if !errors.As(err, &e) || !e.Limit {
		t.Errorf("array through a move: got %v, want the instruction limit (its keys kept apart)", err)
	}
}
