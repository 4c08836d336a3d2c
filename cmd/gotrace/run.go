package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/metrics"
	"github.com/gotrace/gotrace/runtime/output"
)

// Exit statuses (see exitDoc).
const (
	exitOK       = 0
	exitError    = 1
	exitInternal = 2
	// exitRuntime is bpftrace's -1: a program the kernel refused to load
	// or attach, or an attach interrupted.
	exitRuntime = 255
)

// runScript compiles the script and does with it what the options say.
func runScript(o *options, name string, src []byte, target probes.Target, stdin io.Reader, stdout, stderr io.Writer, lg *logger) int {
	var imported map[string][]byte // the script's imported files, for diagnostics in them
	report := func(err error, code int) int {
		lang.AttachSources(err, imported)
		var opts *types.OptionsError
		if errors.As(err, &opts) {
			// the named parameters: a mistake of the command line
			if opts.Msg != "" {
				lg.errorf("%s", opts.Msg)
			}
			if opts.Hint != "" {
				lg.hintf("%s", opts.Hint)
			}
			return code
		}
		io.WriteString(stderr, lang.FormatColor(err, src, lg.color))
		return code
	}
	c, err := runtime.Compile(name, src, runtime.CompileOptions{
		Target:          target,
		Config:          types.Config{Params: o.params, Named: o.named, Env: bpftraceEnv(), Unsafe: o.unsafe},
		Self:            os.Getpid(),
		Child:           o.command != "",
		PidNS:           runtime.PidNamespace(),
		Cgroup:          o.cgroup,
		PID:             o.pid,
		Stop:            lastStage(o),
		IncludeDirs:     o.includeDirs,
		Includes:        o.includes,
		RuntimeWarnings: o.warnings > 0,
	})
	if c.File != nil {
		imported = c.File.Imported
	}
	if len(c.Warnings) > 0 && !o.noWarnings {
		io.WriteString(stderr, lang.FormatColor(c.Warnings, src, lg.color))
	}
	printStages(o, c, stdout, stderr)
	if err != nil {
		if o.debugs("verifier") && c.Prog != nil {
			// our verifier's refusal, with its state
			if derr := runtime.Check(c.Prog, c.Target, true); derr != nil {
				err = derr
			}
		}
		return report(err, exitError)
	}
	if c.File != nil && len(c.File.Probes) == 0 {
		if !o.quiet {
			fmt.Fprintln(stdout, "No probes to attach")
		}
		return exitError
	}
	if o.list {
		return listProgram(o, c.File, target, stdout, lg)
	}
	prog := c.Prog
	if o.probeFilter != "" {
		re, err := regexp.Compile(o.probeFilter)
		if err != nil {
			lg.errorf("Invalid --probe-filter regex '%s': %v", o.probeFilter, err)
			return exitError
		}
		prog = filterProbes(prog, re)
		if len(prog.Probes) == 0 {
			if !o.quiet {
				fmt.Fprintln(stdout, "No probes to attach")
			}
			return exitError
		}
	}
	if err := checkLimits(prog, o, lg); err != nil {
		return exitError
	}
	if o.check {
		if c.Undecided != nil {
			// gotrace's verifier gave up: the kernel decides, where BPF
			// can be loaded
			decided, kerr := runtime.KernelCheck(prog)
			if !decided {
				return report(c.Undecided, exitError) // no kernel to ask: our verdict stands
			}
			if kerr != nil {
				return report(kerr, exitError)
			}
		}
		n := 0
		for _, p := range prog.Probes {
			n += len(prog.Spec.Programs[p.Prog].Instructions)
		}
		fmt.Fprintf(stdout, "%s: OK (%d programs, %d instructions)\n", name, len(prog.Probes), n)
		return exitOK
	}
	if o.emitELF != "" {
		if err := writeELF(o.emitELF, prog); err != nil {
			lg.errorf("--emit-elf: %v", err)
			return exitError
		}
		return exitOK
	}
	if o.aot != "" {
		if err := writeAOT(o, name, src); err != nil {
			lg.errorf("--aot: %v", err)
			return exitError
		}
		return exitOK
	}
	switch o.mode {
	case "codegen":
		return exitOK
	case "compiler-bench":
		return compilerBench(o, name, src, target, stdout)
	}
	if err := checkModeProbes(o, prog); err != nil {
		lg.errorf("%v", err)
		return exitError
	}

	out := stdout
	if o.outFile != "" {
		f, err := os.Create(o.outFile)
		if err != nil {
			lg.errorf("Failed to open output file: \"%s\": %s", o.outFile, errText(err))
			return exitError
		}
		defer f.Close()
		out = f
	}
	// -f pprof and -f flamegraph write the maps keyed by stacks as one
	// file at the end, to -o FILE; the rest of the output is text, on
	// stdout (stderr when the profile takes stdout).
	var profile *output.ProfileWriter
	if pf := o.profile(); pf != 0 {
		profOut := out
		if o.outFile != "" {
			out = stdout
		} else {
			if f, ok := stdout.(*os.File); ok && pf == output.PprofProfile && isTerminal(f) {
				lg.errorf("-f pprof writes a binary profile: name a file with -o FILE")
				return exitError
			}
			out = stderr
		}
		profile = output.NewProfileWriter(profOut, pf)
		profile.FlameGraph.Title = name
		defer func() {
			if err := profile.Close(); err != nil {
				lg.errorf("%v", err)
			}
		}()
	}
	// The session gathers the output and writes it as -B says (line:
	// whenever the ring buffer is drained).
	buffer, _ := runtime.ParseBuffering(o.buffer)
	ropts := runtime.Options{Out: out, Err: stderr, Format: o.format(), Quiet: o.quiet, Target: c.Target, Buffer: buffer,
		TestMode: o.mode == "test", BenchMode: o.mode == "bench", NoWarnings: o.noWarnings, Profile: profile, Color: lg.color}
	if o.jsonMeta {
		ropts.JSONMeta = &output.JSONMeta{}
	}
	var tests *testReport
	if o.mode == "test" {
		tests = newTestReport(out, stderr, o.format())
		ropts.Out, ropts.Err = tests.out, tests.err
		ropts.TestStart, ropts.TestDone = tests.start, tests.done
	}
	var benches *benchReport
	if o.mode == "bench" {
		benches = &benchReport{w: out, format: o.format(), lg: lg}
		ropts.OnBench = benches.add
	}
	if o.emulate {
		res, err := runtime.Emulate(prog, ropts)
		if err != nil {
			return report(err, exitError)
		}
		return res.ExitCode
	}

	// Signals: SIGINT and SIGTERM end the run (END runs, the maps print,
	// the status is 0, as bpftrace's); during the attach they stop it
	// cleanly. SIGUSR1 runs self:signal:SIGUSR1 probes and is otherwise
	// ignored, as bpftrace ignores it.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sess *runtime.Session
	var attached atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			if attached.Load() {
				sess.Interrupt() // as bpftrace: the backlog is dropped, END runs
			}
			cancel()
		case <-ctx.Done():
		}
	}()
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	defer signal.Stop(usr1)

	var child *runtime.Child
	if o.command != "" && o.mode != "test" && o.mode != "bench" {
		child, err = runtime.StartChild(o.command, os.Stdout, os.Stderr)
		if err != nil {
			lg.errorf("Failed to fork child: %v", err)
			return exitError
		}
		defer child.Kill()
	}
	progress := newProgress(stderr, o, lg)
	ropts.Child = child
	ropts.NoVerify = true // Compile has verified it
	ropts.NoSignals = true
	ropts.PID = o.pid
	ropts.DwarfPIDs = o.dwarfPIDs
	// Probes attached per process (uprobes, USDT, profile, software,
	// hardware, watchpoints) fire in the -c command only, as -p's do,
	// which is what bpftrace does with -c; sampling follows what the
	// command starts. Programs of tracepoints and kprobes are not
	// filtered for it (scripts test cpid).
	ropts.Attach = probes.AttachPID(o.pid)
	if child != nil && o.pid == 0 {
		ropts.Attach = probes.AttachCommand(child.Pid())
	}
	ropts.AttachSyscalls = probes.AttachSyscalls
	ropts.DryRun = o.dryRun
	ropts.VerifierLog = o.debugs("verifier")
	ropts.VerboseLoad = o.verbose
	ropts.OnAttach = progress.attached
	ropts.OnAttached = func() {
		attached.Store(true)
		if os.Getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") != "" {
			fmt.Fprintln(stdout, "__BPFTRACE_NOTIFY_PROBES_ATTACHED")
		}
	}
	sess, err = runtime.Load(prog, ropts)
	if err != nil {
		return report(err, exitRuntime)
	}
	defer sess.Close()
	if o.metrics != "" {
		if st, err := runtime.EnableStats(); err == nil {
			defer st.Close()
		} else {
			lg.warnf("--metrics: BPF run-time statistics are off: %v", err)
		}
		srv, err := metrics.Serve(o.metrics, sess)
		if err != nil {
			lg.errorf("%v", err)
			return exitError
		}
		defer srv.Close()
		if !o.quiet {
			fmt.Fprintf(stderr, "Serving metrics at http://%s/metrics\n", srv.Addr())
		}
	}
	if o.verbose || o.debugs("verifier") {
		printLoaded(sess, o, stdout, stderr)
	}
	res, err := sess.Run(ctx)
	progress.clear()
	switch {
	case errors.Is(err, runtime.ErrInterrupted):
		return exitRuntime
	case err != nil:
		return report(err, exitRuntime)
	case tests != nil:
		return tests.finish()
	case benches != nil:
		return benches.status
	}
	return res.ExitCode
}

// lastStage is how far the pipeline runs for o: -l with a program needs
// its attach points as written, --emulate the compiled program (the VM decides
// what it runs); all else every stage, gotrace's verifier included.
func lastStage(o *options) runtime.Stage {
	switch {
	case o.list:
		return runtime.StageParse
	case o.emulate:
		return runtime.StageCompile
	}
	return runtime.StageVerify
}

// printStages prints the -d stages the compilation got to: the syntax
// tree on stderr, as bpftrace prints its AST, the rest on stdout.
func printStages(o *options, c *runtime.Compiled, stdout, stderr io.Writer) {
	if o.debugs("ast") && c.File != nil {
		fmt.Fprintf(stderr, "AST after: parse\n-------------------\n")
		lang.Dump(stderr, c.File)
		fmt.Fprintln(stderr)
	}
	if o.debugs("types") && c.Info != nil {
		dumpTypes(stdout, c.File, c.Info)
	}
	if o.debugs("asm") && c.Prog != nil {
		printAsm(stdout, c.Prog)
	}
}

// dumpTypes prints what the checker decided: each probe's attach points,
// the type of each variable where it is first set, and each map's key
// and value types.
func dumpTypes(w io.Writer, f *lang.File, info *types.Info) {
	fmt.Fprintln(w, "Types")
	fmt.Fprintln(w, "-----")
	for _, pi := range info.Probes {
		var names []string
		for _, ctx := range pi.Contexts {
			names = append(names, ctx.Name)
		}
		fmt.Fprintf(w, "probe %s:\n", strings.Join(names, ", "))
		if len(pi.Contexts) > 0 && pi.Contexts[0].Args != nil {
			fmt.Fprintf(w, "    args: %s\n", pi.Contexts[0].Args)
		}
		seen := map[string]bool{}
		lang.Inspect(pi.Probe.Body, func(n lang.Node) bool {
			if v, ok := n.(*lang.Var); ok && !seen[v.Key()] {
				if t := info.Types.Of(v); t != nil {
					seen[v.Key()] = true
					fmt.Fprintf(w, "    %s: %s\n", v.Name, t)
				}
			}
			return true
		})
	}
	for _, name := range info.MapNames() {
		m := info.Maps[name]
		if m.Key != nil {
			fmt.Fprintf(w, "map %s[%s]: %s\n", name, m.Key, m.Value)
		} else {
			fmt.Fprintf(w, "map %s: %s\n", name, m.Value)
		}
	}
	fmt.Fprintln(w)
}

func printAsm(w io.Writer, prog *codegen.Program) {
	for _, p := range prog.Probes {
		fmt.Fprintf(w, "%s (%s, %d bytes of stack):\n", p.Ctx.Name, p.Prog, p.StackSize)
		fmt.Fprintf(w, "%v\n", prog.Spec.Programs[p.Prog].Instructions)
	}
}

// printLoaded prints, for -v, each program as the kernel loaded it (its
// id, for bpftool), and for -d verifier the kernel verifier's log.
func printLoaded(sess *runtime.Session, o *options, stdout, stderr io.Writer) {
	for _, p := range sess.Programs() {
		if o.verbose {
			fmt.Fprintf(stderr, "load %s (%s, %d instructions): Success\nProgram ID: %d\n", p.Probe, p.Name, p.Insns, p.ID)
		}
		if o.debugs("verifier") && p.VerifierLog != "" {
			fmt.Fprintf(stdout, "Verifier log of %s (%s):\n%s\n", p.Probe, p.Name, strings.TrimRight(p.VerifierLog, "\n"))
		}
	}
}

// filterProbes keeps the probes --probe-filter matches, and BEGIN and
// END; the programs of the others are not loaded.
func filterProbes(prog *codegen.Program, re *regexp.Regexp) *codegen.Program {
	out := *prog
	out.Spec = prog.Spec.Copy()
	out.Probes = nil
	for _, p := range prog.Probes {
		if p.Ctx.Run == types.RunBegin || p.Ctx.Run == types.RunEnd || re.MatchString(p.Ctx.Name) {
			out.Probes = append(out.Probes, p)
			continue
		}
		delete(out.Spec.Programs, p.Prog)
	}
	return &out
}

// checkLimits enforces max_bpf_progs and max_probes as bpftrace does.
func checkLimits(prog *codegen.Program, o *options, lg *logger) error {
	n := len(prog.Probes)
	if max := prog.Settings.MaxBpfProgs; max > 0 && n > max {
		lg.errorf("Your program is trying to generate more than %d BPF programs, which exceeds the current limit of %d", n, max)
		lg.hintf("You can increase the limit through the BPFTRACE_MAX_BPF_PROGS environment variable.")
		return errors.New("max_bpf_progs")
	}
	if max := prog.Settings.MaxProbes; max > 0 && n > max {
		lg.errorf("Can't attach to %d probes because it exceeds the current limit of %d probes.\nYou can increase the limit through the BPFTRACE_MAX_PROBES environment variable, but BE CAREFUL since a high number of probes attached can cause your system to crash.", n, max)
		return errors.New("max_probes")
	}
	return nil
}

// checkModeProbes refuses a run that would attach nothing because its
// probes are test: or bench: probes the mode does not run.
func checkModeProbes(o *options, prog *codegen.Program) error {
	var tests, benches, others int
	for _, p := range prog.Probes {
		switch p.Ctx.Run {
		case types.RunTest:
			tests++
		case types.RunBench:
			benches++
		default:
			others++
		}
	}
	switch {
	case o.mode == "test" && tests == 0:
		return errors.New("No test probes to run: --test runs test:NAME probes")
	case o.mode == "bench" && benches == 0:
		return errors.New("No bench probes to run: --bench runs bench:NAME probes")
	case o.mode == "test" || o.mode == "bench" || others > 0:
		return nil
	case tests > 0:
		return errors.New("No probes attached; use --test to run test probes.")
	case benches > 0:
		return errors.New("No probes attached; use --bench to run benchmark probes.")
	}
	return nil
}

// progress shows, on a terminal, how far a long attach has got
// ("Attaching 1200 probes... 350/1200"), on one line that is cleared
// before "Attached 1200 probes" is printed. An attach that takes less
// than a moment shows nothing. -v names each probe as it is attached
// instead.
type progress struct {
	w       io.Writer
	on      bool // stderr is a terminal and the line may be drawn
	verbose bool
	start   time.Time
	last    time.Time
	drawn   bool
	mu      sync.Mutex
}

func newProgress(stderr io.Writer, o *options, lg *logger) *progress {
	f, ok := stderr.(*os.File)
	return &progress{w: stderr, on: ok && isTerminal(f) && !o.quiet && o.formatStr != "json", verbose: o.verbose, start: time.Now()}
}

func (p *progress) attached(pp *codegen.ProbeProg, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.verbose {
		fmt.Fprintf(p.w, "Attaching %s\n", pp.Ctx.Name)
		return
	}
	if !p.on || done >= total {
		p.clearLocked()
		return
	}
	now := time.Now()
	if now.Sub(p.start) < 200*time.Millisecond || now.Sub(p.last) < 50*time.Millisecond {
		return
	}
	p.last, p.drawn = now, true
	fmt.Fprintf(p.w, "\rAttaching %d probes... %d/%d\033[K", total, done, total)
}

func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLocked()
}

func (p *progress) clearLocked() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// testReport prints --test's results as bpftrace does: in text, a RUN
// line and an OK or FAILED line for each test, the output of the tests
// that failed between them, and a summary; in JSON a test_result object
// for each. The output of a test that passes is not shown.
type testReport struct {
	w       io.Writer
	format  output.Format
	out     *switchWriter
	err     *switchWriter
	buf     bytes.Buffer
	results []runtime.TestResult
	names   []string
}

func newTestReport(out, stderr io.Writer, f output.Format) *testReport {
	r := &testReport{w: out, format: f}
	r.out = &switchWriter{w: out}
	r.err = &switchWriter{w: stderr}
	return r
}

func (r *testReport) json() bool { return r.format == output.JSON }

// start captures what the test prints.
func (r *testReport) start(name string) {
	r.buf.Reset()
	r.out.to(&r.buf)
	r.err.to(&r.buf)
}

const (
	green = "\033[32m"
	red   = "\033[31m"
	reset = "\033[0m"
)

func (r *testReport) done(t runtime.TestResult) {
	r.out.to(nil)
	r.err.to(nil)
	r.results = append(r.results, t)
	name := strings.TrimPrefix(t.Name, "test:")
	if r.json() {
		fmt.Fprintf(r.w, "{\"type\": \"test_result\", \"data\": {%s: {\"duration\": %d, \"passed\": %t, \"output\": %s}}}\n",
			jsonQuote(name), t.Duration.Nanoseconds(), t.Passed, jsonQuote(r.buf.String()))
		return
	}
	if t.Index == 0 {
		fmt.Fprintf(r.w, "%s[==========]%s Running %d %s.\n", green, reset, t.Total, plural(t.Total, "test"))
	}
	fmt.Fprintf(r.w, "%s[ RUN      ]%s %s\n", green, reset, name)
	if t.Passed {
		fmt.Fprintf(r.w, "%s[       OK ]%s %s", green, reset, name)
	} else {
		for _, l := range strings.Split(r.buf.String(), "\n") {
			if l != "" {
				fmt.Fprintln(r.w, l)
			}
		}
		fmt.Fprintf(r.w, "%s[  FAILED  ]%s %s", red, reset, name)
	}
	fmt.Fprintf(r.w, " (%s)\n", shortDuration(t.Duration))
	if t.Index == t.Total-1 {
		passed := 0
		var failed []string
		for _, res := range r.results {
			if res.Passed {
				passed++
			} else {
				failed = append(failed, strings.TrimPrefix(res.Name, "test:"))
			}
		}
		fmt.Fprintf(r.w, "%s[==========]%s %d %s ran.\n", green, reset, t.Total, plural(t.Total, "test"))
		fmt.Fprintf(r.w, "%s[  PASSED  ]%s %d %s.\n", green, reset, passed, plural(passed, "test"))
		if len(failed) > 0 {
			fmt.Fprintf(r.w, "%s[  FAILED  ]%s %d %s, listed below:\n", red, reset, len(failed), plural(len(failed), "test"))
			for _, n := range failed {
				fmt.Fprintf(r.w, "%s[  FAILED  ]%s %s\n", red, reset, n)
			}
		}
	}
}

// finish is the run's status: 1 when a test failed.
func (r *testReport) finish() int {
	for _, t := range r.results {
		if !t.Passed {
			return exitError
		}
	}
	return exitOK
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// shortDuration is "5 us", "12 ms": the duration in its largest unit.
func shortDuration(d time.Duration) string {
	ns := d.Nanoseconds()
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%d s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%d ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%d us", ns/1e3)
	}
	return fmt.Sprintf("%d ns", ns)
}

// switchWriter writes to w, or while to has set another writer, there.
type switchWriter struct {
	mu  sync.Mutex
	w   io.Writer
	alt io.Writer
}

func (s *switchWriter) to(w io.Writer) {
	s.mu.Lock()
	s.alt = w
	s.mu.Unlock()
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alt != nil {
		return s.alt.Write(p)
	}
	return s.w.Write(p)
}

// benchReport prints --bench's results as bpftrace does: a table in
// text, a benchmark_result object for each in JSON.
type benchReport struct {
	w      io.Writer
	format output.Format
	lg     *logger
	names  []string
	status int
}

func (r *benchReport) add(b runtime.BenchResult) {
	name := strings.TrimPrefix(b.Name, "bench:")
	switch {
	case b.Failed:
		r.lg.errorf("Benchmark '%s' failed.", name)
		r.status = exitError
		return
	case b.Skipped:
		return
	}
	if r.format == output.JSON {
		fmt.Fprintf(r.w, "{\"type\": \"benchmark_result\", \"data\": {%s: {\"average\": %d, \"iters\": %d}}}\n",
			jsonQuote(name), b.Average.Nanoseconds(), b.Iters)
		return
	}
	if len(r.names) == 0 {
		fmt.Fprintf(r.w, "%-41s%-15s%s\n", "Benchmark", "Time(ns)", "Iterations")
		fmt.Fprintln(r.w, strings.Repeat("-", 41+15+len("Iterations")))
	}
	r.names = append(r.names, name)
	fmt.Fprintf(r.w, "%-41s%-15d%d\n", name, b.Average.Nanoseconds(), b.Iters)
}

// jsonQuote quotes s as a JSON string.
func jsonQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// compilerBench times each stage of the pipeline over the script, as
// bpftrace's --mode compiler-bench times its passes.
func compilerBench(o *options, name string, src []byte, target probes.Target, w io.Writer) int {
	opts := runtime.CompileOptions{
		Target: target,
		Config: types.Config{Params: o.params, Named: o.named, Env: bpftraceEnv(), Unsafe: o.unsafe},
		Self:   os.Getpid(), PidNS: runtime.PidNamespace(), Cgroup: o.cgroup, PID: o.pid, IncludeDirs: o.includeDirs, Includes: o.includes,
	}
	stages := []runtime.Stage{runtime.StageParse, runtime.StageCheck, runtime.StageCompile, runtime.StageVerify}
	const runs = 5
	best := make([]time.Duration, len(stages))
	for r := 0; r < runs; r++ {
		for i, st := range stages {
			opts.Stop = st
			start := time.Now()
			if _, err := runtime.Compile(name, src, opts); err != nil {
				io.WriteString(os.Stderr, lang.Format(err, src))
				return exitError
			}
			if d := time.Since(start); r == 0 || d < best[i] {
				best[i] = d
			}
		}
	}
	fmt.Fprintf(w, "%-41s%s\n", "Stage", "Time(us)")
	fmt.Fprintln(w, strings.Repeat("-", 49))
	var prev time.Duration
	for i, st := range stages {
		d := best[i] - prev
		if d < 0 {
			d = 0
		}
		prev = best[i]
		fmt.Fprintf(w, "%-41s%d\n", st.String(), d.Microseconds())
	}
	fmt.Fprintf(w, "%-41s%d\n", "total", best[len(best)-1].Microseconds())
	return exitOK
}
