package runtime_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/internal/pipelinetest"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
)

// Our verifier, the pipeline's last stage, over compiled scripts: what
// it refuses is refused at a position of the script, what it gives up on
// is left to the kernel, and what the code generator makes passes it and
// the kernel's.

// btfTarget is the fake host with the host's kernel BTF, when it has
// one, for fentry, fexit and curtask.
func btfTarget() *probes.DirTarget {
	tgt := pipelinetest.Target()
	tgt.BTF = pipelinetest.KernelBTF()
	return tgt
}

// verdict is the pipeline's answer through our verifier, with a program
// it gave up on counted as refused.
func verdict(t *testing.T, src string) (*runtime.Compiled, error) {
	t.Helper()
	c, err := pipelinetest.Compile(src, pipelinetest.Options{Target: btfTarget()})
	if err == nil && c.Undecided != nil {
		err = c.Undecided
	}
	return c, err
}

// TestCheckLimits: scripts over the kernel's limits are refused before
// loading, at a position in the script.
func TestCheckLimits(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"BEGIN {\n  $i = 0;\n  while ($i >= 0) { $i++; }\n}", "t.gt:3:"},
		{"BEGIN { $i = 0; while (1) { $i++; } }", "t.gt:1:"},
		{"BEGIN { unroll(100) { unroll(100) { @x[rand] = rand; } } }", "t.gt:1:1-6: ERROR: this probe compiles to more than"},
	} {
		_, err := verdict(t, tc.src)
		if err == nil {
			t.Errorf("%q: accepted", tc.src)
			continue
		}
		got := lang.Format(err, []byte(tc.src))
		if !strings.HasPrefix(got, tc.want) || !strings.Contains(got, "~") {
			t.Errorf("%q:\n%s\nwant prefix %s", tc.src, got, tc.want)
		}
	}
}

// TestCheckUndecided: a program gotrace's verifier gives up on at its
// instruction limit is reported as undecided (the kernel decides it),
// not as an error; a plain mistake is not undecided.
func TestCheckUndecided(t *testing.T) {
	c, err := pipelinetest.Compile("BEGIN { $i = 0; while ($i >= 0) { $i++; } }", pipelinetest.Options{})
	if err != nil || c.Undecided == nil || c.Done != runtime.StageVerify {
		t.Errorf("an endless loop: %v (undecided %v, done %s), want it undecided", err, c.Undecided, c.Done)
	}
	c, err = pipelinetest.Compile("BEGIN { $p = (uint64 *)0; $x = *$p; $y = $x / 0; exit(); }", pipelinetest.Options{})
	if c.Done < runtime.StageCompile {
		t.Fatal(err)
	}
	if c.Undecided != nil {
		t.Errorf("a decided program: %v", c.Undecided)
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
		if _, err := verdict(t, src); err != nil {
			t.Errorf("%q: %s", src, lang.Format(err, []byte(src)))
		}
	}
}

// manyIfs sets n variables each under its own condition and sums them:
// 2^n paths, which only pruning keeps small.
func manyIfs(n int) string {
	var b strings.Builder
	sum := "0"
	b.WriteString("BEGIN { ")
	for i := 0; i < n; i++ {
		v := "$v" + string(rune('a'+i))
		fmt.Fprintf(&b, "%s = 0; if (rand > %d) { %s = %d; } ", v, 1000*i, v, i+1)
		sum += " + " + v
	}
	fmt.Fprintf(&b, "@sum = %s; }", sum)
	return b.String()
}

// generated are BEGIN probes that use each part of the code generator.
var generated = map[string]string{
	"many_ifs":              manyIfs(20),
	"printf_count_max_exit": `BEGIN { printf("hello %d %s %s\n", 42, "world", comm); @[comm] = count(); @m = max(pid); if (pid > 1 && comm == "x") { exit(); } }`,
	"hist":                  `BEGIN { @h = hist(pid); }`,
	"lhist":                 `BEGIN { @l = lhist(pid, 0, 100, 10); }`,
	"stats":                 `BEGIN { @s[tid] = stats(pid); }`,
	"avg":                   `BEGIN { @a = avg(pid); }`,
	"min":                   `BEGIN { @n = min(pid); }`,
	"sum":                   `BEGIN { @sum[comm] = sum(pid); }`,
	"count_by_comm_pid":     `BEGIN { @c[comm, pid] = count(); delete(@c[comm, pid]); clear(@c); }`,
	"string_compare":        `BEGIN { if (comm == "bash") { printf("%s\n", comm); } }`,
	"ternary_and_unroll":    `BEGIN { $x = pid > 100 ? 1 : 2; unroll(4) { $x += $x; } @x = $x; }`,
	"for_range":             `BEGIN { for ($i : 0..20) { @r[$i] = $i * $i; } }`,
	"while_loop":            `BEGIN { $i = 0; while ($i < 10) { @x[$i] = $i; $i += 1; } print(@x); }`,
	"for_over_map":          `BEGIN { @x[1] = 2; for ($kv : @x) { printf("%d %d\n", $kv.0, $kv.1); } }`,
	"maps_and_strings":      `BEGIN { @c[comm, pid] = count(); $s = "abc"; if (comm == $s) { delete(@c[comm, pid]); } @t = nsecs; clear(@c); }`,
}

// TestGeneratedProgramsVerify: programs from the code generator pass our
// verifier, and the kernel's verifier agrees (as root; under CI=true the
// kernel's part must run).
func TestGeneratedProgramsVerify(t *testing.T) {
	kernel := os.Geteuid() == 0
	if !kernel && os.Getenv("CI") == "true" {
		t.Error("kernel part cannot run in CI: not root")
	}
	names := make([]string, 0, len(generated))
	for name := range generated {
		names = append(names, name)
	}
	sort.Strings(names)
	agree, total := 0, 0
	for _, name := range names {
		src := generated[name]
		t.Run(name, func(t *testing.T) {
			c, ours := verdict(t, src)
			if c.Done < runtime.StageCompile {
				t.Fatalf("does not compile: %s", lang.Format(ours, []byte(src)))
			}
			if ours != nil {
				// the verifier's state where it refused, for the log
				detail := runtime.Check(c.Prog, c.Target, true)
				t.Errorf("our verifier refuses it: %s", lang.Format(detail, []byte(src)))
			}
			if !kernel {
				return
			}
			decided, kerr := runtime.KernelCheck(c.Prog)
			if !decided { // no BPF here: not a verdict
				if os.Getenv("CI") == "true" {
					t.Errorf("the kernel cannot load it (CI=true): %v", kerr)
				}
				return
			}
			total++
			if (kerr == nil) == (ours == nil) {
				agree++
			}
			if kerr != nil {
				t.Errorf("the kernel refuses it: %s", lang.Format(kerr, []byte(src)))
			}
		})
	}
	if kernel {
		t.Logf("agreement with the kernel on generated programs: %d/%d", agree, total)
	}
}
