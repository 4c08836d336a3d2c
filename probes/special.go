package probes

import (
	"fmt"
	"io"

	"github.com/gotrace/gotrace/lang/types"
)

// runByRuntime is the provider of the probes the runtime runs itself,
// through BPF_PROG_TEST_RUN, at a moment of the script's life: begin (at
// start), end (at exit), self (on a signal), test and bench (in --test
// and --bench mode). Their programs are raw tracepoint programs that are
// never attached.
type runByRuntime struct{ run types.RunKind }

func (r runByRuntime) parse(s *Spec, args []string) error {
	n := len(args)
	switch r.run {
	case types.RunBegin, types.RunEnd:
		if n == 1 && args[0] == "*" {
			n = 0
		}
		if n != 0 {
			return specErrorf("%s probes should not have a target", s.Provider)
		}
	case types.RunSignal:
		if n != 2 {
			return countError(s.Provider, n, 2)
		}
		s.Target, s.Func = args[0], args[1]
		if s.Target != "signal" {
			return specErrorf("%s is not a supported trigger", s.Target)
		}
		if s.Func != "SIGUSR1" {
			return specErrorf("%s is not a supported signal", s.Func)
		}
	default:
		if n != 1 {
			return countError(s.Provider, n, 1)
		}
		s.Target = args[0]
		if s.Target == "" {
			return specErrorf("%s probes must have a name", s.Provider)
		}
	}
	return nil
}

func (r runByRuntime) contexts(e *env, s Spec) ([]*types.Context, error) {
	return []*types.Context{e.context(s, &types.Context{Provider: s.Provider, Name: s.Name(), Kind: types.ProgRawTracepoint})}, nil
}

func (r runByRuntime) facts(c *types.Context) {
	c.Run = r.run
	switch r.run {
	case types.RunEnd:
		c.Freeze = types.FreezeNever
	case types.RunBegin:
		c.Freeze = types.FreezeByRuntime
	}
}

func (r runByRuntime) attach(a attachment) (io.Closer, error) {
	return nil, fmt.Errorf("cannot attach probe %s: %s probes are run by the runtime, not attached", a.name, a.spec.Provider)
}

func (r runByRuntime) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return nil, nil
}
