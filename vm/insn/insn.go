// Package insn is the eBPF instruction layer that the interpreter (vm)
// and the verifier (vm/verify) share: the opcode constants, the decoder
// of raw instruction bytes, one text assembler and its inverse, and the
// names of the kernel's helper functions. It knows how instructions are
// written down, never what they do: each user gives them its own
// meaning (vm executes them, vm/verify interprets them abstractly).
//
// # Encoding
//
// A program is a sequence of 8-byte little-endian slots (RFC 9669):
//
//	byte 0     opcode: class (low 3 bits) and, by class,
//	           code (4 bits) and source (1 bit) for ALU and jumps,
//	           mode (3 bits) and size (2 bits) for loads and stores
//	byte 1     destination register (low 4 bits), source register (high 4)
//	bytes 2-3  signed 16-bit offset
//	bytes 4-7  signed 32-bit immediate
//
// The one wide instruction, lddw (load a 64-bit immediate, or a map, a
// map value, a kernel variable or a function address, by its source
// field), takes two slots: the second holds the upper 32 bits of the
// constant in its immediate and must be zero elsewhere. Decode joins the
// two (Insn.Imm64) and marks the second slot as a Filler, so that slot
// numbers, which jumps count in, stay the indexes of the result.
//
// The constants carry the kernel's names without "BPF_" (JMP|CALL is the
// kernel's BPF_JMP | BPF_CALL); the helper ids are cilium/ebpf's
// asm.BuiltinFunc values.
//
// # Text
//
// Assemble reads the text format of the public eBPF conformance suite
// ("mov %r0, 1", "ldxdw %r0, [%r1+8]", "jeq %r1, 0, +2"), widened by what
// the verifier's test programs need: labels, helpers called by name,
// maps and kernel variables named symbolically (left to the caller to
// resolve: Program.Refs), and raw encodings for any bit pattern.
// Disassemble and Insn.String write the same format back (but for an
// lddw of a map, shown as "map(src=, fd=, off=)"). See Assemble for the
// syntax.
package insn

import (
	"encoding/binary"
	"fmt"
)

// Instruction classes: the low 3 bits of the opcode.
const (
	LD    = 0x00
	LDX   = 0x01
	ST    = 0x02
	STX   = 0x03
	ALU   = 0x04 // 32-bit arithmetic
	JMP   = 0x05
	JMP32 = 0x06 // jumps comparing the low 32 bits
	ALU64 = 0x07
)

// Loads and stores: the size (bits 3-4) and the mode (bits 5-7).
const (
	W  = 0x00 // 4 bytes
	H  = 0x08 // 2 bytes
	B  = 0x10 // 1 byte
	DW = 0x18 // 8 bytes

	IMM    = 0x00 // lddw
	ABS    = 0x20 // legacy packet access
	IND    = 0x40 // legacy packet access
	MEM    = 0x60
	MEMSX  = 0x80 // sign-extending load
	ATOMIC = 0xc0
)

// ALU and jump instructions: the source (bit 3) and the code (bits 4-7).
const (
	K = 0x00 // the operand is the immediate; for END: to little endian
	X = 0x08 // the operand is the source register; for END: to big endian

	ADD  = 0x00
	SUB  = 0x10
	MUL  = 0x20
	DIV  = 0x30 // with offset 1: signed
	OR   = 0x40
	AND  = 0x50
	LSH  = 0x60
	RSH  = 0x70
	NEG  = 0x80
	MOD  = 0x90 // with offset 1: signed
	XOR  = 0xa0
	MOV  = 0xb0 // with offset 8, 16 or 32: sign-extending (movsx)
	ARSH = 0xc0
	END  = 0xd0 // byte swap; the immediate is the width

	JA   = 0x00
	JEQ  = 0x10
	JGT  = 0x20
	JGE  = 0x30
	JSET = 0x40
	JNE  = 0x50
	JSGT = 0x60
	JSGE = 0x70
	CALL = 0x80
	EXIT = 0x90
	JLT  = 0xa0
	JLE  = 0xb0
	JSLT = 0xc0
	JSLE = 0xd0
)

// Atomic operations: the immediate of an STX|ATOMIC instruction. Add,
// or, and and xor are ADD, OR, AND and XOR, each with or without FETCH.
const (
	FETCH   = 0x01 // the old value is returned in the source register
	XCHG    = 0xe0 | FETCH
	CMPXCHG = 0xf0 | FETCH
)

// LDDW is the opcode of the two-slot 64-bit immediate load.
const LDDW = LD | IMM | DW

// Source fields of lddw and call that give the immediate another meaning.
const (
	PseudoMapFD    = 1 // lddw: the immediate is a map's file descriptor
	PseudoMapValue = 2 // lddw: a map's fd; the second slot is an offset into its value
	PseudoBTFID    = 3 // lddw: the BTF id of a kernel variable
	PseudoFunc     = 4 // lddw: the immediate is a function's slot, relative to the next slot

	PseudoCall      = 1 // call: bpf-to-bpf, the immediate is relative to the next slot
	PseudoKfuncCall = 2 // call: a kernel function by its BTF id
)

// Insn is one decoded instruction slot. An lddw takes two slots: its
// Imm64 is the whole constant and the second slot decodes as a Filler.
type Insn struct {
	Op     uint8
	Dst    uint8
	Src    uint8
	Off    int16
	Imm    int32
	Imm64  uint64 // lddw: Imm, with the second slot's immediate as the upper 32 bits
	Next   int32  // lddw: the immediate of the second slot (a map value's offset)
	Filler bool   // the second slot of an lddw
}

// Class is the instruction class (LD ... ALU64).
func (in Insn) Class() uint8 { return in.Op & 0x07 }

// Code is the operation of an ALU or jump instruction (ADD ... END, JA ... JSLE).
func (in Insn) Code() uint8 { return in.Op & 0xf0 }

// Mode is the mode of a load or store (IMM ... ATOMIC).
func (in Insn) Mode() uint8 { return in.Op & 0xe0 }

// Size is the size field of a load or store (W, H, B, DW).
func (in Insn) Size() uint8 { return in.Op & 0x18 }

// Bytes is the number of bytes a load or store accesses.
func (in Insn) Bytes() int {
	switch in.Size() {
	case B:
		return 1
	case H:
		return 2
	case W:
		return 4
	}
	return 8
}

// IsLDDW reports whether in is the first slot of a 64-bit immediate load.
func (in Insn) IsLDDW() bool { return in.Op == LDDW }

// Target is the slot a jump at slot pc goes to, or, for a bpf-to-bpf
// call or a function address (lddw src=4), the first slot of the
// function it names. Offsets count from the next slot; ja32 keeps its
// offset in the immediate.
func (in Insn) Target(pc int) int {
	jmp := in.Class() == JMP || in.Class() == JMP32
	if jmp && in.Code() == CALL || in.Class() == JMP32 && in.Code() == JA || in.IsLDDW() {
		return pc + 1 + int(in.Imm)
	}
	return pc + 1 + int(in.Off)
}

// DecodeError is raw bytes that are no sequence of instructions.
type DecodeError struct {
	Kind DecodeErrorKind
	Slot int // the slot at fault: for Length the number of whole slots, else the lddw's first
	Len  int // Length: the number of bytes
}

// DecodeErrorKind says what is wrong with the bytes.
type DecodeErrorKind uint8

const (
	Length         DecodeErrorKind = iota + 1 // not a whole number of 8-byte slots
	LDDWTruncated                             // an lddw in the last slot
	LDDWSecondSlot                            // an lddw's second slot is not zero but for its immediate
)

func (e *DecodeError) Error() string {
	switch e.Kind {
	case Length:
		return fmt.Sprintf("program is %d bytes, not a whole number of 8-byte instructions", e.Len)
	case LDDWTruncated:
		return fmt.Sprintf("instruction %d: lddw without its second slot", e.Slot)
	}
	return fmt.Sprintf("instruction %d: the second slot of lddw must be zero but for its immediate", e.Slot+1)
}

// Decode reads raw 8-byte instruction slots. The result has one element
// per slot; the second slot of an lddw is a Filler. An error is a
// *DecodeError, returned with the slots before the one at fault.
func Decode(raw []byte) ([]Insn, error) {
	if len(raw)%8 != 0 {
		return nil, &DecodeError{Kind: Length, Slot: len(raw) / 8, Len: len(raw)}
	}
	n := len(raw) / 8
	out := make([]Insn, n)
	for i := 0; i < n; i++ {
		in := decodeSlot(raw[8*i:])
		if in.IsLDDW() {
			if i+1 >= n {
				return out[:i], &DecodeError{Kind: LDDWTruncated, Slot: i}
			}
			s2 := decodeSlot(raw[8*i+8:])
			if s2.Op != 0 || s2.Dst != 0 || s2.Src != 0 || s2.Off != 0 {
				return out[:i], &DecodeError{Kind: LDDWSecondSlot, Slot: i}
			}
			in.Next = s2.Imm
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

func decodeSlot(s []byte) Insn {
	return Insn{
		Op:  s[0],
		Dst: s[1] & 0x0f,
		Src: s[1] >> 4,
		Off: int16(binary.LittleEndian.Uint16(s[2:])),
		Imm: int32(binary.LittleEndian.Uint32(s[4:])),
	}
}

// appendSlot encodes one slot.
func appendSlot(b []byte, op, dst, src uint8, off int16, imm int32) []byte {
	var s [8]byte
	s[0] = op
	s[1] = dst&0x0f | src<<4
	binary.LittleEndian.PutUint16(s[2:], uint16(off))
	binary.LittleEndian.PutUint32(s[4:], uint32(imm))
	return append(b, s[:]...)
}

// Encode writes instructions back to raw slots (the inverse of Decode).
// An lddw of a constant (src 0) takes its value from Imm64, any other
// lddw from Imm and Next.
func Encode(insns []Insn) []byte {
	out := make([]byte, 0, 8*len(insns))
	for _, in := range insns {
		if in.Filler {
			continue
		}
		imm, next := in.Imm, in.Next
		if in.IsLDDW() && in.Src == 0 {
			imm, next = int32(uint32(in.Imm64)), int32(uint32(in.Imm64>>32))
		}
		out = appendSlot(out, in.Op, in.Dst, in.Src, in.Off, imm)
		if in.IsLDDW() {
			out = appendSlot(out, 0, 0, 0, 0, next)
		}
	}
	return out
}
