package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/runtime/output"
	"github.com/gotrace/gotrace/symbolize"
)

// Main runs gotrace with the given arguments (without the program's
// name) and returns the exit status. No panic escapes it: an internal
// error is reported in one line.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	return mainWith(args, nil, stdin, stdout, stderr)
}

// mainWith is Main, or with aot the main of an ahead-of-time copy.
func mainWith(args []string, aot *aotPayload, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "%s: internal error: %v\nplease report this with the script that caused it\n", progName(), r)
			if os.Getenv("GOTRACE_DEBUG") != "" {
				stderr.Write(debug.Stack())
			}
			code = 2
		}
	}()
	lg := newLogger(stderr)
	if len(args) == 0 && asBpftrace() && aot == nil {
		usage(stderr) // bpftrace with no arguments at all
		return 1
	}
	o, err := parseArgs(args, aot)
	if err != nil {
		return reportUsage(lg, stderr, err)
	}
	switch {
	case o.help:
		usage(stdout)
		return 0
	case o.version:
		printVersion(stdout)
		return 0
	case o.man:
		manPage(stdout)
		return 0
	}
	lg.quietW = o.noWarnings
	checkEnvironment(lg)
	if o.info {
		printInfo(stdout, o)
		return 0
	}
	if err := o.finish(lg); err != nil {
		return reportUsage(lg, stderr, err)
	}
	target, err := newTarget(o)
	if err != nil {
		return reportUsage(lg, stderr, err)
	}
	if o.list && len(o.programs) == 0 && o.file == "" {
		return list(o, target, stdout, lg)
	}
	if len(o.programs) == 0 && o.file == "" {
		if o.mode != "format" && (o.repl || (!asBpftrace() && isTerminal(os.Stdin))) {
			return runREPL(stdin, stdout, stderr)
		}
		lg.errorf("USAGE: filename or -e 'program' required.")
		return 1
	}
	if o.repl {
		lg.errorf("USAGE: -i (the REPL) takes no program")
		return 1
	}
	if len(o.programs) > 0 && o.programs[len(o.programs)-1] == "" && o.aotName == "" {
		lg.errorf("USAGE: filename or -e 'program' required.")
		return 1
	}
	name, src, err := readProgram(o, stdin, lg)
	if err != nil {
		lg.errorf("%v", err)
		return 1
	}
	if o.mode == "format" {
		return formatProgram(o, name, src, stdout, stderr, lg)
	}
	return runScript(o, name, src, target, stdin, stdout, stderr, lg)
}

// reportUsage reports a command-line mistake: getopt's own messages as
// getopt prints them ("bpftrace: invalid option -- 'x'"), the others as
// bpftrace logs them ("ERROR: ..."), then the usage where bpftrace
// prints it.
func reportUsage(lg *logger, stderr io.Writer, err error) int {
	var ue *usageError
	if !errors.As(err, &ue) {
		lg.errorf("%v", err)
		return 1
	}
	if ue.full && !strings.HasPrefix(ue.msg, "USAGE:") {
		fmt.Fprintf(stderr, "%s: %s\n", progName(), ue.msg)
	} else {
		lg.errorf("%s", ue.msg)
	}
	if ue.full {
		usage(stderr)
	}
	return 1
}

// finish checks and converts the values of o's options, as bpftrace
// does before it reads the script.
func (o *options) finish(lg *logger) error {
	if o.pidStr != "" {
		pid, err := parsePID(o.pidStr)
		if err != nil {
			return err
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
			return fmt.Errorf("Failed to attach to pid: no such process: %d", pid)
		}
		o.pid = pid
	}
	if o.cgroupPath != "" {
		cg, err := cgroupFilter(o.cgroupPath)
		if err != nil {
			return err
		}
		o.cgroup = cg
	}
	for _, s := range o.dwarfPIDStrs {
		pid, err := parsePID(s)
		if err != nil {
			return err
		}
		o.dwarfPIDs = append(o.dwarfPIDs, pid)
	}
	if o.formatStr != "" {
		if _, _, err := output.ParseFormat(o.formatStr); err != nil {
			return fmt.Errorf("Invalid output format \"%s\"\nValid formats: 'text', 'json', 'folded', 'pprof', 'flamegraph'", o.formatStr)
		}
	}
	if o.jsonMeta && o.formatStr != "json" {
		return fmt.Errorf("--json-meta adds fields to JSON records: it goes with -f json")
	}
	if o.metrics != "" && o.emulate {
		return fmt.Errorf("--metrics serves a script running in the kernel: it cannot go with --emulate")
	}
	switch o.buffer {
	case "", "line", "full", "none":
	default:
		return usageErrorf(false, "USAGE: -B must be either 'line', 'full', or 'none'.")
	}
	stages, err := parseStages(o.debug)
	if err != nil {
		return err
	}
	o.debug = stages
	if o.emitLLVM != "" {
		return errors.New("--emit-llvm: gotrace compiles scripts to eBPF with its own code generator, without LLVM, so there is no LLVM IR to write; -d asm prints the instructions it makes, with the script position of each")
	}
	if len(o.programs) > 1 {
		lg.warnf("-e was given %d times: only the last program runs, as in bpftrace", len(o.programs))
	}
	for _, d := range o.debuginfo {
		for _, dir := range strings.Split(d, ":") {
			if dir = strings.TrimPrefix(dir, "+"); dir != "" {
				symbolize.SearchDirs = append(symbolize.SearchDirs, dir)
			}
		}
	}
	return nil
}

// parsePID reads a process id the way bpftrace does, with its messages.
func parsePID(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("Failed to parse pid: invalid integer: %s", s)
		}
		return 0, fmt.Errorf("Failed to parse pid: invalid trailing bytes: %s", s)
	}
	if n > 0x400000 {
		return 0, fmt.Errorf("Pid out of range: %d", n)
	}
	return int(n), nil
}

// debugStages are the stages -d prints, in the order they are printed.
var debugStages = []string{"ast", "types", "asm", "verifier"}

// parseStages reads the -d options: comma-separated stages, "all",
// bpftrace's names for gotrace's stages, and a sentence for bpftrace's
// stages gotrace has no counterpart of.
func parseStages(args []string) ([]string, error) {
	set := map[string]bool{}
	for _, a := range args {
		for _, st := range strings.Split(a, ",") {
			switch st {
			case "":
			case "all":
				for _, s := range debugStages {
					set[s] = true
				}
			case "ast", "parse":
				set["ast"] = true
			case "asm", "dis":
				set["asm"] = true
			case "types", "verifier":
				set[st] = true
			case "codegen", "codegen-opt":
				return nil, fmt.Errorf("-d %s: gotrace compiles to eBPF without LLVM, so there is no LLVM IR to print; -d asm prints the instructions", st)
			case "libbpf":
				return nil, errors.New("-d libbpf: gotrace loads programs with cilium/ebpf, not libbpf; -d verifier prints the kernel verifier's log and -v what is loaded and attached")
			default:
				return nil, usageErrorf(true, "USAGE: invalid option for -d: %s", st)
			}
		}
	}
	var out []string
	for _, s := range debugStages {
		if set[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

func (o *options) debugs(stage string) bool {
	for _, s := range o.debug {
		if s == stage {
			return true
		}
	}
	return false
}

func (o *options) format() output.Format {
	f, _, _ := output.ParseFormat(o.formatStr)
	return f
}

// profile is the profile file -f asks for (pprof, flamegraph), or 0.
func (o *options) profile() output.ProfileFormat {
	_, p, _ := output.ParseFormat(o.formatStr)
	return p
}

// readProgram returns the script's name (as diagnostics show it) and
// text: the last -e, stdin for "-", else the file.
func readProgram(o *options, stdin io.Reader, lg *logger) (string, []byte, error) {
	switch {
	case o.aotName != "":
		return o.aotName, []byte(o.programs[0]), nil
	case len(o.programs) > 0:
		return "stdin", []byte(o.programs[len(o.programs)-1]), nil
	case o.file == "-":
		b, err := io.ReadAll(stdin)
		return "stdin", b, err
	}
	b, err := os.ReadFile(o.file)
	if err != nil {
		return "", nil, fmt.Errorf("failed to open file '%s': %s", o.file, errText(err))
	}
	return o.file, b, nil
}

// errText is the C library's text of err's errno ("No such file or
// directory"), as bpftrace's messages show it.
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// knownEnv are the BPFTRACE_ variables that are not config keys and that
// gotrace knows (bpftrace's environment-only names, and variables of its
// test harness).
var knownEnv = map[string]bool{
	"BPFTRACE_BTF": true, "BPFTRACE_VMLINUX": true, "BPFTRACE_COLOR": true,
	"BPFTRACE_KERNEL_SOURCE": true, "BPFTRACE_KERNEL_BUILD": true,
	"BPFTRACE_KCONFIG_TEST": true, "BPFTRACE_DUMMY_TS_MAP": true,
	"BPFTRACE_OBJCOPY": true, "BPFTRACE_RUNTIME_TEST": true,
}

// renamedKeys are config keys bpftrace renamed, by their old names.
var renamedKeys = map[string]string{
	"strlen": "max_strlen", "no_cpp_demangle": "cpp_demangle",
	"cat_bytes_max": "max_cat_bytes", "map_keys_max": "max_map_keys",
}

// checkEnvironment warns about BPFTRACE_ variables that set nothing:
// names that are not config keys (a misspelling, or a key bpftrace
// renamed), and values of BPFTRACE_COLOR and BPFTRACE_VMLINUX that
// cannot be used.
func checkEnvironment(lg *logger) {
	keys := map[string]bool{}
	for _, k := range types.SettingNames() {
		keys[k] = true
	}
	var names []string
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if v != "" && strings.HasPrefix(k, "BPFTRACE_") && !knownEnv[k] && !keys[strings.ToLower(k[len("BPFTRACE_"):])] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		key := strings.ToLower(k[len("BPFTRACE_"):])
		if to, ok := renamedKeys[key]; ok {
			lg.warnf("%s is not used: the config key %s has been renamed to %s (BPFTRACE_%s)", k, key, to, strings.ToUpper(to))
			continue
		}
		lg.warnf("%s is not used: %s is not a known configuration option", k, key)
	}
	switch v := os.Getenv("BPFTRACE_COLOR"); v {
	case "", "auto", "always", "never":
	default:
		lg.warnf("Invalid env value! The valid values of `BPFTRACE_COLOR` are [auto|always|never]. The current value is %s!", v)
	}
	if v := os.Getenv("BPFTRACE_VMLINUX"); v != "" {
		if _, err := os.Stat(v); err != nil {
			lg.warnf("BPFTRACE_VMLINUX=%s: %s", v, errText(err))
		}
	}
}

// bpftraceEnv collects the BPFTRACE_<KEY> environment variables, which
// override a script's config block; one set to nothing is as unset.
func bpftraceEnv() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "BPFTRACE_") && v != "" {
			env[k] = v
		}
	}
	return env
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
