package codegen

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Stacks and symbols: a stack is recorded in a stack trace map (or, for
// dw_ustack, unwound in the program: dwunwind.go) and its id kept; ksym
// and usym keep an address, with the pid for usym, that user space
// symbolizes. (kaddr and uaddr are constants the checker found.)

func init() {
	for _, id := range []types.Builtin{types.BuiltinKstack, types.BuiltinUstack, types.BuiltinDwUstack} {
		define(id, builtinCode{
			call:  func(f *fn, _ *lang.Call, t *types.Type) val { return f.stack(t) },
			ident: func(f *fn, _ *lang.Ident, t *types.Type) val { return f.stack(t) },
		})
	}
	define(types.BuiltinKsym, builtinCode{call: operand})
	define(types.BuiltinUsym, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		return f.usym(f.scalar(f.expr(e.Args[0])), t)
	}})
}

// usym pairs a user address with the pid of the process it belongs to.
func (f *fn) usym(addr vreg, t *types.Type) val {
	m := f.alloc(16)
	f.store(m, 8, addr)
	f.store(m.plus(8), 8, f.aluImm(asm.RSh, f.pidTgid(), 32))
	return val{t: t, m: &m}
}

// StackMapName is the map that holds stacks of type t: a stack trace map
// per limit, and for build_id stacks another per limit, whose frames are
// the kernel's (status, build id, file offset or address) records; for
// dw_ustack a hash map per limit.
func StackMapName(t *types.Type) string {
	if t.Name == "dw_ustack" {
		return DWStackMapName(t.Len)
	}
	if t.Mode == "build_id" {
		return fmt.Sprintf("stack_bid_%d", t.Len)
	}
	return fmt.Sprintf("stack_%d", t.Len)
}

// stackEntries is the number of distinct stacks a stack map keeps.
const stackEntries = 4096

// BuildIDFrameSize is the size of one frame of a build_id stack: struct
// bpf_stack_build_id (status s32, build id [20]u8, offset or ip u64).
const BuildIDFrameSize = 32

// stack records the current kernel or user stack in a stack trace map
// and returns its id; a user stack also carries the pid (upper 32 bits),
// so that user space can symbolize it. A failed capture keeps the error
// (a negative id) in the lower half.
func (f *fn) stack(t *types.Type) val {
	if t.Name == "dw_ustack" {
		return f.dwStack(t)
	}
	name := StackMapName(t)
	if _, ok := f.c.prog.Spec.Maps[name]; !ok {
		spec := &ebpf.MapSpec{Name: name, Type: ebpf.StackTrace, KeySize: 4, ValueSize: uint32(8 * t.Len), MaxEntries: stackEntries}
		if t.Mode == "build_id" {
			spec.ValueSize = uint32(BuildIDFrameSize * t.Len)
			spec.Flags = 1 << 5 // BPF_F_STACK_BUILD_ID
		}
		f.c.prog.Spec.Maps[name] = spec
	}
	flags := int64(0)
	if t.Name == "ustack" {
		flags = 1 << 8 // BPF_F_USER_STACK
	}
	id := f.call(asm.FnGetStackid, f.ctxReg, f.mapPtr(name), f.imm(flags))
	return val{t: t, r: f.stackID(t, id)}
}

// stackLen is len() of a stack of the probe: its number of frames. A
// stack is kept as its id in a stack trace map, which programs cannot
// read, so the frames are taken again with bpf_get_stack, whose result
// is the bytes it wrote (the probe's stack is the same wherever in the
// program it is taken).
func (f *fn) stackLen(x lang.Expr) vreg {
	f.expr(x)
	t := f.typeOf(x)
	flags := int64(0)
	if t.Name == "ustack" {
		flags = 1 << 8 // BPF_F_USER_STACK
	}
	buf := f.allocScratch(8 * t.Len)
	n := f.call(asm.FnGetStack, f.ctxReg, f.addr(buf), f.imm(int64(8*t.Len)), f.imm(flags))
	d := f.newReg()
	done := f.label()
	f.emit(&inst{op: opMovImm, dst: d, imm: 0})
	f.emit(&inst{op: opJcc, a: n, cc: asm.JSLT, useImm: true, imm: 0, label: done})
	f.emit(&inst{op: opMov, dst: d, a: f.aluImm(asm.RSh, n, 3)})
	f.mark(done)
	return d
}

// stackID keeps a kernel stack's id as the helper returns it: user space
// reads its low 32 bits, and a negative error, whose upper half is all
// ones, stays negative there. For user stacks it puts the pid in the upper
// half: as gotrace's pid namespace sees it, whose /proc user space reads
// the process's files from.
func (f *fn) stackID(t *types.Type, id vreg) vreg {
	if t.Name != "kstack" {
		pid := f.aluImm(asm.And, f.pidTgid(), -0x100000000) // tgid << 32
		id = f.alu(asm.Or, f.low32(id), pid)
	}
	return id
}
