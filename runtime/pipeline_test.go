package runtime_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/vm"
)

// TestCompileStages: Compile runs the stages up to the one asked for,
// and when a stage fails, the product keeps what the stages before it
// made, with the checker's warnings.
func TestCompileStages(t *testing.T) {
	const ok = `BEGIN { @x = 1; exit(); @y = 2; }` // @y = 2 is unreachable: a warning
	for _, stop := range []runtime.Stage{runtime.StageParse, runtime.StageCheck, runtime.StageCompile, runtime.StageVerify} {
		c := pipelinetest.MustCompile(t, ok, pipelinetest.Options{Stop: stop})
		if c.Done != stop || (c.File != nil) != (stop >= runtime.StageParse) || (c.Info != nil) != (stop >= runtime.StageCheck) ||
			(c.Prog != nil) != (stop >= runtime.StageCompile) || (len(c.Warnings) == 1) != (stop >= runtime.StageCheck) {
			t.Errorf("stop after %s: done %s, file %v, info %v, prog %v, warnings %v", stop, c.Done, c.File != nil, c.Info != nil, c.Prog != nil, c.Warnings)
		}
	}
	if c := pipelinetest.MustCompile(t, ok, pipelinetest.Options{}); c.Done != runtime.StageVerify || c.Target.NumCPU() != pipelinetest.NumCPU || c.Name != "t.gt" || string(c.Src) != ok {
		t.Errorf("all stages: done %s, %d CPUs, %q", c.Done, c.Target.NumCPU(), c.Name)
	}

	// A failing stage leaves the product as the stage before it made it.
	for _, tc := range []struct {
		src  string
		done runtime.Stage // the last stage that succeeded
		msg  string
	}{
		{`BEGIN {`, 0, "t.gt:1:"},
		{`BEGIN { prnitf("x"); }`, runtime.StageParse, "t.gt:1:9-20: ERROR: "},
		{`BEGIN { exit(); @y = 1; } BEGIN { unroll(100) { unroll(100) { @x[rand] = rand; } } }`, runtime.StageCheck, "this probe compiles to more than"},
	} {
		c, err := pipelinetest.Compile(tc.src, pipelinetest.Options{})
		if err == nil {
			t.Errorf("%s: no error", tc.src)
			continue
		}
		if got := lang.Format(err, c.Src); c.Done != tc.done || !strings.Contains(got, tc.msg) {
			t.Errorf("%s: done %s, want %s: %s", tc.src, c.Done, tc.done, got)
		}
		if (tc.done >= runtime.StageCheck) != (len(c.Warnings) == 1) {
			t.Errorf("%s: warnings %v", tc.src, c.Warnings)
		}
	}

	// Our verifier giving up is not an error: the kernel decides.
	c, err := pipelinetest.Compile(`BEGIN { exit(); @y = 1; } BEGIN { $i = 0; while ($i >= 0) { $i++; } }`, pipelinetest.Options{})
	if err != nil || c.Done != runtime.StageVerify || c.Undecided == nil || len(c.Warnings) != 1 {
		t.Errorf("an endless loop: %v, done %s, undecided %v, warnings %v", err, c.Done, c.Undecided, c.Warnings)
	}
}

// fuzzSeed is a script and the text of the lib.bpf.c beside it.
type fuzzSeed struct{ script, c string }

// fuzzSeeds are FuzzCompile's seeds: every tool of examples/, every
// program of the end-to-end scripts (tests/testdata/script: the -e
// one-liners and the .gt and .bt files, with the first .bpf.c file one
// imports), the imported-C cases, and the scripts of TestInVM and
// TestGeneratedProgramsVerify.
func fuzzSeeds(tb testing.TB) []fuzzSeed {
	root := pipelinetest.Root()
	var seeds []fuzzSeed
	examples, _ := filepath.Glob(filepath.Join(root, "examples", "*.gt"))
	for _, file := range examples {
		b, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, fuzzSeed{script: string(b)})
	}
	scripts, _ := filepath.Glob(filepath.Join(root, "tests", "testdata", "script", "*.txtar"))
	cases, _ := filepath.Glob(cimportCases)
	if len(examples) == 0 || len(scripts) == 0 || len(cases) == 0 {
		tb.Fatalf("seeds: %d examples, %d end-to-end scripts, %d imported-C cases", len(examples), len(scripts), len(cases))
	}
	importC := regexp.MustCompile(`import "([^"]+\.bpf\.c)"`)
	for _, file := range append(scripts, cases...) {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range ar.Files {
			files[f.Name] = string(f.Data)
		}
		for _, line := range strings.Split(string(ar.Comment), "\n") {
			args := testscriptArgs(line)
			for i := 0; i+1 < len(args); i++ {
				if args[i] == "-e" && strings.Contains(strings.Join(args[:i], " "), "gotrace") {
					seeds = append(seeds, fuzzSeed{script: args[i+1]})
				}
			}
		}
		for _, f := range ar.Files {
			if !strings.HasSuffix(f.Name, ".gt") && !strings.HasSuffix(f.Name, ".bt") {
				continue
			}
			s := fuzzSeed{script: string(f.Data)}
			if m := importC.FindStringSubmatch(s.script); m != nil {
				if c, ok := files[m[1]]; ok {
					s = fuzzSeed{script: strings.Replace(s.script, m[0], `import "lib.bpf.c"`, 1), c: c}
				}
			}
			seeds = append(seeds, s)
		}
	}
	for _, tc := range vmCases {
		seeds = append(seeds, fuzzSeed{script: tc.src})
	}
	for _, src := range generated {
		seeds = append(seeds, fuzzSeed{script: src})
	}
	return seeds
}

// testscriptArgs splits a line of a testscript into its words as
// testscript does: blanks separate them, single quotes quote, and ”
// inside quotes is a quote.
func testscriptArgs(line string) []string {
	var args []string
	var word strings.Builder
	inWord, quoted := false, false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case quoted && ch == '\'' && i+1 < len(line) && line[i+1] == '\'':
			word.WriteByte('\'')
			i++
		case ch == '\'':
			quoted, inWord = !quoted, true
		case !quoted && (ch == ' ' || ch == '\t'):
			if inWord {
				args = append(args, word.String())
				word.Reset()
				inWord = false
			}
		case !quoted && ch == '#' && !inWord:
			return args
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		args = append(args, word.String())
	}
	return args
}

// TestFuzzSeeds: the seeds are found, and each -e one-liner was read
// whole.
func TestFuzzSeeds(t *testing.T) {
	seeds := fuzzSeeds(t)
	withC := 0
	for _, s := range seeds {
		if s.c != "" {
			withC++
		}
	}
	if len(seeds) < 200 || withC < 10 {
		t.Errorf("%d seeds, %d with C", len(seeds), withC)
	}
	if got := testscriptArgs(`[bpf] ! exec gotrace -e 'BEGIN { printf(''%s\n'', "a b"); }' # comment`); len(got) != 6 || got[5] != `BEGIN { printf('%s\n', "a b"); }` {
		t.Errorf("testscriptArgs: %q", got)
	}
}

// FuzzCompile sends fuzzed scripts (with a fuzzed lib.bpf.c beside
// them, which they may import) through the whole pipeline against the
// fake host (with the host's kernel BTF where it has one): parse, check,
// compile, our verifier, and, for programs the verifier accepts, the VM:
// the BEGIN, test: and END probes as --emulate --test runs them, printing
// through the printer, then every other probe's program once on a zeroed
// context. Whatever the input, no stage may panic or report an internal
// error. (FuzzCImport fuzzes the C side alone.)
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s.script, s.c)
	}
	// One folder for every input: lang remembers each imported file's
	// text by its name, for diagnostics, and a folder per input would
	// grow that without end.
	dir := f.TempDir()
	name := filepath.Join(dir, "main.gt")
	target := pipelinetest.Target()
	if target.BTF = pipelinetest.KernelBTF(); target.BTF != nil {
		target.Features[probes.FeatureIter] = true
	}
	f.Fuzz(func(t *testing.T, script, cText string) {
		if err := os.WriteFile(name, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "lib.bpf.c"), []byte(cText), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := pipelinetest.Compile(script, pipelinetest.Options{Name: name, Target: target,
			Config: types.Config{Params: []string{"1", "p"}}})
		if err != nil {
			noInternalError(t, c.Done+1, lang.Format(err, c.Src))
			return
		}
		if c.Undecided != nil {
			return // the kernel would decide; the VM might run it forever
		}

		var out, errOut bytes.Buffer
		_, err = runtime.Emulate(c.Prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, TestMode: true,
			Target: c.Target, TaiStart: pipelinetest.TaiStart, Loc: time.UTC})
		if err != nil {
			noInternalError(t, "emulating", err.Error())
		}
		noInternalError(t, "emulating", out.String()+errOut.String())

		m := vm.New(vm.Config{NumCPU: pipelinetest.NumCPU})
		coll, err := m.LoadCollection(c.Prog.Spec)
		if err != nil { // what only the kernel has (percpu_kaddr)
			noInternalError(t, "loading in the VM", err.Error())
			return
		}
		ctx := make([]byte, 4096)
		for _, p := range c.Prog.Probes {
			switch p.Ctx.Provider {
			case "begin", "end", "test":
				continue // emulated above
			}
			if _, err := m.Run(coll.Programs[p.Prog], ctx); err != nil {
				noInternalError(t, "running "+p.Ctx.Name, err.Error())
			}
			clear(ctx)
		}
	})
}

// noInternalError fails the test when a stage's message admits to an
// internal error: a compiler bug shown to a user.
func noInternalError(t *testing.T, stage any, msg string) {
	t.Helper()
	if strings.Contains(msg, "internal error") {
		t.Fatalf("%v: %s", stage, msg)
	}
}
