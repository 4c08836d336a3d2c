package types

import (
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// The process (and the CPU) a probe fires in: ids (pid, tid, uid, gid,
// cgroup, cpid), names (comm, username), the task (curtask) and its
// family (ppid, pcomm, leader_comm, leader_tid), the CPU (cpu, ncpus,
// numaid), signals, and the names of syscalls.

const (
	BuiltinPid Builtin = processFamily + iota
	BuiltinTid
	BuiltinUid
	BuiltinGid
	BuiltinCPU
	BuiltinCpid
	BuiltinHasCpid
	BuiltinNcpus
	BuiltinNumaID
	BuiltinRand
	BuiltinCgroup
	BuiltinCgroupID
	BuiltinCgroupPath
	BuiltinComm
	BuiltinUsername
	BuiltinCurtask
	BuiltinPpid
	BuiltinPcomm
	BuiltinLeaderComm
	BuiltinLeaderTid
	BuiltinSignal
	BuiltinSignalThread
	BuiltinSignalName
	BuiltinSyscallName
	BuiltinTaskFromPid
	BuiltinTaskCommRelease
	BuiltinPidInit
	BuiltinTidInit
)

func init() {
	define(
		// pid and tid as gotrace's pid namespace sees them; pid(init) and
		// tid(init) as the initial namespace does (pid(curr_ns) is pid)
		&builtin{id: BuiltinPid, name: "pid", ident: typed(Uint32), minArgs: 1, maxArgs: 1, call: nsCall("pid")},
		&builtin{id: BuiltinTid, name: "tid", ident: typed(Uint32), minArgs: 1, maxArgs: 1, call: nsCall("tid")},
		&builtin{id: BuiltinPidInit, name: "__pid_init", ident: typed(Uint32)},
		&builtin{id: BuiltinTidInit, name: "__tid_init", ident: typed(Uint32)},
		&builtin{id: BuiltinUid, name: "uid", ident: typed(Uint32)},
		&builtin{id: BuiltinGid, name: "gid", ident: typed(Uint32)},
		&builtin{id: BuiltinCPU, name: "cpu", ident: typed(Uint32)},
		&builtin{id: BuiltinCpid, name: "cpid", ident: typed(Uint32)},
		&builtin{id: BuiltinHasCpid, name: "has_cpid", ident: func(c *checker, e *lang.Ident) *Type {
			return c.expand(e, &lang.Binary{At: e.At, Op: "!=", X: &lang.Ident{At: e.At, Name: "cpid"}, Y: &lang.IntLit{At: e.At}})
		}},
		&builtin{id: BuiltinNcpus, name: "ncpus", ident: typed(Uint64)},
		&builtin{id: BuiltinNumaID, name: "numaid", ident: typed(Uint32)},
		&builtin{id: BuiltinRand, name: "rand", ident: typed(Uint32)},
		&builtin{id: BuiltinCgroup, name: "cgroup", ident: typed(Uint64)},
		&builtin{id: BuiltinCgroupID, name: "cgroupid", minArgs: 1, maxArgs: 1, call: symbolAddress(SymbolEnv.CgroupID)},
		&builtin{id: BuiltinCgroupPath, name: "cgroup_path", minArgs: 1, maxArgs: 2, call: (*checker).cgroupPathCall},
		&builtin{id: BuiltinComm, name: "comm", ident: typed(StrType(16)), minArgs: 1, maxArgs: 1, call: (*checker).commCall},
		&builtin{id: BuiltinUsername, name: "username", ident: typed(&Type{Kind: View, Size: 8, Name: "username"})},
		&builtin{id: BuiltinCurtask, name: "curtask", ident: (*checker).curtaskIdent},
		taskBuiltin(BuiltinPpid, "ppid", "real_parent", "tgid", "uint32"),
		taskBuiltin(BuiltinPcomm, "pcomm", "real_parent", "comm", ""),
		taskBuiltin(BuiltinLeaderComm, "leader_comm", "group_leader", "comm", ""),
		taskBuiltin(BuiltinLeaderTid, "leader_tid", "group_leader", "pid", "uint32"),
		&builtin{id: BuiltinSignal, name: "signal", minArgs: 1, maxArgs: 1, call: (*checker).signalCall},
		&builtin{id: BuiltinSignalThread, name: "signal_thread", minArgs: 1, maxArgs: 1, call: (*checker).signalCall},
		&builtin{id: BuiltinSignalName, name: "signal_name", minArgs: 1, maxArgs: 1, call: view("signal_name", "a signal number")},
		&builtin{id: BuiltinSyscallName, name: "syscall_name", minArgs: 1, maxArgs: 1, call: view("syscall_name", "an integer")},
		// what comm(pid) expands to
		&builtin{id: BuiltinTaskFromPid, name: "__task_from_pid", minArgs: 1, maxArgs: 1, call: (*checker).taskFromPidCall},
		&builtin{id: BuiltinTaskCommRelease, name: "__task_comm_release", minArgs: 1, maxArgs: 1, call: (*checker).taskCommReleaseCall},
	)
}

// curtaskIdent types curtask: a pointer to the kernel's struct
// task_struct, or to an inline definition that takes its place.
func (c *checker) curtaskIdent(e *lang.Ident) *Type {
	st, ok := c.cdefs["struct task_struct"]
	if !ok {
		st = c.kernelStruct(e.At, "task_struct")
	}
	if st == nil {
		return nil
	}
	return PtrTo(st, false)
}

// taskBuiltin is a builtin that reads a field of a task's parent or
// group leader: of curtask as a name, of the task given when called
// (ppid(task)). cast, when set, is the type the field is read as.
func taskBuiltin(id Builtin, name, link, field, cast string) *builtin {
	read := func(at lang.Pos, task []lang.Expr) lang.Expr {
		x := taskField(at, task, link, field)
		if cast != "" {
			x = &lang.Cast{At: at, Type: cast, X: x}
		}
		return x
	}
	return &builtin{id: id, name: name, minArgs: 0, maxArgs: 1,
		call:  func(c *checker, e *lang.Call) *Type { return c.expand(e, read(e.At, e.Args)) },
		ident: func(c *checker, e *lang.Ident) *Type { return c.expand(e, read(e.At, nil)) },
	}
}

// taskField is task->link->field, for the task given (or curtask).
func taskField(at lang.Pos, task []lang.Expr, link, field string) lang.Expr {
	var t lang.Expr = &lang.Ident{At: at, Name: "curtask"}
	if len(task) == 1 {
		t = task[0]
	}
	return &lang.Field{At: at, X: &lang.Field{At: at, X: t, Name: link, Arrow: true}, Name: field, Arrow: true}
}

// SignalNumber is the number of a signal named "SIGKILL" or "KILL", or 0.
func SignalNumber(name string) int {
	name = strings.TrimPrefix(strings.ToUpper(name), "SIG")
	for i, n := range signalNames {
		if n == name {
			return i
		}
	}
	return 0
}

var signalNames = [...]string{1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
	10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT",
	19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF",
	28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS"}

// SignalName names signal n without its SIG prefix ("TERM"), or gives ""
// for a number that is not a signal.
func SignalName(n uint64) string {
	if n > 0 && n < uint64(len(signalNames)) {
		return signalNames[n]
	}
	return ""
}

// cgroupPathCall checks cgroup_path(id[, filter]): the path of a cgroup,
// in the hierarchies the filter names.
func (c *checker) cgroupPathCall(e *lang.Call) *Type {
	if !c.intArg(e, 0, "a cgroup id") {
		return nil
	}
	filter := "*"
	if len(e.Args) == 2 {
		lit := c.litArg(e, 1, "its hierarchy filter")
		if lit == nil {
			return nil
		}
		filter = lit.Val
	}
	return &Type{Kind: View, Size: 8, Name: "cgroup_path", Mode: filter}
}

// signalCall checks signal(sig) and signal_thread(sig): sig is a number
// or a name ("KILL", "SIGKILL").
func (c *checker) signalCall(e *lang.Call) *Type {
	if !c.info.Config.Unsafe {
		c.errorf(e.At, "%s() is unsafe. To use you need the --unsafe flag", e.Fun).Hint = e.Fun + "() sends signals"
		return nil
	}
	switch a := e.Args[0].(type) {
	case *lang.StrLit:
		n := SignalNumber(a.Val)
		if n == 0 {
			c.errorf(a.At, "unknown signal %q", a.Val)
			return nil
		}
		c.info.Consts.Set(a, Const{Int: int64(n)})
		c.record(a, Uint32)
	default:
		if t := c.expr(a); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(a.Pos(), "%s() takes a signal number or name, not %s", e.Fun, t)
			return nil
		}
	}
	return VoidType
}

// commCall checks comm(pid): the name of another process, through the
// kernel's bpf_task_from_pid; a process that does not exist gives "N/A"
// with a warning, as bpftrace.
func (c *checker) commCall(e *lang.Call) *Type {
	if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
		c.errorf(e.Args[0].Pos(), "comm() takes a process id, not %s", t)
		return nil
	}
	ke, ok := c.env.(KfuncEnv)
	if !ok || len(c.ctxs) == 0 {
		c.errorf(e.At, "comm(pid) needs the kernel's BTF, which is not available here")
		return nil
	}
	for _, name := range []string{"bpf_task_from_pid", "bpf_task_release"} {
		id, ok := ke.KfuncID(name)
		if !ok || !ke.KfuncAllowed(name, c.ctxs[0].Kind) {
			c.errorf(e.At, "Syntax comm(PID) is not supported in this probe type yet. Type: %s", ProbeType(c.ctxs[0]))
			return nil
		}
		c.info.Kfuncs[name] = id
	}
	at := e.At
	pid := &lang.Var{At: at, Name: "$__pid", Scope: 1<<30 + at.Offset}
	task := &lang.Var{At: at, Name: "$__task", Scope: 1<<30 + at.Offset}
	name := &lang.Var{At: at, Name: "$__comm", Scope: 1<<30 + at.Offset}
	x := &lang.BlockExpr{At: at, Stmts: []lang.Stmt{
		&lang.AssignStmt{At: at, Lhs: pid, Op: "=", Rhs: &lang.Cast{At: at, Type: "int32", X: e.Args[0]}},
		&lang.AssignStmt{At: at, Lhs: task, Op: "=", Rhs: &lang.Call{At: at, Fun: "__task_from_pid", Args: []lang.Expr{pid}}},
		&lang.IfStmt{At: at, Cond: task,
			Then: &lang.Block{At: at, Stmts: []lang.Stmt{
				&lang.AssignStmt{At: at, Lhs: name, Op: "=", Rhs: &lang.Call{At: at, Fun: "__task_comm_release", Args: []lang.Expr{task}}}}},
			Else: &lang.BlockStmt{Body: &lang.Block{At: at, Stmts: []lang.Stmt{
				&lang.ExprStmt{X: &lang.Call{At: at, Fun: "warnf", Args: []lang.Expr{&lang.StrLit{At: at, Val: "No such process (pid=%d)"}, pid}}},
				&lang.AssignStmt{At: at, Lhs: name, Op: "=", Rhs: &lang.StrLit{At: at, Val: "N/A"}}}}},
		},
	}, Value: name}
	return c.expand(e, x)
}

// taskFromPidCall types __task_from_pid(pid): a task acquired by
// bpf_task_from_pid (0: none), as an integer.
func (c *checker) taskFromPidCall(e *lang.Call) *Type {
	c.expr(e.Args[0])
	return Uint64
}

// taskCommReleaseCall types __task_comm_release(task): the task's comm,
// then bpf_task_release.
func (c *checker) taskCommReleaseCall(e *lang.Call) *Type {
	c.expr(e.Args[0])
	st := c.kernelStruct(e.At, "task_struct")
	if st == nil {
		return nil
	}
	f, ok := st.Field("comm")
	if !ok {
		c.errorf(e.At, "the kernel's struct task_struct has no comm")
		return nil
	}
	c.info.TaskCommOffset = f.Offset
	return StrType(16)
}

// nsCall is the rule of pid(ns) and tid(ns): curr_ns, the pid namespace
// gotrace runs in (as plain pid and tid), or init, the initial one.
func nsCall(name string) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		ns, _ := e.Args[0].(*lang.Ident)
		switch {
		case ns != nil && ns.Name == "curr_ns":
			return c.expand(e, &lang.Ident{At: e.At, Name: name})
		case ns != nil && ns.Name == "init":
			return c.expand(e, &lang.Ident{At: e.At, Name: "__" + name + "_init"})
		}
		c.errorf(e.Args[0].Pos(), "%s() takes the pid namespace: curr_ns or init", name)
		return nil
	}
}
