package types

import (
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang/cc"
)

// CO-RE reads.
//
// libbpf's <bpf/bpf_core_read.h> reads kernel memory through chains of
// pointers with relocations the loader fixes up for the running kernel:
// BPF_CORE_READ(task, real_parent, tgid). gotrace compiles against the
// running kernel's own BTF, so the offsets it computes are already the
// right ones: each step of the chain is a bpf_probe_read_kernel at the
// member's offset. The forms understood are BPF_CORE_READ (the value of
// a scalar member), BPF_CORE_READ_INTO(dst, src, ...) and
// BPF_CORE_READ_STR_INTO(dst, src, ...) (copied to *dst, the second as a
// string), their BPF_PROBE_READ* twins, bpf_core_read / bpf_core_read_str
// (bpf_probe_read_kernel / _str), and bpf_core_field_exists (1: a member
// the checker found exists). An accessor may go through embedded structs
// (f_path.dentry).

// CoreRead is a chain of reads: start from the pointer Src, add each
// offset in turn, reading a pointer at every offset but the last, where
// the result (Size bytes of type Result) is read.
type CoreRead struct {
	Src     cc.Expr
	Offsets []int
	Result  *Type
	// Into is the destination of the _INTO forms (nil for BPF_CORE_READ);
	// Str reads a string there.
	Into cc.Expr
	Str  bool
}

// coreReads are the chain forms and whether they copy into a
// destination, and as a string.
var coreReads = map[string]struct{ into, str bool }{
	"BPF_CORE_READ": {}, "BPF_PROBE_READ": {},
	"BPF_CORE_READ_INTO": {into: true}, "BPF_PROBE_READ_INTO": {into: true},
	"BPF_CORE_READ_STR_INTO": {into: true, str: true}, "BPF_PROBE_READ_STR_INTO": {into: true, str: true},
}

// coreHelpers are the plain forms, which are helper calls.
var coreHelpers = map[string]asm.BuiltinFunc{
	"bpf_core_read": asm.FnProbeReadKernel, "bpf_core_read_str": asm.FnProbeReadKernelStr,
	"bpf_core_read_user": asm.FnProbeReadUser, "bpf_core_read_user_str": asm.FnProbeReadUserStr,
}

// coreCall checks one of the CO-RE forms; ok is false for other names.
func (k *cchecker) coreCall(e *cc.Call, name string) (*Type, bool) {
	if fn, ok := coreHelpers[name]; ok {
		return k.helperCall(e, fn), true
	}
	if name == "bpf_core_field_exists" {
		if len(e.Args) != 1 {
			k.errorf(e.At, "bpf_core_field_exists takes one member access")
			return nil, true
		}
		if _, ok := e.Args[0].(*cc.Member); !ok {
			k.errorf(e.At, "bpf_core_field_exists takes a member access such as p->field")
			return nil, true
		}
		if k.expr(e.Args[0]) == nil {
			return nil, true
		}
		return k.constant(e, cInt, 1), true
	}
	form, ok := coreReads[name]
	if !ok {
		return nil, false
	}
	args := e.Args
	cr := &CoreRead{Str: form.str}
	if form.into {
		if len(args) < 3 {
			k.errorf(e.At, "%s takes a destination, a pointer and at least one member", name)
			return nil, true
		}
		cr.Into = args[0]
		if t := k.expr(args[0]); t != nil && Decayed(t).Kind != Ptr {
			k.errorf(cc.PosOf(args[0]), "%s writes through a pointer, not %s", name, t)
			return nil, true
		}
		args = args[1:]
	} else if len(args) < 2 {
		k.errorf(e.At, "%s takes a pointer and at least one member", name)
		return nil, true
	}
	cr.Src = args[0]
	t := k.expr(args[0])
	if t == nil {
		return nil, true
	}
	k.p.Conv[args[0]] = Uint64
	for i, acc := range args[1:] {
		names, ok := accessorNames(acc)
		if !ok {
			k.errorf(cc.PosOf(acc), "%s: a member name (or a.b) is expected here", name)
			return nil, true
		}
		t = Decayed(t)
		if t.Kind != Ptr || t.Elem.Kind != Struct {
			k.errorf(cc.PosOf(acc), "%s: %s is not a pointer to a struct or union", name, t)
			return nil, true
		}
		st, off := t.Elem, 0
		for _, n := range names {
			f, ok := CField(st, n)
			if st.Kind != Struct || !ok {
				k.errorf(cc.PosOf(acc), "%s has no member %s", st, n)
				return nil, true
			}
			if f.BitSize > 0 {
				k.errorf(cc.PosOf(acc), "%s: %s is a bitfield", name, n)
				return nil, true
			}
			off += f.Offset
			st = f.Type
		}
		cr.Offsets = append(cr.Offsets, off)
		t = st
		if i < len(args)-2 && t.Kind != Ptr {
			k.errorf(cc.PosOf(acc), "%s: %s is %s, not a pointer to follow", name, names[len(names)-1], t)
			return nil, true
		}
	}
	cr.Result = t
	if k.p.CoreReads == nil {
		k.p.CoreReads = map[*cc.Call]*CoreRead{}
	}
	k.p.CoreReads[e] = cr
	if cr.Into != nil {
		return Int64, true
	}
	if !isScalar(t) {
		k.errorf(e.At, "%s gives scalars; %s is %s: use %s_INTO", name, "the member", t, name)
		return nil, true
	}
	return t, true
}

// accessorNames splits a member accessor (a, or a.b.c) into its names.
func accessorNames(e cc.Expr) ([]string, bool) {
	switch x := e.(type) {
	case *cc.Ident:
		return []string{x.Name}, true
	case *cc.Member:
		if x.Arrow {
			return nil, false
		}
		head, ok := accessorNames(x.X)
		return append(head, x.Name), ok
	}
	return nil, false
}
