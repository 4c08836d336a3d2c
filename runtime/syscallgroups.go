package runtime

import (
	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// syscallGroup is the system-call tracepoints of one probe block, of
// one kind (entries or exits), by system call number: what one
// dispatcher attaches (probes.AttachSyscalls).
type syscallGroup struct {
	exit  bool
	slots map[int]*codegen.ProbeProg
}

// syscallGroups finds, among the probes to attach, the groups worth a
// dispatcher: at least probes.DispatchMin tracepoints of one block.
func syscallGroups(ps []*codegen.ProbeProg) []syscallGroup {
	type key struct {
		block *lang.Probe
		exit  bool
	}
	byKey := map[key]*syscallGroup{}
	var order []key
	for _, p := range ps {
		nr, exit, ok := probes.SyscallSlot(p.Ctx)
		if !ok {
			continue
		}
		k := key{p.Probe, exit}
		g := byKey[k]
		if g == nil {
			g = &syscallGroup{exit: exit, slots: map[int]*codegen.ProbeProg{}}
			byKey[k] = g
			order = append(order, k)
		}
		if _, taken := g.slots[nr]; !taken {
			g.slots[nr] = p
		}
	}
	var out []syscallGroup
	for _, k := range order {
		if g := byKey[k]; len(g.slots) >= probes.DispatchMin {
			out = append(out, *g)
		}
	}
	return out
}

// frozen says whether the group's programs are frozen by their
// attachment (types.FreezeByAttachment) rather than by the stop flag:
// then the stop takes the dispatcher off its tracepoint. Where they test
// the flag (an exit() runs while they are attached), the flag is
// enough, and the stop does not wait for the kernel to take the
// dispatcher off.
func (g syscallGroup) frozen() bool {
	for _, p := range g.slots {
		if p.Ctx.Freeze == types.FreezeByAttachment && !p.TestsStop {
			return true
		}
	}
	return false
}
