// Package vm is an eBPF machine in Go: it executes the raw bytes of a BPF
// program — the same bytes gotrace loads into the kernel — in user space.
// It is how the compiler is tested without root, how gotrace runs a
// script with no kernel at all (--emulate), and an oracle the kernel and
// the code generator are checked against.
//
// The instructions are read, and written as text, by vm/insn, which the
// verifier (vm/verify) shares; what they do is decided here alone.
//
// # Loading and running
//
// Load decodes the bytes into one insn.Insn per 8-byte slot (an lddw and
// its second slot joined) and checks each instruction once, so that the
// run needs no checks of its own on the program's shape: registers r0 to
// r10, a known class and operation, jumps, bpf-to-bpf calls and function
// addresses that land on an instruction of the program (not on an lddw's
// second slot), map references to maps of this machine, no division by
// a constant 0 and no shift by a constant past the width. Kernel
// variables (lddw src=3) and kfunc calls are refused: they exist only in
// the kernel.
//
// Run interprets the decoded slots with a program counter, eleven 64-bit
// registers and a stack of call frames, the way the ISA (RFC 9669 and its
// v4 additions) defines each instruction: 32- and 64-bit ALU (signed
// division and modulo, movsx, byte swaps; division by a zero register and
// shifts by a register past the width give the ISA's results, not traps),
// every conditional jump in both widths, gotol (ja32), loads and stores of
// every size (sign-extending loads too), the atomics (add, or, and, xor
// with and without fetch, xchg, cmpxchg; 32 and 64 bit), lddw with its map
// forms, bpf-to-bpf calls (r6-r9 and r10 saved, a fresh 512-byte stack,
// at most 8 frames) and exit. Every instruction executed counts against
// Config.MaxInsns, so that a loop cannot hang the caller.
//
// # Memory
//
// Every piece of memory a program may touch is a region: the stack of
// each frame (512 bytes), the context, each map value, each ring buffer
// reservation, the scratch a helper hands out. A region owns a 4 GiB
// window of the 64-bit address space (its id in the upper 32 bits), so an
// address names its region directly and every access is checked against
// the region's size: anything else stops the run with a RunError naming
// the instruction. Pointers to maps (lddw src=1) and to functions (lddw
// src=4) live in windows of their own and cannot be dereferenced. Kernel
// and user memory for the probe_read helpers come from Config (fakes in
// tests).
//
// # Maps and helpers
//
// Maps (maps.go) are emulated: hash, per-CPU hash, LRU hash and LRU
// per-CPU hash, array and per-CPU array, ring buffer, perf event array,
// stack trace. Helpers (helpers.go) are dispatched by their id
// (cilium/ebpf's asm.BuiltinFunc); their results (time, pid, comm, random
// numbers, stacks) come from Config so runs are deterministic. Callbacks
// (bpf_for_each_map_elem, bpf_loop) run as nested calls of the machine.
//
// # Tests
//
// testdata/conformance holds programs in the conformance suite's format
// (ParseCase: an -- asm or -- raw program, -- mem, the expected -- result
// or -- error), written by a generator whose expected values come from
// Go's arithmetic, not from this machine; as root, each also runs in the
// kernel, which must agree.
package vm
