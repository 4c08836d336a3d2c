package main

import (
	"fmt"
	"io"
	"strings"
)

// manPage writes gotrace(1) in roff, from the same flag table as --help
// (docs/gotrace.1 is its output; a test keeps them equal).
func manPage(w io.Writer) {
	esc := func(s string) string {
		return strings.NewReplacer(`\`, `\\`, "-", `\-`, "'", `\(aq`).Replace(s)
	}
	fmt.Fprintf(w, ".TH GOTRACE 1 \"\" \"gotrace %s\" \"User Commands\"\n", esc(version))
	fmt.Fprint(w, ".SH NAME\ngotrace \\- a bpftrace\\-compatible tracing language and compiler in one binary\n")
	fmt.Fprint(w, ".SH SYNOPSIS\n.B gotrace\n[\\fIOPTIONS\\fR] \\fIFILE\\fR [\\fIARGS\\fR...]\n.br\n.B gotrace\n[\\fIOPTIONS\\fR] \\-e \\fIPROGRAM\\fR\n.br\n.B gotrace\n\\-i\n")
	fmt.Fprint(w, ".SH DESCRIPTION\n"+
		"gotrace runs bpftrace scripts: it parses and type-checks them, compiles them to eBPF with its own code\n"+
		"generator, checks them with its own verifier, attaches them to tracepoints, kprobes, uprobes, USDT\n"+
		"probes and perf events, and prints their output and maps as bpftrace does. Mistakes are reported\n"+
		"at their line and column in the script. A script may import other scripts, C headers and C files\n"+
		"(\\fBimport \"lib.bpf.c\";\\fR), whose functions gotrace compiles itself (no clang) into the probes\n"+
		"that call them. Loading programs needs root (or CAP_BPF and CAP_PERFMON);\n"+
		"\\-\\-check and \\-\\-emulate do not.\n")
	fmt.Fprint(w, ".SH OPTIONS\n")
	for _, f := range flagDoc {
		left := f.flag
		if f.arg != "" {
			left += " " + f.arg
		}
		fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc(left), esc(f.doc))
	}
	fmt.Fprint(w, ".SH ENVIRONMENT\n.TP\n.B BPFTRACE_<KEY>\nSets a config key (BPFTRACE_MAX_STRLEN=64); it wins over the script's config block.\n"+
		".TP\n.B __BPFTRACE_NOTIFY_PROBES_ATTACHED\nWhen set, gotrace prints that word alone on a line of stdout once every probe is attached.\n")
	fmt.Fprint(w, ".SH EXAMPLES\n.nf\n"+esc(`gotrace -e 'BEGIN { printf("hello\n"); exit(); }'`)+"\n"+
		esc(`gotrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'`)+"\n"+
		esc(`gotrace -l 't:syscalls:*open*'`)+"\n.fi\n")
	fmt.Fprint(w, ".SH SEE ALSO\n.BR bpftrace (8)\n")
}
