package types

// Kprobe sessions. A script that traces a function's entry and its
// return in two blocks, `kprobe:f { ... } kretprobe:f { ... }`, gets one
// program on one kprobe session link where the kernel has them
// (BPF_TRACE_KPROBE_SESSION, 6.10+), as bpftrace does: the program runs
// at entry and at return, and bpf_session_is_return tells which block to
// run. One link instead of two, and the return half fires only for the
// calls whose entry the program saw.
//
// The probes Env marks the contexts that may take part (SessionKey:
// one attach point, no module, offset or address, the block does not
// read `probe`, the kernel has session links); pairSessions pairs a
// kprobe block with the one kretprobe block of the same key and records
// the pair. Each block is still checked against its own context (argN
// in the kprobe block, retval in the kretprobe block); where no pair
// forms, each block keeps its own program and link.

// sessionIsReturn is the kfunc the merged program calls.
const sessionIsReturn = "bpf_session_is_return"

// pairSessions merges each session-capable kprobe block with the one
// session-capable kretprobe block of the same key.
func (c *checker) pairSessions() {
	ke, ok := c.env.(KfuncEnv)
	if !ok {
		return
	}
	single := func(pi *ProbeInfo) *Context {
		if len(pi.Probe.Specs) != 1 || len(pi.Contexts) != 1 || pi.Contexts[0].SessionKey == "" {
			return nil
		}
		return pi.Contexts[0]
	}
	for _, entry := range c.info.Probes {
		ec := single(entry)
		if ec == nil || ec.Return || entry.Merged {
			continue
		}
		var match *ProbeInfo
		n := 0
		for _, ret := range c.info.Probes {
			if rc := single(ret); rc != nil && rc.Return && !ret.Merged && rc.SessionKey == ec.SessionKey {
				match = ret
				n++
			}
		}
		if n != 1 {
			continue
		}
		// (only session programs may call it, so KfuncAllowed, which
		// loads a plain program, cannot be asked)
		id, ok := ke.KfuncID(sessionIsReturn)
		if !ok {
			return
		}
		c.info.Kfuncs[sessionIsReturn] = id
		ec.Session = true
		ec.Funcs = ec.SessionFuncs
		entry.Return = match
		match.Merged = true
	}
}
