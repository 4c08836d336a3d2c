package probes

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang/types"
)

// Privileges.
//
// What each kind of probe needs, on a kernel of 5.8 or later:
//
//	loading any program, creating maps   CAP_BPF (or CAP_SYS_ADMIN)
//	tracing helpers (probe reads, stacks) CAP_PERFMON (or CAP_SYS_ADMIN)
//	tracepoint                            a tracefs this user can read (its event ids and formats)
//	rawtracepoint, iter                   nothing more
//	profile, interval, software, hardware CAP_PERFMON, or perf_event_paranoid low enough
//	kprobe, uprobe, USDT                  CAP_SYS_ADMIN: the kernel opens kprobe and uprobe
//	                                      perf events with raw samples for it only, unless
//	                                      perf_event_paranoid is -1
//
// When the kernel refuses, gotrace says which of these is missing, in its
// own words, rather than passing on the kernel's "operation not
// permitted" or a library's advice.

// Capability numbers (linux/capability.h).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// effectiveCaps reads this process's effective capability set.
func effectiveCaps() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return n
		}
	}
	return 0
}

func hasCap(caps uint64, c int) bool { return caps&(1<<c) != 0 }

// whoAmI names the user gotrace runs as, for messages.
func whoAmI() string {
	uid := os.Geteuid()
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

// perfParanoid is kernel.perf_event_paranoid (2 when unreadable, the
// usual default).
func perfParanoid() int {
	b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	if err != nil {
		return 2
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 2
	}
	return n
}

// LoadDenied explains a refusal to create maps or load programs
// (EPERM): which privilege this process lacks.
func LoadDenied() error {
	caps := effectiveCaps()
	switch {
	case !hasCap(caps, capBPF) && !hasCap(caps, capSysAdmin):
		return fmt.Errorf("loading BPF programs needs root, or CAP_BPF and CAP_PERFMON; gotrace runs as %s without them", whoAmI())
	case !hasCap(caps, capPerfmon) && !hasCap(caps, capSysAdmin):
		return fmt.Errorf("tracing programs need CAP_PERFMON as well as CAP_BPF (or root); gotrace runs as %s without it", whoAmI())
	}
	return errors.New("the kernel refused to create BPF maps or load programs although gotrace has CAP_BPF and CAP_PERFMON: the locked-memory limit (ulimit -l) may be too low for this kernel, or a security module (lockdown, SELinux) forbids BPF")
}

// attachDenied explains a refusal to attach the probe of ctx (err is a
// permission error).
func attachDenied(ctx *types.Context) error {
	caps := effectiveCaps()
	var need string
	switch ctx.Provider {
	case "tracepoint":
		root, _ := host.Tracefs()
		need = fmt.Sprintf("tracepoints need a tracefs this user can read, and %s is root's here (run as root, or remount it with mode=755); rawtracepoint:NAME needs only CAP_BPF and CAP_PERFMON", root)
	case "kprobe", "kretprobe", "uprobe", "uretprobe", "usdt":
		if hasCap(caps, capSysAdmin) {
			need = ctx.Provider + " probes need CAP_SYS_ADMIN, which gotrace has, yet the kernel refused: a security module may forbid them"
		} else {
			need = fmt.Sprintf("%s probes need CAP_SYS_ADMIN (or root): the kernel opens their perf events for it only, unless kernel.perf_event_paranoid is -1 (it is %d)", ctx.Provider, perfParanoid())
		}
	case "profile", "interval", "software", "hardware", "watchpoint":
		need = fmt.Sprintf("%s probes need CAP_PERFMON (or root), or kernel.perf_event_paranoid at most 1 for a process's own events (it is %d)", ctx.Provider, perfParanoid())
	case "fentry", "fexit", "rawtracepoint", "iter":
		need = ctx.Provider + " probes need CAP_BPF and CAP_PERFMON (or root)"
	default:
		need = ctx.Provider + " probes need root"
	}
	return fmt.Errorf("cannot attach probe %s: %s; gotrace runs as %s", ctx.Name, need, whoAmI())
}

// explainAttach passes on what attach returned, a permission error
// explained. The attach functions format the library's errors into
// their own messages, so the errno is recognised by its text as well.
func explainAttach(ctx *types.Context, l io.Closer, err error) (io.Closer, error) {
	if err != nil && (errors.Is(err, os.ErrPermission) || strings.HasSuffix(err.Error(), "permission denied") || strings.HasSuffix(err.Error(), "operation not permitted")) {
		return nil, attachDenied(ctx)
	}
	return l, err
}
