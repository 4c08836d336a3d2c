package probes

import (
	"debug/elf"
	"fmt"
	"sort"
	"strconv"

	"golang.org/x/arch/arm64/arm64asm"
	"golang.org/x/arch/x86/x86asm"

	"github.com/gotrace/gotrace/symbolize"
)

// A uprobe replaces the first byte of an instruction with a breakpoint
// and runs the instruction it displaced out of line. Placed anywhere
// else, in the middle of an instruction, it corrupts that instruction:
// the traced program computes garbage or crashes, and nothing says so.
// So an offset into a function (uprobe:bin:func+8) and an address inside
// one (uprobe:bin:0x4011d8) are checked before anything is attached: the
// function's code is decoded from its first byte, one instruction after
// the other, and the offset must be where one starts. x86-64 has
// instructions of 1 to 15 bytes (golang.org/x/arch/x86/x86asm decodes
// them); arm64 has 4-byte instructions, so the offset must be a
// multiple of 4 and the word there an instruction
// (golang.org/x/arch/arm64/arm64asm). A place that is not an
// instruction boundary is refused, as bpftrace refuses it, unless
// --unsafe (Unsafe) asks to attach anyway, with a warning.

// placeState is what the check of a place found (bpftrace's AlignState).
type placeState int

const (
	placeOK      placeState = iota // an instruction starts there
	placeInside                    // inside an instruction
	placeFailed                    // the code could not be decoded up to there
	placeUnknown                   // no decoder for the architecture
)

// instructionStarts decodes code (a function, from its first byte) up to
// off and reports whether an instruction starts at off, with the offsets
// where instructions start up to there (for a hint).
func instructionStarts(machine elf.Machine, code []byte, off uint64) (placeState, []uint64) {
	switch machine {
	case elf.EM_X86_64:
		var starts []uint64
		pc := uint64(0)
		for pc < off {
			starts = append(starts, pc)
			n := x86Len(code[pc:])
			if n == 0 {
				return placeFailed, starts
			}
			pc += uint64(n)
		}
		if pc != off {
			// the next start too, for the hint
			if n := x86Len(code[pc:]); n > 0 || pc < uint64(len(code)) {
				starts = append(starts, pc)
			}
			return placeInside, starts
		}
		return placeOK, starts
	case elf.EM_AARCH64:
		if off%4 != 0 {
			return placeInside, []uint64{off &^ 3, off&^3 + 4}
		}
		if off+4 > uint64(len(code)) {
			return placeFailed, nil
		}
		if _, err := arm64asm.Decode(code[off : off+4]); err != nil {
			return placeFailed, nil
		}
		return placeOK, nil
	}
	return placeUnknown, nil
}

// x86Len is the length of the x86-64 instruction at the start of b, 0
// when it cannot be decoded. x86asm (checked against objdump over
// libc, libm, libstdc++, libcrypto and a Go binary) errs on two kinds of
// instructions, which are decoded here first:
//   - endbr64 and endbr32 (F3 0F 1E FA/FB, at the start of every
//     function built with -fcf-protection), which it takes for a 1-byte
//     REP before an unknown opcode: they are 4 bytes (and any other
//     unknown opcode is a failure);
//   - vzeroupper and vzeroall (VEX 0F 77, after AVX code), which it
//     takes for one byte longer: they have no ModRM byte.
func x86Len(b []byte) int {
	switch {
	case len(b) >= 4 && b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && (b[3] == 0xfa || b[3] == 0xfb):
		return 4
	case len(b) >= 3 && b[0] == 0xc5 && b[2] == 0x77: // 2-byte VEX, map 0F
		return 3
	case len(b) >= 4 && b[0] == 0xc4 && b[1]&0x1f == 1 && b[3] == 0x77: // 3-byte VEX, map 0F
		return 4
	}
	inst, err := x86asm.Decode(b, 64)
	if err != nil || inst.Op == 0 || inst.Len <= 0 {
		return 0
	}
	return inst.Len
}

// checkOffset checks func+off of a uprobe: within the function, and at
// an instruction boundary (bpftrace's resolve_offset_uprobe and
// check_alignment, in its words).
func (e *env) checkOffset(bin *elfBinary, s Spec, fn symbolize.Symbol, off uint64) error {
	if off >= fn.Size {
		return specErrorf("Offset outside the function bounds ('%s' size is %d)", fn.Name, fn.Size)
	}
	return e.checkPlace(bin, s, fn, off)
}

// checkAddress checks the absolute address of a uprobe: inside a
// function, at an instruction boundary; and a uretprobe only at a
// function's start.
func (e *env) checkAddress(bin *elfBinary, s Spec) error {
	if _, err := bin.fileOffset(s.Address); err != nil {
		se := specErrorf("Could not resolve address: %s:0x%x", s.Target, s.Address)
		se.Hint, se.Unplaced = err.Error(), true
		return se
	}
	fn, ok := containingFunc(bin.symbols(), s.Address)
	if !ok {
		if !e.unsafe {
			e := specErrorf("Could not resolve address: %s:0x%x", s.Target, s.Address)
			e.Unplaced = true
			e.Hint = "no function of the binary holds it, so gotrace cannot check that an instruction starts there; --unsafe attaches anyway"
			return e
		}
		e.warnf("Could not determine instruction boundary for %s (binary appears stripped). Misaligned probes can lead to tracee crashes!", s.Name())
		return nil
	}
	off := s.Address - fn.Addr
	if off == 0 {
		return nil
	}
	if s.Provider == "uretprobe" {
		return specErrorf("uretprobes cannot be attached at function offset. (address resolved to: %s+%d)", fn.Name, off)
	}
	return e.checkPlace(bin, s, fn, off)
}

// containingFunc finds the function whose bytes hold addr (one of size
// 0 only at its first byte).
func containingFunc(t *symbolize.Table, addr uint64) (symbolize.Symbol, bool) {
	syms := t.Symbols()
	i := sort.Search(len(syms), func(i int) bool { return syms[i].Addr > addr }) - 1
	for ; i >= 0 && i >= len(syms)-1-1<<20; i-- {
		s := syms[i]
		if addr == s.Addr || addr < s.Addr+s.Size {
			return s, true
		}
		if addr-s.Addr > 1<<24 {
			break
		}
	}
	return symbolize.Symbol{}, false
}

// checkPlace decodes fn up to off: an instruction boundary passes; any
// other place is refused, or with --unsafe warned about.
func (e *env) checkPlace(bin *elfBinary, s Spec, fn symbolize.Symbol, off uint64) error {
	where := s.Target + ":" + fn.Name + "+" + strconv.FormatUint(off, 10)
	code, err := bin.code(fn.Addr, fn.Size)
	state, starts := placeFailed, []uint64(nil)
	if err == nil {
		state, starts = instructionStarts(bin.elf.Machine, code, off)
	}
	var msg, warning, hint string
	switch state {
	case placeOK:
		return nil
	case placeInside:
		msg = "Could not add " + s.Provider + " into middle of instruction: " + where
		warning = "Unsafe " + s.Provider + " in the middle of the instruction: " + where
		if n := len(starts); n > 0 {
			hint = fmt.Sprintf("instructions of %s start at %s", fn.Name, nearest(fn.Name, starts, off))
		}
	case placeFailed:
		msg = "Failed to check if " + s.Provider + " is in proper place: " + where
		warning = "Unchecked " + s.Provider + ": " + where
		if err != nil {
			hint = "cannot read its code: " + err.Error()
		} else {
			at := off // arm64: the word at the offset itself
			if len(starts) > 0 {
				at = starts[len(starts)-1]
			}
			hint = fmt.Sprintf("gotrace cannot decode the instruction at %s+%d", fn.Name, at)
		}
	case placeUnknown:
		msg = "Can't check if " + s.Provider + " is in proper place (gotrace cannot decode " + bin.elf.Machine.String() + " code): " + where
		warning = "Unchecked " + s.Provider + ": " + where
	}
	if e.unsafe {
		e.warnf("%s", warning)
		return nil
	}
	se := specErrorf("%s", msg)
	se.Hint = hint
	if se.Hint != "" {
		se.Hint += "; "
	}
	se.Hint += "--unsafe attaches anyway, at the risk of corrupting the traced program"
	return se
}

// nearest spells the instruction starts around off: "leaf+7 and leaf+11".
func nearest(name string, starts []uint64, off uint64) string {
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > off })
	var parts []string
	if i > 0 {
		parts = append(parts, name+"+"+strconv.FormatUint(starts[i-1], 10))
	}
	if i < len(starts) {
		parts = append(parts, name+"+"+strconv.FormatUint(starts[i], 10))
	}
	switch len(parts) {
	case 0:
		return "?"
	case 1:
		return parts[0]
	}
	return parts[0] + " and " + parts[1]
}
