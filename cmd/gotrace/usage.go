package main

import (
	"fmt"
	"io"
	"strings"
)

// --help: the same shape as bpftrace's (a USAGE: section, then the
// options by section), made from flagTable, envDoc and exitDoc, which
// the man page shows too.

// envDoc lists the environment variables gotrace reads.
var envDoc = []struct{ name, doc string }{
	{"BPFTRACE_<KEY>", "sets config key KEY (BPFTRACE_MAX_STRLEN=64 sets max_strlen); it wins over the script's config block. A BPFTRACE_ name gotrace does not know is warned about."},
	{"BPFTRACE_BTF", "a BTF file to read the kernel's types from instead of /sys/kernel/btf/vmlinux"},
	{"BPFTRACE_VMLINUX", "accepted for bpftrace's scripts; gotrace reads no vmlinux image (a path that does not exist is warned about)"},
	{"BPFTRACE_COLOR", "auto (the default: when stdout and stderr are terminals), always or never: colour ERROR and WARNING messages"},
	{"BPFTRACE_KERNEL_SOURCE, BPFTRACE_KERNEL_BUILD", "accepted for bpftrace's scripts; gotrace takes the kernel's types from BTF, not from its headers"},
	{"__BPFTRACE_NOTIFY_PROBES_ATTACHED", "when set, that word is printed alone on a line of stdout once every probe is attached (for test harnesses)"},
	{"GOTRACE_DEBUG", "when set, an internal error also prints its Go stack"},
}

// exitDoc lists the exit statuses, as bpftrace's.
var exitDoc = []struct{ code, doc string }{
	{"0", "the script ran and ended: by exit(), by Ctrl-C (SIGINT) or SIGTERM, when the -c command or the -p process ended, or after BEGIN when it has no other probes; -l, -h, -V, --info and --check succeeded; every --test test passed"},
	{"N", "the script called exit(N)"},
	{"1", "a mistake on the command line, in the script (reported at its line), in a file it names, or a test that failed"},
	{"255", "the kernel refused to load or attach a program, or loading was interrupted (as bpftrace's -1)"},
	{"2", "an internal error of gotrace (please report it with the script)"},
}

func usage(w io.Writer) {
	p := progName()
	if asBpftrace() {
		fmt.Fprintf(w, "%s (gotrace %s) - a bpftrace-compatible tracing language and compiler in one binary\n\n", p, version)
	} else {
		fmt.Fprintf(w, "%s - a bpftrace-compatible tracing language and compiler in one binary\n\n", p)
	}
	fmt.Fprintf(w, "USAGE:\n")
	fmt.Fprintf(w, "    %s [options] FILENAME [ARGS...]\n", p)
	fmt.Fprintf(w, "    %s [options] - <stdin input>\n", p)
	fmt.Fprintf(w, "    %s [options] -e 'program' [ARGS...]\n", p)
	fmt.Fprintf(w, "    named script parameters go after --: %s script.bt 42 -- --name=x\n", p)
	for _, sec := range sections {
		fmt.Fprintf(w, "\n%s:\n", sec)
		for _, f := range flagTable {
			if f.section != sec || f.hidden {
				continue
			}
			left := flagLeft(f)
			if len(left) <= 14 {
				fmt.Fprintf(w, "    %-15s%s\n", left, wrap(f.doc, 19))
			} else {
				fmt.Fprintf(w, "    %s\n%19s%s\n", left, "", wrap(f.doc, 19))
			}
		}
	}
	fmt.Fprintf(w, "\nENVIRONMENT:\n")
	for _, e := range envDoc {
		fmt.Fprintf(w, "    %s\n%19s%s\n", e.name, "", wrap(e.doc, 19))
	}
	fmt.Fprintf(w, "\nEXIT STATUS:\n")
	for _, e := range exitDoc {
		fmt.Fprintf(w, "    %-15s%s\n", e.code, wrap(e.doc, 19))
	}
	fmt.Fprintf(w, "\nEXAMPLES:\n")
	for _, ex := range examples {
		fmt.Fprintf(w, "    %s %s\n        %s\n", p, ex.cmd, ex.doc)
	}
	fmt.Fprintf(w, "\nSee %s --man (the gotrace(1) page) for more.\n", p)
}

// flagLeft is how an option is written in the help: "-o, --output FILE".
func flagLeft(f flagSpec) string {
	var names []string
	if f.short != "" {
		names = append(names, "-"+f.short)
	}
	if f.long != "" {
		names = append(names, "--"+f.long)
	}
	s := strings.Join(names, ", ")
	if f.arg != "" {
		s += " " + f.arg
	}
	return s
}

var examples = []struct{ cmd, doc string }{
	{`-e 'BEGIN { printf("hello\n"); exit(); }'`, "print hello"},
	{`-e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'`, "count files opened by process name until Ctrl-C"},
	{`-e 'tracepoint:syscalls:sys_enter_openat { printf("%s %s\n", comm, str(args.filename)); }'`, "trace file opens with process name and path"},
	{`-e 'profile:hz:99 { @[kstack] = count(); }'`, "profile kernel stacks at 99 Hertz"},
	{`-p 1337 -e 'uprobe:libc:malloc { @[ustack] = count(); }'`, "count malloc calls by user stack in one process"},
	{`-l 't:syscalls:*open*'`, "list probes with \"open\" in their name"},
	{`-lv 'struct task_struct'`, "print a kernel type's definition"},
}

// wrap breaks s into lines of at most 80 columns when it starts at
// column col, indenting the lines after the first to col.
func wrap(s string, col int) string {
	var b strings.Builder
	n := col
	for i, word := range strings.Fields(s) {
		if i > 0 {
			if n+1+len(word) > 80 {
				b.WriteString("\n" + strings.Repeat(" ", col))
				n = col
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
