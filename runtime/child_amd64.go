package runtime

import "golang.org/x/sys/unix"

// The -c child stops at its entry point on a breakpoint: on x86-64 the
// one-byte int3, after which the program counter is one byte further.
var breakpointInsn = []byte{0xcc}

const breakpointAdvance = 1

func programCounter(r *unix.PtraceRegs) uint64        { return r.Rip }
func setProgramCounter(r *unix.PtraceRegs, pc uint64) { r.Rip = pc }
