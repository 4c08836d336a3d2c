package main

import (
	"github.com/gotrace/gotrace/codegen"

	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// The command line, as bpftrace's: the same short and long options, the
// same way of spelling them, and the same way of reading what is left.
//
// Options are parsed by github.com/spf13/pflag, which reads arguments the
// way glibc's getopt_long (bpftrace's parser) does: short options group
// (-qe 'prog', -lv), take their value attached or as the next argument
// (-fjson, -o file), long options take theirs after = or as the next
// argument (--output=FILE, --output FILE), options and operands may come
// in any order (gotrace script.bt -q), and -- ends the options: what
// follows is the script's parameters, where --name=value are named ones.
//
// flagTable is the one list of options: parsing, --help and --man (and
// so docs/gotrace.1) are made from it.

// flagKind is what an option takes.
type flagKind int

const (
	switchFlag flagKind = iota // no value
	valueFlag                  // one value; given again, the last one counts
	listFlag                   // a value, and may be given more than once
	countFlag                  // no value, counted (-k, -kk)
)

// flagSpec is one option.
type flagSpec struct {
	long    string // the long name, without "--" ("" for none)
	short   string // the one-letter name ("" for none)
	arg     string // the value's name in the help (valueFlag, listFlag)
	doc     string // one line for --help; the man page may say more
	man     string // more for the man page (optional)
	section string
	kind    flagKind
	hidden  bool // accepted, not shown (bpftrace's no-op --btf)
	// bind returns where the value goes in o: *bool, *string, *[]string
	// or *int as kind says.
	bind func(o *options) any
}

// The sections of --help and of the man page, in order.
const (
	secOptions = "OPTIONS"
	secDev     = "DEVELOPER OPTIONS"
	secTrouble = "TROUBLESHOOTING OPTIONS"
	secGotrace = "GOTRACE OPTIONS"
)

var sections = []string{secOptions, secDev, secTrouble, secGotrace}

var flagTable = []flagSpec{
	{short: "e", arg: "PROGRAM", doc: "run PROGRAM (a one-liner) instead of a script file", section: secOptions, kind: listFlag,
		man:  "Given more than once, the last one runs (as in bpftrace), with a warning. With \\-e, every operand is a positional parameter ($1, $2, ...).",
		bind: func(o *options) any { return &o.programs }},
	{long: "list", short: "l", doc: "list probes matching the operand, or the probes of a script file or -e program", section: secOptions,
		man:  "The operand is a search pattern (wildcards as in attach points, several separated by commas, a bare word searches every kernel provider), \\fBstruct\\fR/\\fBunion\\fR/\\fBenum\\fR NAME for the kernel's type definitions (with \\-v, printed in C), or an existing script file, whose probes are listed. With \\-p, uprobes and USDT probes are those of the files the process maps.",
		bind: func(o *options) any { return &o.list }},
	{long: "verbose", short: "v", doc: "verbose: with -l, also each probe's arguments; on a run, program ids, loading and attaching", section: secOptions,
		bind: func(o *options) any { return &o.verbose }},
	{long: "help", short: "h", doc: "show this help and exit", section: secOptions,
		bind: func(o *options) any { return &o.help }},
	{long: "version", short: "V", doc: "print the version and exit", section: secOptions,
		bind: func(o *options) any { return &o.version }},
	{long: "info", doc: "print what this kernel and gotrace support, and exit", section: secOptions,
		bind: func(o *options) any { return &o.info }},

	{long: "pid", short: "p", arg: "PID", doc: "trace uprobes and USDT probes in process PID only; stop when it exits", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.pidStr }},
	{long: "cmd", short: "c", arg: "CMD", doc: "run CMD, held until every probe is attached; stop when it exits (cpid is its pid)", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.command }},
	{long: "dwarf-pid", arg: "PID", doc: "also unwind the user stacks of process PID with DWARF for dw_ustack (-p and -c add theirs)", section: secOptions, kind: listFlag,
		bind: func(o *options) any { return &o.dwarfPIDStrs }},
	{long: "usdt-file-activation", doc: "activate USDT semaphores in every process that maps the file", section: secOptions,
		man:  "gotrace always has the kernel count USDT semaphores (uprobe reference counters), which it does in every process that maps the file when the probe is not limited to one process; the option is accepted for bpftrace's scripts and changes nothing.",
		bind: func(o *options) any { return &o.usdtFileActivation }},

	{long: "output", short: "o", arg: "FILE", doc: "write the program's output to FILE instead of stdout (errors still go to stderr)", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.outFile }},
	{long: "format", short: "f", arg: "FORMAT", doc: "output format: text (the default), json, folded (maps keyed by stacks as folded stacks), pprof or flamegraph (those maps as a pprof profile or an SVG flame graph, to -o FILE)", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.formatStr }},
	{long: "json-meta", doc: "with -f json, add the time and the host (GOTRACE_HOST, else the hostname) to every record", section: secOptions,
		bind: func(o *options) any { return &o.jsonMeta }},
	{long: "metrics", arg: "ADDR", doc: "serve the script's maps and gotrace's health as Prometheus metrics at http://ADDR/metrics while it runs", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.metrics }},
	{short: "B", arg: "MODE", doc: "output buffering: line (the default), full or none", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.buffer }},
	{long: "quiet", short: "q", doc: "quiet: no \"Attached N probes\" line", section: secOptions,
		bind: func(o *options) any { return &o.quiet }},
	{long: "warnings", short: "k", doc: "warn at run time when a probe read or a map lookup fails, at its place in the script", section: secOptions, kind: countFlag,
		man:  "Each probe read (kernel or user memory, strings too) and each read of a map value that is not there is checked; a failure prints bpftrace's WARNING at the expression, naming the helper and its return code (with \\-f json, a helper_error record). Without \\-k the programs carry none of these checks.",
		bind: func(o *options) any { return &o.warnings }},
	{long: "no-warnings", doc: "print no warnings (of the compiler, of warnf(), of the runtime)", section: secOptions,
		bind: func(o *options) any { return &o.noWarnings }},

	{short: "I", arg: "DIR", doc: "look for #include headers in DIR too (may be repeated)", section: secOptions, kind: listFlag,
		bind: func(o *options) any { return &o.includeDirs }},
	{long: "include", arg: "FILE", doc: "include header FILE before the script's own #includes (may be repeated)", section: secOptions, kind: listFlag,
		bind: func(o *options) any { return &o.includes }},
	{long: "debuginfo", arg: "DIR[:DIR]", doc: "look for separate debug files in DIR too (may be repeated)", section: secOptions, kind: listFlag,
		bind: func(o *options) any { return &o.debuginfo }},
	{long: "traceable-functions", arg: "FILE", doc: "read the kernel functions kprobes may attach to from FILE (available_filter_functions' format)", section: secOptions, kind: valueFlag,
		bind: func(o *options) any { return &o.traceableFuncs }},
	{long: "unsafe", doc: "allow functions that act on the system (system(), signal(), write_user()) and uprobes at unchecked offsets", section: secOptions,
		bind: func(o *options) any { return &o.unsafe }},
	{long: "no-feature", arg: "FEATURE[,FEATURE]", doc: "do not use a kernel feature gotrace found: kprobe_multi, uprobe_multi, kprobe_session", section: secOptions, kind: listFlag,
		bind: func(o *options) any { return &o.noFeatures }},

	{long: "mode", arg: "MODE", doc: "what to do with the script: run (the default), test, bench, codegen (compile only), compiler-bench or format", section: secDev, kind: valueFlag,
		man:  "\\fBformat\\fR prints the script in its canonical layout (as \\-\\-fmt).",
		bind: func(o *options) any { return &o.mode }},
	{long: "test", doc: "run the test: probes (after BEGIN), hiding the output of those that pass (--mode test)", section: secDev,
		bind: func(o *options) any { return &o.testFlag }},
	{long: "bench", doc: "run each bench: probe repeatedly and report its average time (--mode bench)", section: secDev,
		bind: func(o *options) any { return &o.benchFlag }},
	{long: "probe-filter", arg: "REGEX", doc: "load and attach only the probes whose name matches REGEX (BEGIN and END always)", section: secDev, kind: valueFlag,
		bind: func(o *options) any { return &o.probeFilter }},
	{long: "fmt", doc: "print the script in its canonical layout, comments kept (--mode format), to stdout or -o FILE; nothing is loaded", section: secDev,
		bind: func(o *options) any { return &o.fmtFlag }},

	{long: "dry-run", doc: "load and attach every probe, then stop (BEGIN runs; nothing is printed)", section: secTrouble,
		bind: func(o *options) any { return &o.dryRun }},
	{long: "debug", short: "d", arg: "STAGE", doc: "print a stage of the compilation: ast, types, asm, verifier or all (comma-separated; may be repeated)", section: secTrouble, kind: listFlag,
		man:  "\\fBast\\fR: the syntax tree (on stderr); \\fBtypes\\fR: the types of maps, variables and probes; \\fBasm\\fR: every program's instructions with the script position each comes from; \\fBverifier\\fR: the kernel verifier's log of each program as it loads (and gotrace's own verifier's state on a refusal). The script then runs as usual; add \\-\\-mode codegen to stop after compiling. bpftrace's \\fBparse\\fR is \\fBast\\fR and \\fBdis\\fR is \\fBasm\\fR; \\fBcodegen\\fR, \\fBcodegen\\-opt\\fR and \\fBlibbpf\\fR are refused (there is no LLVM IR and no libbpf).",
		bind: func(o *options) any { return &o.debug }},
	{long: "verify-llvm-ir", doc: "accepted and ignored: gotrace makes no LLVM IR (its own verifier checks every program)", section: secTrouble,
		bind: func(o *options) any { return &o.verifyLLVM }},
	{long: "emit-elf", arg: "FILE", doc: "write the compiled programs as an eBPF ELF object to FILE, and stop", section: secTrouble, kind: valueFlag,
		man:  "A relocatable object: each probe's program in a section named as libbpf names its kind (tracepoint/CATEGORY/EVENT, raw_tracepoint/begin, perf_event, ...), the maps as legacy struct bpf_map_def entries in a \\fBmaps\\fR section, map loads as R_BPF_64_64 relocations, and the license. It has no BTF, so libbpf 1.0 and later will not load it; readelf, llvm\\-objdump \\-d and cilium/ebpf read it.",
		bind: func(o *options) any { return &o.emitELF }},
	{long: "emit-llvm", arg: "FILE", doc: "refused: gotrace compiles without LLVM, there is no LLVM IR (see -d asm)", section: secTrouble, kind: valueFlag,
		bind: func(o *options) any { return &o.emitLLVM }},
	{long: "aot", arg: "FILE", doc: "write FILE: a copy of gotrace that runs this script (and its parameters) on any host", section: secTrouble, kind: valueFlag,
		man:  "FILE is gotrace's own static binary with the script, its imported files and its parameters appended. Run, it compiles the script on the host it runs on (against that kernel's BTF and tracefs) and runs it; options and parameters given to it are added to those saved.",
		bind: func(o *options) any { return &o.aot }},
	{long: "btf", short: "b", doc: "accepted and ignored, as bpftrace does", section: secTrouble, hidden: true,
		bind: func(o *options) any { return &o.ignored }},

	{long: "cgroup", arg: "PATH", doc: "trace only the processes of the cgroup v2 directory PATH and the cgroups below it (a pod, a container, a systemd unit); BEGIN, END and interval probes still run", section: secGotrace, kind: valueFlag,
		man:  "The probes that fire on a process's behalf (tracepoints, kprobes, uprobes, USDT, fentry, profile and other perf events) drop the events of processes outside the cgroup, in the kernel. PATH is a directory of the cgroup v2 hierarchy as this host sees it, such as /sys/fs/cgroup/system.slice/nginx.service or a Kubernetes pod's cgroup (kubectl gotrace computes it).",
		bind: func(o *options) any { return &o.cgroupPath }},
	{long: "check", doc: "compile and verify the program with gotrace's own verifier, then exit (needs no privileges)", section: secGotrace,
		bind: func(o *options) any { return &o.check }},
	{long: "emulate", doc: "run BEGIN, END, interval and test: probes in gotrace's eBPF machine instead of the kernel (no privileges)", section: secGotrace,
		bind: func(o *options) any { return &o.emulate }},
	{long: "interactive", short: "i", doc: "the REPL (also when no program is given and stdin is a terminal)", section: secGotrace,
		bind: func(o *options) any { return &o.repl }},
	{long: "man", doc: "print the manual page (gotrace(1)) in roff and exit", section: secGotrace,
		bind: func(o *options) any { return &o.man }},
}

// options is a parsed command line.
type options struct {
	programs   []string // each -e
	file       string   // the script file ("-": stdin)
	params     []string // positional parameters: $1, $2, ...
	named      []string // named parameters after --, without the dashes
	list       bool
	listTarget string // -l's operand: a search (file is set instead for a script file)
	verbose    bool
	help       bool
	version    bool
	info       bool
	man        bool

	pidStr             string
	cgroupPath         string
	cgroup             codegen.CgroupFilter
	pid                int
	command            string
	dwarfPIDStrs       []string
	dwarfPIDs          []int
	usdtFileActivation bool

	outFile   string
	formatStr string
	jsonMeta  bool
	metrics   string
	buffer    string
	quiet     bool
	warnings  int

	includeDirs    []string
	includes       []string
	debuginfo      []string
	traceableFuncs string
	unsafe         bool
	noFeatures     []string
	noWarnings     bool

	mode        string
	testFlag    bool
	benchFlag   bool
	fmtFlag     bool
	probeFilter string

	dryRun     bool
	debug      []string
	verifyLLVM bool
	emitELF    string
	emitLLVM   string
	aot        string
	ignored    bool

	check   bool
	emulate bool
	repl    bool

	aotName string // the script's name, in an ahead-of-time copy
}

// usageError is a mistake on the command line: reported as bpftrace
// reports it (ERROR: ...), followed by the usage when full is set, and
// exit status 1.
type usageError struct {
	msg  string
	full bool // print the usage after the message
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(full bool, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), full: full}
}

// newFlagSet makes the parser for o from flagTable.
func newFlagSet(o *options) *pflag.FlagSet {
	fs := pflag.NewFlagSet(progName(), pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.SortFlags = false
	for _, f := range flagTable {
		switch f.kind {
		case switchFlag:
			fs.BoolVarP(f.bind(o).(*bool), name(f), f.short, false, f.doc)
		case valueFlag:
			fs.StringVarP(f.bind(o).(*string), name(f), f.short, "", f.doc)
		case listFlag:
			fs.StringArrayVarP(f.bind(o).(*[]string), name(f), f.short, nil, f.doc)
		case countFlag:
			fs.CountVarP(f.bind(o).(*int), name(f), f.short, f.doc)
		}
	}
	return fs
}

// name is the option's name for pflag: its long name, or for an option
// with only a short one, a name nobody can type.
func name(f flagSpec) string {
	if f.long != "" {
		return f.long
	}
	return "\x00" + f.short
}

// parseArgs reads the command line (without the program's name). An
// ahead-of-time copy (aot) adds its saved options before args, and its
// script comes with it: every operand is a parameter.
func parseArgs(args []string, aot *aotPayload) (*options, error) {
	o := &options{}
	if aot != nil {
		args = append(append([]string(nil), aot.Flags...), args...)
	}
	fs := newFlagSet(o)
	if err := fs.Parse(args); err != nil {
		return nil, flagError(err)
	}
	if o.help || o.version || o.man || o.info {
		return o, nil
	}
	operands := fs.Args()
	if o.warnings > 1 {
		return nil, usageErrorf(false, "USAGE: -kk has been deprecated. Use a single -k for runtime warnings for errors in map lookups and probe reads.")
	}
	if o.warnings > 0 && o.noWarnings {
		return nil, usageErrorf(false, "USAGE: -k, --warnings conflicts with --no-warnings")
	}
	if o.command != "" && o.pidStr != "" {
		return nil, usageErrorf(true, "USAGE: Cannot use both -c and -p.")
	}
	if err := o.checkMode(); err != nil {
		return nil, err
	}
	if o.warnings > 0 && o.aot != "" {
		return nil, usageErrorf(false, "Cannot use -k with --aot")
	}
	if o.list {
		// zero or one operand: a script file if it exists, else a search
		switch len(operands) {
		case 0:
		case 1:
			if _, err := os.Stat(operands[0]); err == nil && len(o.programs) == 0 {
				o.file = operands[0]
			} else {
				o.listTarget = operands[0]
			}
		default:
			return nil, usageErrorf(true, "USAGE: -l takes one search pattern or script file, not %d", len(operands))
		}
		return o, nil
	}
	if aot != nil {
		if len(o.programs) > 0 || o.list {
			return nil, usageErrorf(false, "USAGE: this program runs the script it was built with (gotrace --aot): -e and -l cannot be used")
		}
		o.programs, o.aotName = []string{aot.Src}, aot.Name
		// the saved parameters first; named ones given again win
		o.params = append(append([]string(nil), aot.Params...), o.params...)
		o.named = append(append([]string(nil), aot.Named...), o.named...)
	}
	if len(o.programs) == 0 {
		if len(operands) == 0 {
			return o, nil // the caller decides: the REPL, or bpftrace's usage error
		}
		o.file, operands = operands[0], operands[1:]
	}
	for _, a := range operands {
		if strings.HasPrefix(a, "--") {
			o.named = append(o.named, a[2:])
		} else {
			o.params = append(o.params, a)
		}
	}
	return o, nil
}

// checkMode reconciles --mode with --test, --bench and --fmt.
func (o *options) checkMode() error {
	n := 0
	for _, set := range []bool{o.mode != "", o.testFlag, o.benchFlag, o.fmtFlag} {
		if set {
			n++
		}
	}
	if n > 1 {
		which := "--test"
		switch {
		case o.benchFlag:
			which = "--bench"
		case o.fmtFlag:
			which = "--fmt"
		}
		return usageErrorf(false, "USAGE: %s conflicts with existing --mode", which)
	}
	switch {
	case o.testFlag:
		o.mode = "test"
	case o.benchFlag:
		o.mode = "bench"
	case o.fmtFlag:
		o.mode = "format"
	}
	switch o.mode {
	case "", "run", "codegen", "compiler-bench", "bench", "test", "format":
		return nil
	}
	return usageErrorf(false, "USAGE: --mode can only be 'codegen', 'compiler-bench', 'bench', 'test' or 'format' (or gotrace's 'run').")
}

// flagError turns pflag's errors into getopt's words: the option's
// name as it was typed, followed by the usage.
func flagError(err error) error {
	var notExist *pflag.NotExistError
	var needsValue *pflag.ValueRequiredError
	var syntax *pflag.InvalidSyntaxError
	switch {
	case errors.As(err, &notExist):
		if sh := notExist.GetSpecifiedShortnames(); sh != "" {
			return usageErrorf(true, "invalid option -- '%s'", notExist.GetSpecifiedName())
		}
		return usageErrorf(true, "unrecognized option '--%s'", notExist.GetSpecifiedName())
	case errors.As(err, &needsValue):
		if needsValue.GetSpecifiedShortnames() != "" {
			return usageErrorf(true, "option requires an argument -- '%s'", needsValue.GetSpecifiedName())
		}
		return usageErrorf(true, "option '--%s' requires an argument", needsValue.GetSpecifiedName())
	case errors.As(err, &syntax):
		return usageErrorf(true, "unrecognized option '%s'", syntax.GetSpecifiedFlag())
	}
	return usageErrorf(true, "%v", err)
}
