package probes

import (
	"io"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang/types"
)

// A provider is one kind of probe (tracepoint, kprobe, uprobe, ...), a
// value behind this interface, in a file of its own. It covers the life
// of its attach points:
//
//   - parse: the parts of an attach point after the provider's name,
//     checked for form and stored in the Spec;
//   - contexts: on a Target, what the attach point expands to (one
//     context per program, wildcards matched) and what each program sees;
//   - facts: the typed facts of its contexts (user or kernel memory,
//     where argN and retval are, whether the program skips gotrace's own
//     events, ...), which the checker and codegen read instead of the
//     provider's name;
//   - attach: on the real host, attaching a loaded program;
//   - list: the probes of the provider `gotrace -l` prints.
//
// The registry below lists every provider with its names; adding one is
// a file with its value and a line in the table.
type provider interface {
	parse(s *Spec, args []string) error
	contexts(e *env, s Spec) ([]*types.Context, error)
	facts(c *types.Context)
	attach(a attachment) (io.Closer, error)
	list(t Target, name, rest string, verbose bool) ([]string, error)
}

// attachment is what attaching a program needs: its context (as the
// Env made it), the spec the context came from, the probe's name for
// messages, the loaded program, and the process of -p (0: every
// process).
type attachment struct {
	ctx  *types.Context
	spec Spec
	name string
	prog *ebpf.Program
	pid  int
	// descendants: with pid, the threads and processes it starts later
	// count too (gotrace -c's command); sampling probes follow them.
	descendants bool
}

type providerEntry struct {
	name    string
	aliases []string
	p       provider
}

// registry lists every provider bpftrace knows, with its short names,
// and the value that implements it.
var registry = []providerEntry{
	{"begin", []string{"BEGIN"}, runByRuntime{types.RunBegin}},
	{"end", []string{"END"}, runByRuntime{types.RunEnd}},
	{"self", nil, runByRuntime{types.RunSignal}},
	{"test", nil, runByRuntime{types.RunTest}},
	{"bench", nil, runByRuntime{types.RunBench}},
	{"tracepoint", []string{"t"}, tracepointProvider{}},
	{"rawtracepoint", []string{"rt"}, rawTracepointProvider{}},
	{"kprobe", []string{"k"}, kprobeProvider{}},
	{"kretprobe", []string{"kr"}, kprobeProvider{ret: true}},
	{"uprobe", []string{"u"}, uprobeProvider{}},
	{"uretprobe", []string{"ur"}, uprobeProvider{ret: true}},
	{"usdt", []string{"U"}, usdtProvider{}},
	{"profile", []string{"p"}, timerProvider{}},
	{"interval", []string{"i"}, timerProvider{interval: true}},
	{"software", []string{"s"}, counterProvider{}},
	{"hardware", []string{"h"}, counterProvider{}},
	{"watchpoint", []string{"w"}, watchpointProvider{}},
	{"fentry", []string{"f", "kfunc"}, fentryProvider{}},
	{"fexit", []string{"fr", "kretfunc"}, fentryProvider{ret: true}},
	{"iter", []string{"it"}, iterProvider{}},
}

// providerOf returns the provider of a canonical name, or nil.
func providerOf(name string) provider {
	for _, p := range registry {
		if p.name == name {
			return p.p
		}
	}
	return nil
}
