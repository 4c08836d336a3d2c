package runtime

import (
	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
)

// Several probes at one place fire in the order of the script, as
// bpftrace's do. The kernel runs the programs of one uprobe (and so of
// a USDT site, and of a uretprobe's return) in the reverse order of
// their attaching: each new consumer goes to the head of the uprobe's
// list. So the user-space probes are attached last one first.

// attachOrder is the order in which probes are attached: the others in
// script order, the uprobes, uretprobes and USDT probes in reverse
// script order in the slots they hold.
func attachOrder(ps []*codegen.ProbeProg) []*codegen.ProbeProg {
	var slots []int
	for i, p := range ps {
		if p.Ctx.Mem == types.UserMem { // uprobe, uretprobe, usdt
			slots = append(slots, i)
		}
	}
	out := append([]*codegen.ProbeProg(nil), ps...)
	for k, i := range slots {
		out[i] = ps[slots[len(slots)-1-k]]
	}
	return out
}
