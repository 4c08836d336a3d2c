// Package verify is gotrace's own eBPF verifier. Every program is checked
// here before it is loaded, so that a mistake is reported as one line at
// the script's position ("map value may be NULL here: check the lookup's
// result against 0 before using it") instead of the kernel's register dump.
// Its rules are the kernel's (Linux 6.18, loaded as root), and a corpus of
// programs under testdata is loaded into the kernel as well to keep the
// two in agreement.
//
// # The abstract domain
//
// Each register holds an abstract value (type reg):
//
//   - uninitialized: reading it is an error;
//   - a scalar, known by unsigned bounds [umin, umax], signed bounds
//     [smin, smax] and a tnum (known bits: value and mask). The three are
//     kept consistent after every operation (reg.sync), and operations
//     follow the kernel's arithmetic so that what is known matches what the
//     kernel knows: neither more (we would accept a program it refuses)
//     nor less (we would refuse one it accepts). 32-bit operations work on
//     the zero-extended low half;
//   - a pointer: a base (context, stack of frame N, map value or key of a
//     given map, the map itself, ring buffer memory of a given size, a
//     function, packet data or end) plus a fixed offset plus a variable
//     offset bounded like a scalar. Pointers that may be NULL (lookups,
//     reservations) carry an id shared by their copies, so that a NULL
//     check on one refines all; ring buffer memory also carries a
//     reference that must be released on every path.
//
// The stack of each frame is 512 bytes of 8-byte slots; each byte is
// unwritten, data, known zero, or part of a spilled register. A register
// stored at the start of a slot keeps its abstract value (pointers only
// as whole 8 bytes) and is restored by a load of the same size, so
// pointers and bounds survive register pressure. Constants kept this way
// also serve as array keys: an array lookup with a constant key in range
// cannot fail, as in the kernel.
//
// # Exploring paths
//
// A program arrives as raw bytes (Raw, map loads naming maps by file
// descriptor) or as the code generator's cilium instructions (Program,
// maps and jump targets by name, which are resolved and encoded first);
// either way vm/insn, the instruction layer the interpreter vm shares,
// decodes the slots, and each map load is given its map. Before
// interpretation a first pass validates every instruction on its own
// (known opcodes, registers, reserved fields, as the kernel checks them),
// splits the program into functions (targets of bpf-to-bpf calls and
// callback addresses), checks that jumps stay in their function and that
// every instruction is reachable, marks prune points (jump targets,
// returns from calls, callback call sites) and computes which registers
// are live where.
//
// Interpretation then follows every path depth first. A conditional jump
// whose outcome the bounds decide follows one branch; otherwise both are
// followed, each with the registers refined by what the comparison proved
// (bounds, NULL or not NULL, packet range). Helper calls check each
// argument against the helper's prototype (helpers.go, by cilium/ebpf's
// asm.BuiltinFunc id: map, key and value pointers
// with the map's sizes, memory and its size, context, callbacks) and the
// program type's list of allowed helpers, then clobber r1-r5 and type r0
// (bounded where the kernel bounds it: string reads return at most their
// buffer's size, bpf_get_smp_processor_id less than Options.NumCPU).
// Memory accesses are checked against the bounds of what the pointer
// points to: the context layout of the program type, the map's value
// size, the reservation's size, the 512-byte stack, the proven packet
// range.
//
// # Pruning and loops
//
// At each prune point the current state is compared with the states kept
// there before. A kept state whose exploration has finished (no path
// below it is pending) and that subsumes the current one (every value the
// current state may hold it may hold too, comparing live registers and
// the stack) proves the current path safe: it is pruned. A kept state that
// is still being explored is an ancestor of the current path: arriving at
// it again with exactly the same state means a loop that makes no
// progress ("loop has no bound the verifier can see"). Loops that do make
// progress are simply unrolled by the exploration, one iteration after
// the other, until their exit condition is decided; a loop whose bound the
// verifier cannot see therefore runs into the limit on processed
// instructions (1,000,000, the kernel's), as it does in the kernel.
//
// Like the kernel, pruning ignores numbers whose value cannot matter: a
// number only summed and stored into a map need not match. The kernel
// learns which numbers matter by backtracking from each check that
// depends on one (precision tracking); we over-approximate it statically
// (precise.go): a register or stack slot matters where its value may
// flow, through moves, arithmetic and stack traffic, into a comparison, a
// pointer offset, a size or other checked helper argument, or a
// function's return value. Without this, a script that sets twenty
// variables under twenty conditions would have 2^20 paths.
//
// # Copying states
//
// The exploration copies its state at every branch it follows both ways
// and at every state it keeps at a prune point, tens of thousands of
// times for a large script, so copies are cheap (reuse.go). Stacks are
// copied on write: a stack's memory counts the frames that use it; a
// kept state shares the stack of the path that kept it, and a frame
// copies a stack that others use before writing to it, which a path
// that ends or is pruned first never does. Registers (1 KB a frame) are
// copied, but into memory already there: the states of ended paths,
// kept states that were dropped and stacks nobody uses any more go on
// free lists that later forks, kept states and verifications take
// from. None of this changes what is explored or compared: a kept state
// is never written, and a state is not read after its path ended.
//
// Callbacks (bpf_for_each_map_elem) are explored like a loop around the
// helper call: after the callback returns, the helper call is reached
// again, and the exploration stops when a state there is subsumed by one
// seen before; numbers that keep changing are widened to unknown so that
// this happens.
//
// # Privileges
//
// By default the rules are those the kernel applies to a loader with
// CAP_BPF and CAP_PERFMON (gotrace runs as root): pointers may be stored
// in maps, compared, and returned, and stack bytes may be read before they
// are written. Options.Unprivileged applies the rules for CAP_BPF without
// CAP_PERFMON, which refuse all of those.
//
// # Differences from the kernel
//
// Known ones: reads through a map pointer (the kernel's struct bpf_map)
// are accepted at any non-negative offset where the kernel checks the
// fields against BTF; 32-bit bounds are kept only through the 64-bit ones, so
// some 32-bit comparisons refine less than in the kernel; our precision
// is static, so the kernel may still prune a path (and so never check
// it) that we check, which matters only for paths that are wrong but
// harmless, such as a pointer moved out of range and never used; without
// CAP_PERFMON the kernel also walks the paths that only speculative
// execution takes, so loops reach its limits sooner there, and it refuses
// pointer arithmetic whose bounds differ between paths, which we do not
// check. Program types
// other than kprobe, tracepoint, raw_tracepoint, perf_event,
// socket_filter and xdp, and helpers outside the table in helpers.go
// are refused as unsupported. Kfunc calls are modelled loosely (the
// argument registers are clobbered, r0 is an unknown scalar): their
// signatures and the references they acquire and release are left to
// the kernel's verifier. Kernel objects (the kernel's PTR_TO_BTF_ID:
// bpf_get_current_task_btf, bpf_task_pt_regs, a kfunc's result) are
// loose too: without the kernel's BTF we cannot tell a member's type, so
// such a value is a scalar marked kobj that may be read through at any
// offset (an 8-byte read giving another such value) but never written;
// the kernel checks the offsets against BTF and the NULL tests.
//
// # Tests
//
// testdata holds one program per file in the text format of Text (its
// program written in vm/insn's assembler syntax), with
// the expected verdict in a "-- expect" section ("accept", or "reject
// INSN MESSAGE-PART"). TestCorpus runs each through Raw and Program and,
// as root, through the kernel, and fails unless all verdicts agree;
// TestRandomPrograms does the same for random programs, and
// TestCodegenPrograms for the code generator's output.
package verify
