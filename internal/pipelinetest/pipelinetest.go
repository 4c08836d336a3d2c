// Package pipelinetest compiles scripts for tests, through
// runtime.Compile (the one entry point of the pipeline) against a fake
// host, so that tests need neither root nor a kernel nor tracefs.
//
// The fake host is probes.DirTarget over probes/testdata: tracepoint
// format files, a list of kernel functions, a test binary for uprobes,
// two possible CPUs, and the features of a typical modern kernel. It has
// no kernel BTF unless a test adds the host's (KernelBTF), for fentry,
// fexit, iter and curtask.
//
// A test compiles with Compile when it looks at the error, or with
// MustCompile when any error fails it; both take the script as text:
//
//	c := pipelinetest.MustCompile(t, `BEGIN { @x = 1; exit(); }`, pipelinetest.Options{})
//	out := pipelinetest.Emulate(t, c) // what the program prints, run in the VM
//
// Only tests import this package: of the pipeline's packages, runtime
// and above may (runtime's own tests from package runtime_test, since
// this package imports runtime).
package pipelinetest

import (
	"bytes"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// NumCPU is the number of possible CPUs of the fake host, which scripts
// are compiled for, verified with and emulated on.
const NumCPU = 2

// Root is the folder of the gotrace module, found from this file's
// path, so that tests in any package find probes/testdata, examples and
// the other test data.
func Root() string {
	_, self, _, _ := goruntime.Caller(0)
	return filepath.Join(filepath.Dir(self), "..", "..")
}

// Target returns a new fake host over probes/testdata with NumCPU CPUs.
// A test may change its Features or set its BTF before compiling.
func Target() *probes.DirTarget {
	t := probes.NewDirTarget(filepath.Join(Root(), "probes", "testdata"))
	t.NumCPUs = NumCPU
	return t
}

var kernelBTF = sync.OnceValue(func() *btf.Spec {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return nil
	}
	return spec
})

// KernelBTF returns the host kernel's BTF, read once, or nil when the
// host has none (/sys/kernel/btf/vmlinux). Reading it needs no
// privileges.
func KernelBTF() *btf.Spec { return kernelBTF() }

// Options say how Compile compiles a script; the zero value compiles
// "t.gt" against Target(), with an empty types.Config, through our
// verifier.
type Options struct {
	Name   string        // the script's file name in diagnostics; "" means "t.gt"
	Target probes.Target // the host; nil means Target()
	Config types.Config  // parameters, BPFTRACE_* settings, unsafe
	Stop   runtime.Stage // the last stage to run; 0 means StageVerify
}

// Compile runs runtime.Compile over src as opts say. The product is
// never nil, and the error is the first failing stage's diagnostics;
// lang.Format(err, []byte(src)) shows them.
func Compile(src string, opts Options) (*runtime.Compiled, error) {
	if opts.Name == "" {
		opts.Name = "t.gt"
	}
	var target probes.Target = opts.Target
	if target == nil {
		target = Target()
	}
	return runtime.Compile(opts.Name, []byte(src), runtime.CompileOptions{Target: target, Config: opts.Config, Stop: opts.Stop})
}

// MustCompile is Compile failing the test, with the diagnostics shown at
// their lines of src, when any stage fails. A program our verifier gave
// up on (Compiled.Undecided) does not fail it.
func MustCompile(t testing.TB, src string, opts Options) *runtime.Compiled {
	t.Helper()
	c, err := Compile(src, opts)
	if err != nil {
		t.Fatalf("%s stage: %s", c.Done+1, lang.Format(err, []byte(src)))
	}
	return c
}

// TaiStart is the TAI time (in nanoseconds) at which Emulate's clock
// starts, so that printed tseries times are always the same.
const TaiStart = 1_700_000_000_000_000_000

// Emulate runs c's program in the VM with runtime.Emulate, as gotrace
// --emulate -q does (BEGIN, the interval probes in simulated time, END,
// then the maps), on NumCPU CPUs, from TaiStart, printing times in UTC.
// It returns what the program printed; an error of the emulation fails
// the test.
func Emulate(t testing.TB, c *runtime.Compiled) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if _, err := runtime.Emulate(c.Prog, runtime.Options{Out: &out, Err: &errOut, Quiet: true, Target: c.Target,
		TaiStart: TaiStart, Loc: time.UTC}); err != nil {
		t.Fatalf("emulating: %v\n%s", err, errOut.Bytes())
	}
	return out.String()
}
