// Command conformance runs bpftrace's own runtime tests against gotrace.
//
// bpftrace's runtime tests (tests/runtime/* in its repository) are text
// files of test cases: a program or a shell command, and what its output
// must hold. This runner reads them, builds the test programs they trace
// (tests/testprogs, tests/testlibs) with the flags bpftrace's build gives
// them, and runs each test the way bpftrace's own engine
// (tests/runtime/engine) does, with a link named bpftrace to gotrace first
// on PATH. Tests this machine cannot run (a probe type or kernel feature
// it lacks) are told apart from failures, and the pass rate is counted
// over the tests the machine can run.
//
// Usage:
//
//	go run ./tests/conformance -src BPFTRACE_TREE -gotrace PATH [-run REGEX] [-v] [-json out.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/gotrace/gotrace/probes"
)

func main() {
	os.Exit(mainErr())
}

type summary struct {
	Date       string    `json:"date"`
	Gotrace    string    `json:"gotrace"`
	Machine    string    `json:"machine"`
	Passed     int       `json:"passed"`
	Failed     int       `json:"failed"`
	Skipped    int       `json:"skipped"`
	Cannot     int       `json:"cannot"`
	PassRate   float64   `json:"pass_rate"`
	NoVerify   bool      `json:"no_verify_llvm_ir"`
	Results    []Result  `json:"results"`
	BuildError []string  `json:"build_errors,omitempty"`
	Started    time.Time `json:"-"`
}

func mainErr() int {
	var (
		src      = flag.String("src", "", "bpftrace source tree (any checkout of github.com/bpftrace/bpftrace), or its tests/ directory")
		gotrace  = flag.String("gotrace", "", "the gotrace binary to test")
		runRe    = flag.String("run", "", "run only tests whose suite.name matches this regular expression")
		skipRe   = flag.String("skip", "", "leave out tests whose suite.name matches this regular expression")
		verbose  = flag.Bool("v", false, "print the command, the unmet expectations and the output of each failing test")
		jsonOut  = flag.String("json", "", "write every result, with its output, to this JSON file")
		work     = flag.String("work", "", "work directory (kept, and its built test programs reused); default: a temporary one, removed after")
		noVerify = flag.Bool("no-verify-llvm-ir", false, "do not add --verify-llvm-ir to each call, which bpftrace's engine does")
		list     = flag.Bool("list", false, "list the selected tests and exit")
	)
	flag.Parse()
	if *src == "" || *gotrace == "" {
		fmt.Fprintln(os.Stderr, "conformance: -src and -gotrace are required")
		flag.Usage()
		return 2
	}
	testsDir := *src
	if st, err := os.Stat(filepath.Join(testsDir, "tests", "runtime")); err == nil && st.IsDir() {
		testsDir = filepath.Join(testsDir, "tests")
	}
	testsDir, _ = filepath.Abs(testsDir)
	if _, err := os.Stat(filepath.Join(testsDir, "runtime")); err != nil {
		fmt.Fprintf(os.Stderr, "conformance: no runtime tests under %s\n", testsDir)
		return 2
	}
	gotracePath, err := filepath.Abs(*gotrace)
	if err == nil {
		_, err = os.Stat(gotracePath)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: gotrace binary: %v\n", err)
		return 2
	}
	var include, exclude *regexp.Regexp
	if *runRe != "" {
		if include, err = regexp.Compile(*runRe); err != nil {
			fmt.Fprintf(os.Stderr, "conformance: -run: %v\n", err)
			return 2
		}
	}
	if *skipRe != "" {
		if exclude, err = regexp.Compile(*skipRe); err != nil {
			fmt.Fprintf(os.Stderr, "conformance: -skip: %v\n", err)
			return 2
		}
	}

	// Read every test file, as the engine does: runtime/* but not its
	// engine/, scripts/ and outputs/ folders, nor dot files.
	arch := hostArch()
	var tests, archSkipped []*Test
	parseFailed := false
	filepath.WalkDir(filepath.Join(testsDir, "runtime"), func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case "engine", "scripts", "outputs":
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		ts, sk, err := ParseFile(path, arch)
		if err != nil {
			fmt.Printf("ERROR %v\n", err)
			parseFailed = true
			return nil
		}
		tests = append(tests, ts...)
		archSkipped = append(archSkipped, sk...)
		return nil
	})
	selected := func(ts []*Test) []*Test {
		var out []*Test
		for _, t := range ts {
			id := t.ID()
			if include != nil && !include.MatchString(id) || exclude != nil && exclude.MatchString(id) {
				continue
			}
			out = append(out, t)
		}
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Suite != out[j].Suite {
				return out[i].Suite < out[j].Suite
			}
			return out[i].Name < out[j].Name
		})
		return out
	}
	tests, archSkipped = selected(tests), selected(archSkipped)
	if *list {
		for _, t := range tests {
			fmt.Println(t.ID())
		}
		return 0
	}

	// The work directory is laid out like bpftrace's build tree, which is
	// where its engine runs: runtime/, testprogs/, testlibs/.
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "gotrace-conformance-"); err != nil {
			fmt.Fprintln(os.Stderr, "conformance:", err)
			return 2
		}
		defer os.RemoveAll(dir)
	}
	dir, _ = filepath.Abs(dir)
	os.MkdirAll(dir, 0o755)
	link := filepath.Join(dir, "runtime")
	os.Remove(link)
	if err := os.Symlink(filepath.Join(testsDir, "runtime"), link); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	binDir := filepath.Join(dir, "bin")
	os.MkdirAll(binDir, 0o755)
	bin := filepath.Join(binDir, "bpftrace")
	os.Remove(bin)
	if err := os.Symlink(gotracePath, bin); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	os.Setenv("PATH", binDir+":"+os.Getenv("PATH"))
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		return 2
	}
	prepareHost()

	b := &builder{src: testsDir, work: dir, log: func(s string) { fmt.Println("# " + s) }}
	var buildErrors []string
	for _, err := range b.Build(tests) {
		fmt.Printf("# build error: %v\n", err)
		buildErrors = append(buildErrors, err.Error())
	}

	m := ProbeMachine(gotracePath)
	fmt.Println("# " + m.Describe())
	r := &Runner{Dir: dir, Bin: bin, VerifyFlag: " --verify-llvm-ir", Machine: m}
	if *noVerify {
		r.VerifyFlag = ""
		fmt.Println("# -no-verify-llvm-ir: calls are made without --verify-llvm-ir")
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		r.KillAll()
		fmt.Println("# interrupted")
		os.Exit(130)
	}()

	sum := summary{Date: time.Now().UTC().Format("2006-01-02"), Gotrace: gotracePath, Machine: m.Describe(), NoVerify: *noVerify, BuildError: buildErrors}
	record := func(res Result) {
		switch res.Status {
		case Pass:
			sum.Passed++
			fmt.Printf("PASS %s (%d ms)\n", res.ID, res.Duration.Milliseconds())
		case Fail:
			sum.Failed++
			fmt.Printf("FAIL %s: %s\n", res.ID, res.Reason)
			if *verbose {
				printFailure(res)
			}
		case Skip:
			sum.Skipped++
			fmt.Printf("SKIP(%s) %s\n", res.Reason, res.ID)
		case Cannot:
			sum.Cannot++
			fmt.Printf("CANNOT(%s) %s\n", res.Reason, res.ID)
		}
		if len(res.Output) > 8000 {
			res.Output = res.Output[:8000] + "\n[... cut]"
		}
		sum.Results = append(sum.Results, res)
	}
	for _, t := range archSkipped {
		record(Result{ID: t.ID(), File: t.File, Line: t.Line, Status: Skip, Reason: "ARCH " + strings.Join(t.Arch, "|")})
	}
	for _, t := range tests {
		record(r.Run(t))
	}
	ran := sum.Passed + sum.Failed
	if ran > 0 {
		sum.PassRate = float64(sum.Passed) / float64(ran)
	}
	fmt.Printf("%d passed, %d failed, %d skipped, %d cannot run here\n", sum.Passed, sum.Failed, sum.Skipped, sum.Cannot)
	fmt.Printf("pass rate: %d/%d = %.1f%% of the tests this kernel can run\n", sum.Passed, ran, 100*sum.PassRate)
	if *jsonOut != "" {
		data, _ := json.MarshalIndent(sum, "", "  ")
		out := *jsonOut
		if err := os.WriteFile(out, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "conformance:", err)
		}
	}
	if sum.Failed > 0 || parseFailed {
		return 1
	}
	return 0
}

// prepareHost mounts what bpftrace's tests expect a test machine to have
// mounted (tracefs, and debugfs whose tracing/ some tests use), when
// running as root and they are missing.
func prepareHost() {
	if _, err := probes.HostTarget().Tracefs(); err != nil {
		fmt.Printf("# tracefs: %v\n", err)
	}
	if os.Geteuid() != 0 {
		return
	}
	if _, err := os.Stat("/sys/kernel/debug/tracing"); err != nil {
		if err := syscall.Mount("debugfs", "/sys/kernel/debug", "debugfs", 0, ""); err != nil {
			fmt.Printf("# mounting debugfs: %v\n", err)
		} else {
			fmt.Println("# mounted debugfs at /sys/kernel/debug")
		}
	}
}

// printFailure prints what -v shows of a failing test.
func printFailure(res Result) {
	fmt.Printf("\t%s:%d\n", res.File, res.Line)
	if res.Command != "" {
		fmt.Printf("\tcommand: %s\n", res.Command)
	}
	if res.ExitCode != nil {
		fmt.Printf("\texit code: %d\n", *res.ExitCode)
	}
	for _, f := range res.Failed {
		fmt.Printf("\tunmet: %s\n", f)
	}
	lines := strings.Split(strings.TrimRight(res.Output, "\n"), "\n")
	if len(lines) > 30 {
		lines = append(lines[:30], fmt.Sprintf("[... %d more lines]", len(lines)-30))
	}
	for _, l := range lines {
		fmt.Printf("\t| %s\n", l)
	}
}
