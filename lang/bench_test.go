package lang

import (
	"strings"
	"testing"

	"github.com/gotrace/gotrace/internal/scriptgen"
)

// The front end's benchmarks: its cost must grow with the script's size
// and never with the depth of backtracking or nesting.
//
//	go test ./lang/ -run '^$' -bench . -benchmem

func benchParse(b *testing.B, src string, wantErr bool) {
	b.Helper()
	data := []byte(src)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := scriptgen.CPUTime()
	defer func() { scriptgen.ReportCPU(b, start) }()
	for b.Loop() {
		_, err := Parse("bench.gt", data)
		if (err != nil) != wantErr {
			b.Fatalf("error %v, want error: %v", err, wantErr)
		}
	}
}

// BenchmarkParseLarge parses a 1,101-line script of 100 tracepoint probes.
func BenchmarkParseLarge(b *testing.B) { benchParse(b, scriptgen.Large(100), false) }

// BenchmarkParseMega parses a 1 MB script of 73,000 statements.
func BenchmarkParseMega(b *testing.B) { benchParse(b, scriptgen.Mega(false), false) }

// BenchmarkParseMegaError parses the 1 MB script with a syntax error in
// its last statement.
func BenchmarkParseMegaError(b *testing.B) { benchParse(b, scriptgen.Mega(true), true) }

// BenchmarkParseMegaDefine parses the 1 MB script after a #define,
// which makes the preprocessor read every line.
func BenchmarkParseMegaDefine(b *testing.B) {
	benchParse(b, "#define N 1\n"+scriptgen.Mega(false), false)
}

// BenchmarkParseMegaErrors parses the 1 MB script without its
// semicolons, 73,000 errors, and formats them for the user.
func BenchmarkParseMegaErrors(b *testing.B) {
	src := []byte(strings.ReplaceAll(scriptgen.Mega(false), "1;\n", "1\n"))
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
func BenchmarkParseDeepParens(b *testing.B) { benchParse(b, scriptgen.DeepParens(50000), true) }

// BenchmarkParseLongSum parses a sum of 8,000 terms.
func BenchmarkParseLongSum(b *testing.B) { benchParse(b, scriptgen.LongSum(8000), false) }

// BenchmarkBuildGrammar builds the file's grammar, which every run that
// parses a script pays once; the grammars of C definitions are built
// only for scripts that define a type (BenchmarkBuildCGrammars).
func BenchmarkBuildGrammar(b *testing.B) {
	for b.Loop() {
		newFileParser(scriptLexDef)
	}
}

// BenchmarkBuildCGrammars builds the grammars of struct, union and enum
// definitions.
func BenchmarkBuildCGrammars(b *testing.B) {
	for b.Loop() {
		newRuleParser[gCDefRule](scriptLexDef)
		newRuleParser[gEnumRule](scriptLexDef)
	}
}
