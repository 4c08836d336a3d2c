package runtime

import (
	"errors"
	"fmt"
	"maps"
	goruntime "runtime"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/vm/verify"
)

// Check runs gotrace's own verifier over every program of prog, as the
// kernel would check them when loading as root. A rejection becomes an
// error at the script position of the failing instruction, with the
// verifier's one-line reason; the abstract state goes in the hint only
// when detail is set (-d verifier). host is the machine that will load
// the programs: its number of possible CPUs and whether its kernel
// grants private stacks decide verdicts (nil: neither is known, so no
// private stack is assumed).
//
// A program the verifier gives up on at its instruction limit is reported
// in an *UndecidedError (with nothing else wrong): the kernel's verifier,
// which tracks more than gotrace's, decides those.
func Check(prog *codegen.Program, host probes.Target, detail bool) error {
	opts := verify.Options{}
	if host != nil {
		opts.NumCPU = host.NumCPU()
		// Whether the kernel grants private stacks matters only to
		// programs of several functions; finding out loads programs, so
		// hello world does not ask.
		if hasFunctions(prog) {
			opts.PrivateStack = host.Has(probes.FeaturePrivateStack)
		}
		if l := types.RegLayoutOf(host.Arch()); l != nil {
			opts.PtRegsSize = l.Size
		}
	}
	verdicts := verifyAll(prog, opts)
	var errs, limits lang.ErrorList
	for i, pp := range prog.Probes {
		err := verdicts[i]
		if err == nil {
			continue
		}
		var ve *verify.Error
		if !errors.As(err, &ve) {
			return fmt.Errorf("checking the program for %s: %w", pp.Ctx.Name, err)
		}
		list := &errs
		if ve.Limit {
			list = &limits
		}
		e := list.Add(insnPos(pp, ve.Insn), "%s", ve.Msg)
		e.Hint = fmt.Sprintf("gotrace's verifier refused instruction %d of the program for %s; run with -d asm to see it", ve.Insn, pp.Ctx.Name)
		if detail && ve.Detail != "" {
			e.Hint += "\nstate: " + ve.Detail
		}
	}
	if len(errs) == 0 && len(limits) > 0 {
		return &UndecidedError{Errs: limits}
	}
	return append(errs, limits...).Err()
}

// hasFunctions reports whether a program of prog calls a function of its
// own (a BPF-to-BPF call or a callback such as bpf_loop's).
func hasFunctions(prog *codegen.Program) bool {
	for _, ps := range prog.Spec.Programs {
		for _, ins := range ps.Instructions {
			if ins.IsFunctionCall() || ins.IsLoadOfFunctionPointer() {
				return true
			}
		}
	}
	return false
}

// verifyAll runs gotrace's verifier on every probe's program, as many at
// once as there are CPUs to run them (the programs are independent), and
// returns the verdicts in the order of prog.Probes.
func verifyAll(prog *codegen.Program, opts verify.Options) []error {
	verdicts := make([]error, len(prog.Probes))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(goruntime.GOMAXPROCS(0), len(prog.Probes)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ps := prog.Spec.Programs[prog.Probes[i].Prog]
				verdicts[i] = verify.Program(ps.Instructions, ps.Type, prog.Spec.Maps, opts)
			}
		}()
	}
	for i := range prog.Probes {
		next <- i
	}
	close(next)
	wg.Wait()
	return verdicts
}

// UndecidedError holds the programs gotrace's verifier gave up on at its
// instruction limit, as positioned errors: the kernel decides them.
type UndecidedError struct{ Errs lang.ErrorList }

func (e *UndecidedError) Error() string { return e.Errs.Error() }
func (e *UndecidedError) Unwrap() error { return e.Errs }

// KernelCheck loads prog's programs into the kernel without attaching
// them, for --check of programs gotrace's verifier could not decide. It
// tells whether the kernel's verifier gave a verdict (not when BPF cannot
// be loaded here), and its refusal, positioned as when running.
func KernelCheck(prog *codegen.Program) (bool, error) {
	_ = rlimit.RemoveMemlock()
	spec, release, err := withAttachTargets(prog, prog.Spec)
	if err != nil {
		return false, err
	}
	coll, err := ebpf.NewCollection(spec)
	release()
	if err != nil {
		var ve *ebpf.VerifierError
		return errors.As(err, &ve), explainLoadError(prog, err)
	}
	coll.Close()
	return true, nil
}

// withAttachTargets returns spec with each fentry:bpf and fexit:bpf
// program given the loaded program it attaches to (the kernel checks a
// tracing program against its target when it loads it); release closes
// those targets once the programs are loaded.
func withAttachTargets(prog *codegen.Program, spec *ebpf.CollectionSpec) (_ *ebpf.CollectionSpec, release func(), err error) {
	var targets []*ebpf.Program
	release = func() {
		for _, t := range targets {
			t.Close()
		}
	}
	var cs *ebpf.CollectionSpec
	for _, pp := range prog.Probes {
		target, err := probes.AttachTarget(pp.Ctx)
		if err != nil {
			release()
			return nil, func() {}, err
		}
		if target == nil {
			continue
		}
		targets = append(targets, target)
		if cs == nil {
			c := *spec
			c.Programs = maps.Clone(spec.Programs)
			cs = &c
		}
		ps := cs.Programs[pp.Prog].Copy()
		ps.AttachTarget = target
		cs.Programs[pp.Prog] = ps
	}
	if cs == nil {
		return spec, release, nil
	}
	return cs, release, nil
}

// insnPos is the script position of raw instruction idx of pp, or the
// probe's position when the instruction has none.
func insnPos(pp *codegen.ProbeProg, idx int) lang.Pos {
	if pos := pp.Positions.At(idx); pos.IsValid() {
		return pos
	}
	return pp.Probe.At
}

// explainLoadError turns a load failure into a positioned error when the
// kernel's verifier names the failing instruction.
func explainLoadError(prog *codegen.Program, err error) error {
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		if errors.Is(err, errPerm) {
			return probes.LoadDenied()
		}
		return fmt.Errorf("loading BPF programs: %w", err)
	}
	var pp *codegen.ProbeProg
	for _, p := range prog.Probes {
		if containsWord(err.Error(), p.Prog) {
			pp = p
		}
	}
	idx, msg := verify.KernelLogInsn(ve.Log)
	if pp == nil {
		return fmt.Errorf("the kernel rejected the program: %s", msg)
	}
	e := lang.Errorf(insnPos(pp, idx), "the kernel rejected this: %s", msg)
	e.Hint = fmt.Sprintf("the kernel's verifier refused the program for %s; run with -d asm to see it", pp.Ctx.Name)
	if idx >= 0 {
		e.Hint = fmt.Sprintf("the kernel's verifier failed at instruction %d of the program for %s; run with -d asm to see it", idx, pp.Ctx.Name)
	}
	for _, h := range helperHints {
		if strings.Contains(strings.Join(ve.Log, "\n"), h.log) {
			e.Hint = h.hint
		}
	}
	return e
}

// helperHints explain the kernel's refusals of helpers that only some
// kernels or some functions may call.
var helperHints = []struct{ log, hint string }{
	{"unknown func bpf_override_return", "this kernel has no bpf_override_return: override() needs a kernel built with CONFIG_BPF_KPROBE_OVERRIDE (and CONFIG_FUNCTION_ERROR_INJECTION)"},
	{"unknown func bpf_d_path", "this kernel has no bpf_d_path: path() needs Linux 5.10 or later"},
	{"failed to find the address for kernel symbol", "the kernel finds a variable's address in kallsyms, and this kernel's lists no data symbols (it is built without CONFIG_KALLSYMS_ALL), so percpu_kaddr() cannot be used on it"},
	{"cannot use helper bpf_probe_write_user", "this kernel refuses bpf_probe_write_user: it is locked down (integrity or confidentiality in /sys/kernel/security/lockdown), which write_user() cannot get past"},
	{"helper call is not allowed in probe", "path() works only in the kernel functions allowed to call bpf_d_path (the kernel's btf_allowlist_d_path: vfs_getattr, security_file_open, filp_close, dentry_open, ...)"},
}

var errPerm = unix.EPERM

// containsWord reports whether name occurs in s as a whole word, so that
// program p1_x is not found inside p11_x.
func containsWord(s, name string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], name)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(name)
		if (j == 0 || !isWordByte(s[j-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
