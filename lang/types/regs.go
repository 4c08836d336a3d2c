package types

import (
	"debug/elf"
	"runtime"
	"strconv"
	"strings"
)

// A kprobe, uprobe or USDT program's context is the kernel's struct
// pt_regs: the registers of the probed code when the probe fired. Its
// layout is the architecture's, so everything that reads a register
// (argN, retval, reg(), func and usym of a uprobe, uaddr() in a
// position-independent binary, usermode, dw_ustack, USDT arguments)
// takes the offsets from a RegLayout, the one of the architecture the
// probes run on (Context.Regs; the host's by default).

// RegLayout is one architecture's struct pt_regs as probes read it.
type RegLayout struct {
	Arch    string      // GOARCH: "amd64", "arm64"
	Machine elf.Machine // the ELF machine of its binaries
	Size    int         // bytes of struct pt_regs a program may read
	// Args are the offsets of the registers that hold a function's
	// integer arguments, first to last, in the C calling convention
	// (which Go's register ABI follows on arm64, not on x86-64).
	Args []int32
	Ret  int32 // the return value register
	IP   int32 // the instruction pointer (pc)
	SP   int32 // the stack pointer
	FP   int32 // the frame pointer (rbp, x29)
	// The privilege level the probe interrupted: user code when
	// (word at Mode) & ModeMask == UserMode (x86-64: the low two bits of
	// cs are 3; arm64: the mode bits of pstate are EL0t, 0).
	Mode     int32
	ModeMask int64
	UserMode int64
	// Names are the registers reg() knows, bpftrace's names for the
	// architecture, by offset.
	Names map[string]int32
}

// AMD64Regs is x86-64's struct pt_regs (arch/x86/include/asm/ptrace.h).
var AMD64Regs = &RegLayout{
	Arch: "amd64", Machine: elf.EM_X86_64, Size: 168,
	Args: []int32{112, 104, 96, 88, 72, 64}, // rdi, rsi, rdx, rcx, r8, r9
	Ret:  80, IP: 128, SP: 152, FP: 32,
	Mode: 136, ModeMask: 3, UserMode: 3,
	Names: map[string]int32{
		"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56, "r9": 64, "r8": 72,
		"ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128, "pc": 128, "cs": 136, "flags": 144,
		"sp": 152, "ss": 160,
	},
}

// ARM64Regs is arm64's struct pt_regs (arch/arm64/include/asm/ptrace.h):
// x0 to x30, sp, pc and pstate, as struct user_pt_regs lays them out at
// its start. reg() names x0..x30 "r0".."r30" or "regs[0]".."regs[30]"
// (and x0..x30, as the assembler does).
var ARM64Regs = func() *RegLayout {
	l := &RegLayout{
		Arch: "arm64", Machine: elf.EM_AARCH64, Size: 34 * 8,
		Args: []int32{0, 8, 16, 24, 32, 40, 48, 56}, // x0..x7
		Ret:  0, IP: 256, SP: 248, FP: 29 * 8,
		Mode: 264, ModeMask: 0xf, UserMode: 0,
		Names: map[string]int32{
			"sp": 248, "pc": 256, "pstate": 264,
			// the registers of 32-bit (compat) tasks that have a role
			"compat_fp": 11 * 8, "compat_sp": 13 * 8, "compat_lr": 14 * 8,
		},
	}
	for i := int32(0); i <= 30; i++ {
		n := strconv.Itoa(int(i))
		l.Names["r"+n], l.Names["regs["+n+"]"], l.Names["x"+n] = 8*i, 8*i, 8*i
	}
	return l
}()

// RegLayoutOf is the layout of the architecture arch (a GOARCH), nil
// when gotrace has none for it.
func RegLayoutOf(arch string) *RegLayout {
	switch arch {
	case "amd64":
		return AMD64Regs
	case "arm64":
		return ARM64Regs
	}
	return nil
}

// HostRegs is the layout of the machine gotrace runs on (nil on an
// architecture it has none for: probes with registers are refused there).
var HostRegs = RegLayoutOf(runtime.GOARCH)

// Regs is the register layout of the probe's program: Context.Regs, else
// the host's.
func (c *Context) RegLayout() *RegLayout {
	if c.Regs != nil {
		return c.Regs
	}
	return HostRegs
}

// Offset is the offset in struct pt_regs of a register named as reg()
// names it, or -1. On x86-64 the names are the kernel's ("ip", "sp",
// "di", "r8") and the same with an "r" in front ("rip", "rdi").
func (l *RegLayout) Offset(name string) int {
	if l == nil {
		return -1
	}
	if off, ok := l.Names[name]; ok {
		return int(off)
	}
	if l.Arch == "amd64" && strings.HasPrefix(name, "r") {
		if off, ok := l.Names[name[1:]]; ok {
			return int(off) // rip, rsp, rax, ...
		}
	}
	return -1
}

// Example is a register name to suggest in a message.
func (l *RegLayout) Example() string {
	if l != nil && l.Arch == "arm64" {
		return `"pc", "sp" or "r0"`
	}
	return `"ip", "sp" or "di"`
}

// archOf names the architecture of a layout, the host's when there is
// none.
func archOf(l *RegLayout) string {
	if l == nil {
		return runtime.GOARCH
	}
	return l.Arch
}
