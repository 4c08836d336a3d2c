package runtime

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// twoCPUs is a host of two CPUs whose kernel grants no private stacks.
var twoCPUs = &probes.DirTarget{Dir: "../probes/testdata", NumCPUs: 2}

func compile(t testing.TB, src string) (*codegen.Program, error) {
	t.Helper()
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		return nil, err
	}
	target := probes.NewDirTarget("../probes/testdata")
	if spec, err := btf.LoadKernelSpec(); err == nil {
		target.BTF = spec // for fentry, fexit and curtask
	}
	info, err := types.Check(f, probes.NewEnv(target), types.Config{})
	if err != nil {
		return nil, err
	}
	return codegen.Compile(f, info, codegen.Target{NumCPU: 2})
}

// TestCheckLimits: scripts over the kernel's limits are refused before
// loading, at a position in the script.
func TestCheckLimits(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"BEGIN {\n  $i = 0;\n  while ($i >= 0) { $i++; }\n}", "t.gt:3:"},
		{"BEGIN { $i = 0; while (1) { $i++; } }", "t.gt:1:"},
		{"BEGIN { unroll(100) { unroll(100) { @x[rand] = rand; } } }", "t.gt:1:1: error: this probe compiles to more than"},
	} {
		prog, err := compile(t, tc.src)
		if err == nil {
			err = Check(prog, twoCPUs, false)
		}
		if err == nil {
			t.Errorf("%q: accepted", tc.src)
			continue
		}
		got := lang.Format(err, []byte(tc.src))
		if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "^") {
			t.Errorf("%q:\n%s\nwant prefix %s", tc.src, got, tc.want)
		}
	}
}

// TestCheckUndecided: a program gotrace's verifier gives up on at its
// instruction limit is reported as undecided (the kernel decides it),
// a plain mistake is not.
func TestCheckUndecided(t *testing.T) {
	prog, err := compile(t, "BEGIN { $i = 0; while ($i >= 0) { $i++; } }")
	if err != nil {
		t.Fatal(err)
	}
	var undecided *UndecidedError
	if err := Check(prog, twoCPUs, false); !errors.As(err, &undecided) {
		t.Errorf("an endless loop: %v, want an UndecidedError", err)
	}
	prog, err = compile(t, "BEGIN { $p = (uint64 *)0; $x = *$p; $y = $x / 0; exit(); }")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(prog, twoCPUs, false); errors.As(err, &undecided) {
		t.Errorf("a decided program: %v", err)
	}
}

// TestCheckAccepts: ordinary scripts pass the verifier.
func TestCheckAccepts(t *testing.T) {
	for _, src := range []string{
		`BEGIN { printf("hello %d %s\n", 42, "world"); exit(); }`,
		`tracepoint:syscalls:sys_enter_openat { @[comm] = count(); @bytes[pid] = sum(args.flags); } interval:ms:500 { exit(); }`,
		`t:syscalls:sys_enter_openat /pid == 1234/ { printf("%s\n", str(args.filename)); }`,
		`BEGIN { $t = (1, "two"); @m[$t.0, $t.1] = 3; for ($kv : @m) { printf("%d %s %d\n", $kv.0.0, $kv.0.1, $kv.1); } exit(); }`,
		`t:syscalls:sys_enter_openat { $a = str(args.filename); $b = str(args.filename); @[$a, $b] = count(); }`,
		`BEGIN { @h = hist(rand); @l = lhist(rand % 100, 0, 100, 10); @s = stats(rand); @a = avg(rand); @mn = min(rand); @mx = max(rand); }`,
		`fentry:vfs_read { @[comm] = count(); @c = sum(args.count); printf("%d %d %s\n", arg2, args.file->f_flags, ksym(func)); }`,
		`fexit:vfs_read /retval > 0/ { @ = hist(retval); @f[args.file->f_inode->i_ino] = count(); }`,
		`kprobe:vfs_read { @[comm] = count(); } kretprobe:vfs_read { @r = hist(retval); }`,
		`t:syscalls:sys_enter_openat { @[kstack] = count(); @u[ustack(perf, 5)] = count(); @k[kstack(raw)] = count(); }`,
		`t:syscalls:sys_enter_openat { @s[usym(args.filename), ustack] = count(); printf("%s\n", usym(args.filename)); }`,
	} {
		prog, err := compile(t, src)
		if err != nil {
			t.Errorf("%q: %s", src, lang.Format(err, []byte(src)))
			continue
		}
		if err := Check(prog, twoCPUs, false); err != nil {
			t.Errorf("%q: %s", src, lang.Format(err, []byte(src)))
		}
	}
}

// TestKernelLogPosition: a kernel verifier log is reduced to the failing
// instruction and mapped to the script.
func TestKernelLogPosition(t *testing.T) {
	prog, err := compile(t, "BEGIN {\n  @x = 1;\n}")
	if err != nil {
		t.Fatal(err)
	}
	pp := prog.Probes[0]
	idx := len(pp.Positions) - 1
	pos := insnPos(pp, idx)
	if pos.Line == 0 {
		t.Fatalf("instruction %d has no position", idx)
	}
	if !containsWord("program p0_begin: load program", pp.Prog) || containsWord("p0_beginx", pp.Prog) {
		t.Errorf("containsWord")
	}
	// A kernel rejection names the instruction in its log.
	log := []string{
		"0: R1=ctx() R10=fp0",
		fmt.Sprintf("%d: (b7) r0 = 0", idx),
		"R0 invalid mem access 'scalar'",
		"processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
	}
	err = explainLoadError(prog, fmt.Errorf("program %s: load program: %w", pp.Prog, &ebpf.VerifierError{Log: log}))
	got := lang.Format(err, []byte("BEGIN {\n  @x = 1;\n}"))
	if !strings.HasPrefix(got, pos.String()+": error: the kernel rejected this: R0 invalid mem access 'scalar'") {
		t.Errorf("kernel log: %s", got)
	}
}
