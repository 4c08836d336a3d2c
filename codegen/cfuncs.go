package codegen

import (
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Functions of imported C files.
//
// Each function of a .bpf.c file that a probe calls, directly or through
// other C functions (or as a bpf_loop callback), is compiled into that
// probe's program as a bpf-to-bpf function placed after the program,
// under its C name; the script calls it with a pseudo call, arguments in
// r1-r5 and the result in r0, as any BPF function.
//
// The function is compiled through the same IR as the script: scalar
// locals and parameters live in virtual registers (register allocation
// and spilling as for probes), aggregates and variables whose address is
// taken live in the function's stack frame. The checker (types.CProgram)
// has decided every C typing rule; the code generator follows its records: an
// expression's value is computed in 64 bits and kept as its type says (a
// signed value sign-extended, an unsigned one zero-extended, so compares
// and widening need nothing), narrowed after operations that may carry
// out of a narrower type and wherever Conv says C converts it. Memory is
// read and written with direct loads and stores, as clang compiles C:
// the kernel's verifier decides what may be dereferenced.
//
// This file compiles the functions a program needs and the script's calls
// of them; cfuncs_stmt.go compiles statements and locals, cfuncs_expr.go
// expressions and conditions, cfuncs_mem.go globals, maps, lvalues, loads
// and stores, and cfuncs_calls.go calls and builtins.

// cvar is where a C variable lives: a register or stack memory.
type cvar struct {
	r vreg
	m *mem
}

// cgen compiles one C function.
type cgen struct {
	*fn
	p      *types.CProgram
	cf     *types.CFunc
	vars   map[*types.CObject]cvar
	breaks []string
	conts  []string
	labels map[string]string // goto labels
	cases  map[*cc.CaseStmt]string
}

// scriptCCall compiles a script's call of an imported C function.
func (f *fn) scriptCCall(e *lang.Call, cf *types.CFunc, t *types.Type) val {
	var args []vreg
	for i, a := range e.Args {
		pt := cf.Params[i].Type
		if m, ok := a.(*lang.MapExpr); ok && len(m.Keys) == 0 && pt.Kind == types.Ptr {
			args = append(args, f.mapPtr(f.mapMeta(m).SpecName))
			continue
		}
		x := f.expr(a)
		switch {
		case pt.Kind == types.Ptr && x.m != nil:
			args = append(args, f.addr(*x.m))
		case pt.Kind == types.Int:
			args = append(args, f.narrow(f.scalar(x), pt.Size, pt.Signed))
		case pt.Kind == types.Bool:
			args = append(args, f.zeroTest(f.scalar(x), false))
		default:
			args = append(args, f.scalar(x))
		}
	}
	f.pos = e.At
	d := f.newReg()
	f.emit(&inst{op: opCall, dst: d, callee: cf.Symbol, args: args})
	if t.Kind == types.Void {
		return val{t: t}
	}
	return val{t: t, r: d}
}

// compileCFuncs compiles the C functions the program's code (insns)
// calls or passes to helpers, and those they call in turn: only the
// references that survive dead-code removal count, so a fallback behind
// `if (kfunc)` on a kernel that has the kfunc brings in nothing. It
// returns them with the stack the deepest chain of calls takes.
func (c *compiler) compileCFuncs(root *fn, insns asm.Instructions) ([]callback, int, error) {
	p := c.info.C
	if p == nil {
		return nil, 0, nil
	}
	refs := func(insns asm.Instructions) []*types.CFunc {
		var out []*types.CFunc
		for _, in := range insns {
			if cf := p.Symbols[in.Reference()]; cf != nil && (in.IsFunctionReference() || in.IsFunctionCall()) {
				out = append(out, cf)
			}
		}
		return out
	}
	var queue []*types.CFunc
	callees := map[*types.CFunc][]*types.CFunc{}
	frames := map[*types.CFunc]int{}
	add := func(cfs []*types.CFunc) {
		for _, cf := range cfs {
			if _, ok := frames[cf]; !ok {
				frames[cf] = 0
				queue = append(queue, cf)
			}
		}
	}
	top := refs(insns)
	add(top)
	var out []callback
	for i := 0; i < len(queue); i++ {
		cf := queue[i]
		cb, err := c.compileCFunc(root, cf)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, cb)
		frames[cf] = cb.stack
		callees[cf] = refs(cb.insns)
		add(callees[cf])
	}
	var path []*types.CFunc
	var depth func(cf *types.CFunc) (int, error)
	depth = func(cf *types.CFunc) (int, error) {
		for i, g := range path {
			if g == cf {
				var names []string
				for _, h := range path[i:] {
					names = append(names, h.Name)
				}
				return 0, lang.Errorf(cf.Decl.At, "%s calls itself (%s -> %s): BPF functions cannot recurse", cf.Name, strings.Join(names, " -> "), cf.Name)
			}
		}
		path = append(path, cf)
		defer func() { path = path[:len(path)-1] }()
		deepest := 0
		for _, g := range callees[cf] {
			d, err := depth(g)
			if err != nil {
				return 0, err
			}
			deepest = max(deepest, d)
		}
		// the kernel rounds each frame up to 32 bytes
		return (frames[cf]+31)&^31 + deepest, nil
	}
	deepest := 0
	for _, cf := range top {
		d, err := depth(cf)
		if err != nil {
			return nil, 0, err
		}
		deepest = max(deepest, d)
	}
	return out, deepest, nil
}

// compileCFunc compiles one C function for root's program.
func (c *compiler) compileCFunc(root *fn, cf *types.CFunc) (cb callback, err error) {
	g := &cgen{
		fn:     &fn{c: c, nregs: 2, vars: map[string]val{}, noSpill: map[vreg]bool{}, root: root},
		p:      c.info.C,
		cf:     cf,
		vars:   map[*types.CObject]cvar{},
		labels: map[string]string{},
		cases:  map[*cc.CaseStmt]string{},
	}
	d := cf.Decl
	g.pos = d.At
	exit := g.label()
	err = g.catch(func() {
		for i, pa := range cf.Params {
			r := g.newReg()
			g.prologue = append(g.prologue, &inst{op: opArg, dst: r, imm: int64(i + 1), pos: &d.At})
			if pa.InMemory {
				m := g.stackAlloc(pa.Type.Size, d.At)
				g.fn.store(m, pa.Type.Size, r)
				g.vars[pa] = cvar{m: &m}
			} else {
				g.vars[pa] = cvar{r: r}
			}
		}
		g.stmt(d.Body)
		g.pos = d.Body.At
		g.ret(0)
	})
	if err != nil {
		return callback{}, err
	}
	g.mark(exit)
	g.ret(0)
	body := g.code
	g.code = g.prologue
	insns, positions, stack, err := g.finish(body, exit, d.At)
	if err != nil {
		return callback{}, err
	}
	fi := funcInfo(cf.Symbol, len(cf.Params))
	fi.Linkage = btf.StaticFunc
	insns, positions = nameFunc(insns, positions, cf.Symbol, fi)
	return callback{insns, positions, stack}, nil
}

// stackAlloc reserves size bytes of the function's frame.
func (g *cgen) stackAlloc(size int, at lang.Pos) mem {
	size = (size + 7) &^ 7
	if g.frame+size > maxStack-64 {
		g.fail(at, "the local variables of %s need more than %d bytes of stack", g.cf.Name, maxStack-64)
	}
	g.frame += size
	return mem{base: fpReg, off: int32(-g.frame)}
}
