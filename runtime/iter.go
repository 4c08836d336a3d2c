package runtime

import (
	"context"
	"fmt"
	"io"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
)

// countProbes is the number bpftrace prints in "Attached N probes": a
// kprobe-multi program counts once per function it attaches to.
func countProbes(ps []*codegen.ProbeProg) int {
	n := 0
	for _, p := range ps {
		n += p.Ctx.Count()
	}
	return n
}

// checkIterAlone refuses an iter probe next to other attached probes:
// the script ends when the iteration does (BEGIN and END may be there).
func checkIterAlone(attached []*codegen.ProbeProg) error {
	if len(attached) < 2 {
		return nil
	}
	for _, p := range attached {
		if p.Ctx.Iter {
			return lang.Errorf(specPos(p), "iter probe %s cannot be used with other probes (only begin and end may be next to it)", p.Ctx.Name).
				WithHint("the script ends when the iteration does; run other probes in another gotrace")
		}
	}
	return nil
}

// iterator is an attached iter probe (probes.Iterator).
type iterator interface {
	Iterate() error
}

// iterate runs the walks of the iterators among links in the background
// (their programs run while the walk reads them). The returned context
// ends when every walk has ended, as bpftrace ends an iter script; wait
// returns once they have.
func (s *session) iterate(ctx context.Context, links []io.Closer) (context.Context, func()) {
	var its []iterator
	for _, l := range links {
		if it, ok := l.(iterator); ok {
			its = append(its, it)
		}
	}
	if len(its) == 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s.walked = true
	s.walking.Store(true)
	go func() {
		defer close(done)
		defer cancel()
		defer s.walking.Store(false)
		for _, it := range its {
			if err := it.Iterate(); err != nil {
				s.out.Lock()
				fmt.Fprintf(s.opts.Err, "gotrace: %v\n", err)
				s.out.Unlock()
				s.mu.Lock()
				if s.code == 0 {
					s.code = 1
				}
				s.mu.Unlock()
				return
			}
		}
	}()
	return ctx, func() { <-done }
}
