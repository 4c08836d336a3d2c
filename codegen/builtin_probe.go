package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/types"
)

// x86-64 struct pt_regs offsets: the argument registers of the C calling
// convention (rdi, rsi, rdx, rcx, r8, r9), the return value and the
// instruction pointer.
var ptRegsArgs = [...]int32{112, 104, 96, 88, 72, 64}

const (
	ptRegsRAX = 80
	ptRegsIP  = 128
)

// ptRegsCS is the offset of the code segment in x86-64 struct pt_regs.
const ptRegsCS = 136

// usdtArg reads a USDT argument where its note says it is.
func (f *fn) usdtArg(l types.ArgLoc) vreg {
	if l.Const {
		return f.imm(l.Disp)
	}
	var v vreg
	if l.Reg >= 0 {
		v = f.load(mem{base: f.ctxReg, off: int32(l.Reg)}, 8)
	} else {
		v = f.imm(0)
	}
	if l.Mem {
		addr := f.aluImm(asm.Add, v, l.Disp)
		if l.Index >= 0 {
			idx := f.load(mem{base: f.ctxReg, off: int32(l.Index)}, 8)
			addr = f.alu(asm.Add, addr, f.aluImm(asm.Mul, idx, int64(l.Scale)))
		}
		tmp := f.alloc(8)
		f.storeImm(tmp, 8, 0)
		f.call(asm.FnProbeReadUser, f.addr(tmp), f.imm(int64(l.Size)), addr)
		v = f.load(tmp, 8)
	}
	return f.narrow(v, l.Size, l.Signed)
}
