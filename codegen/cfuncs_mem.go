package codegen

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/lang/types"
)

// Imported C: memory.
//
// The imported files' global variables share one array map value
// (CGlobalsMap), initialized with their constant initializers; their
// SEC(".maps") definitions become maps of the program. An lvalue (cLoc)
// is a register variable or memory, a bitfield in it when it has one;
// loads and stores are direct, as clang compiles C.

// cLoc is an lvalue: a register variable, or memory (a bitfield in it
// when bits is set).
type cLoc struct {
	r    vreg
	m    *mem
	t    *types.Type
	bits *types.Field
}

// CGlobalsMap is the array map whose one value holds the variables of
// imported C files.
const CGlobalsMap = "cglobals"

// addCGlobals adds the map of the C files' global variables, its value
// holding their initial contents.
func (c *compiler) addCGlobals() {
	p := c.info.C
	if p == nil || p.GlobalsSize == 0 {
		return
	}
	blob := make([]byte, (p.GlobalsSize+7)&^7)
	for _, g := range p.Globals {
		if g.Decl.Init != nil {
			constInit(p, blob[g.Obj.Offset:], g.Obj.Type, g.Decl.Init)
		}
	}
	c.prog.Spec.Maps[CGlobalsMap] = &ebpf.MapSpec{Name: CGlobalsMap, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(len(blob)), MaxEntries: 1,
		Contents: []ebpf.MapKV{{Key: uint32(0), Value: blob}}}
}

// addCMaps adds the maps the C files define.
func (c *compiler) addCMaps() {
	p := c.info.C
	if p == nil {
		return
	}
	c.cmaps = map[*types.CMap]string{}
	for i, m := range p.Maps {
		name := kernelName("c", i, m.Name)
		c.cmaps[m] = name
		c.prog.Spec.Maps[name] = &ebpf.MapSpec{Name: name, Type: ebpf.MapType(m.Type), KeySize: uint32(m.KeySize),
			ValueSize: uint32(m.ValueSize), MaxEntries: uint32(m.MaxEntries), Flags: m.Flags}
	}
}

// constInit writes a constant initializer of type t into b, as initMem
// stores one.
func constInit(p *types.CProgram, b []byte, t *types.Type, init cc.Expr) {
	switch x := init.(type) {
	case *cc.InitList:
		if t.Kind != types.Struct && t.Kind != types.Array {
			constInit(p, b, t, x.Items[0].Value)
			return
		}
		next := 0
		for _, it := range x.Items {
			off, ft, idx := 0, t, next
			var fld *types.Field
			if len(it.Designator) == 0 {
				fld, ft, off = nthMember(t, idx)
			}
			for j, d := range it.Designator {
				var i int
				fld, ft, off, i = designated(p, ft, d, off)
				if j == 0 {
					idx = i
				}
			}
			next = idx + 1
			if fld != nil && fld.BitSize > 0 {
				mask := uint64(1)<<fld.BitSize - 1
				old := getLE(b[off:], fld.Type.Size)
				old = old&^(mask<<fld.BitOff) | (uint64(p.Consts[it.Value])&mask)<<fld.BitOff
				putLE(b[off:], fld.Type.Size, old)
				continue
			}
			constInit(p, b[off:], ft, it.Value)
		}
	case *cc.StringLit:
		copy(b[:t.Size], x.Value)
	default:
		putLE(b, storeSize(t), uint64(types.CTruncate(p.Consts[init], t)))
	}
}

func putLE(b []byte, size int, v uint64) {
	for i := 0; i < size; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func getLE(b []byte, size int) uint64 {
	var v uint64
	for i := 0; i < size; i++ {
		v |= uint64(b[i]) << (8 * i)
	}
	return v
}

// loc finds the object an lvalue expression designates.
func (g *cgen) loc(e cc.Expr) cLoc {
	t := g.p.Types[e]
	switch x := e.(type) {
	case *cc.Ident:
		if o := g.p.Objs[x]; o.Kind == types.CGlobalVar {
			m := g.global(o)
			return cLoc{m: &m, t: t}
		}
		v := g.vars[g.p.Objs[x]]
		if v.m != nil {
			return cLoc{m: v.m, t: t}
		}
		return cLoc{r: v.r, t: t}
	case *cc.Member:
		var base mem
		var st *types.Type
		if x.Arrow {
			base = mem{base: g.value(x.X)}
			st = types.Decayed(g.p.Types[x.X]).Elem
		} else {
			base = g.addrOf(x.X)
			st = g.p.Types[x.X]
		}
		f, _ := types.CField(st, x.Name)
		m := base.plus(f.Offset)
		if f.BitSize > 0 {
			return cLoc{m: &m, t: t, bits: &f}
		}
		return cLoc{m: &m, t: t}
	}
	m := g.addrOf(e)
	return cLoc{m: &m, t: t}
}

// global is the memory of a global variable.
func (g *cgen) global(o *types.CObject) mem {
	d := g.newReg()
	g.emit(&inst{op: opMapValue, dst: d, ref: CGlobalsMap, off: int32(o.Offset)})
	return mem{base: d}
}

// addrOf is the memory of an expression kept in memory: an aggregate, a
// variable whose address is taken, or what a pointer points to.
func (g *cgen) addrOf(e cc.Expr) mem {
	pos := cc.PosOf(e)
	switch x := e.(type) {
	case *cc.Ident:
		if o := g.p.Objs[x]; o.Kind == types.CGlobalVar {
			return g.global(o)
		}
		if o := g.p.Objs[x]; o.Kind == types.CMapVar {
			// a map used as a value is its address, as with &map
			return mem{base: g.mapPtr(g.c.cmaps[o.Map])}
		}
		if v := g.vars[g.p.Objs[x]]; v.m != nil {
			return *v.m
		}
	case *cc.Unary:
		if x.Op == "*" {
			return mem{base: g.value(x.X)}
		}
	case *cc.Index:
		xt := g.p.Types[x.X]
		var base mem
		if xt.Kind == types.Array {
			base = g.addrOf(x.X)
		} else {
			base = mem{base: g.value(x.X)}
		}
		elem := types.Decayed(xt).Elem
		if v, ok := g.p.Consts[x.I]; ok && v*int64(elem.Size) > -1<<15 && v*int64(elem.Size) < 1<<15 {
			return base.plus(int(v) * elem.Size)
		}
		off := g.value(x.I)
		if elem.Size != 1 {
			off = g.aluImm(asm.Mul, off, int64(elem.Size))
		}
		return mem{base: g.alu(asm.Add, g.addr(base), off)}
	case *cc.Member:
		l := g.loc(x)
		if l.bits != nil {
			g.fail(pos, "cannot take the address of bitfield %s", x.Name)
		}
		return *l.m
	case *cc.StringLit:
		m := g.stackAlloc(len(x.Value)+1, pos)
		g.zero(m, (len(x.Value)+8)&^7)
		g.constBytes(m, []byte(x.Value))
		return m
	case *cc.CompoundLit:
		t := g.p.Types[x]
		m := g.stackAlloc(t.Size, pos)
		g.zero(m, (t.Size+7)&^7)
		g.initMem(m, t, x.Init)
		return m
	case *cc.Assign:
		g.assign(x)
		return g.addrOf(x.X)
	case *cc.Binary:
		if x.Op == "," {
			g.effect(x.X)
			return g.addrOf(x.Y)
		}
	case *cc.Cast:
		return g.addrOf(x.X)
	}
	g.fail(pos, "this value has no address")
	return mem{}
}

// load reads an lvalue, extending it to 64 bits as its type says.
func (g *cgen) load(l cLoc) vreg {
	if l.m == nil {
		return l.r
	}
	if l.bits != nil {
		f := l.bits
		v := g.cgenLoad(*l.m, f.Type.Size, false)
		unit := 64 - f.BitOff - f.BitSize
		v = g.aluImm(asm.LSh, v, int64(unit))
		right := asm.RSh
		if f.Type.Signed {
			right = asm.ArSh
		}
		return g.aluImm(right, v, int64(64-f.BitSize))
	}
	return g.cgenLoad(*l.m, storeSize(l.t), l.t.Kind == types.Int && l.t.Signed)
}

func (g *cgen) cgenLoad(m mem, size int, signed bool) vreg {
	return g.extend(g.fn.load(m, size), size, signed)
}

// store writes v to an lvalue.
func (g *cgen) store(l cLoc, v vreg) {
	switch {
	case l.m == nil:
		g.emit(&inst{op: opMov, dst: l.r, a: v})
	case l.bits != nil:
		g.storeBits(*l.m, *l.bits, v)
	default:
		g.fn.store(*l.m, storeSize(l.t), v)
	}
}

// storeBits writes the low bits of v into a bitfield of the unit at m.
func (g *cgen) storeBits(m mem, f types.Field, v vreg) {
	size := f.Type.Size
	mask := int64((uint64(1)<<f.BitSize - 1) << f.BitOff)
	old := g.fn.load(m, size)
	kept := g.alu(asm.And, old, g.imm(^mask))
	nv := g.alu(asm.And, g.aluImm(asm.LSh, v, int64(f.BitOff)), g.imm(mask))
	g.fn.store(m, size, g.alu(asm.Or, kept, nv))
}
