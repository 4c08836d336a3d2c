package insn

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
)

// Both dialects assemble: each line is written as the disassembler
// writes it back.
func TestAssembleDialects(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"mov %r0, 1", "mov %r0, 1"},
		{"mov64 r0, 1", "mov %r0, 1"},
		{"mov32 w1, -1", "mov32 %r1, -1"},
		{"add %r1, %r2", "add %r1, %r2"},
		{"sdiv32 %r1, 3", "sdiv32 %r1, 3"},
		{"smod %r1, %r2", "smod %r1, %r2"},
		{"neg64 %r3", "neg %r3"},
		{"movsx832 %r1, %r2", "movsx832 %r1, %r2"},
		{"movsx8_32 %r1, %r2", "movsx832 %r1, %r2"},
		{"movsx3264 %r1, %r2", "movsx3264 %r1, %r2"},
		{"movsx32 %r1, %r2", "movsx3264 %r1, %r2"},
		{"le16 %r1", "le16 %r1"},
		{"be64 %r1", "be64 %r1"},
		{"bswap32 %r1", "swap32 %r1"},
		{"swap64 %r1", "swap64 %r1"},
		{"ldxsh %r0, [%r1+2]", "ldxsh %r0, [%r1+2]"},
		{"ldxdw %r0, [%r10-8]", "ldxdw %r0, [%r10-8]"},
		{"stw [%r10-4], 7", "stw [%r10-4], 7"},
		{"stxb [%r10], %r1", "stxb [%r10], %r1"},
		{"lock fetch add32 [%r1+4], %r2", "lock fetch add32 [%r1+4], %r2"},
		{"atomic_fetch_add32 [%r1+4], %r2", "lock fetch add32 [%r1+4], %r2"},
		{"xadddw [%r1], %r2", "lock add [%r1], %r2"},
		{"lock cmpxchg [%r1], %r2", "lock cmpxchg [%r1], %r2"},
		{"atomic_cmpxchg64 [%r1], %r2", "lock cmpxchg [%r1], %r2"},
		{"atomic_xchg32 [%r1], %r2", "lock xchg32 [%r1], %r2"},
		{"jeq %r1, 0, +2", "jeq %r1, 0, +2"},
		{"jsgt32 %r1, %r2, -1", "jsgt32 %r1, %r2, -1"},
		{"ja32 +3", "ja32 +3"},
		{"call 5", "call 5"},
		{"call map_lookup_elem", "call 1"},
		{"call bpf_ktime_get_ns", "call 5"},
		{"call local +4", "call local +4"},
		{"lddw %r1, 0x123456789", "lddw %r1, 0x123456789"},
		{"exit", "exit"},
		{"raw 0xff, 1, 2, -3, 4", ".raw 0xff 1 2 -3 4"},
		{".raw 0xff 1 2 -3 4", ".raw 0xff 1 2 -3 4"},
	} {
		p, err := Assemble(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		got, err := Disassemble(p.Code)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got = strings.TrimSpace(got); got != c.want {
			t.Errorf("%q: disassembles as %q, want %q", c.src, got, c.want)
		}
		again, err := Assemble(got)
		if err != nil || !bytes.Equal(again.Code, p.Code) {
			t.Errorf("%q: %q does not assemble back: %v", c.src, got, err)
		}
	}
}

// Labels, symbolic references and the default "exit" label.
func TestAssembleLabels(t *testing.T) {
	p, err := Assemble(`
		lddw %r1, map:counts     ; slots 0-1
		lddw %r2, mapval:g+8     # slots 2-3
		lddw %r3, func:cb        # slots 4-5
	top:	jeq %r1, 0, exit         # slot 6
		call local cb            # slot 7
		ja top                   # slot 8
		lddw %r4, ksym:cpu_number # slots 9-10
		mov %r0, 0
		exit                     # slot 12
	cb:
		exit                     # slot 13
	`)
	if err != nil {
		t.Fatal(err)
	}
	insns, err := Decode(p.Code)
	if err != nil {
		t.Fatal(err)
	}
	if len(insns) != 14 {
		t.Fatalf("%d slots", len(insns))
	}
	want := []Ref{
		{Slot: 0, Line: 2, Src: PseudoMapFD, Name: "counts"},
		{Slot: 2, Line: 3, Src: PseudoMapValue, Name: "g"},
		{Slot: 9, Line: 8, Src: PseudoBTFID, Name: "cpu_number"},
	}
	if len(p.Refs) != len(want) {
		t.Fatalf("refs %+v", p.Refs)
	}
	for i := range want {
		if p.Refs[i] != want[i] {
			t.Errorf("ref %d: %+v, want %+v", i, p.Refs[i], want[i])
		}
	}
	for _, c := range []struct{ slot, target int }{{4, 13}, {6, 13}, {7, 13}, {8, 6}} {
		if got := insns[c.slot].Target(c.slot); got != c.target {
			t.Errorf("slot %d (%v) goes to %d, want %d", c.slot, insns[c.slot], got, c.target)
		}
	}
	if insns[2].Next != 8 {
		t.Errorf("mapval offset %d", insns[2].Next)
	}
	if _, err := Assemble("a:\na:\nexit"); err == nil {
		t.Error("a label defined twice")
	}
	if _, err := Assemble("ja nowhere\nexit"); err == nil || !strings.Contains(err.Error(), "unknown label") {
		t.Errorf("unknown label: %v", err)
	}
	for _, bad := range []string{"bogus %r0", "mov %r0", "mov %r16, 1", "ldxdw %r0, [%r1+40000]", "mov %r0, 0x100000000", "call no_such_helper", "lock nand [%r1], %r2"} {
		if _, err := Assemble(bad); err == nil {
			t.Errorf("%q assembles", bad)
		}
	}
}

func TestDecode(t *testing.T) {
	lddw := []byte{0x18, 0x01, 0, 0, 0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0, 0x01, 0, 0, 0}
	insns, err := Decode(lddw)
	if err != nil {
		t.Fatal(err)
	}
	if !insns[0].IsLDDW() || insns[0].Imm64 != 0x112345678 || insns[0].Next != 1 || !insns[1].Filler {
		t.Errorf("%+v", insns)
	}
	if !bytes.Equal(Encode(insns), lddw) {
		t.Error("Encode is not the inverse of Decode")
	}
	for _, c := range []struct {
		raw  []byte
		kind DecodeErrorKind
		slot int
	}{
		{lddw[:12], Length, 1},
		{lddw[:8], LDDWTruncated, 0},
		{append(append([]byte(nil), lddw[:8]...), 0x95, 0, 0, 0, 0, 0, 0, 0), LDDWSecondSlot, 0},
	} {
		_, err := Decode(c.raw)
		var de *DecodeError
		if !errors.As(err, &de) || de.Kind != c.kind || de.Slot != c.slot {
			t.Errorf("% x: %v", c.raw, err)
		}
	}
}

func TestHelperNames(t *testing.T) {
	for fn, name := range map[asm.BuiltinFunc]string{
		asm.FnMapLookupElem:     "bpf_map_lookup_elem",
		asm.FnGetSmpProcessorId: "bpf_get_smp_processor_id",
		asm.FnGetPrandomU32:     "bpf_get_prandom_u32",
		asm.FnDPath:             "bpf_d_path",
		asm.FnGetCurrentTaskBtf: "bpf_get_current_task_btf",
		asm.FnL3CsumReplace:     "bpf_l3_csum_replace",
		asm.FnKtimeGetTaiNs:     "bpf_ktime_get_tai_ns",
	} {
		if got := HelperName(fn); got != name {
			t.Errorf("HelperName(%d) = %s, want %s", fn, got, name)
		}
		for _, n := range []string{name, strings.TrimPrefix(name, "bpf_")} {
			if got, ok := HelperByName(n); !ok || got != fn {
				t.Errorf("HelperByName(%s) = %d, %v", n, got, ok)
			}
		}
	}
	if got := HelperName(100000); got != "helper 100000" {
		t.Errorf("unknown id: %s", got)
	}
}
