package codegen_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// checked is a parsed and checked script.
type checked struct {
	file *lang.File
	info *types.Info
}

// checkFor parses and checks src against a fake target of architecture
// arch.
func checkFor(t *testing.T, arch, src string) (checked, error) {
	t.Helper()
	target := probes.NewDirTarget("../probes/testdata")
	target.GOARCH = arch
	f, err := lang.Parse("test.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	info, err := types.Check(f, probes.NewEnv(target), types.Config{})
	return checked{f, info}, err
}

// compileFor compiles src for a fake target of architecture arch and
// returns the offsets its one program reads from the context (struct
// pt_regs), in order, with the immediates it masks and compares them
// with.
func compileFor(t *testing.T, arch, src string) (offs []int16, imms []int64) {
	t.Helper()
	f, err := checkFor(t, arch, src)
	if err != nil {
		t.Fatalf("%s: %s: %v", arch, src, err)
	}
	info := f.info
	prog, err := codegen.Compile(f.file, info, codegen.Target{NumCPU: 1})
	if err != nil {
		t.Fatalf("%s: %s: %v", arch, src, err)
	}
	for _, p := range prog.Spec.Programs {
		// The context pointer arrives in r1; follow it through moves
		// until it is overwritten (calls clobber r1 to r5).
		ctx := map[asm.Register]bool{asm.R1: true}
		for _, ins := range p.Instructions {
			op := ins.OpCode
			switch {
			case op.Class().IsLoad() && op.Mode() == asm.MemMode && ctx[ins.Src]:
				offs = append(offs, ins.Offset)
			case op.Class().IsALU() && op.ALUOp() == asm.And && op.Source() == asm.ImmSource,
				op.Class().IsJump() && op.JumpOp() == asm.JNE && op.Source() == asm.ImmSource && len(offs) > 0:
				imms = append(imms, ins.Constant)
			}
			switch {
			case ins.IsBuiltinCall() || ins.IsFunctionCall():
				for r := asm.R0; r <= asm.R5; r++ {
					delete(ctx, r)
				}
			case op.Class().IsALU() && op.ALUOp() == asm.Mov && op.Source() == asm.RegSource && ctx[ins.Src]:
				ctx[ins.Dst] = true
			case op.Class().IsALU() || op.Class().IsLoad():
				delete(ctx, ins.Dst)
			}
		}
	}
	return offs, imms
}

// TestRegLayouts: argN, retval, reg() and usermode read struct pt_regs
// where the target's architecture has them.
func TestRegLayouts(t *testing.T) {
	for _, tc := range []struct {
		arch, src string
		offs      []int16
		imms      []int64 // usermode's mask and user value
	}{
		{arch: "amd64", src: `kprobe:vfs_read { @a = arg0; @b = arg1; @c = arg5; }`, offs: []int16{112, 104, 64}},
		{arch: "arm64", src: `kprobe:vfs_read { @a = arg0; @b = arg1; @c = arg5; @d = arg7; }`, offs: []int16{0, 8, 40, 56}},
		{arch: "amd64", src: `kretprobe:vfs_read { @r = retval; }`, offs: []int16{80}},
		{arch: "arm64", src: `kretprobe:vfs_read { @r = retval; }`, offs: []int16{0}},
		{arch: "amd64", src: `kprobe:vfs_read { @s = reg("sp"); @i = reg("rip"); @d = reg("di"); }`, offs: []int16{152, 128, 112}},
		{arch: "arm64", src: `kprobe:vfs_read { @s = reg("sp"); @p = reg("pc"); @x = reg("r2"); @y = reg("regs[30]"); @z = reg("x29"); }`, offs: []int16{248, 256, 16, 240, 232}},
		{arch: "amd64", src: `kprobe:vfs_read { @u = usermode; }`, offs: []int16{136}, imms: []int64{3, 3}},
		{arch: "arm64", src: `kprobe:vfs_read { @u = usermode; }`, offs: []int16{264}, imms: []int64{0xf, 0}},
	} {
		offs, imms := compileFor(t, tc.arch, tc.src)
		if !slices.Equal(offs, tc.offs) {
			t.Errorf("%s: %s reads pt_regs at %v, want %v", tc.arch, tc.src, offs, tc.offs)
		}
		if tc.imms != nil && !slices.Equal(imms, tc.imms) {
			t.Errorf("%s: %s tests the mode with %v, want %v", tc.arch, tc.src, imms, tc.imms)
		}
	}
}

// TestRegLayoutErrors: what one architecture's struct pt_regs lacks is
// refused with its names, at the script's position.
func TestRegLayoutErrors(t *testing.T) {
	for _, tc := range []struct{ arch, src, want string }{
		{"arm64", `kprobe:vfs_read { @ = reg("di"); }`, `reg() takes a register name such as "pc", "sp" or "r0"`},
		{"amd64", `kprobe:vfs_read { @ = reg("r0"); }`, `reg() takes a register name such as "ip", "sp" or "di"`},
		{"amd64", `kprobe:vfs_read { @ = arg6; }`, `arg6 is not available`},
		{"arm64", `kprobe:vfs_read { @ = arg8; }`, `arg8 is not available`},
		{"arm64", `kprobe:vfs_read { @[dw_ustack] = count(); }`, `dw_ustack unwinds x86-64 stacks only; on arm64 use ustack`},
	} {
		if _, err := checkFor(t, tc.arch, tc.src); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %s: got %v, want an error with %q", tc.arch, tc.src, err, tc.want)
		}
	}
}

// TestKprobeOffsetARM64: a kprobe offset inside an arm64 instruction is
// refused before the kernel sees it; x86-64 offsets are the kernel's to
// check.
func TestKprobeOffsetARM64(t *testing.T) {
	for arch, want := range map[string]string{"arm64": "Could not add kprobe into middle of instruction: vfs_read+6", "amd64": ""} {
		_, err := checkFor(t, arch, `kprobe:vfs_read+6 { @ = count(); }`)
		if (err == nil) != (want == "") || err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", arch, err, want)
		}
	}
	if _, err := checkFor(t, "arm64", `kprobe:vfs_read+8 { @ = count(); }`); err != nil {
		t.Errorf("arm64 vfs_read+8: %v", err)
	}
}
