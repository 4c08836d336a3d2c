package codegen

import "github.com/cilium/ebpf/asm"

// skipIfNull ends the program (returning 0) when the pointer in r is
// NULL. An iterator's program runs once more after the last object, with
// NULL in its ctx members (the kernel's "stop" call); reading a pointer
// member of ctx skips that run, as bpftrace does. The check is on the
// loaded register itself, so the kernel's verifier knows the pointer is
// not NULL after it (it refuses arithmetic on pointers that may be).
func (f *fn) skipIfNull(r vreg) {
	ok := f.label()
	f.emit(&inst{op: opJcc, a: r, cc: asm.JNE, useImm: true, imm: 0, label: ok})
	f.ret(0)
	f.mark(ok)
}
