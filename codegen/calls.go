package codegen

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

func (f *fn) callExpr(e *lang.Call, t *types.Type) val {
	f.pos = e.At
	if cf := f.c.info.CCalls[e]; cf != nil {
		return f.scriptCCall(e, cf, t)
	}
	if v, ok := f.moreCall(e, t); ok {
		return v
	}
	switch e.Fun {
	case "ksym":
		return val{t: t, r: f.scalar(f.expr(e.Args[0]))}
	case "usym":
		return f.usym(f.scalar(f.expr(e.Args[0])), t)
	case "kstack", "ustack", "dw_ustack":
		return f.stack(t)
	case "strftime":
		return val{t: t, r: f.scalar(f.expr(e.Args[1]))}
	case "buf":
		return f.buf(e, t)
	case "reg":
		off := f.c.info.Consts[e.Args[0]].Int
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(off)}, 8)}
	case "len":
		return val{t: t, r: f.mapLen(e.Args[0].(*lang.MapExpr))}
	case "bswap":
		x := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		d := f.newReg()
		f.emit(&inst{op: opMov, dst: d, a: x})
		f.emit(&inst{op: opSwap, dst: d, a: d, imm: int64(8 * t.Size)})
		return val{t: t, r: d}
	case "strlen":
		s := f.expr(e.Args[0])
		f.pos = e.At
		return val{t: t, r: f.strlen(*s.m, s.t.Size)}
	case "strncmp":
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := int(e.Args[2].(*lang.IntLit).Val)
		f.pos = e.At
		return val{t: t, r: f.strncmp(*a.m, *b.m, min(n, a.t.Size, b.t.Size))}
	case "has_key":
		m := e.Args[0].(*lang.MapExpr)
		m = &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}
		p, _ := f.mapLookup(m, f.mapMeta(m))
		d := f.newReg()
		skip := f.label()
		f.emit(&inst{op: opMovImm, dst: d, imm: 0})
		f.emit(&inst{op: opJcc, a: p, cc: asm.JEq, useImm: true, imm: 0, label: skip})
		f.emit(&inst{op: opMovImm, dst: d, imm: 1})
		f.mark(skip)
		return val{t: t, r: d}
	case "str":
		if isStrOrArray(f.typeOf(e.Args[0])) {
			return f.expr(e.Args[0]) // already a string (or a positional parameter)
		}
		m := f.alloc(t.Size)
		f.readStr(e, m, t.Size, true)
		return val{t: t, m: &m}
	}
	f.fail(e.At, "function %s() not supported by the code generator yet", e.Fun)
	return val{}
}

func (f *fn) builtin(e *lang.Ident, t *types.Type) val {
	f.pos = e.At
	if v, ok := f.moreBuiltin(e, t); ok {
		return v
	}
	switch e.Name {
	case "pid":
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentPidTgid), 32)}
	case "tid":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentPidTgid))}
	case "uid":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentUidGid))}
	case "gid":
		return val{t: t, r: f.aluImm(asm.RSh, f.call(asm.FnGetCurrentUidGid), 32)}
	case "cpu":
		return val{t: t, r: f.call(asm.FnGetSmpProcessorId)}
	case "nsecs":
		// the boot clock, as bpftrace's nsecs (nsecs(monotonic) for the other)
		return val{t: t, r: f.call(asm.FnKtimeGetBootNs)}
	case "elapsed":
		now := f.call(asm.FnKtimeGetNs)
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalStartNs})
		return val{t: t, r: f.alu(asm.Sub, now, f.load(mem{base: g}, 8))}
	case "ncpus":
		return val{t: t, r: f.imm(int64(f.c.tgt.NumCPU))}
	case "numaid":
		return val{t: t, r: f.call(asm.FnGetNumaNodeId)}
	case "rand":
		return val{t: t, r: f.call(asm.FnGetPrandomU32)}
	case "cgroup":
		return val{t: t, r: f.call(asm.FnGetCurrentCgroupId)}
	case "jiffies":
		return val{t: t, r: f.call(asm.FnJiffies64)}
	case "curtask":
		return val{t: t, r: f.call(asm.FnGetCurrentTask)}
	case "kstack", "ustack", "dw_ustack":
		return f.stack(t)
	case "cpid":
		g := f.newReg()
		f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalCpid})
		return val{t: t, r: f.load(mem{base: g}, 8)}
	case "comm":
		m := f.alloc(16)
		f.call(asm.FnGetCurrentComm, f.addr(m), f.imm(16))
		return val{t: t, m: &m}
	case "probe":
		m := f.alloc(t.Size)
		b := make([]byte, t.Size)
		copy(b, f.ctx.Name)
		f.constBytes(m, b)
		return val{t: t, m: &m}
	case "args", "ctx":
		return val{t: t, m: &mem{base: f.ctxReg, ctx: true}}
	}
	if strings.HasPrefix(e.Name, "arg") {
		var n int
		fmt.Sscanf(e.Name, "arg%d", &n)
		if f.ctx.Provider == "usdt" {
			return val{t: t, r: f.usdtArg(f.ctx.USDTArgs[n])}
		}
		if f.ctx.Provider == "rawtracepoint" || f.ctx.Kind == types.ProgTracing {
			return val{t: t, r: f.load(mem{base: f.ctxReg, off: int32(8 * n)}, 8)}
		}
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: ptRegsArgs[n]}, 8)}
	}
	switch e.Name {
	case "retval":
		if f.ctx.Kind == types.ProgTracing {
			// The return value follows the arguments; read the whole slot
			// and narrow it to its type.
			r := f.load(mem{base: f.ctxReg, off: int32(8 * f.ctx.NumArgs)}, 8)
			if t.Kind == types.Int {
				r = f.narrow(r, t.Size, t.Signed)
			}
			return val{t: t, r: r}
		}
		return val{t: t, r: f.load(mem{base: f.ctxReg, off: ptRegsRAX}, 8)}
	case "func":
		if f.ctx.Provider == "uprobe" {
			return f.usym(f.load(mem{base: f.ctxReg, off: ptRegsIP}, 8), t)
		}
		return val{t: t, r: f.call(asm.FnGetFuncIp, f.ctxReg)}
	}
	f.fail(e.At, "builtin %s not supported by the code generator yet", e.Name)
	return val{}
}

// moreCall compiles the functions of this file that have a value; ok is
// false for any other.
func (f *fn) moreCall(e *lang.Call, t *types.Type) (val, bool) {
	switch e.Fun {
	case "__task_from_pid":
		pid := f.scalar(f.expr(e.Args[0]))
		return val{t: t, r: f.kfuncCall("bpf_task_from_pid", pid)}, true
	case "__task_comm_release":
		task := f.scalar(f.expr(e.Args[0]))
		m := f.alloc(16)
		off := int64(f.c.info.TaskCommOffset)
		f.call(asm.FnProbeReadKernel, f.addr(m), f.imm(16), f.aluImm(asm.Add, task, off))
		f.kfuncCall("bpf_task_release", task)
		return val{t: t, m: &m}, true

	case "strcontains", "strstr":
		h := f.expr(e.Args[0])
		found := f.newReg()
		if lit, ok := f.constStr(e.Args[1]); ok {
			f.pos = e.At
			f.strSearchLit(h, lit, found)
		} else {
			n := f.expr(e.Args[1])
			f.pos = e.At
			f.strSearch(h, n, found)
		}
		if e.Fun == "strcontains" {
			// found is the index or -1: contained when it is not negative
			return val{t: t, r: f.aluImm(asm.Xor, f.aluImm(asm.RSh, found, 63), 1)}, true
		}
		return val{t: t, r: found}, true
	case "str_concat":
		return f.strConcat(e, t), true
	case "memcmp":
		a, b := f.expr(e.Args[0]), f.expr(e.Args[1])
		n := f.c.info.Consts[e.Args[2]].Int
		f.pos = e.At
		return val{t: t, r: f.memcmp(f.offStack(a), f.offStack(b), int(n))}, true
	case "ntop":
		return f.ntop(e, t), true
	case "macaddr":
		x := f.expr(e.Args[0])
		f.pos = e.At
		m := f.alloc(8)
		f.storeImm(m, 8, 0)
		if x.m != nil {
			f.copyMem(m, *x.m, 6)
		} else {
			f.call(f.readFn(x.t), f.addr(m), f.imm(6), f.scalar(x))
		}
		return val{t: t, m: &m}, true
	case "kptr", "uptr":
		return val{t: t, r: f.scalar(f.expr(e.Args[0]))}, true
	case "percpu_kaddr":
		// the variable's address (lddw by BTF id, which the kernel
		// resolves through kallsyms), then one CPU's copy of it
		v := f.newReg()
		f.pos = e.At
		f.emit(&inst{op: opKernelVar, dst: v, imm: int64(f.c.info.KernelVars[e])})
		if len(e.Args) == 2 {
			cpu := f.scalar(f.expr(e.Args[1]))
			f.pos = e.At
			return val{t: t, r: f.call(asm.FnPerCpuPtr, v, cpu)}, true
		}
		return val{t: t, r: f.call(asm.FnThisCpuPtr, v)}, true
	case "skboutput":
		return val{t: t, r: f.skbOutput(e)}, true
	case "delete":
		// true when the key was there to delete
		return val{t: t, r: f.succeeded(f.deleteKey(e))}, true
	case "socket_cookie":
		sk := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		return val{t: t, r: f.call(asm.FnGetSocketCookie, sk)}, true
	case "write_user":
		dst := f.scalar(f.expr(e.Args[0]))
		src := f.expr(e.Args[1])
		f.pos = e.At
		r := f.call(asm.FnProbeWriteUser, dst, f.addr(*src.m), f.imm(f.c.info.Consts[e.Args[2]].Int))
		return val{t: t, r: f.succeeded(r)}, true
	case "nsecs":
		switch e.Args[0].(*lang.Ident).Name {
		case "monotonic":
			return val{t: t, r: f.call(asm.FnKtimeGetNs)}, true
		case "boot":
			return val{t: t, r: f.call(asm.FnKtimeGetBootNs)}, true
		case "tai":
			return val{t: t, r: f.call(asm.FnKtimeGetTaiNs)}, true
		}
		// sw_tai: boot time plus the TAI offset user space measured at
		// the start, for kernels without bpf_ktime_get_tai_ns
		return val{t: t, r: f.taiNow()}, true
	case "strerror", "syscall_name", "cgroup_path", "signal_name":
		x := f.expr(e.Args[0])
		return val{t: t, r: f.extend(f.scalar(x), min(x.t.Size, 8), x.t.Signed)}, true
	case "path":
		var p vreg
		if f.typeOf(e.Args[0]).Kind == types.Struct {
			pl, _ := f.placeOf(e.Args[0])
			if pl.m != nil {
				f.fail(e.Args[0].Pos(), "path() needs a struct path in kernel memory, not a copy of one")
			}
			p = pl.addr
		} else {
			p = f.scalar(f.expr(e.Args[0]))
		}
		f.pos = e.At
		m := f.alloc(t.Size)
		f.zero(m, min(t.Size, 8))
		f.call(asm.FnDPath, p, f.addr(m), f.imm(int64(t.Size)))
		return val{t: t, m: &m}, true
	}
	return val{}, false
}

// moreStmt compiles the functions of this file used as statements.
func (f *fn) moreStmt(e *lang.Call) bool {
	switch e.Fun {
	case "join":
		f.join(e)
	case "override":
		rc := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		f.call(asm.FnOverrideReturn, f.ctxReg, rc)
	case "unwatch":
		addr := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		id := f.newEvent(&Event{Kind: EventUnwatch, Pos: e.At, Size: 16})
		rec := f.alloc(16)
		f.storeImm(rec, 8, int64(id))
		f.store(rec.plus(8), 8, addr)
		f.output(rec, 16)
	case "fail", "assert_str":
		// checked when compiling
	default:
		return false
	}
	return true
}

// moreBuiltin compiles username, usermode and probetype.
func (f *fn) moreBuiltin(e *lang.Ident, t *types.Type) (val, bool) {
	switch e.Name {
	case "username":
		return val{t: t, r: f.low32(f.call(asm.FnGetCurrentUidGid))}, true
	case "usermode":
		// The privilege level is in the low bits of the code segment.
		cs := f.load(mem{base: f.ctxReg, off: ptRegsCS}, 8)
		d := f.newReg()
		no := f.label()
		f.emit(&inst{op: opMovImm, dst: d, imm: 0})
		f.emit(&inst{op: opJcc, a: f.aluImm(asm.And, cs, 3), cc: asm.JNE, useImm: true, imm: 3, label: no})
		f.emit(&inst{op: opMovImm, dst: d, imm: 1})
		f.mark(no)
		return val{t: t, r: d}, true
	case "probetype":
		m := f.alloc(t.Size)
		b := make([]byte, t.Size)
		copy(b, types.ProbeType(f.ctx))
		f.constBytes(m, b)
		return val{t: t, m: &m}, true
	}
	return val{}, false
}
