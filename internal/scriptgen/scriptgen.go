// Package scriptgen writes the scripts the benchmarks of the front end
// and of the whole pipeline measure: a large script of many tracepoint
// probes with the bodies real tools have, a 1 MB script, and the shapes
// that make a naive compiler slow (deep nesting, long expressions).
package scriptgen

import (
	"fmt"
	"strings"
)

// Large is a script of 1 + 11*probes lines: a BEGIN line, then
// tracepoint probes with the bodies real tools have (a predicate, maps
// keyed by tuples, printf, if/else if/else, aggregations, a ternary, a
// cast and field accesses).
func Large(probes int) string {
	var b strings.Builder
	b.WriteString("BEGIN { printf(\"Tracing... Hit Ctrl-C to end.\\n\"); @start_ns = nsecs; }\n")
	for i := 0; i < probes; i++ {
		fmt.Fprintf(&b, "tracepoint:syscalls:sys_enter_call%d /pid != 0 && comm != \"gotrace\"/\n", i)
		b.WriteString("{\n")
		fmt.Fprintf(&b, "\t@calls[comm, pid] = count(); $fd = args.fd > 0 ? args.fd : -1;\n")
		fmt.Fprintf(&b, "\tif ($fd >= 0 && ((uint64)args.flags & 0x40) != 0) {\n")
		fmt.Fprintf(&b, "\t\tprintf(\"%%-16s %%6d %%s %%d\\n\", comm, pid, str(args.filename), %d);\n", i)
		fmt.Fprintf(&b, "\t} else if ($fd == -1 || args.mode > %d) {\n", i*10)
		fmt.Fprintf(&b, "\t\t@neg[comm] = sum(1); @bytes[tid] = stats(args.count * 2 + 1);\n")
		fmt.Fprintf(&b, "\t} else { @sizes = hist(args.count); @last[pid] = nsecs - @start_ns; }\n")
		fmt.Fprintf(&b, "\t@lat[probe] = lhist((nsecs - @start_ns) %% 1000, 0, 1000, 100);\n")
		fmt.Fprintf(&b, "\t@flags[args.flags & ~0x3, $fd < 0 ? \"bad\" : \"ok\"] = max(args.count);\n")
		b.WriteString("}\n")
	}
	return b.String()
}

// Mega is a script of about 1 MB: probes of 1,000 simple statements
// each, 73,000 statements in all. With badEnd, its very last statement
// has a syntax error.
func Mega(badEnd bool) string {
	var b strings.Builder
	const stmts, perProbe = 73000, 1000
	for i := 0; i < stmts; i++ {
		if i%perProbe == 0 {
			fmt.Fprintf(&b, "kprobe:f%d {\n", i/perProbe)
		}
		if badEnd && i == stmts-1 {
			b.WriteString("\t$x = $x + ;\n")
		} else {
			b.WriteString("\t$x = $x + 1;\n")
		}
		if i%perProbe == perProbe-1 || i == stmts-1 {
			b.WriteString("}\n")
		}
	}
	return b.String()
}

// DeepParens is an assignment of n nested parentheses around 1.
func DeepParens(n int) string {
	return "BEGIN { $x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "; }\n"
}

// LongSum is an assignment of a sum of n terms.
func LongSum(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN { $x = 1")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, " + %d", i)
	}
	b.WriteString("; }\n")
	return b.String()
}

// DeepTernary is an assignment of n nested conditional expressions.
func DeepTernary(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN { $x = 1; $y = ")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "$x > %d ? %d : ", i, i)
	}
	b.WriteString("0")
	b.WriteString("; }\n")
	return b.String()
}

// LargeFormat is the tracepoint format file of the probes of Large (the
// fields their bodies read), for a probes.DirTarget.
func LargeFormat(i int) string {
	return fmt.Sprintf(`name: sys_enter_call%d
ID: %d
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int fd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;
	field:size_t count;	offset:48;	size:8;	signed:0;

print fmt: "fd: 0x%%08lx"
`, i, 10000+i)
}
