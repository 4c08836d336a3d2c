package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// The process (and the CPU) a probe fires in: the kernel's helpers for
// ids, names, the task and the CPU; cpid from the globals; signals.
// (ppid, pcomm, has_cpid and the like are expansions the checker made;
// comm(pid) expands to __task_from_pid and __task_comm_release.)

func init() {
	define(types.BuiltinPid, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.aluImm(asm.RSh, f.pidTgid(), 32)}
	}})
	define(types.BuiltinTid, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.low32(f.pidTgid())}
	}})
	define(types.BuiltinPidInit, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentPidTgid), 32)}
	}})
	define(types.BuiltinTidInit, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentPidTgid))}
	}})
	uid := func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentUidGid))}
	}
	define(types.BuiltinUid, builtinCode{ident: uid})
	define(types.BuiltinUsername, builtinCode{ident: uid}) // user space names the uid
	define(types.BuiltinGid, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentUidGid), 32)}
	}})
	define(types.BuiltinCPU, builtinCode{ident: helperValue(asm.FnGetSmpProcessorId)})
	define(types.BuiltinNumaID, builtinCode{ident: helperValue(asm.FnGetNumaNodeId)})
	define(types.BuiltinRand, builtinCode{ident: helperValue(asm.FnGetPrandomU32)})
	define(types.BuiltinCgroup, builtinCode{ident: helperValue(asm.FnGetCurrentCgroupId)})
	define(types.BuiltinCurtask, builtinCode{ident: helperValue(asm.FnGetCurrentTask)})
	define(types.BuiltinNcpus, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		return val{t: t, r: f.imm(int64(f.c.tgt.NumCPU))}
	}})
	define(types.BuiltinCpid, builtinCode{ident: func(f *fn, _ *lang.Ident, t *types.Type) val {
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalCpid})
		return val{t: t, r: f.load(mem{base: g}, 8)}
	}})
	define(types.BuiltinComm, builtinCode{ident: (*fn).comm, into: (*fn).commInto})
	define(types.BuiltinSignal, builtinCode{stmt: func(f *fn, e *lang.Call) {
		f.call(asm.FnSendSignal, f.scalar(f.expr(e.Args[0])))
	}})
	define(types.BuiltinSignalThread, builtinCode{stmt: func(f *fn, e *lang.Call) {
		f.call(asm.FnSendSignalThread, f.scalar(f.expr(e.Args[0])))
	}})
	define(types.BuiltinSignalName, builtinCode{call: viewValue})
	define(types.BuiltinSyscallName, builtinCode{call: viewValue})
	define(types.BuiltinCgroupPath, builtinCode{call: viewValue})
	define(types.BuiltinTaskFromPid, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		pid := f.scalar(f.expr(e.Args[0]))
		return val{t: t, r: f.kfuncCall("bpf_task_from_pid", pid)}
	}})
	define(types.BuiltinTaskCommRelease, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		task := f.scalar(f.expr(e.Args[0]))
		m := f.alloc(16)
		off := int64(f.c.info.TaskCommOffset)
		f.call(asm.FnProbeReadKernel, f.addr(m), f.imm(16), f.aluImm(asm.Add, task, off))
		f.kfuncCall("bpf_task_release", task)
		return val{t: t, m: &m}
	}})
}

// comm is the name of the current process, by bpf_get_current_comm.
func (f *fn) comm(_ *lang.Ident, t *types.Type) val {
	m := f.alloc(16)
	f.call(asm.FnGetCurrentComm, f.addr(m), f.imm(16))
	return val{t: t, m: &m}
}

// commInto writes comm straight into dst, a string of 16 bytes or more.
func (f *fn) commInto(e lang.Expr, dst mem, t *types.Type, zeroPad bool) bool {
	x, ok := e.(*lang.Ident) // (comm(pid) is an expansion)
	if !ok || t.Size < 16 {
		return false
	}
	f.pos = x.At
	f.call(asm.FnGetCurrentComm, f.addr(dst), f.imm(16))
	if zeroPad {
		f.zero(dst.plus(16), t.Size-16)
	}
	return true
}

// pidTgid is the current task's tgid << 32 | pid as gotrace's pid
// namespace sees them (Target.PidNS): bpf_get_current_pid_tgid in the
// initial namespace, bpf_get_ns_current_pid_tgid in another (0 for a
// task that namespace does not see).
func (f *fn) pidTgid() vreg {
	ns := f.c.tgt.PidNS
	if ns == (PidNS{}) {
		return f.call(asm.FnGetCurrentPidTgid)
	}
	nsdata := f.alloc(8) // struct bpf_pidns_info: u32 pid, u32 tgid
	f.storeImm(nsdata, 8, 0)
	f.call(asm.FnGetNsCurrentPidTgid, f.imm(int64(ns.Dev)), f.imm(int64(ns.Ino)), f.addr(nsdata), f.imm(8))
	return f.load(nsdata, 8) // pid below tgid, as bpf_get_current_pid_tgid's
}
