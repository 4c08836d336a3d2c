package runtime

import "golang.org/x/sys/unix"

// The -c child stops at its entry point on a breakpoint: on arm64 the
// instruction BRK #0 (0xd4200000, little-endian), which traps with the
// program counter still on it.
var breakpointInsn = []byte{0x00, 0x00, 0x20, 0xd4}

const breakpointAdvance = 0

func programCounter(r *unix.PtraceRegs) uint64        { return r.Pc }
func setProgramCounter(r *unix.PtraceRegs, pc uint64) { r.Pc = pc }
