package codegen

import (
	"github.com/cilium/ebpf/asm"
)

// taiNow is the TAI time as the boot time plus the offset between the
// two clocks that the runtime leaves in the globals.
func (f *fn) taiNow() vreg {
	g := f.newReg()
	f.emit(&inst{op: opMapValue, dst: g, ref: GlobalsMap, off: GlobalTaiDelta})
	return f.alu(asm.Add, f.call(asm.FnKtimeGetBootNs), f.load(mem{base: g}, 8))
}
