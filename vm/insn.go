// Package vm is an eBPF machine in Go: it executes the raw bytes of a BPF
// program — the same bytes gotrace loads into the kernel — in user space.
// It is how the compiler is tested without root, how gotrace runs a
// script with no kernel at all (--emulate), and an oracle the kernel and
// the code generator are checked against.
//
// # Instructions
//
// Decode reads the 8-byte instruction slots itself (the raw opcode byte,
// registers, 16-bit offset, 32-bit immediate; lddw joined with its second
// slot). The interpreter implements the whole ISA of RFC 9669 with its v4
// additions: 32- and 64-bit ALU (signed division and modulo, movsx, byte
// swaps), every conditional jump in both widths, gotol, loads and stores
// of every size (sign-extending loads too), the atomics (add, or, and,
// xor with and without fetch, xchg, cmpxchg; 32 and 64 bit), lddw with
// its map forms, bpf-to-bpf calls and exit. Division by zero and shifts
// past the width follow the ISA (no traps).
//
// # Memory
//
// Every piece of memory a program may touch is a region: the stack of
// each frame (512 bytes), the context, each map value, each ring buffer
// reservation, the scratch a helper hands out. A region owns a 4 GiB
// window of the 64-bit address space (its id in the upper 32 bits), so an
// address names its region directly and every access is checked against
// the region's size: anything else stops the run with a RunError naming
// the instruction. Pointers to maps (lddw src=1) live in a window of their
// own and cannot be dereferenced. Kernel and user memory for the
// probe_read helpers come from Config (fakes in tests).
//
// # Maps and helpers
//
// Maps (maps.go) are emulated: hash, per-CPU hash, LRU hash and LRU
// per-CPU hash, array and per-CPU array, ring buffer, perf event array,
// stack trace. Helpers (helpers.go) are dispatched by number; their
// results (time, pid, comm, random numbers, stacks) come from Config so
// runs are deterministic. Callbacks (bpf_for_each_map_elem, bpf_loop)
// run as nested bpf-to-bpf calls.
package vm

import (
	"encoding/binary"
	"fmt"
)

// Instruction classes and fields of the raw opcode byte.
const (
	classLD    = 0x00
	classLDX   = 0x01
	classST    = 0x02
	classSTX   = 0x03
	classALU   = 0x04
	classJMP   = 0x05
	classJMP32 = 0x06
	classALU64 = 0x07

	srcX = 0x08 // register source (ALU, JMP); for END: to big endian

	modeIMM    = 0x00
	modeMEM    = 0x60
	modeMEMSX  = 0x80
	modeATOMIC = 0xc0

	sizeW  = 0x00
	sizeH  = 0x08
	sizeB  = 0x10
	sizeDW = 0x18
)

// ALU operations (upper 4 bits).
const (
	aluADD  = 0x00
	aluSUB  = 0x10
	aluMUL  = 0x20
	aluDIV  = 0x30
	aluOR   = 0x40
	aluAND  = 0x50
	aluLSH  = 0x60
	aluRSH  = 0x70
	aluNEG  = 0x80
	aluMOD  = 0x90
	aluXOR  = 0xa0
	aluMOV  = 0xb0
	aluARSH = 0xc0
	aluEND  = 0xd0
)

// Jump operations (upper 4 bits).
const (
	jmpJA   = 0x00
	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJGE  = 0x30
	jmpJSET = 0x40
	jmpJNE  = 0x50
	jmpJSGT = 0x60
	jmpJSGE = 0x70
	jmpCALL = 0x80
	jmpEXIT = 0x90
	jmpJLT  = 0xa0
	jmpJLE  = 0xb0
	jmpJSLT = 0xc0
	jmpJSLE = 0xd0
)

// Atomic operations (the immediate of an atomic store).
const (
	atomicADD     = 0x00
	atomicOR      = 0x40
	atomicAND     = 0x50
	atomicXOR     = 0xa0
	atomicFETCH   = 0x01
	atomicXCHG    = 0xe0 | atomicFETCH
	atomicCMPXCHG = 0xf0 | atomicFETCH
)

// lddw source kinds.
const (
	pseudoMapFD    = 1
	pseudoMapValue = 2
	pseudoFunc     = 4
)

// Insn is one decoded instruction. An lddw takes two slots: its Imm64 is
// the whole constant and the second slot decodes as a Filler.
type Insn struct {
	Op     uint8
	Dst    uint8
	Src    uint8
	Off    int16
	Imm    int32
	Imm64  uint64 // lddw: the 64-bit constant (or the map fd, and for src=2 the offset in Next)
	Next   int32  // lddw: the immediate of the second slot
	Filler bool   // the second slot of an lddw
}

// Class is the instruction class (low 3 bits of the opcode).
func (in Insn) Class() uint8 { return in.Op & 0x07 }

// IsLDDW reports whether in is the first slot of a 64-bit immediate load.
func (in Insn) IsLDDW() bool { return in.Op == classLD|modeIMM|sizeDW }

// Decode reads raw 8-byte instruction slots. The result has one element
// per slot; the second slot of an lddw is a Filler.
func Decode(raw []byte) ([]Insn, error) {
	if len(raw)%8 != 0 {
		return nil, fmt.Errorf("program is %d bytes, not a whole number of 8-byte instructions", len(raw))
	}
	n := len(raw) / 8
	out := make([]Insn, n)
	for i := 0; i < n; i++ {
		s := raw[8*i : 8*i+8]
		in := Insn{
			Op:  s[0],
			Dst: s[1] & 0x0f,
			Src: s[1] >> 4,
			Off: int16(binary.LittleEndian.Uint16(s[2:])),
			Imm: int32(binary.LittleEndian.Uint32(s[4:])),
		}
		if in.IsLDDW() {
			if i+1 >= n {
				return nil, fmt.Errorf("instruction %d: lddw without its second slot", i)
			}
			s2 := raw[8*i+8 : 8*i+16]
			if s2[0] != 0 || s2[1] != 0 || s2[2] != 0 || s2[3] != 0 {
				return nil, fmt.Errorf("instruction %d: the second slot of lddw must be zero but for its immediate", i+1)
			}
			in.Next = int32(binary.LittleEndian.Uint32(s2[4:]))
			in.Imm64 = uint64(uint32(in.Imm)) | uint64(uint32(in.Next))<<32
			out[i] = in
			out[i+1] = Insn{Filler: true}
			i++
			continue
		}
		out[i] = in
	}
	return out, nil
}

// Encode writes instructions back to raw slots (the inverse of Decode).
func Encode(insns []Insn) []byte {
	out := make([]byte, 0, 8*len(insns))
	for _, in := range insns {
		if in.Filler {
			continue
		}
		var s [8]byte
		s[0] = in.Op
		s[1] = in.Dst&0x0f | in.Src<<4
		binary.LittleEndian.PutUint16(s[2:], uint16(in.Off))
		imm := in.Imm
		if in.IsLDDW() && in.Src == 0 {
			imm = int32(uint32(in.Imm64))
		}
		binary.LittleEndian.PutUint32(s[4:], uint32(imm))
		out = append(out, s[:]...)
		if in.IsLDDW() {
			var t [8]byte
			next := in.Next
			if in.Src == 0 {
				next = int32(uint32(in.Imm64 >> 32))
			}
			binary.LittleEndian.PutUint32(t[4:], uint32(next))
			out = append(out, t[:]...)
		}
	}
	return out
}
