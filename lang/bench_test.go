package lang

import (
	"fmt"
	"strings"
	"testing"
)

// The front end's benchmarks: its cost must grow with the script's size
// and never with the depth of backtracking or nesting.
//
//	go test ./lang/ -run '^$' -bench . -benchmem

// largeScript is a script of 1 + 11*probes lines: a BEGIN line, then
// tracepoint probes with the bodies real tools have (a predicate, maps
// keyed by tuples, printf, if/else if/else, aggregations, a ternary, a
// cast and field accesses).
func largeScript(probes int) string {
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

// megaScript is a script of about 1 MB: probes of 1,000 simple statements
// each, 73,000 statements in all. With badEnd, its very last statement
// has a syntax error.
func megaScript(badEnd bool) string {
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

// deepParens is an assignment of n nested parentheses around 1.
func deepParens(n int) string {
	return "BEGIN { $x = " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n) + "; }\n"
}

// longSum is an assignment of a sum of n terms.
func longSum(n int) string {
	var b strings.Builder
	b.WriteString("BEGIN { $x = 1")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, " + %d", i)
	}
	b.WriteString("; }\n")
	return b.String()
}

func benchParse(b *testing.B, src string, wantErr bool) {
	b.Helper()
	data := []byte(src)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		_, err := Parse("bench.gt", data)
		if (err != nil) != wantErr {
			b.Fatalf("error %v, want error: %v", err, wantErr)
		}
	}
}

// BenchmarkParseLarge parses a 1,101-line script of 100 tracepoint probes.
func BenchmarkParseLarge(b *testing.B) { benchParse(b, largeScript(100), false) }

// BenchmarkParseMega parses a 1 MB script of 73,000 statements.
func BenchmarkParseMega(b *testing.B) { benchParse(b, megaScript(false), false) }

// BenchmarkParseMegaError parses the 1 MB script with a syntax error in
// its last statement.
func BenchmarkParseMegaError(b *testing.B) { benchParse(b, megaScript(true), true) }

// BenchmarkParseMegaDefine parses the 1 MB script after a #define,
// which makes the preprocessor read every line.
func BenchmarkParseMegaDefine(b *testing.B) {
	benchParse(b, "#define N 1\n"+megaScript(false), false)
}

// BenchmarkParseMegaErrors parses the 1 MB script without its
// semicolons, 73,000 errors, and formats them for the user.
func BenchmarkParseMegaErrors(b *testing.B) {
	src := []byte(strings.ReplaceAll(megaScript(false), "1;\n", "1\n"))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		_, err := Parse("bench.gt", src)
		if err == nil || len(Format(err, src)) < len(src) {
			b.Fatalf("error %.100v", err)
		}
	}
}

// BenchmarkParseDeepParens parses 50,000 nested parentheses, which are
// refused at the nesting limit.
func BenchmarkParseDeepParens(b *testing.B) { benchParse(b, deepParens(50000), true) }

// BenchmarkParseLongSum parses a sum of 8,000 terms.
func BenchmarkParseLongSum(b *testing.B) { benchParse(b, longSum(8000), false) }
