package verify

// Comparing states for pruning.
//
// subsumes(old, cur) holds when every value cur may hold old may hold
// too, so a path from cur does nothing a path from old did not: old was
// explored completely and found safe, so cur is safe. Registers are
// compared only where they are live.

// idmap pairs the ids of an old state with those of the current one; it
// is small, so a slice beats a map.
type idmap struct {
	pairs [][2]uint32
}

func (m *idmap) reset() { m.pairs = m.pairs[:0] }

// match records that old id a corresponds to current id b.
func (m *idmap) match(a, b uint32) bool {
	if a == 0 && b == 0 {
		return true
	}
	if a == 0 || b == 0 {
		return false
	}
	for _, p := range m.pairs {
		if p[0] == a || p[1] == b {
			return p[0] == a && p[1] == b
		}
	}
	m.pairs = append(m.pairs, [2]uint32{a, b})
	return true
}

func rangeWithin(old, cur *reg) bool {
	return old.umin <= cur.umin && cur.umax <= old.umax &&
		old.smin <= cur.smin && cur.smax <= old.smax &&
		old.tn.in(cur.tn)
}

func sameVar(old, cur *reg) bool {
	return old.umin == cur.umin && old.umax == cur.umax && old.smin == cur.smin && old.smax == cur.smax && old.tn == cur.tn
}

func regSafe(old, cur *reg, ids *idmap, exact bool) bool {
	if old.delta != cur.delta || old.added != cur.added {
		if exact || old.id != 0 {
			return false
		}
	}
	if exact {
		if old.kind != cur.kind || old.null != cur.null || old.off != cur.off || !sameVar(old, cur) ||
			old.m != cur.m || old.size != cur.size || old.frame != cur.frame || old.rng != cur.rng || old.fn != cur.fn {
			return false
		}
		return ids.match(old.id, cur.id) && ids.match(old.ref, cur.ref)
	}
	if old.kind == kNotInit {
		return true
	}
	if old.kind != cur.kind {
		return false
	}
	switch old.kind {
	case kScalar:
		if !rangeWithin(old, cur) || cur.kobj && !old.kobj {
			return false
		}
		if old.id != 0 {
			return cur.id != 0 && ids.match(old.id, cur.id)
		}
		return true
	case kMapPtr:
		return old.m == cur.m
	case kFunc, kPercpu:
		return old.fn == cur.fn
	case kPacketEnd:
		return true
	}
	if old.null != cur.null || old.off != cur.off || old.m != cur.m || old.size != cur.size || old.frame != cur.frame {
		return false
	}
	if !rangeWithin(old, cur) {
		return false
	}
	if (old.kind == kPacket || old.kind == kPacketMeta) && old.rng > cur.rng {
		return false
	}
	return ids.match(old.id, cur.id) && ids.match(old.ref, cur.ref)
}

// liveMask gives the registers compared in frame k of s.
func (v *verifier) liveMask(s *state, k int) uint16 {
	if k == len(s.frames)-1 {
		return v.live[s.pc]
	}
	next := s.frames[k+1]
	if next.callback {
		return v.live[next.callsite]
	}
	return v.live[next.callsite+1] & 0x3c0
}

func (v *verifier) statesSafe(old, cur *state, exact bool) bool {
	if len(old.frames) != len(cur.frames) || len(old.refs) != len(cur.refs) {
		return false
	}
	ids := &v.ids
	ids.reset()
	for k := range old.frames {
		of, cf := old.frames[k], cur.frames[k]
		if of.callsite != cf.callsite || of.callback != cf.callback {
			return false
		}
		mask := v.liveMask(cur, k)
		precise, slots := uint16(0xffff), ^uint64(0)
		if k == len(cur.frames)-1 {
			precise, slots = v.precRegs[cur.pc], v.precSlots[cur.pc]
		}
		for i := 0; i < 10; i++ {
			if mask&(1<<i) == 0 && !exact {
				continue
			}
			o, c := &of.regs[i], &cf.regs[i]
			if !exact && precise&(1<<i) == 0 && o.kind == kScalar && c.kind == kScalar {
				continue // its value does not matter
			}
			if !regSafe(o, c, ids, exact) {
				return false
			}
		}
		if !v.stackSafe(of, cf, ids, exact, slots) {
			return false
		}
	}
	for i := range old.refs {
		if !ids.match(old.refs[i].id, cur.refs[i].id) {
			return false
		}
	}
	return true
}

func (v *verifier) subsumes(old, cur *state) bool { return v.statesSafe(old, cur, false) }
func (v *verifier) equal(old, cur *state) bool    { return v.statesSafe(old, cur, true) }

var spillSlot = [8]uint8{sSpill, sSpill, sSpill, sSpill, sSpill, sSpill, sSpill, sSpill}

func (v *verifier) stackSafe(of, cf *frame, ids *idmap, exact bool, precise uint64) bool {
	n := max(len(of.stack), len(cf.stack))
	for i := 0; i < n; i++ {
		os, cs := &unwritten, &unwritten
		if i < len(of.stack) {
			os = &of.stack[i]
		}
		if i < len(cf.stack) {
			cs = &cf.stack[i]
		}
		if os.typ == cs.typ && !os.anySpill() {
			continue // the same plain bytes: safe either way
		}
		on, cn := os.spillSize(), cs.spillSize()
		if exact {
			if os.typ != cs.typ {
				return false
			}
			if on > 0 && !regSafe(&os.spill, &cs.spill, ids, true) {
				return false
			}
			continue
		}
		start := 0
		if on > 0 {
			switch {
			case cn == on && i < 64 && precise&(1<<uint(i)) == 0 && os.spill.kind == kScalar && cs.spill.kind == kScalar:
				start = on // its value does not matter
			case cn == on:
				if !regSafe(&os.spill, &cs.spill, ids, false) {
					return false
				}
				start = on
			case on == 8 && os.spill.kind == kScalar && os.spill.id == 0 && isUnknown(&os.spill) && cn == 0:
				// an unknown number spilled covers plain data
				for j := 0; j < 8; j++ {
					if cs.typ[j] != sMisc && cs.typ[j] != sZero && !(cs.typ[j] == sInvalid && !v.opts.Unprivileged) {
						return false
					}
				}
				continue
			default:
				return false
			}
		}
		for j := start; j < 8; j++ {
			o, c := os.typ[j], cs.typ[j]
			switch o {
			case sInvalid:
				if v.opts.Unprivileged {
					continue // old never read it
				}
				if c == sSpill && cs.spill.isPointer() {
					return false
				}
			case sMisc:
				switch c {
				case sMisc, sZero:
				case sInvalid:
					if v.opts.Unprivileged {
						return false
					}
				case sSpill:
					if cs.spill.isPointer() {
						return false
					}
				}
			case sZero:
				if c != sZero {
					return false
				}
			case sSpill:
				return false
			}
		}
	}
	return true
}

func isUnknown(r *reg) bool {
	u := unknownScalar()
	return sameVar(r, &u)
}

// widen forgets, in cur, the numbers that changed since old, so that a
// helper calling a callback again and again reaches a fixed point.
func (v *verifier) widen(old, cur *state) {
	if len(old.frames) != len(cur.frames) {
		return
	}
	for k := range old.frames {
		of, cf := old.frames[k], cur.frames[k]
		for i := 0; i < 10; i++ {
			o, c := &of.regs[i], &cf.regs[i]
			if o.kind == kScalar && c.kind == kScalar && !rangeWithin(o, c) {
				*c = unknownScalar()
			}
		}
		for i := range cf.stack {
			if i >= len(of.stack) {
				break
			}
			o, c := &of.stack[i], &cf.stack[i]
			if o.spillSize() > 0 && o.spillSize() == c.spillSize() && o.spill.kind == kScalar && c.spill.kind == kScalar && !rangeWithin(&o.spill, &c.spill) {
				v.ownStack(cf)
				c = &cf.stack[i]
				c.spill = unknownOfSize(c.spillSize())
			}
		}
	}
}
