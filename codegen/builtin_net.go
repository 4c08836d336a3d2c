package codegen

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Network: ntop and macaddr lay out values user space prints, from
// memory or an address; socket_cookie and skboutput are the kernel's
// helpers. (pton is a constant the checker found.)

func init() {
	define(types.BuiltinNtop, builtinCode{call: (*fn).ntop})
	define(types.BuiltinMacaddr, builtinCode{call: (*fn).macaddr})
	define(types.BuiltinSocketCookie, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		sk := f.scalar(f.expr(e.Args[0]))
		f.pos = e.At
		return val{t: t, r: f.call(asm.FnGetSocketCookie, sk)}
	}})
	define(types.BuiltinSkboutput, builtinCode{call: func(f *fn, e *lang.Call, t *types.Type) val {
		return val{t: t, r: f.skbOutput(e)}
	}})
}

// ntop builds an inet value: the address family, then the address bytes.
func (f *fn) ntop(e *lang.Call, t *types.Type) val {
	m := f.alloc(t.Size)
	f.pos = e.At
	f.zero(m, t.Size)
	addr := e.Args[len(e.Args)-1]
	x := f.expr(addr)
	f.pos = e.At
	family := int64(afInet)
	if x.m != nil {
		f.copyMem(m.plus(8), *x.m, x.t.Size)
		if x.t.Size == 16 {
			family = afInet6
		}
	} else {
		f.store(m.plus(8), 4, f.scalar(x))
	}
	if len(e.Args) == 2 {
		f.store(m, 8, f.scalar(f.expr(e.Args[0])))
	} else {
		f.storeImm(m, 8, family)
	}
	return val{t: t, m: &m}
}

const (
	afInet  = 2
	afInet6 = 10
)

// macaddr reads the 6 bytes of a MAC address, from memory or an address.
func (f *fn) macaddr(e *lang.Call, t *types.Type) val {
	x := f.expr(e.Args[0])
	f.pos = e.At
	m := f.alloc(8)
	f.storeImm(m, 8, 0)
	if x.m != nil {
		f.copyMem(m, *x.m, 6)
	} else {
		f.call(f.readFn(x.t), f.addr(m), f.imm(6), f.scalar(x))
	}
	return val{t: t, m: &m}
}

// skbOutput compiles skboutput(path, skb, len, offset): bpf_skb_output
// copies the packet's first len bytes after a SkbHeader into the perf
// event array; user space drops offset bytes and writes the pcap file.
// The result is the helper's (0, or a negative errno) as a uint32.
func (f *fn) skbOutput(e *lang.Call) vreg {
	id := -1
	path := e.Args[0].(*lang.StrLit).Val
	off := int(f.c.info.Consts.Of(e.Args[3]).Int)
	for i, o := range f.c.prog.SkbOutputs {
		if o.Path == path && o.Offset == off {
			id = i
		}
	}
	if id < 0 {
		id = len(f.c.prog.SkbOutputs)
		f.c.prog.SkbOutputs = append(f.c.prog.SkbOutputs, SkbOutput{Path: path, Offset: off})
	}
	skb := f.scalar(f.expr(e.Args[1]))
	n := f.scalar(f.expr(e.Args[2]))
	f.pos = e.At
	hdr := f.alloc(SkbHeader)
	f.storeImm(hdr, 8, int64(id))
	f.store(hdr.plus(8), 8, f.call(asm.FnKtimeGetBootNs))
	// flags: BPF_F_CURRENT_CPU, and the bytes to copy in bits 32-51
	n = f.aluImm(asm.And, n, 0xfffff)
	f.store(hdr.plus(16), 8, n)
	flags := f.alu(asm.Or, f.aluImm(asm.LSh, n, 32), f.imm(0xffffffff))
	r := f.call(asm.FnSkbOutput, skb, f.mapPtr(SkbMap), flags, f.addr(hdr), f.imm(SkbHeader))
	return f.narrow(r, 4, false)
}
