package main

import (
	"fmt"
	"io"
	"strings"
)

// manPage writes gotrace(1) in roff, from the same tables as --help
// (docs/gotrace.1 is its output; a test keeps them equal).
func manPage(w io.Writer) {
	esc := func(s string) string {
		return strings.NewReplacer(`\`, `\\`, "-", `\-`, "'", `\(aq`).Replace(s)
	}
	fmt.Fprintf(w, ".TH GOTRACE 1 \"\" \"gotrace %s\" \"User Commands\"\n", esc(version))
	fmt.Fprint(w, ".SH NAME\ngotrace \\- a bpftrace\\-compatible tracing language and compiler in one binary\n")
	fmt.Fprint(w, ".SH SYNOPSIS\n.B gotrace\n[\\fIOPTIONS\\fR] \\fIFILE\\fR [\\fIARGS\\fR...] [\\-\\- \\fINAMED\\-ARGS\\fR...]\n.br\n.B gotrace\n[\\fIOPTIONS\\fR] \\-e \\fIPROGRAM\\fR [\\fIARGS\\fR...]\n.br\n.B gotrace\n[\\fIOPTIONS\\fR] \\-l [\\fIPATTERN\\fR|\\fIFILE\\fR]\n.br\n.B gotrace\n\\-i\n")
	fmt.Fprint(w, ".SH DESCRIPTION\n"+
		"gotrace runs bpftrace scripts: it parses and type-checks them, compiles them to eBPF with its own code\n"+
		"generator, checks them with its own verifier, attaches them to tracepoints, kprobes, uprobes, USDT\n"+
		"probes and perf events, and prints their output and maps as bpftrace does. Mistakes are reported\n"+
		"at their line and column in the script. A script may import other scripts, C headers and C files\n"+
		"(\\fBimport \"lib.bpf.c\";\\fR), whose functions gotrace compiles itself (no clang) into the probes\n"+
		"that call them. Loading programs needs root (or CAP_BPF and CAP_PERFMON);\n"+
		"\\-\\-check and \\-\\-emulate do not.\n"+
		".PP\n"+
		"The command line is bpftrace's: its options, spelled as getopt spells them (\\-qe \\(aqprogram\\(aq, \\-fjson,\n"+
		"\\-\\-output=FILE), in any order around the script's operands. Operands after the script file (or every\n"+
		"operand, with \\-e) are its positional parameters, $1, $2, ...; after \\-\\-, \\-\\-name=value and \\-\\-name are\n"+
		"named parameters, which getopt() reads. Run through a link named \\fBbpftrace\\fR, gotrace answers\n"+
		"\\-\\-version and \\-\\-help under that name.\n")
	for _, sec := range sections {
		title := "OPTIONS"
		if sec != secOptions {
			title = strings.TrimSuffix(sec, " OPTIONS") + " OPTIONS"
		}
		fmt.Fprintf(w, ".SH %s\n", title)
		for _, f := range flagTable {
			if f.section != sec || f.hidden {
				continue
			}
			doc := esc(f.doc)
			if f.man != "" {
				doc += "\n.br\n" + f.man
			}
			fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc(flagLeft(f)), doc)
		}
	}
	fmt.Fprint(w, ".SH ENVIRONMENT\n")
	for _, e := range envDoc {
		fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc(e.name), esc(e.doc))
	}
	fmt.Fprint(w, ".SH EXIT STATUS\n")
	for _, e := range exitDoc {
		fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc(e.code), esc(e.doc))
	}
	fmt.Fprint(w, ".SH EXAMPLES\n")
	for _, ex := range examples {
		fmt.Fprintf(w, ".TP\n.B %s\n%s\n", esc("gotrace "+ex.cmd), esc(ex.doc))
	}
	fmt.Fprint(w, ".SH SEE ALSO\n.BR bpftrace (8)\n")
}
