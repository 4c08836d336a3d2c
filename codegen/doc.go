// Package codegen compiles a type-checked script to eBPF: the third pass,
// after lang's parser and lang/types' checker, whose Info it reads without
// deriving a type, a builtin or a layout again. Compile is its entry
// point; Program (a CollectionSpec, where each program attaches, the
// formats of the events and the layouts of the maps) is its product.
//
// # The algorithm
//
// Each probe block becomes one BPF program per attach point it expands to.
// The programs are emitted one after the other (they number the events
// and loops they share), then optimized, allocated and lowered by as
// many goroutines as run at once, and added to the Program in order:
// the bytes are those of compiling them one by one (compile.go's
// compileProbes).
// The body is first translated to an IR of three-address instructions on
// virtual registers (ir.go), with every instruction tagged by the script
// position it comes from. The optimizer forwards stack loads from the
// stores before them, lets a map key built again use the slot of the
// first, and removes stack stores nothing reads (opt_stack.go); computes
// each value once (a helper whose answer cannot change during a run,
// arithmetic, copies, stack and map addresses: opt_cse.go); folds the
// conditional jumps that what ran before them decides (past
// `if r <= 0 goto out`, a test of r < 0 is dropped: opt_branches.go);
// and removes dead code (liveness.go; the checker has already folded
// constant expressions). Before that, while the body is translated, a
// map read its filter made is reused by the body (opt_mapreads.go).
// Where a helper call of the optimized code would keep more values than
// the four callee-saved registers hold, the cheap ones (constants, stack
// and map addresses, pid and tid from their helper) are computed again
// where they are used (opt_remat.go), and where that is not enough the
// code as written is allocated too and the one with fewer spills wins
// (opt.go). Registers are then allocated by liveness-driven linear
// scan with spilling (regalloc.go; a helper's result stays in r0 until
// something else writes r0), and the result is lowered to
// cilium/ebpf asm.Instructions (lower.go); the first instruction of each
// run from one script position carries that position as its source (the
// line info), and Positions maps every instruction slot back to the
// script (positions.go). Maps are referenced by name; the runtime (or the
// VM) creates them from the CollectionSpec. The bodies of for loops,
// string searches and len() become bpf-to-bpf callbacks placed after
// their program.
//
// Memory: a large script compiles a hundred programs, each through the
// same passes over arrays of about the same size. The working memory of
// the passes (a program's emitted instructions: instarena.go; flow graphs
// and liveness sets: liveness.go; the register allocator's intervals)
// goes back to a pool when a program is done with it and the next program
// takes it, cleared: in a fresh process every new page of heap costs a
// page fault, which made a quarter of --check's CPU time.
//
// Data layout:
//   - Scalars (integers, bools, pointers) live in registers; scratch
//     variables that hold scalars are virtual registers.
//   - Strings, tuples, map keys and values, and printf records live in
//     memory: small ones on the stack, large ones in a per-CPU array map
//     ("scratch"; "scratch_big", an array with a value per CPU, for a
//     program that needs more than a per-CPU value holds) looked up once
//     at program entry, so the 512-byte stack never limits a script.
//   - printf and exit() write records to a ring buffer ("events"): a u64
//     event id followed by the arguments, each 8-byte aligned; user space
//     formats them (Program.Events says how). A record is written in the
//     ring buffer itself (reserve, fill, submit) unless the code that
//     fills it can leave on the way; then it is built in memory and
//     copied (sendEvent).
//   - Aggregations live in per-CPU hash maps with the layouts documented on
//     MapMeta; user space merges the CPUs.
//
// # Builtins
//
// The checker resolved every call and name of a builtin to a typed id
// (types.Builtin, in Info.Builtins). How each compiles is one entry of a
// table keyed by those ids (builtinCode: its code as a call with a value,
// as a name, as a statement, or written in place into memory), which the
// families fill in their own files, as in lang/types: builtin_agg.go,
// builtin_tseries.go, builtin_strings.go, builtin_stacks.go (with
// dwunwind.go for dw_ustack), builtin_net.go, builtin_events.go,
// builtin_maps.go, builtin_time.go, builtin_process.go, builtin_probe.go,
// builtin_mem.go and builtin_assert.go. Builtins the checker expanded
// (ppid, find) or knew the value of (sizeof, pton) have no code: their
// expansion or constant is compiled instead. Aggregations are compiled by
// the assignment to their map, by the map's types.AggFn.
//
// # Where things live
//
//   - compile.go: Compile, the program of a probe, its frame and
//     finishing; program.go: Program and the layouts it describes.
//   - emit.go: emitting IR, and memory (alloc, load, store, copy).
//   - stmt.go: statements and assignments; loops.go: for loops and
//     callbacks; expr.go: expressions; ops.go: operators; branch.go:
//     conditions (&& and || short-circuit) and comparisons; maps.go: map
//     keys, lookups and updates; field.go and index.go: struct fields and
//     indexing.
//   - builtins.go: the table of builtins' code and its dispatch;
//     builtin_*.go: the families.
//   - ir.go, instarena.go, regalloc.go, lower.go, positions.go: the IR
//     and the memory of its instructions, register allocation, lowering
//     to eBPF and the script positions of the result; liveness.go: basic blocks, liveness and dead
//     code; opt.go, opt_stack.go, opt_cse.go, opt_branches.go and
//     opt_remat.go: the optimizer (stack memory: forwarded loads, merged
//     key slots, dead stores; values computed once: invariant helper
//     results, arithmetic, copies, addresses; branches already decided;
//     values computed again rather than spilled);
//     opt_mapreads.go: a filter's map reads reused by the body.
//   - cfuncs.go: the functions of imported C files (cfuncs_stmt.go,
//     cfuncs_expr.go, cfuncs_mem.go, cfuncs_calls.go: their statements,
//     expressions, memory and calls).
package codegen
