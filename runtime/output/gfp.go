package output

import (
	"strconv"
	"strings"
)

// GFP flags (%gr in printf) print as the kernel prints them with %pGg:
// the composite names first (GFP_KERNEL is __GFP_RECLAIM|__GFP_IO|
// __GFP_FS), then single flags, each taking its bits out, and what no name
// covers in hex. The bit of each single flag comes from the kernel's BTF
// (the ___GFP_*_BIT enum, Linux 6.10 and later) when the Symbolizer knows
// it, else from the layout older kernels share (DefaultGFPBits).

// DefaultGFPBits are the bit numbers of the single GFP flags in kernels
// before the ___GFP_*_BIT enum (6.1 to 6.9).
var DefaultGFPBits = map[string]int{
	"DMA": 0, "HIGHMEM": 1, "DMA32": 2, "MOVABLE": 3, "RECLAIMABLE": 4, "HIGH": 5, "IO": 6, "FS": 7,
	"ZERO": 8, "ATOMIC": 9, "DIRECT_RECLAIM": 10, "KSWAPD_RECLAIM": 11, "WRITE": 12, "NOWARN": 13,
	"RETRY_MAYFAIL": 14, "NOFAIL": 15, "NORETRY": 16, "MEMALLOC": 17, "COMP": 18, "NOMEMALLOC": 19,
	"HARDWALL": 20, "THISNODE": 21, "ACCOUNT": 22, "ZEROTAGS": 23,
}

// gfpNames are the names in the kernel's order, each with the single
// flags it stands for.
var gfpNames = []struct {
	name  string
	flags []string
}{
	{"GFP_TRANSHUGE", []string{"DIRECT_RECLAIM", "IO", "FS", "HARDWALL", "HIGHMEM", "MOVABLE", "COMP", "NOMEMALLOC", "NOWARN"}},
	{"GFP_TRANSHUGE_LIGHT", []string{"IO", "FS", "HARDWALL", "HIGHMEM", "MOVABLE", "COMP", "NOMEMALLOC", "NOWARN"}},
	{"GFP_HIGHUSER_MOVABLE", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO", "FS", "HARDWALL", "HIGHMEM", "MOVABLE"}},
	{"GFP_HIGHUSER", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO", "FS", "HARDWALL", "HIGHMEM"}},
	{"GFP_USER", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO", "FS", "HARDWALL"}},
	{"GFP_KERNEL_ACCOUNT", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO", "FS", "ACCOUNT"}},
	{"GFP_KERNEL", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO", "FS"}},
	{"GFP_NOFS", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM", "IO"}},
	{"GFP_ATOMIC", []string{"HIGH", "ATOMIC", "KSWAPD_RECLAIM"}},
	{"GFP_NOIO", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM"}},
	{"GFP_NOWAIT", []string{"KSWAPD_RECLAIM"}},
	{"GFP_DMA", []string{"DMA"}},
	{"__GFP_HIGHMEM", []string{"HIGHMEM"}},
	{"GFP_DMA32", []string{"DMA32"}},
	{"__GFP_HIGH", []string{"HIGH"}},
	{"__GFP_ATOMIC", []string{"ATOMIC"}},
	{"__GFP_IO", []string{"IO"}},
	{"__GFP_FS", []string{"FS"}},
	{"__GFP_NOWARN", []string{"NOWARN"}},
	{"__GFP_RETRY_MAYFAIL", []string{"RETRY_MAYFAIL"}},
	{"__GFP_NOFAIL", []string{"NOFAIL"}},
	{"__GFP_NORETRY", []string{"NORETRY"}},
	{"__GFP_COMP", []string{"COMP"}},
	{"__GFP_ZERO", []string{"ZERO"}},
	{"__GFP_NOMEMALLOC", []string{"NOMEMALLOC"}},
	{"__GFP_MEMALLOC", []string{"MEMALLOC"}},
	{"__GFP_HARDWALL", []string{"HARDWALL"}},
	{"__GFP_THISNODE", []string{"THISNODE"}},
	{"__GFP_RECLAIMABLE", []string{"RECLAIMABLE"}},
	{"__GFP_MOVABLE", []string{"MOVABLE"}},
	{"__GFP_ACCOUNT", []string{"ACCOUNT"}},
	{"__GFP_WRITE", []string{"WRITE"}},
	{"__GFP_RECLAIM", []string{"DIRECT_RECLAIM", "KSWAPD_RECLAIM"}},
	{"__GFP_DIRECT_RECLAIM", []string{"DIRECT_RECLAIM"}},
	{"__GFP_KSWAPD_RECLAIM", []string{"KSWAPD_RECLAIM"}},
	{"__GFP_ZEROTAGS", []string{"ZEROTAGS"}},
}

// FormatGFP spells GFP flags with the bit numbers bits (single flag name
// without the ___GFP_ prefix and _BIT suffix: "IO"). A flag this kernel
// does not have (ATOMIC after 6.3) is left out of the composites.
func FormatGFP(flags uint64, bits map[string]int) string {
	if flags == 0 {
		return "0"
	}
	var parts []string
	for _, n := range gfpNames {
		var mask uint64
		missing := false
		for _, f := range n.flags {
			b, ok := bits[f]
			if !ok {
				if len(n.flags) == 1 {
					missing = true
				}
				continue
			}
			mask |= 1 << uint(b)
		}
		if missing || mask == 0 || flags&mask != mask {
			continue
		}
		parts = append(parts, n.name)
		flags &^= mask
		if flags == 0 {
			break
		}
	}
	if flags != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(flags, 16))
	}
	return strings.Join(parts, "|")
}
