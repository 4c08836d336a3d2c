//go:build !amd64 && !arm64

package runtime

import "golang.org/x/sys/unix"

// Where gotrace knows no breakpoint instruction, the -c child is not
// stopped at its entry point: what needs its libraries reads them when
// it is released.
var breakpointInsn []byte

const breakpointAdvance = 0

func programCounter(r *unix.PtraceRegs) uint64        { return 0 }
func setProgramCounter(r *unix.PtraceRegs, pc uint64) {}
