package runtime

import (
	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/probes"
)

// usesUserSymbols reports whether the program prints user addresses as
// names (ustack, dw_ustack, usym, func in uprobes): in a map's keys or
// values, or in an event it prints.
func usesUserSymbols(prog *codegen.Program) bool {
	for _, m := range prog.Maps {
		for _, t := range append(append([]*types.Type{}, m.Keys...), m.Key, m.Value) {
			if namesUserAddrs(t, 0) {
				return true
			}
		}
	}
	for _, ev := range prog.Events {
		for _, a := range ev.Args {
			if namesUserAddrs(a.Type, 0) {
				return true
			}
		}
	}
	return false
}

func namesUserAddrs(t *types.Type, depth int) bool {
	if t == nil || depth > 16 {
		return false
	}
	switch t.Kind {
	case types.Usym:
		return true
	case types.Stack:
		return t.Name != "kstack"
	case types.Array:
		return namesUserAddrs(t.Elem, depth+1)
	case types.Struct, types.Tuple:
		for _, f := range t.Fields {
			if namesUserAddrs(f.Type, depth+1) {
				return true
			}
		}
	case types.Agg:
		return namesUserAddrs(t.AggArg, depth+1)
	}
	return false
}

// preloadProbed reads the symbols of the binaries the uprobes and USDT
// probes name (when the program names user addresses), before they are
// attached: the first events, drained as soon as the probes are
// attached, may be of a process that is gone by then.
func (s *session) preloadProbed(userSyms bool) {
	if !userSyms {
		return
	}
	for _, p := range s.prog.Probes {
		if bin := probes.UserBinary(p.Ctx); bin != "" {
			s.sym.Preload(bin)
		}
	}
}

// trackedPIDs are the processes whose mappings are read while they run
// (when the program names user addresses): -p, --dwarf-pid and the -c
// command. Those already running are read now; the command is read at
// its entry point.
func (s *session) trackedPIDs(userSyms bool) []int {
	if !userSyms {
		return nil
	}
	var pids []int
	if s.opts.PID > 0 {
		pids = append(pids, s.opts.PID)
	}
	pids = append(pids, s.opts.DwarfPIDs...)
	for _, pid := range pids {
		s.sym.Track(pid)
	}
	if s.opts.Child != nil {
		pids = append(pids, s.opts.Child.Pid())
	}
	return pids
}
