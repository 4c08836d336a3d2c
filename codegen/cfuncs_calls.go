package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Imported C: calls.
//
// A call compiles to a bpf-to-bpf call of another C function, a kfunc
// call, a helper call, a CO-RE read chain of bpf_probe_read_kernel, or
// inline code for a compiler builtin (memcpy, memset, byte swaps,
// atomics) and bpf_printk.

// call compiles a call of a C function, a kernel function, a BPF helper
// or a compiler builtin.
func (g *cgen) call(e *cc.Call, t *types.Type) vreg {
	id := e.Fun.(*cc.Ident)
	if cr := g.p.CoreReads[e]; cr != nil {
		return g.coreRead(e, cr)
	}
	if fn, ok := g.p.Helpers[e]; ok {
		var args []vreg
		for _, a := range e.Args {
			args = append(args, g.value(a))
		}
		g.pos = e.At
		return g.fn.call(fn, args...)
	}
	if o := g.p.Objs[id]; o != nil && o.Kind == types.CFunction {
		cf := o.Func
		var args []vreg
		for _, a := range e.Args {
			args = append(args, g.value(a))
		}
		g.pos = e.At
		d := g.newReg()
		if cf.Kfunc {
			if cf.KfuncID == 0 {
				g.fail(e.At, "this kernel has no function %s: guard the call with `if (%s)`", cf.Name, cf.Name)
			}
			g.emit(&inst{op: opCall, dst: d, kfunc: cf.KfuncID, args: args})
			return d
		}
		g.emit(&inst{op: opCall, dst: d, callee: cf.Symbol, args: args})
		return d
	}
	return g.builtin(e, id.Name, t)
}

// coreRead follows a CO-RE chain with bpf_probe_read_kernel: a pointer
// is read at each offset but the last, where the result is.
func (g *cgen) coreRead(e *cc.Call, cr *types.CoreRead) vreg {
	var dst vreg
	if cr.Into != nil {
		dst = g.value(cr.Into)
	}
	p := g.value(cr.Src)
	g.pos = e.At
	tmp := g.stackAlloc(8, e.At)
	tmpAddr := func() vreg { return g.addr(tmp) }
	last := len(cr.Offsets) - 1
	for _, off := range cr.Offsets[:last] {
		g.fn.call(asm.FnProbeReadKernel, tmpAddr(), g.imm(8), g.aluImm(asm.Add, p, int64(off)))
		p = g.fn.load(tmp, 8)
	}
	src := g.aluImm(asm.Add, p, int64(cr.Offsets[last]))
	switch {
	case cr.Str:
		into := types.Decayed(g.p.Types[cr.Into]).Elem
		return g.fn.call(asm.FnProbeReadKernelStr, dst, g.imm(int64(max(into.Size, 1))), src)
	case cr.Into != nil:
		return g.fn.call(asm.FnProbeReadKernel, dst, g.imm(int64(cr.Result.Size)), src)
	}
	g.fn.storeImm(tmp, 8, 0)
	size := storeSize(cr.Result)
	g.fn.call(asm.FnProbeReadKernel, tmpAddr(), g.imm(int64(size)), src)
	return g.cgenLoad(tmp, size, cr.Result.Kind == types.Int && cr.Result.Signed)
}

func (g *cgen) builtin(e *cc.Call, name string, t *types.Type) vreg {
	switch name {
	case "__builtin_expect":
		v := g.rvalue(e.Args[0])
		g.effect(e.Args[1])
		return v
	case "__builtin_memcpy":
		dst, src := g.value(e.Args[0]), g.value(e.Args[1])
		n := int(g.p.Consts[e.Args[2]])
		g.pos = e.At
		// as wide as both pointers' targets are aligned (the kernel
		// refuses misaligned stack accesses)
		align := min(pointeeAlign(g.p.Types[e.Args[0]]), pointeeAlign(g.p.Types[e.Args[1]]))
		g.copyAligned(mem{base: dst}, mem{base: src}, n, align)
		return dst
	case "__builtin_memset":
		dst, v := g.value(e.Args[0]), g.value(e.Args[1])
		n := int(g.p.Consts[e.Args[2]])
		g.pos = e.At
		b := g.aluImm(asm.And, v, 0xff)
		for i := 0; i < n; i++ {
			g.fn.store(mem{base: dst, off: int32(i)}, 1, b)
		}
		return dst
	case "__builtin_bswap16", "__builtin_bswap32", "__builtin_bswap64",
		"bpf_htons", "bpf_ntohs", "bpf_htonl", "bpf_ntohl", "bpf_cpu_to_be64", "bpf_be64_to_cpu":
		d := g.newReg()
		g.emit(&inst{op: opSwap, dst: d, a: g.value(e.Args[0]), imm: int64(t.Size * 8)})
		return d
	case "bpf_printk":
		return g.printk(e)
	}
	if strings.HasPrefix(name, "__sync_") || strings.HasPrefix(name, "__atomic_") {
		return g.atomicOp(e, name, t)
	}
	g.fail(e.At, "unknown function %s", name)
	return 0
}

// atomicOp compiles the __sync_ and __atomic_ builtins with BPF's atomic
// instructions (the fetching forms, which give the old value).
func (g *cgen) atomicOp(e *cc.Call, name string, t *types.Type) vreg {
	op := strings.TrimPrefix(strings.TrimPrefix(name, "__sync_"), "__atomic_")
	newValue := strings.HasSuffix(op, "_fetch") && !strings.HasPrefix(op, "fetch_")
	op = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "fetch_and_"), "fetch_"), "_and_fetch")
	op = strings.TrimSuffix(op, "_fetch")
	p := g.value(e.Args[0])
	v := g.value(e.Args[1])
	if len(e.Args) == 3 {
		g.effect(e.Args[2])
	}
	g.pos = e.At
	alu := map[string]asm.ALUOp{"add": asm.Add, "sub": asm.Add, "or": asm.Or, "and": asm.And, "xor": asm.Xor}[op]
	operand := v
	if op == "sub" {
		operand = g.negate(v)
	}
	d := g.newReg()
	g.emit(&inst{op: opMov, dst: d, a: operand})
	g.emit(&inst{op: opFetch, dst: d, a: p, b: d, alu: alu, size: sizeOf(t.Size)})
	old := g.extend(d, t.Size, t.Signed)
	if !newValue {
		return old
	}
	return g.convert(g.alu(map[string]asm.ALUOp{"add": asm.Add, "sub": asm.Sub}[op], old, v), types.Int64, t)
}

// pointeeAlign is the alignment of what a pointer (or array) type points
// to: 1 for void.
func pointeeAlign(t *types.Type) int {
	t = types.Decayed(t)
	if t.Kind != types.Ptr || t.Elem == nil || t.Elem.Kind == types.Void {
		return 1
	}
	return max(1, min(8, t.Elem.Align()))
}

// copyAligned copies n bytes in accesses no wider than align (nor than
// the offsets allow).
func (g *cgen) copyAligned(dst, src mem, n, align int) {
	for i := 0; i < n; {
		w := min(chunk(n-i, dst.off+int32(i), src.off+int32(i)), align)
		g.fn.store(dst.plus(i), w, g.fn.load(src.plus(i), w))
		i += w
	}
}

// printk compiles bpf_printk: the format goes on the stack for
// bpf_trace_printk.
func (g *cgen) printk(e *cc.Call) vreg {
	format := e.Args[0].(*cc.StringLit).Value
	m := g.stackAlloc(len(format)+1, e.At)
	g.zero(m, (len(format)+8)&^7)
	g.constBytes(m, []byte(format))
	args := []vreg{g.addr(m), g.imm(int64(len(format) + 1))}
	for _, a := range e.Args[1:] {
		args = append(args, g.value(a))
	}
	g.pos = e.At
	return g.fn.call(asm.FnTracePrintk, args...)
}
