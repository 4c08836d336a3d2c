package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
	"github.com/gotrace/gotrace/runtime/output"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// flagDoc is the single source of the flag documentation: --help prints it.
var flagDoc = []struct{ flag, arg, doc string }{
	{"-e", "PROGRAM", "run PROGRAM (a one-liner)"},
	{"-d", "STAGE", "print a compiler stage and exit: ast, asm"},
	{"-f", "FORMAT", "output format: text (default) or json"},
	{"-q", "", "quiet: do not print the \"Attached N probes\" line"},
	{"-c", "CMD", "run CMD, held until every probe is attached; stop when it exits (cpid is its pid)"},
	{"-p", "PID", "trace uprobes and USDT probes in process PID only; stop when it exits"},
	{"--dwarf-pid", "PID", "also unwind the user stacks of process PID with DWARF for dw_ustack (-p and -c add theirs)"},
	{"-B", "MODE", "output buffering: line (default: each record is written as it comes), full, or none"},
	{"-o", "FILE", "write the program's output to FILE instead of stdout"},
	{"--unsafe", "", "allow functions that act on the system (system(), signal(), write_user()) and uprobes at offsets not checked to start an instruction"},
	{"--check", "", "compile and verify the program with gotrace's own verifier, then exit (needs no privileges)"},
	{"--emulate", "", "run BEGIN, END, interval and test: probes in gotrace's eBPF machine instead of the kernel (no privileges)"},
	{"--test", "", "run the test: probes once each (after BEGIN), then stop"},
	{"-l", "[PATTERN]", "list probes matching PATTERN (all when none); with -e, the probes of the program"},
	{"-v", "", "verbose: with -l, also list each probe's arguments"},
	{"-i", "", "interactive: the REPL (also when no program is given and stdin is a terminal)"},
	{"-h, --help", "", "show this help"},
	{"--man", "", "print this manual as a gotrace(1) man page"},
	{"-V, --version", "", "print the version"},
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "USAGE:\n    gotrace [options] FILENAME\n    gotrace [options] -e 'program'\n    gotrace [options] -    (program on stdin)\n\nOPTIONS:\n")
	for _, f := range flagDoc {
		left := f.flag
		if f.arg != "" {
			left += " " + f.arg
		}
		fmt.Fprintf(w, "    %-20s %s\n", left, f.doc)
	}
	fmt.Fprintf(w, "\nEXAMPLES:\n    gotrace -e 'BEGIN { printf(\"hello\\n\"); exit(); }'\n    gotrace -e 'tracepoint:syscalls:sys_enter_openat { @[comm] = count(); }'\n")
}

type options struct {
	program  string
	haveProg bool
	file     string
	debug    string
	format   output.Format
	quiet    bool
	list     bool
	verbose  bool
	pattern  string
	command  string
	outFile  string
	testMode bool
	check    bool
	emulate  bool
	pid      int
	// dwarfPIDs are the --dwarf-pid processes.
	dwarfPIDs []int
	repl      bool
	unsafe    bool
	buffer    string
	args      []string
}

type usageError string

func (e usageError) Error() string { return string(e) }

func parseArgs(args []string) (*options, error) {
	o := &options{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", usageError(fmt.Sprintf("option %s needs an argument", a))
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--":
			o.args = append(o.args, args[i+1:]...)
			i = len(args)
		case a == "-e":
			v, err := value()
			if err != nil {
				return nil, err
			}
			o.program, o.haveProg = v, true
		case a == "-d":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if v != "ast" && v != "asm" {
				return nil, usageError(fmt.Sprintf("unknown -d stage %q (want ast or asm)", v))
			}
			o.debug = v
		case a == "-f":
			v, err := value()
			if err != nil {
				return nil, err
			}
			switch v {
			case "text":
				o.format = output.Text
			case "json":
				o.format = output.JSON
			default:
				return nil, usageError(fmt.Sprintf("unknown output format %q (want text or json)", v))
			}
		case a == "-q":
			o.quiet = true
		case a == "-c" || a == "-o":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if a == "-c" {
				o.command = v
			} else {
				o.outFile = v
			}
		case a == "-p" || a == "--dwarf-pid":
			v, err := value()
			if err != nil {
				return nil, err
			}
			pid, err := strconv.Atoi(v)
			if err != nil || pid <= 0 {
				return nil, usageError(fmt.Sprintf("%s needs a process id, not %q", a, v))
			}
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
				return nil, usageError(fmt.Sprintf("%s %d: no such process", a, pid))
			}
			if a == "-p" {
				o.pid = pid
			} else {
				o.dwarfPIDs = append(o.dwarfPIDs, pid)
			}
		case a == "--test":
			o.testMode = true
		case a == "-B":
			v, err := value()
			if err != nil {
				return nil, err
			}
			if v != "line" && v != "full" && v != "none" {
				return nil, usageError(fmt.Sprintf("unknown buffering mode %q (want line, full or none)", v))
			}
			o.buffer = v
		case a == "--unsafe":
			o.unsafe = true
		case a == "-i":
			o.repl = true
		case a == "--check":
			o.check = true
		case a == "--emulate":
			o.emulate = true
		case a == "-l" || a == "-lv" || a == "-vl":
			o.list = true
			o.verbose = o.verbose || a != "-l"
		case a == "-v":
			o.verbose = true
		case a == "-h" || a == "--help":
			return nil, errHelp
		case a == "--man":
			return nil, errMan
		case a == "-V" || a == "--version":
			return nil, errVersion
		case a == "-":
			if o.file != "" || o.haveProg {
				o.args = append(o.args, a)
				continue
			}
			o.file = "-"
		case strings.HasPrefix(a, "-") && len(a) > 1:
			return nil, usageError(fmt.Sprintf("unknown option %s", a))
		default:
			if o.file == "" && !o.haveProg {
				o.file = a
			} else {
				o.args = append(o.args, a)
			}
		}
	}
	if o.list {
		if o.file != "" && !o.haveProg {
			o.pattern, o.file = o.file, ""
		}
		return o, nil
	}
	if !o.haveProg && o.file == "" && !o.repl {
		if isTerminal(os.Stdin) {
			o.repl = true
			return o, nil
		}
		return nil, usageError("no program given: use -e 'PROGRAM', a file name, - for stdin, or -i for the REPL")
	}
	return o, nil
}

var (
	errHelp    = errors.New("help")
	errMan     = errors.New("man")
	errVersion = errors.New("version")
)

// Main runs gotrace with the given arguments and returns the exit code. No
// panic escapes it: an internal error is reported in one line.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "gotrace: internal error: %v\nplease report this with the script that caused it\n", r)
			if os.Getenv("GOTRACE_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = 2
		}
	}()
	o, err := parseArgs(args)
	switch {
	case err == errHelp:
		usage(stdout)
		return 0
	case err == errMan:
		manPage(stdout)
		return 0
	case err == errVersion:
		fmt.Fprintf(stdout, "gotrace %s\n", version)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "gotrace: %v\n", err)
		fmt.Fprintf(stderr, "run 'gotrace --help' for usage\n")
		return 1
	}
	if o.list && !o.haveProg {
		return list(o, stdout, stderr)
	}
	if o.repl {
		return runREPL(stdin, stdout, stderr)
	}
	name, src, err := readProgram(o, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "gotrace: %v\n", err)
		return 1
	}
	report := func(err error) int {
		io.WriteString(stderr, lang.Format(err, src))
		return 1
	}
	params, named := splitParams(o.args)
	c, err := runtime.Compile(name, src, runtime.CompileOptions{
		Target: probes.HostTarget(),
		Config: types.Config{Params: params, Named: named, Env: bpftraceEnv(), Unsafe: o.unsafe},
		Self:   os.Getpid(),
		PID:    o.pid,
		Stop:   lastStage(o),
	})
	if len(c.Warnings) > 0 {
		io.WriteString(stderr, lang.Format(c.Warnings, src))
	}
	if err != nil {
		return report(err)
	}
	if o.debug == "ast" {
		lang.Dump(stdout, c.File)
		return 0
	}
	prog := c.Prog
	if o.list {
		for _, pi := range c.Info.Probes {
			for _, ctx := range pi.Contexts {
				fmt.Fprintln(stdout, ctx.Name)
			}
		}
		return 0
	}
	if o.debug == "asm" {
		printAsm(stdout, prog)
		return 0
	}
	if o.check {
		if c.Undecided != nil {
			// gotrace's verifier gave up: the kernel decides, where BPF
			// can be loaded
			decided, kerr := runtime.KernelCheck(prog)
			if !decided {
				return report(c.Undecided) // no kernel to ask: our verdict stands
			}
			if kerr != nil {
				return report(kerr)
			}
		}
		n := 0
		for _, p := range prog.Probes {
			n += len(prog.Spec.Programs[p.Prog].Instructions)
		}
		fmt.Fprintf(stdout, "%s: OK (%d programs, %d instructions)\n", name, len(prog.Probes), n)
		return 0
	}
	out := stdout
	if o.outFile != "" {
		f, err := os.Create(o.outFile)
		if err != nil {
			fmt.Fprintf(stderr, "gotrace: -o: %v\n", err)
			return 1
		}
		defer f.Close()
		out = f
	}
	// The session buffers the output as -B says (line: written whenever
	// the ring buffer is drained).
	buffer, _ := runtime.ParseBuffering(o.buffer)
	if o.emulate {
		res, err := runtime.Emulate(prog, runtime.Options{Out: out, Err: stderr, Format: o.format, Quiet: o.quiet,
			TestMode: o.testMode, Target: c.Target, Buffer: buffer})
		if err != nil {
			return report(err)
		}
		return res.ExitCode
	}
	var child *runtime.Child
	if o.command != "" {
		child, err = runtime.StartChild(o.command, os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintf(stderr, "gotrace: %v\n", err)
			return 1
		}
		defer child.Kill()
	}
	res, err := runtime.Run(context.Background(), prog, runtime.Options{
		Out:       out,
		Err:       stderr,
		Format:    o.format,
		Quiet:     o.quiet,
		TestMode:  o.testMode,
		Child:     child,
		Target:    c.Target,
		NoVerify:  true, // Compile has verified it
		PID:       o.pid,
		DwarfPIDs: o.dwarfPIDs,
		Attach:    probes.AttachPID(o.pid),
		Buffer:    buffer,
		OnAttached: func() {
			if os.Getenv("__BPFTRACE_NOTIFY_PROBES_ATTACHED") != "" {
				fmt.Fprintln(stdout, "__BPFTRACE_NOTIFY_PROBES_ATTACHED")
			}
		},
	})
	if err != nil {
		return report(err)
	}
	return res.ExitCode
}

// lastStage is how far the pipeline runs for o. -d ast dumps the syntax
// tree before checking it. -l, -d asm and --emulate take the compiled
// program without gotrace's verifier: -d asm shows the instructions of a
// program the verifier refuses too, and --emulate runs in the VM what the
// VM accepts. --check and running in the kernel verify every program
// first.
func lastStage(o *options) runtime.Stage {
	switch {
	case o.debug == "ast":
		return runtime.StageParse
	case o.list || o.debug == "asm":
		return runtime.StageCompile
	case o.check:
		return runtime.StageVerify
	case o.emulate:
		return runtime.StageCompile
	}
	return runtime.StageVerify
}

func readProgram(o *options, stdin io.Reader) (string, []byte, error) {
	switch {
	case o.haveProg:
		return "stdin", []byte(o.program), nil
	case o.file == "-":
		b, err := io.ReadAll(stdin)
		return "stdin", b, err
	}
	b, err := os.ReadFile(o.file)
	if err != nil {
		return "", nil, fmt.Errorf("cannot read %s: %w", o.file, errors.Unwrap(err))
	}
	return o.file, b, nil
}

func printAsm(w io.Writer, prog *codegen.Program) {
	for _, p := range prog.Probes {
		fmt.Fprintf(w, "%s (%s, %d bytes of stack):\n", p.Ctx.Name, p.Prog, p.StackSize)
		fmt.Fprintf(w, "%v\n", prog.Spec.Programs[p.Prog].Instructions)
	}
}

// list prints the probes matching o.pattern, as bpftrace -l does.
func list(o *options, stdout, stderr io.Writer) int {
	ls := probes.List
	if o.verbose {
		ls = probes.ListVerbose
	}
	lines, err := ls(probes.HostTarget(), o.pattern, probes.ForPID(o.pid))
	if err != nil {
		fmt.Fprintf(stderr, "gotrace: %v\n", err)
		return 1
	}
	for _, l := range lines {
		fmt.Fprintln(stdout, l)
	}
	return 0
}

// bpftraceEnv collects the BPFTRACE_<KEY> environment variables, which
// override a script's config block.
func bpftraceEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "BPFTRACE_") {
			env[k] = v
		}
	}
	return env
}

// splitParams separates the script's parameters: --name[=value] are
// named parameters (getopt), the rest positional ($1, $2, ...).
func splitParams(args []string) (positional []string, named map[string]string) {
	named = map[string]string{}
	for _, a := range args {
		if strings.HasPrefix(a, "--") && len(a) > 2 {
			k, v, _ := strings.Cut(a[2:], "=")
			named[k] = v
			continue
		}
		positional = append(positional, a)
	}
	return positional, named
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
