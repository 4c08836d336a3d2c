package types_test

import (
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

// TestRegLayouts checks reg()'s names and the registers argN, retval
// and func read, for each architecture.
func TestRegLayouts(t *testing.T) {
	for _, tc := range []struct {
		l    *types.RegLayout
		name string
		want int
	}{
		{types.RegsAMD64, "ip", 128}, {types.RegsAMD64, "rip", 128}, {types.RegsAMD64, "sp", 152},
		{types.RegsAMD64, "di", 112}, {types.RegsAMD64, "r8", 72}, {types.RegsAMD64, "rax", 80},
		{types.RegsAMD64, "x0", -1}, {types.RegsAMD64, "pc", 128},
		{types.RegsARM64, "x0", 0}, {types.RegsARM64, "r30", 240}, {types.RegsARM64, "sp", 248},
		{types.RegsARM64, "pc", 256}, {types.RegsARM64, "pstate", 264}, {types.RegsARM64, "rip", -1},
	} {
		if got := tc.l.Offset(tc.name); got != tc.want {
			t.Errorf("%s: Offset(%q) = %d, want %d", tc.l.Arch, tc.name, got, tc.want)
		}
	}
	for _, l := range []*types.RegLayout{types.RegsAMD64, types.RegsARM64} {
		if types.RegLayoutOf(l.Arch) != l {
			t.Errorf("RegLayoutOf(%q) is not its layout", l.Arch)
		}
		if len(l.Args) < types.ArgCount {
			t.Errorf("%s: %d argument registers, argN needs %d", l.Arch, len(l.Args), types.ArgCount)
		}
		if int(l.IP) != l.Offset("ip") || int(l.SP) != l.Offset("sp") {
			t.Errorf("%s: ip and sp disagree with reg()'s names", l.Arch)
		}
	}
	if types.RegLayoutOf("mips") != nil {
		t.Errorf("a layout for mips")
	}
}
