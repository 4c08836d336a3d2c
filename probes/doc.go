// Package probes knows the providers of attach points: what a spec such
// as "t:syscalls:sys_enter_open*" or "interval:1s" means, which probes it
// expands to, what their programs see, how to list them and how to attach
// a loaded program to them.
//
// # Providers
//
// Each provider is a value behind one interface (provider.go): parse (its
// parts of a spec), contexts (what an attach point expands to on a
// Target), facts (the typed facts of its contexts), attach and list. The
// registry in provider.go lists them with their names and short names;
// each lives in its own file (special.go: begin, end, self, test, bench;
// tracepoint.go; rawtracepoint.go; kprobe.go, kprobe_multi.go (and
// sessions) and kprobe_addr.go (addresses, offsets); uprobe.go; usdt.go;
// fentry.go and fentry_bpf.go (BPF programs as targets); iter.go; watchpoint.go; perf.go: interval, profile,
// software, hardware). Parse, NewEnv, Attach and List dispatch through
// the registry; adding a provider is a file and a line of the table.
//
// # Specs
//
// Parse splits an attach point at colons (outside double quotes), maps the
// provider's short names (t, rt, k, kr, u, ur, U, i, p, s, h, f/kfunc,
// fr/kretfunc, w, it; BEGIN, END) to the canonical provider, reads numbers
// the way bpftrace does (1e6, 0x10, 100ms, 1_000) and fills a Spec with
// the provider's parts. Spec.Name spells the probe the way current
// bpftrace names it for the `probe` builtin: "begin",
// "tracepoint:sched:sched_switch", "interval:us:1000000" for "interval:1s".
//
// # Contexts
//
// NewEnv(target) is the types.Env of the checker. For each attach point
// it returns one types.Context per probe after wildcard expansion: the
// program kind, the canonical name, the layout of `args`, and the facts
// later passes need, each decided here once as a typed value (env.context
// sets them through the provider's facts): Mem (a uprobe's, uretprobe's
// or usdt probe's addresses are user memory), ArgN (argN in registers,
// context slots or where a USDT note says), Return, Func, Regs (the
// struct pt_regs layout of Target.Arch, for pt_regs and perf event
// programs), SkipSelf (the program skips gotrace's own events:
// tracepoints, raw tracepoints, kprobes, uprobes, usdt, fentry, fexit),
// Overridable, Run (when the runtime runs the program), Iter and Timer.
// The checker, codegen and runtime read these facts, never the provider's
// name. The context also carries what Attach needs (Context.Attach: the
// parsed spec, a uprobe's file and offset), so nothing is kept in
// process-wide tables between checking and attaching.
//
//   - begin, end, self, test, bench: raw tracepoint programs the runtime
//     runs itself through BPF_PROG_TEST_RUN; no args.
//   - tracepoint: args laid out from the tracepoint's format file, common_
//     fields included. Integers take the size and signedness the format
//     gives, `char x[N]` is an array of char (which the checker treats as a
//     string), `const char *` is a pointer to char (into user memory for
//     syscalls, ArgsUser), and `__data_loc` fields are marked DataLoc.
//     Tracepoints whose records are laid out alike share one args type,
//     so `t:syscalls:sys_enter_read,t:syscalls:sys_enter_write { args.fd }`
//     checks.
//   - rawtracepoint: args from the kernel BTF of __probestub_<name> or
//     __traceiter_<name> (the first, void *__data, parameter dropped), one
//     u64 slot per argument; kernel structs are converted from BTF with
//     their fields (bitfields left out).
//   - kprobe, kretprobe, uprobe, uretprobe, usdt: pt_regs programs, no
//     args (argN come from registers, where the Target's architecture
//     has them: Context.Regs). USDTArgs gives the code generator where
//     each USDT argument lives, from notes in x86-64 or arm64 assembler
//     syntax; PtRegsOffset maps x86-64 registers (as USDT notes name
//     them) to pt_regs slots through types.RegsAMD64, and arm64's x0..x30
//     (w0..w30) and sp are read from types.RegsARM64.
//   - interval, profile, software, hardware, watchpoint: perf event
//     programs, no args.
//   - iter: tracing programs of attach type BPF_TRACE_ITER; no args, but
//     `ctx` is the iterator's struct bpf_iter__NAME from BTF.
//   - wildcard kprobes and kretprobes: one kprobe-multi program for all
//     the functions (Context.Funcs) where the kernel has kprobe-multi
//     links and the block does not read `probe` (see kprobe_multi.go).
//     A block with one kprobe or kretprobe attach point carries a
//     SessionKey where the kernel has kprobe session links; the checker
//     pairs a kprobe block with its kretprobe block into one program.
//     Wildcard uprobes and uretprobes likewise get one uprobe-multi
//     program per binary (Context.UprobeMulti) where the block reads
//     neither `probe` nor `args` (see uprobe_multi.go).
//   - with the script's probe_inline setting (types.ConfigEnv), a uprobe
//     also gets a context at each inlined copy of its function, found in
//     the DWARF (see uprobe_inline.go).
//   - kprobes at an address or an offset: checked against /proc/kallsyms
//     (kprobe_addr.go); `func` from the instruction pointer.
//   - fentry:bpf and fexit:bpf: tracing programs whose target is a
//     loaded BPF program (Context.AttachProg), opened by id at load time
//     (AttachTarget); BPF programs are listed through Target.BPFPrograms.
//
// Providers the kernel lacks (kprobes, fentry trampolines, a hardware PMU,
// BPF iterators, working hardware breakpoints) are errors with a reason.
// Errors are *lang.Error values at the spec's position, with a hint where one helps ("did you mean syscalls:sys_enter_openat?").
//
// # Target
//
// Every host fact (tracefs and format files, tracepoint lists, kernel
// functions, possible CPUs, kernel features, kernel BTF, host files such
// as binaries and /etc/ld.so.cache) comes through a Target. HostTarget is
// the running machine; it mounts tracefs when it is missing and the
// process is root, and finds kernel features by trying them once (cilium's
// feature probes, a do-nothing fentry attach, a dummy perf event link).
// DirTarget serves the same facts from a folder (see testdata), so the
// compiler is testable without root or BPF.
//
// # Attach
//
// Attach(ctx, prog) attaches a loaded program on the host and returns the
// io.Closer that detaches it; errors name the probe and the reason in one
// line. Tracepoints, raw tracepoints, kprobes, uprobes and USDT sites
// (all sites of a probe, with their semaphores) attach through cilium's
// link package; wildcard kprobes through one kprobe-multi link (a
// session link for a kprobe session) and wildcard uprobes through one
// uprobe-multi link per binary where the kernel has them; kprobes at an
// address or an offset through a kprobe PMU perf event of their own, so
// that the kernel's refusal of a place between instructions is seen. An
// iter probe is an Iterator: the runtime reads it to
// its end (Iterate) and then ends the script. A watchpoint opens a
// PERF_TYPE_BREAKPOINT event on every online CPU (with -p, on every
// thread of the process). interval opens one cpu-clock perf event on the
// first online CPU with the requested period (or frequency for hz); profile
// opens one per online CPU; software and hardware open the named event
// on every online CPU with the given count (or bpftrace's default). A
// perf event gets the program through a perf bpf_link when the kernel has
// them (5.15+), else through PERF_EVENT_IOC_SET_BPF and
// PERF_EVENT_IOC_ENABLE; closing detaches and closes the events.
//
// # Listing
//
// List and ListVerbose answer `gotrace -l` and `-lv` like `bpftrace -l`:
// comma-separated patterns, a bare word searched in every kernel
// provider, "provider:..." lines with providers in alphabetical order and
// probes sorted, and for -lv each tracepoint's own fields (or raw
// tracepoint's parameters) as "    TYPE NAME".
package probes
