// Package qemu holds the kernel-matrix tests: providers this machine's
// kernel lacks (kprobes, kretprobes, fentry, fexit, working hardware
// breakpoints) are tested by booting Debian's kernel, which has them,
// under qemu-system-x86_64; kprobe-multi links, which Debian's 6.1 lacks,
// on its 6.12 backports kernel (cases whose "kernel" file says bpo).
// Cases whose kernel file says arm64 run on Debian's arm64 kernel under
// qemu-system-aarch64 (TCG: the host is x86-64), with a GOARCH=arm64
// gotrace: the arm64 register layout (argN, retval, reg(), func, ustack),
// the arm64 system call table and the -c child's entry breakpoint.
//
// TestKernelMatrix builds the static gotrace binary and, per kernel, an
// initramfs holding it, a static busybox and the cases of testdata/*.txtar
// for that kernel, boots the kernel once for all its cases (about 6 s
// without KVM, plus the cases), and reads the serial console. The init script runs each case's gotrace command with
// __BPFTRACE_NOTIFY_PROBES_ATTACHED set, waits for that line, runs the
// case's workload, waits for gotrace (with the NAME=VALUE words of the
// case's "env" file in its environment), and frames the output between
// "=== CASE name" and "=== END name rc=N" lines. Each case's "want" lines
// are regular expressions that must each match a line of its output. A
// case's "gen" file, when there is one, is a shell script run in the
// guest whose output becomes script.gt (for values known only there, such
// as the address of a kernel symbol); its "after" file is a shell script
// run once gotrace has ended, whose output is checked with gotrace's (to
// look into files gotrace wrote). A case's NAME.go file is built, for the
// guest's architecture, into the program NAME next to script.gt (a
// program for uprobes to trace: /cases/CASE/NAME in the guest). Any other
// file of a case (a .bpf.c the script imports) is put next to script.gt.
//
// .ci/qemu-setup installs qemu, busybox-static, cpio and the kernels. The
// test skips when they are missing, except under CI=true, where it fails.
// GOTRACE_QEMU_CASES, a regular expression, limits the run to the cases
// it matches (for work on a few of them).
package qemu

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

type kcase struct {
	name      string
	interrupt string // seconds after its workload ends that the case gets SIGINT (Ctrl-C)
	args      string // gotrace arguments; the script is script.gt
	script    string
	workload  string
	after     string   // a shell script run once gotrace ended; its output is checked with gotrace's
	gen       string   // a shell script run in the guest whose output is script.gt
	kernels   []string // the kernels to boot for the case: default (6.1), bpo (backports, 6.12)
	want      []*regexp.Regexp
	rc        string
	env       string            // NAME=VALUE words for gotrace's environment (and so a -c command's)
	extra     map[string]string // other files of the case (what the script imports), by name
	progs     map[string]string // Go programs to build for the guest, by the name of the binary
}

// guest is how one architecture's kernels boot: its qemu, the machine and
// CPU it emulates, its serial console, the busybox and the gotrace binary
// put in the initramfs, and its kernels by the names case kernel files
// use.
type guest struct {
	arch    string // GOARCH
	qemu    string
	args    []string // machine and CPU
	console string
	busybox string
	gotrace string
	kernels map[string]string // kernel image by name: default, bpo, arm64
}

func loadCases(t *testing.T) []kcase {
	files, _ := filepath.Glob("testdata/*.txtar")
	var cs []kcase
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := kcase{name: strings.TrimSuffix(filepath.Base(f), ".txtar"), rc: "0", kernels: []string{"default"}}
		for _, file := range a.Files {
			body := string(file.Data)
			switch file.Name {
			case "args":
				c.args = strings.TrimSpace(body)
			case "script.gt":
				c.script = body
			case "workload":
				c.workload = body
			case "after":
				c.after = body
			case "gen":
				c.gen = body
			case "kernel":
				c.kernels = strings.Fields(body)
			case "rc":
				c.rc = strings.TrimSpace(body)
			case "env":
				c.env = strings.TrimSpace(body)
			case "interrupt":
				c.interrupt = strings.TrimSpace(body)
			case "want":
				for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
					c.want = append(c.want, regexp.MustCompile(line))
				}
			default:
				if strings.HasSuffix(file.Name, ".go") {
					if c.progs == nil {
						c.progs = map[string]string{}
					}
					c.progs[strings.TrimSuffix(file.Name, ".go")] = body
					continue
				}
				// files the script imports (.bpf.c, .h, .bt)
				if c.extra == nil {
					c.extra = map[string]string{}
				}
				c.extra[file.Name] = body
			}
		}
		if only := os.Getenv("GOTRACE_QEMU_CASES"); only != "" && !regexp.MustCompile(only).MatchString(c.name) {
			continue
		}
		cs = append(cs, c)
	}
	return cs
}

// missing skips the test, or fails it under CI=true.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing but CI=true: run .ci/qemu-setup", what)
	}
	t.Skipf("%s is missing (run .ci/qemu-setup)", what)
}

const initScript = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tracefs nodev /sys/kernel/tracing
mount -t debugfs nodev /sys/kernel/debug
echo "=== KERNEL $(uname -r)"
for d in /cases/*; do
  n=$(basename $d)
  echo "=== CASE $n"
  rm -f /tmp/out
  if [ -f $d/gen ]; then sh $d/gen > $d/script.gt; fi
  if [ -f $d/script.gt ]; then
    env __BPFTRACE_NOTIFY_PROBES_ATTACHED=1 $(cat $d/env 2>/dev/null) timeout -s TERM 60 /gotrace $(cat $d/args) $d/script.gt > /tmp/out 2>&1 &
    pid=$!
    i=0
    while ! grep -q __BPFTRACE_NOTIFY_PROBES_ATTACHED /tmp/out 2>/dev/null && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
      sleep 0.1
      i=$((i+1))
    done
    if [ -f $d/workload ]; then sh $d/workload > /dev/null 2>&1; fi
    # Ctrl-C counts from the end of the workload, not from the start, so
    # a slow attach on a loaded machine cannot eat the time it gives.
    if [ -f $d/interrupt ]; then sleep $(cat $d/interrupt); kill -INT $(pidof gotrace); fi
    wait $pid
    rc=$?
  else
    timeout 60 /gotrace $(cat $d/args) > /tmp/out 2>&1
    rc=$?
  fi
  if [ -f $d/after ]; then sh $d/after >> /tmp/out 2>&1; fi
  grep -v __BPFTRACE_NOTIFY_PROBES_ATTACHED /tmp/out
  echo "=== END $n rc=$rc"
done
echo "=== DONE"
poweroff -f
`

func TestKernelMatrix(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the kernel matrix boots an x86-64 kernel")
	}
	cache := os.Getenv("GOTRACE_QEMU_CACHE")
	if cache == "" {
		cache = "/var/cache/gotrace-qemu"
	}
	cases := append(loadCases(t), exampleCases(t)...)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	if _, err := exec.LookPath("cpio"); err != nil {
		missing(t, "cpio")
	}
	var x86, arm []kcase
	for _, c := range cases {
		if slices.Contains(c.kernels, "arm64") {
			arm = append(arm, c)
		} else {
			x86 = append(x86, c)
		}
	}
	if len(x86) > 0 {
		t.Run("x86-64", func(t *testing.T) { runGuest(t, x86GuestFor(t, cache), x86, []string{"default", "bpo"}) })
	}
	if len(arm) > 0 {
		t.Run("arm64", func(t *testing.T) { runGuest(t, arm64GuestFor(t, cache), arm, []string{"arm64"}) })
	}
}

// x86GuestFor is the x86-64 guest: Debian's kernel and its backports
// kernel under qemu-system-x86_64, with the host's static busybox.
func x86GuestFor(t *testing.T, cache string) guest {
	kernels, _ := filepath.Glob(filepath.Join(cache, "boot", "vmlinuz-*"))
	if len(kernels) == 0 {
		missing(t, "the Debian kernel image")
	}
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		missing(t, "qemu-system-x86_64")
	}
	busybox := "/bin/busybox"
	if out, err := exec.Command("file", "-L", busybox).Output(); err == nil && !bytes.Contains(out, []byte("static")) {
		missing(t, "a static busybox")
	} else if _, err := os.Stat(busybox); err != nil {
		missing(t, "busybox")
	}
	// The backports kernel (6.12) has what Debian's 6.1 lacks, such as
	// kprobe-multi links (CONFIG_FPROBE); cases name it in their kernel file.
	images := map[string]string{"default": kernels[0]}
	if bpo, _ := filepath.Glob(filepath.Join(cache, "bpo", "boot", "vmlinuz-*")); len(bpo) > 0 {
		images["bpo"] = bpo[0]
	}
	return guest{arch: "amd64", qemu: qemu, console: "ttyS0", busybox: busybox, kernels: images}
}

// arm64GuestFor is the arm64 guest: Debian's arm64 kernel on qemu's virt
// machine, under TCG. "-cpu max" is every feature qemu emulates;
// pauth-impdef keeps pointer authentication but with qemu's cheap
// algorithm, which halves the time the guest takes under TCG.
func arm64GuestFor(t *testing.T, cache string) guest {
	kernels, _ := filepath.Glob(filepath.Join(cache, "arm64", "boot", "vmlinuz-*"))
	if len(kernels) == 0 {
		missing(t, "the Debian arm64 kernel image ("+cache+"/arm64)")
	}
	busybox := filepath.Join(cache, "arm64", "bin", "busybox")
	if _, err := os.Stat(busybox); err != nil {
		missing(t, "the arm64 static busybox ("+cache+"/arm64/bin)")
	}
	qemu, err := exec.LookPath("qemu-system-aarch64")
	if err != nil {
		missing(t, "qemu-system-aarch64")
	}
	return guest{arch: "arm64", qemu: qemu, args: []string{"-M", "virt", "-cpu", "max,pauth-impdef=on"}, console: "ttyAMA0",
		busybox: busybox, kernels: map[string]string{"arm64": kernels[0]}}
}

// runGuest builds gotrace for g's architecture and boots each of kernels
// once for the cases that name it.
func runGuest(t *testing.T, g guest, cases []kcase, kernels []string) {
	g.gotrace = filepath.Join(t.TempDir(), "gotrace")
	build := exec.Command("go", "build", "-o", g.gotrace, "../../cmd/gotrace")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+g.arch)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building gotrace for %s: %v\n%s", g.arch, err, out)
	}
	for _, k := range kernels {
		var these []kcase
		for _, c := range cases {
			if slices.Contains(c.kernels, k) {
				these = append(these, c)
			}
		}
		if len(these) == 0 {
			continue
		}
		if g.kernels[k] == "" {
			missing(t, "the Debian "+k+" kernel image")
		}
		bootCases(t, g, g.kernels[k], these)
	}
}

// bootCases boots kernel once with an initramfs holding busybox, the
// gotrace binary and cases, and checks each case's output.
func bootCases(t *testing.T, g guest, kernelImage string, cases []kcase) {
	root := t.TempDir()
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "cases", "etc"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	copyFile(t, g.busybox, filepath.Join(root, "bin", "busybox"), 0o755)
	copyFile(t, g.gotrace, filepath.Join(root, "gotrace"), 0o755)
	os.WriteFile(filepath.Join(root, "init"), []byte(initScript), 0o755)
	os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("root:x:0:0:root:/:/bin/sh\n"), 0o644)
	for _, c := range cases {
		d := filepath.Join(root, "cases", c.name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, "args"), []byte(c.args+"\n"), 0o644)
		if c.script != "" {
			os.WriteFile(filepath.Join(d, "script.gt"), []byte(c.script), 0o644)
		}
		if c.workload != "" {
			os.WriteFile(filepath.Join(d, "workload"), []byte(c.workload), 0o644)
		}
		if c.gen != "" {
			os.WriteFile(filepath.Join(d, "gen"), []byte(c.gen), 0o644)
		}
		if c.after != "" {
			os.WriteFile(filepath.Join(d, "after"), []byte(c.after), 0o644)
		}
		if c.interrupt != "" {
			os.WriteFile(filepath.Join(d, "interrupt"), []byte(c.interrupt), 0o644)
		}
		if c.env != "" {
			os.WriteFile(filepath.Join(d, "env"), []byte(c.env+"\n"), 0o644)
		}
		for name, body := range c.extra {
			os.WriteFile(filepath.Join(d, name), []byte(body), 0o644)
		}
		for name, src := range c.progs {
			buildGuestProgram(t, g.arch, src, filepath.Join(d, name))
		}
	}
	initrd := filepath.Join(t.TempDir(), "initrd.gz")
	pack := exec.Command("sh", "-c", "find . | cpio -o -H newc 2>/dev/null | gzip -1 > "+initrd)
	pack.Dir = root
	if out, err := pack.CombinedOutput(); err != nil {
		t.Fatalf("packing the initramfs: %v\n%s", err, out)
	}

	acc := tcg
	if g.arch == runtime.GOARCH {
		acc = accelFor(t, g, kernelImage)
	}
	start := time.Now()
	console, err := boot(g, kernelImage, initrd, acc, 8*time.Minute)
	if acc.kvm && !strings.Contains(console, "=== KERNEL") {
		// KVM that passed the probe and failed here all the same: the
		// cases run under TCG rather than not at all.
		t.Logf("the KVM boot failed (%v), booting under TCG:\n%s", err, tail(console, 1000))
		acc = tcg
		start = time.Now()
		console, err = boot(g, kernelImage, initrd, acc, 8*time.Minute)
	}
	elapsed := time.Since(start)
	if !strings.Contains(console, "=== DONE") {
		t.Fatalf("the guest did not finish under %s (%v after %v):\n%s", acc.name, err, elapsed, tail(console, 4000))
	}
	kernel := ""
	if m := regexp.MustCompile(`=== KERNEL (\S+)`).FindStringSubmatch(console); m != nil {
		kernel = m[1]
	}
	passed, failed := 0, 0
	for _, c := range cases {
		re := regexp.MustCompile(`(?s)=== CASE ` + regexp.QuoteMeta(c.name) + `\n(.*?)=== END ` + regexp.QuoteMeta(c.name) + ` rc=(\d+)`)
		m := re.FindStringSubmatch(console)
		if m == nil {
			t.Errorf("%s: no output framed in the console", c.name)
			failed++
			continue
		}
		body, rc := m[1], m[2]
		ok := rc == c.rc
		var missed []string
		for _, w := range c.want {
			found := false
			for _, line := range strings.Split(body, "\n") {
				if w.MatchString(line) {
					found = true
					break
				}
			}
			if !found {
				ok = false
				missed = append(missed, w.String())
			}
		}
		if ok {
			passed++
			continue
		}
		failed++
		t.Errorf("%s (kernel %s): rc=%s (want %s), missing %q in:\n%s", c.name, kernel, rc, c.rc, missed, body)
	}
	msg := fmt.Sprintf("kernel matrix: %d cases passed, %d failed, kernel %s (%s), boot and run %v under %s", passed, failed, kernel, g.arch, elapsed.Round(time.Millisecond), acc.name)
	t.Log(msg)
	fmt.Println(msg)
}

// accel is how qemu runs the guest: with KVM (the host's CPU, fast) or
// with TCG (software emulation, about 6 s to boot, works everywhere).
//
// TCG runs both guest CPUs on one host thread (thread=single). With a
// thread per CPU, an x86 guest kernel that patches its own code while
// another CPU runs it (static keys and ftrace go through int3:
// text_poke_bp) can see that CPU execute an int3 the patcher has
// already removed, and it panics with "Oops: int3". Round-robin CPUs
// switch only between translated blocks, after the patch is seen.
type accel struct {
	name string
	kvm  bool
	args []string
}

var (
	kvm = accel{"KVM", true, []string{"-enable-kvm", "-cpu", "host"}}
	tcg = accel{"TCG", false, []string{"-accel", "tcg,thread=single"}}
)

// chooseAccel picks KVM only where /dev/kvm opens and a probe boot under
// KVM reaches the guest's init: /dev/kvm can exist and still fail to
// boot a guest (nested KVM that refuses the CPU's MSRs), and TCG then
// runs the cases. force ("kvm" or "tcg", from GOTRACE_QEMU_ACCEL) skips
// the choice.
func chooseAccel(force string, kvmOpens bool, kvmBoots func() bool) accel {
	switch force {
	case "kvm":
		return kvm
	case "tcg":
		return tcg
	}
	if kvmOpens && kvmBoots() {
		return kvm
	}
	return tcg
}

var (
	accelOnce   sync.Once
	accelChosen accel
)

// accelFor decides once per test run how guests boot on this host, by
// booting kernelImage under KVM with an initramfs that only says it ran.
func accelFor(t *testing.T, g guest, kernelImage string) accel {
	accelOnce.Do(func() {
		opens := false
		if f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0); err == nil {
			f.Close()
			opens = true
		}
		accelChosen = chooseAccel(os.Getenv("GOTRACE_QEMU_ACCEL"), opens, func() bool {
			root := t.TempDir()
			os.MkdirAll(filepath.Join(root, "bin"), 0o755)
			copyFile(t, g.busybox, filepath.Join(root, "bin", "busybox"), 0o755)
			os.WriteFile(filepath.Join(root, "init"), []byte("#!/bin/busybox sh\n/bin/busybox echo '=== KERNEL probe'\n/bin/busybox poweroff -f\n"), 0o755)
			initrd := filepath.Join(t.TempDir(), "probe.gz")
			pack := exec.Command("sh", "-c", "find . | cpio -o -H newc 2>/dev/null | gzip -1 > "+initrd)
			pack.Dir = root
			if out, err := pack.CombinedOutput(); err != nil {
				t.Logf("packing the probe initramfs: %v\n%s", err, out)
				return false
			}
			console, err := boot(g, kernelImage, initrd, kvm, time.Minute)
			ok := strings.Contains(console, "=== KERNEL probe")
			if !ok {
				t.Logf("KVM cannot boot a guest here (%v), using TCG:\n%s", err, tail(console, 1000))
			}
			return ok
		})
	})
	return accelChosen
}

// boot runs g's qemu on kernelImage and initrd under acc, at most limit,
// and returns the serial console's text. GOTRACE_QEMU_LOG names a file
// that gets the console as it comes.
func boot(g guest, kernelImage, initrd string, acc accel, limit time.Duration) (string, error) {
	args := append(slices.Clone(g.args), "-m", "1024", "-smp", "2", "-nographic", "-no-reboot", "-kernel", kernelImage, "-initrd", initrd,
		"-append", "console="+g.console+" rdinit=/init panic=-1 quiet")
	args = append(args, acc.args...)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, g.qemu, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if log := os.Getenv("GOTRACE_QEMU_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
			defer f.Close()
			cmd.Stdout, cmd.Stderr = io.MultiWriter(&out, f), io.MultiWriter(&out, f)
		}
	}
	err := cmd.Run()
	return strings.ReplaceAll(out.String(), "\r", ""), err
}

// TestChooseAccel: KVM is used only where it opens and boots a guest;
// everywhere else the guests boot under TCG.
func TestChooseAccel(t *testing.T) {
	for _, tc := range []struct {
		force       string
		opens, boot bool
		want        accel
	}{
		{"", false, true, tcg}, // no /dev/kvm: never probed
		{"", true, false, tcg}, // /dev/kvm opens, the guest aborts (nested KVM)
		{"", true, true, kvm},  // KVM works
		{"tcg", true, true, tcg},
		{"kvm", false, false, kvm},
	} {
		probed := false
		got := chooseAccel(tc.force, tc.opens, func() bool { probed = true; return tc.boot })
		if got.name != tc.want.name {
			t.Errorf("force %q, opens %v, boots %v: got %s, want %s", tc.force, tc.opens, tc.boot, got.name, tc.want.name)
		}
		if probed && (!tc.opens || tc.force != "") {
			t.Errorf("force %q, opens %v: probed a KVM boot it did not need", tc.force, tc.opens)
		}
	}
}

// buildGuestProgram builds the Go program src for the guest's
// architecture into bin: static, with its symbols and DWARF (what uprobes,
// func and ustack read).
func buildGuestProgram(t *testing.T, arch, src, bin string) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.22\n"), 0o644)
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOARCH="+arch, "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s for %s: %v\n%s", filepath.Base(bin), arch, err, out)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// exampleCases runs the tools of examples/QEMU (those needing kprobes or
// fentry) for a few seconds each, stopped with Ctrl-C: each must attach
// and print what its workload makes it see.
func exampleCases(t *testing.T) []kcase {
	b, err := os.ReadFile("../../examples/QEMU")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"vfscount.gt": `^@\[vfs_read\]: [1-9]`,
		"vfsstat.gt":  `^reads/s [1-9]`,
		"capable.gt":  `^[0-9]+ +[a-z]+ +[0-9]+ +[0-9]+$`,
	}
	var cs []kcase
	for _, name := range strings.Fields(string(b)) {
		src, err := os.ReadFile(filepath.Join("../../examples", name))
		if err != nil {
			t.Fatal(err)
		}
		re, ok := want[name]
		if !ok {
			t.Errorf("examples/QEMU names %s, which has no expectation here", name)
			continue
		}
		if only := os.Getenv("GOTRACE_QEMU_CASES"); only != "" && !regexp.MustCompile(only).MatchString("example-"+strings.TrimSuffix(name, ".gt")) {
			continue
		}
		cs = append(cs, kcase{name: "example-" + strings.TrimSuffix(name, ".gt"), script: string(src), rc: "0", interrupt: "1", kernels: []string{"default"},
			workload: "dd if=/proc/cpuinfo of=/dev/null bs=512; nice -n -5 true; hostname gotrace; sleep 2",
			want:     []*regexp.Regexp{regexp.MustCompile(re)}})
	}
	return cs
}
