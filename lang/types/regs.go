package types

import (
	"debug/elf"
	"runtime"
	"strconv"
	"strings"
)

// RegLayout is where a machine's struct pt_regs keeps the registers a
// probe reads: the argument registers of the C calling convention
// (argN), the return value (retval), the instruction and stack pointers,
// and the names reg() accepts. The probes package picks the layout of
// the target's architecture and puts it on every context whose program
// sees registers (kprobes, uprobes, usdt, perf events); the checker and
// codegen take every pt_regs offset from it.
type RegLayout struct {
	Arch    string      // GOARCH spelling: "amd64", "arm64"
	Machine elf.Machine // the ELF machine of the architecture's binaries
	Size    int         // bytes of the registers a BPF program may read
	Args    []int32     // argument registers, in order
	Ret     int32       // the return value register
	IP      int32       // instruction pointer
	SP      int32       // stack pointer
	FP      int32       // frame pointer
	// Mode is the register whose bits ModeMask equal UserMode when the
	// probe interrupted user code (usermode).
	Mode     int32
	ModeMask int64
	UserMode int64
	// Names are the registers reg() reads, by the names reg() takes.
	Names map[string]int
}

// RegsAMD64 is x86-64's struct pt_regs.
var RegsAMD64 = &RegLayout{
	Arch:    "amd64",
	Machine: elf.EM_X86_64,
	Size:    168,
	Args:    []int32{112, 104, 96, 88, 72, 64}, // rdi, rsi, rdx, rcx, r8, r9
	Ret:     80, IP: 128, SP: 152, FP: 32,
	Mode: 136, ModeMask: 3, UserMode: 3, // the privilege level of cs
	Names: map[string]int{
		"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56, "r9": 64, "r8": 72,
		"ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128, "cs": 136, "flags": 144,
		"sp": 152, "ss": 160,
		"pc": 128, // bpftrace's name of the instruction pointer on every architecture
	},
}

// RegsARM64 is arm64's struct pt_regs: x0 to x30, sp, pc, pstate.
var RegsARM64 = &RegLayout{
	Arch:    "arm64",
	Machine: elf.EM_AARCH64,
	Size:    272,                                   // struct user_pt_regs, what BPF programs see
	Args:    []int32{0, 8, 16, 24, 32, 40, 48, 56}, // x0 to x7
	Ret:     0, IP: 256, SP: 248, FP: 232,
	Mode: 264, ModeMask: 0xf, UserMode: 0, // pstate's exception level and stack: EL0t
	Names: arm64RegNames(),
}

// arm64RegNames are bpftrace's arm64 names (r0..r30 and regs[0]..
// regs[30] for x0..x30, sp, pc, pstate, and the registers of 32-bit
// compat tasks that have a role), with the assembler's x0..x30 and ip,
// fp and lr.
func arm64RegNames() map[string]int {
	m := map[string]int{"sp": 248, "pc": 256, "ip": 256, "pstate": 264, "fp": 232, "lr": 240,
		"compat_fp": 11 * 8, "compat_sp": 13 * 8, "compat_lr": 14 * 8}
	for i := 0; i <= 30; i++ {
		n := strconv.Itoa(i)
		m["r"+n], m["x"+n], m["regs["+n+"]"] = 8*i, 8*i, 8*i
	}
	return m
}

// RegLayoutOf returns the layout of the architecture named as GOARCH
// names it, or nil for one gotrace does not know.
func RegLayoutOf(arch string) *RegLayout {
	switch arch {
	case "amd64":
		return RegsAMD64
	case "arm64":
		return RegsARM64
	}
	return nil
}

// Offset is the offset in struct pt_regs of a register named as reg()
// names it ("ip", "sp", "di", "r8"; on x86-64 also "rip", "rsp", ...), or
// -1.
func (l *RegLayout) Offset(name string) int {
	if off, ok := l.Names[name]; ok {
		return off
	}
	if l == RegsAMD64 && strings.HasPrefix(name, "r") {
		if off, ok := l.Names[name[1:]]; ok {
			return off // rip, rsp, rax, ...
		}
	}
	return -1
}

// Example is a few register names to suggest in a message.
func (l *RegLayout) Example() string {
	if l == RegsARM64 {
		return `"pc", "sp" or "r0"`
	}
	return `"ip", "sp" or "di"`
}

// ArchOf is the architecture of a context's registers: its layout's,
// else (a program that sees no registers) the host's.
func ArchOf(c *Context) string {
	if c.Regs != nil {
		return c.Regs.Arch
	}
	return runtime.GOARCH
}
