package runtime

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// The pipeline: one entry point from a script's text to a verified
// program.
//
// Compile strings the passes together in one place, and everything that
// compiles a script calls it: the command line (running, --check,
// --emulate, -l with a program, -d ast and -d asm), the REPL, and the
// tests (through internal/pipelinetest). It lives in runtime rather than
// in a package of its own between cmd and runtime because runtime already
// imports every pass it drives (lang, lang/types, probes, codegen and,
// through Check, vm/verify) and owns its last stage, our verifier; no
// lower package can hold it, and a package above runtime would add a
// layer without removing an import.
//
// The passes, each one package with one product:
//
//	lang.Parse          text          → *lang.File     (StageParse)
//	types.Check         file, env     → *types.Info    (StageCheck)
//	codegen.Compile     file, info    → *codegen.Program (StageCompile)
//	Check (vm/verify)   program       → nil, errors, or undecided (StageVerify)
//
// The probes environment the checker asks about each probe, and the
// codegen.Target the compiler sizes per-CPU maps from, both come from one
// probes.Target: the host for the command line, a folder of fake host
// facts for the tests.

// Stage is a pass of the pipeline; the stages run in the order of their
// values.
type Stage int

const (
	StageParse   Stage = iota + 1 // lang.Parse: the syntax tree (and the files it imports)
	StageCheck                    // types.Check: names, types, layouts, each probe's contexts
	StageCompile                  // codegen.Compile: the eBPF programs and what runtime needs to load them
	StageVerify                   // Check: gotrace's own verifier over every program
)

var stageNames = [...]string{0: "none", StageParse: "parse", StageCheck: "check", StageCompile: "compile", StageVerify: "verify"}

func (s Stage) String() string {
	if s >= 0 && int(s) < len(stageNames) {
		return stageNames[s]
	}
	return "stage(?)"
}

// CompileOptions say what a script is compiled against and how far.
type CompileOptions struct {
	// Target supplies every fact about the host: the probes environment
	// the checker asks about each probe (tracefs formats, BTF, kernel
	// functions, features) and the number of possible CPUs the compiler
	// sizes per-CPU data for and the verifier checks with. nil means
	// probes.HostTarget().
	Target probes.Target
	// Config holds the script's parameters ($1, getopt), the
	// BPFTRACE_<KEY> environment and --unsafe.
	Config types.Config
	// Self is gotrace's own process id, whose events the programs of
	// process probes skip (codegen.Target.Self); 0 filters nothing.
	Self int
	// Child: gotrace runs a command (-c), whose events the programs skip
	// until it execs (codegen.Target.Child).
	Child bool
	// Cgroup is --cgroup: the programs of process probes skip the
	// events of processes outside that cgroup (codegen.Target.Cgroup).
	Cgroup codegen.CgroupFilter
	// PID is the process of -p: uprobe and USDT paths, library short
	// names and symbols are resolved as that process sees its files
	// (through /proc/PID/root and its maps); 0 means the host's view.
	PID int
	// PidNS is the pid namespace gotrace runs in (PidNamespace), whose
	// view pid and tid give; the zero value is the initial one.
	PidNS codegen.PidNS
	// Stop is the last stage to run; 0 means StageVerify, all of them.
	// -l stops after checking, --emulate after compiling.
	Stop Stage
	// Includes are the headers of --include FILE, included before the
	// script's own #include lines (they are put first in its
	// File.Includes); IncludeDirs are the -I directories headers are
	// looked for in, for the reader of headers.
	Includes    []string
	IncludeDirs []string
	// RuntimeWarnings is -k: the programs check what probe reads and map
	// lookups return and report failures at their script position.
	RuntimeWarnings bool
}

// Compiled is the product of Compile: what each stage that ran made.
// A stage's fields are set once that stage succeeded; Done says which
// stage that was last.
type Compiled struct {
	Name string // the script's name, as diagnostics show it ("stdin" for -e)
	Src  []byte // its text, for lang.Format
	Done Stage  // the last stage that succeeded (0: none)

	File *lang.File  // StageParse: the syntax tree
	Info *types.Info // StageCheck: types, maps, probes and their contexts
	// Warnings are the checker's diagnostics that do not stop the script
	// (StageCheck); the command line prints them before anything else,
	// errors of later stages included.
	Warnings lang.ErrorList

	Prog *codegen.Program // StageCompile: the CollectionSpec and its metadata
	// Target is the host the script was compiled for (opts.Target, or
	// the machine gotrace runs on): loading and emulating Prog take it.
	Target probes.Target

	// Undecided, after StageVerify, holds the programs our verifier gave
	// up on at its instruction limit with nothing else wrong: the
	// kernel's verifier decides those when the program is loaded (or, for
	// --check, by KernelCheck). It is not an error of Compile.
	Undecided *UndecidedError
}

// Compile runs the pipeline over one script: parse, check against the
// Target's probes environment, compile for the Target, and verify each
// program with gotrace's verifier, stopping after opts.Stop.
//
// The error is the first failing stage's diagnostics, positioned in the
// script (a *lang.Error or a lang.ErrorList; lang.Format shows them with
// their source lines), and the stages after it do not run. The product
// is never nil: it holds what the stages before the failing one made, so
// that a caller can print the warnings of a script whose compilation
// then failed, or show the instructions of a program the verifier
// refused. Our verifier giving up is not a failure (see
// Compiled.Undecided).
//
// Compile depends only on its arguments and the Target: the same script
// against the same Target always gives the same program.
func Compile(name string, src []byte, opts CompileOptions) (*Compiled, error) {
	defer relaxGC()()
	stop := opts.Stop
	if stop == 0 {
		stop = StageVerify
	}
	target := opts.Target
	if target == nil {
		target = probes.HostTarget()
	}
	c := &Compiled{Name: name, Src: src, Target: target}

	file, err := lang.ParseWith(name, src, lang.Options{Includes: opts.Includes, IncludeDirs: opts.IncludeDirs, Headers: types.HeaderReader(opts.IncludeDirs)})
	if err != nil {
		return c, err
	}
	c.File, c.Done = file, StageParse
	if stop == StageParse {
		return c, nil
	}
	// diagnostics in imported files carry those files' text
	fail := func(err error) (*Compiled, error) {
		lang.AttachSources(err, file.Imported)
		return c, err
	}

	env := probes.NewEnv(target, probes.ForPID(opts.PID), probes.Unsafe(opts.Config.Unsafe))
	info, err := types.Check(file, env, opts.Config)
	if err != nil {
		return fail(err)
	}
	c.Info, c.Done = info, StageCheck
	c.Warnings = append(lang.ErrorList(info.Warnings), probes.Warnings(env)...)
	lang.AttachSources(c.Warnings, file.Imported)
	if stop == StageCheck {
		return c, nil
	}

	prog, err := codegen.Compile(file, info, codegen.Target{NumCPU: target.NumCPU(), Self: opts.Self, Child: opts.Child, PID: opts.PID, Cgroup: opts.Cgroup, PidNS: opts.PidNS, RuntimeWarnings: opts.RuntimeWarnings})
	if err != nil {
		return fail(err)
	}
	c.Prog, c.Done = prog, StageCompile
	if stop == StageCompile {
		return c, nil
	}

	if err := Check(prog, target, false); err != nil {
		if !errors.As(err, &c.Undecided) {
			return fail(err)
		}
	}
	c.Done = StageVerify
	return c, nil
}

// initPidNSIno is the inode number of the initial pid namespace
// (PROC_PID_INIT_INO).
const initPidNSIno = 0xeffffffc

// PidNamespace names the pid namespace gotrace runs in
// (CompileOptions.PidNS): the zero value for the initial one, or when it
// cannot be told.
func PidNamespace() codegen.PidNS {
	var st unix.Stat_t
	if unix.Stat("/proc/self/ns/pid", &st) != nil || st.Ino == initPidNSIno {
		return codegen.PidNS{}
	}
	return codegen.PidNS{Dev: st.Dev, Ino: st.Ino}
}
