package output

import "testing"

// TestFormatGFP checks GFP flag names: composites before single flags,
// the kernel's bits taking over from the defaults, and leftover bits in
// hex.
func TestFormatGFP(t *testing.T) {
	recent := map[string]int{}
	for k, v := range DefaultGFPBits {
		if k != "ATOMIC" {
			recent[k] = v
		}
	}
	recent["NO_OBJ_EXT"] = 24
	for _, tc := range []struct {
		flags uint64
		bits  map[string]int
		want  string
	}{
		{0xcc0, DefaultGFPBits, "GFP_KERNEL"},
		{0xcc0 | 1<<22, DefaultGFPBits, "GFP_KERNEL_ACCOUNT"},
		{0xcc0 | 1<<13, recent, "GFP_KERNEL|__GFP_NOWARN"},
		{0xa20, DefaultGFPBits, "GFP_ATOMIC"},
		{0x820, recent, "GFP_ATOMIC"},
		{0x820, DefaultGFPBits, "GFP_NOWAIT|__GFP_HIGH"},
		{0x100 | 1<<30, recent, "__GFP_ZERO|0x40000000"},
		{0, recent, "0"},
	} {
		if got := FormatGFP(tc.flags, tc.bits); got != tc.want {
			t.Errorf("FormatGFP(%#x) = %q, want %q", tc.flags, got, tc.want)
		}
	}
	if got := sprintf("%gr|%-12gr|", []value{{kind: vUint, u: 0xcc0}, {kind: vUint, u: 0x10}}, nil); got != "GFP_KERNEL|__GFP_RECLAIMABLE|" {
		t.Errorf("sprintf %%gr: %q", got)
	}
}
