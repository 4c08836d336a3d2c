package codegen

// The optimizer's order: stack loads forwarded and dead stack stores
// removed (opt_stack.go), values reused (opt_cse.go), branches the code
// before them decides folded (opt_branches.go), dead code removed
// (liveness.go), registers allocated (regalloc.go).
//
// Reusing a value makes it live longer, and a value live across a helper
// call needs one of the four callee-saved registers. Where a call of the
// optimized code keeps more than four values, the cheap ones among them
// are computed again where they are used (opt_remat.go). Where that is
// not enough, the program is allocated again as it was written, and the
// version with fewer spill slots wins: a spill costs more than the
// computation it saves, and values that stay in registers keep the
// bounds the verifier proved for them. When a call still keeps more
// values than there are callee-saved registers, the optimized code is
// sure to spill, and the code as written is allocated first: where that
// needs no spill it is the winner, and the optimized code is never
// allocated.
func (f *fn) optimizeAndAllocate(code []*inst) ([]*inst, *allocation, error) {
	nregs := f.nregs
	noSpill := copyRegSet(f.noSpill)
	opt, keeps := splitCallResults(deadCode(f.foldBranches(f.reuseMemoryAndValues(code)), f.nregs), &f.nregs)
	kept := keeps.most
	if kept > len(calleeSaved) {
		if r, most, ok := rematerialize(opt, &f.nregs, keeps); ok {
			opt, kept = r, most
		}
	}
	var plain []*inst
	var pal *allocation
	var perr error
	if kept > len(calleeSaved) {
		plain, pal, perr = allocate(deadCode(code, nregs), &nregs, f.frame, noSpill)
		if perr == nil && pal.stackSize == f.frame {
			f.nregs, f.noSpill = nregs, noSpill
			return plain, pal, nil
		}
	}
	opt, al, err := allocate(opt, &f.nregs, f.frame, f.noSpill)
	if err != nil || al.stackSize == f.frame {
		return opt, al, err
	}
	if plain == nil {
		plain, pal, perr = allocate(deadCode(code, nregs), &nregs, f.frame, noSpill)
	}
	if perr != nil || pal.stackSize >= al.stackSize {
		return opt, al, err
	}
	f.nregs, f.noSpill = nregs, noSpill
	return plain, pal, nil
}

func copyRegSet(s map[vreg]bool) map[vreg]bool {
	c := make(map[vreg]bool, len(s))
	for k, v := range s {
		c[k] = v
	}
	return c
}
