package verify

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/internal/reuse"
	"github.com/gotrace/gotrace/vm/insn"
)

// Precision.
//
// The kernel prunes more than exact subsumption allows: a number whose
// value never matters to a safety check (it is only summed and stored
// into a map, say) is not compared at all ("imprecise"). Without that,
// a script that sets twenty variables under twenty conditions has 2^20
// paths. The kernel finds the numbers that matter by backtracking along
// the explored path; we compute a static over-approximation instead:
// precRegs[i] and precSlots[i] are the registers and 8-byte stack slots
// (of the current frame, addressed through r10) whose value may flow, at
// instruction i, into a use where the value matters:
//
//   - either side of a conditional jump;
//   - arithmetic where one side may be a pointer (the offset it adds);
//   - a helper argument other than a plain number, and any argument of a
//     bpf-to-bpf call;
//   - a value stored where it may be read back (the stack), or returned
//     from a function;
//   - the offset of LD_IND.
//
// Values flow through register moves and arithmetic, and through the
// stack by stores and loads at constant offsets from r10; a load through
// any other stack pointer, or a lookup that may be of an array (whose key
// may be checked for being constant; a lookup whose map the straight-line
// code before it loads is known), makes every slot matter.

func (v *verifier) precision() {
	n := len(v.code)
	v.mayStack = reuse.Zeroed(&v.perInsn.mayStack, n)
	v.precRegs = reuse.Zeroed(&v.perInsn.precRegs, n)
	v.precSlots = reuse.Zeroed(&v.perInsn.precSlots, n)
	v.stackFlow()
	hasArray := false
	for i := range v.code {
		if m := v.code[i].m; m != nil && (m.spec.Type == ebpf.Array || m.spec.Type == ebpf.PerCPUArray) {
			hasArray = true
		}
	}
	const allSlots = ^uint64(0)
	slotsOf := slotMask
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			c := &v.code[i]
			if c.Filler {
				continue
			}
			var outR uint16
			var outS uint64
			succ := func(j int) {
				if j < n {
					outR |= v.precRegs[j]
					outS |= v.precSlots[j]
				}
			}
			switch {
			case c.Op == insn.JMP|insn.EXIT:
			case isJump(c):
				succ(c.Target(i))
				if c.Code() != insn.JA {
					succ(i + 1)
				}
			case c.Op == insn.LDDW:
				succ(i + 2)
			default:
				succ(i + 1)
			}
			inR, inS := outR, outS
			d, s := uint16(1)<<c.Dst, uint16(1)<<(c.Src&0xf)
			ms := v.mayStack[i]
			switch c.Class() {
			case insn.ALU, insn.ALU64:
				op := c.Code()
				x := c.Op&insn.X != 0 && op != insn.END
				used := outR&d != 0
				inR &^= d
				if used {
					if op != insn.MOV {
						inR |= d
					}
					if x {
						inR |= s
					}
				}
				if (op == insn.ADD || op == insn.SUB) && c.Class() == insn.ALU64 && (v.mayPtr[i]&d != 0 || (x && v.mayPtr[i]&s != 0)) {
					inR |= d
					if x {
						inR |= s
					}
				}
			case insn.LDX:
				used := outR&d != 0
				inR &^= d
				inR |= s
				if used {
					if c.Src == 10 {
						inS |= slotsOf(c.Off, c.Bytes())
					} else if ms&s != 0 {
						inS = allSlots
					}
				}
			case insn.ST:
				inR |= d
				if c.Dst == 10 {
					inS &^= slotsOf(c.Off, c.Bytes())
				}
			case insn.STX:
				inR |= d
				if c.Mode() == insn.ATOMIC {
					inR |= s
					if c.Imm == insn.CMPXCHG {
						inR |= 1
					}
					if c.Dst == 10 || ms&d != 0 {
						inS = allSlots
					}
					break
				}
				if c.Dst == 10 {
					sl := slotsOf(c.Off, c.Bytes())
					if outS&sl != 0 {
						inR |= s
					}
					if c.Bytes() == 8 {
						inS &^= sl
					}
				} else if ms&d != 0 {
					inR |= s
				}
			case insn.LD:
				if c.Op == insn.LDDW {
					inR &^= d
				} else {
					inR &^= 0x3f
					inR |= 1 << 6
					if c.Mode() == insn.IND {
						inR |= s
					}
				}
			case insn.JMP, insn.JMP32:
				switch c.Code() {
				case insn.CALL:
					inR &^= 0x3f
					if c.Src != 0 {
						inR |= 0x3e
						inS = allSlots
						break
					}
					h := helpers[asm.BuiltinFunc(c.Imm)]
					if h == nil {
						inR |= 0x3e
						inS = allSlots
						break
					}
					for k, at := range h.args {
						if at != argAnything {
							inR |= 1 << uint(k+1)
						}
					}
					if hasArray && (asm.BuiltinFunc(c.Imm) == asm.FnMapLookupElem || asm.BuiltinFunc(c.Imm) == asm.FnMapLookupPercpuElem) && v.lookupMayBeArray(i) || isCallbackHelper(c.Imm) {
						inS = allSlots
					}
				case insn.EXIT:
					if v.subOf[i] != 0 {
						inR |= 1
					}
				case insn.JA:
				default:
					inR |= d
					if c.Op&insn.X != 0 {
						inR |= s
					}
				}
			}
			inR &^= 1 << 10
			if inR != v.precRegs[i] || inS != v.precSlots[i] {
				v.precRegs[i], v.precSlots[i] = inR, inS
				changed = true
			}
		}
	}
}

// lookupMayBeArray tells whether the map lookup at i may look up an
// array, whose key matters (a constant key in range cannot fail): not
// when r1 holds a map of another type on every path to i (stackFlow
// follows map addresses through moves and callee-saved registers).
func (v *verifier) lookupMayBeArray(i int) bool {
	m := v.lookupMaps[i]
	return m == nil || m.spec.Type == ebpf.Array || m.spec.Type == ebpf.PerCPUArray
}

// flow is what stackFlow knows at an instruction.
type flow struct {
	ptr, stk uint16
	slots    uint64     // stack slots (at constant offsets from r10) that may hold a pointer
	maps     [10]uint16 // the map each register holds (mapIDs), or 0
}

// stackFlow computes, forward, the registers that may hold a pointer
// (mayPtr) and those that may hold a stack pointer (mayStack) at each
// instruction, and the map r1 holds at each map lookup (lookupMaps):
// the map a register holds is known where every path there loaded it
// (lddw), maybe moved it, and wrote the register no other way since.
func (v *verifier) stackFlow() {
	n := len(v.code)
	v.mayPtr = reuse.Zeroed(&v.perInsn.mayPtr, n)
	seen := reuse.Zeroed(&v.perInsn.seen, n)
	ctxPtrLoads := v.prog == ebpf.XDP
	v.lookupMaps = map[int]*mapInfo{}
	// maps by number, from 1
	mapIDs := map[*mapInfo]uint16{}
	var mapByID []*mapInfo
	mapID := func(m *mapInfo) uint16 {
		id, ok := mapIDs[m]
		if !ok && len(mapByID) < 0xffff {
			mapByID = append(mapByID, m)
			id = uint16(len(mapByID))
			mapIDs[m] = id
		}
		return id
	}
	in := reuse.Zeroed(&v.perInsn.flows, n)
	work := v.perInsn.work[:0]
	defer func() { v.perInsn.work = work[:0] }()
	push := func(j int, f flow) {
		if j >= n {
			return
		}
		if !seen[j] {
			seen[j] = true
			in[j] = f
			work = append(work, j)
			return
		}
		changed := in[j].ptr|f.ptr != in[j].ptr || in[j].stk|f.stk != in[j].stk || in[j].slots|f.slots != in[j].slots
		for r, m := range in[j].maps {
			if m != 0 && m != f.maps[r] {
				in[j].maps[r] = 0 // paths that disagree
				changed = true
			}
		}
		if changed {
			in[j].ptr |= f.ptr
			in[j].stk |= f.stk
			in[j].slots |= f.slots
			work = append(work, j)
		}
	}
	for _, sp := range v.subprogs {
		if sp.start == 0 {
			push(0, flow{ptr: 1<<1 | 1<<10, stk: 1 << 10})
		} else {
			push(sp.start, flow{ptr: 0x3e | 1<<10, stk: 0x3e | 1<<10})
		}
	}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		c := &v.code[i]
		f := in[i]
		d, s := uint16(1)<<c.Dst, uint16(1)<<(c.Src&0xf)
		set := func(r uint16, ptr, stk bool) {
			for k := range f.maps {
				if r&(1<<k) != 0 {
					f.maps[k] = 0
				}
			}
			f.ptr &^= r
			f.stk &^= r
			if ptr {
				f.ptr |= r
			}
			if stk {
				f.stk |= r
			}
		}
		switch c.Class() {
		case insn.ALU64:
			op := c.Code()
			x := c.Op&insn.X != 0 && op != insn.END
			switch {
			case op == insn.MOV && x && c.Off == 0:
				var m uint16
				if c.Src < 10 {
					m = f.maps[c.Src]
				}
				set(d, f.ptr&s != 0, f.stk&s != 0)
				if c.Dst < 10 {
					f.maps[c.Dst] = m
				}
			case op == insn.ADD && x:
				set(d, (f.ptr|in[i].ptr&s)&d != 0 || f.ptr&s != 0, f.stk&d != 0 || f.stk&s != 0)
			case op == insn.ADD || op == insn.SUB:
				set(d, f.ptr&d != 0, f.stk&d != 0)
			default:
				set(d, false, false)
			}
		case insn.ALU:
			set(d, false, false)
		case insn.LDX:
			wide := c.Bytes() == 8
			var p bool
			if c.Src == 10 {
				p = wide && f.slots&slotMask(c.Off, 8) != 0
			} else {
				p = wide && f.stk&s != 0 && f.slots != 0 || ctxPtrLoads
			}
			set(d, p, p)
		case insn.ST:
			if c.Dst == 10 && c.Bytes() == 8 {
				f.slots &^= slotMask(c.Off, 8)
			}
		case insn.STX:
			if c.Mode() == insn.MEM {
				switch {
				case c.Dst == 10 && f.ptr&s != 0:
					f.slots |= slotMask(c.Off, c.Bytes())
				case c.Dst == 10 && c.Bytes() == 8:
					f.slots &^= slotMask(c.Off, 8)
				case c.Dst != 10 && f.stk&d != 0 && f.ptr&s != 0:
					f.slots = ^uint64(0)
				}
			}
			if c.Mode() == insn.ATOMIC {
				if c.Imm == insn.CMPXCHG {
					set(1, true, true)
				} else if c.Imm&insn.FETCH != 0 {
					set(s, true, true)
				}
			}
		case insn.LD:
			if c.Op == insn.LDDW {
				set(d, c.Src != 0, false)
				if c.Src == insn.PseudoMapFD && c.m != nil && c.Dst < 10 {
					f.maps[c.Dst] = mapID(c.m)
				}
			} else {
				set(0x3f, false, false)
			}
		case insn.JMP:
			if c.Code() == insn.CALL {
				if fn := asm.BuiltinFunc(c.Imm); c.Src == 0 && (fn == asm.FnMapLookupElem || fn == asm.FnMapLookupPercpuElem) {
					if id := in[i].maps[1]; id != 0 {
						v.lookupMaps[i] = mapByID[id-1]
					}
				}
				set(0x3f, false, false)
				h := helpers[asm.BuiltinFunc(c.Imm)]
				set(1, c.Src != 0 || h == nil || h.ret == retMapValueOrNull || h.ret == retRingbufMemOrNull, c.Src != 0)
			}
		}
		v.mayPtr[i] = in[i].ptr
		v.mayStack[i] = in[i].stk
		switch {
		case c.Op == insn.JMP|insn.EXIT:
		case isJump(c):
			push(c.Target(i), f)
			if c.Code() != insn.JA {
				push(i+1, f)
			}
		case c.Op == insn.LDDW:
			push(i+2, f)
		default:
			push(i+1, f)
		}
	}
}

// slotMask gives the 8-byte stack slots that size bytes at fp+off touch.
func slotMask(off int16, size int) uint64 {
	lo := int(off)
	if lo >= 0 || lo < -stackSize {
		return 0
	}
	var m uint64
	for o := lo; o < lo+size && o < 0; o++ {
		m |= 1 << uint((-o-1)/8)
	}
	return m
}
