// Package probes knows the providers of attach points: what a spec such
// as "t:syscalls:sys_enter_open*" or "interval:1s" means, which probes it
// expands to, what their programs see, how to list them and how to
// attach a loaded program to them.
//
// # Specs
//
// Parse splits an attach point at colons (outside double quotes), maps the
// provider's short names (t, i, k, kr, u, ur, U, p, s, h, rt, f, fr, w, it,
// kfunc, kretfunc, BEGIN, END) to the canonical provider, and fills a Spec
// with the provider's parts. Spec.Name spells the probe the way bpftrace
// names it for the `probe` builtin: "begin", "tracepoint:sched:sched_switch",
// "interval:us:1000000" for "interval:1s".
//
// # Contexts
//
// NewEnv(target) is the types.Env of the checker. For each attach point
// it returns one types.Context per probe after wildcard expansion: the
// program kind (raw tracepoint for begin/end, tracepoint, perf event), the
// canonical name, and the layout of `args`. Tracepoint args are laid out
// from the tracepoint's format file, common_ fields included: integers
// take the size and signedness the format gives, `char x[N]` is an array
// of char (which the checker treats as a string), `const char *` is a
// pointer to char (into user memory for syscalls), and `__data_loc`
// fields are marked DataLoc. Tracepoints with the same record layout share
// one args type, so `tracepoint:syscalls:sys_enter_read,
// tracepoint:syscalls:sys_enter_write { args.fd }` checks. Errors are
// *lang.Error values at the spec's position, with a hint where one helps.
//
// # Target
//
// Every host fact (tracefs, format files, tracepoint lists, possible CPUs,
// kernel features, kernel BTF, host files) comes through a Target.
// HostTarget is the running machine; it mounts tracefs when it is missing
// and the process is root. DirTarget serves the same facts from a folder
// (see testdata), so the compiler is testable without root or BPF.
//
// # Attach
//
// Attach(ctx, prog) attaches a loaded program on the host and returns the
// io.Closer that detaches it. Tracepoints attach through link.Tracepoint.
// interval opens one cpu-clock perf event on the first online CPU with the
// requested period (or frequency for hz); profile opens one per online
// CPU; software and hardware open the named perf event on every online
// CPU with the given count (or bpftrace's default). A perf event gets the
// program through a perf bpf_link when the kernel has them (5.15+), else
// through PERF_EVENT_IOC_SET_BPF and PERF_EVENT_IOC_ENABLE; closing
// detaches and closes the events. begin and end are not attached: the
// runtime runs them with BPF_PROG_TEST_RUN.
//
// # Listing
//
// List and ListVerbose answer `gotrace -l` and `-lv` like `bpftrace -l`:
// "provider:..." lines, providers in alphabetical order, probes sorted, and
// for -lv each tracepoint's own fields as "    TYPE NAME".
package probes
