package codegen

import (
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// builtinCode is how one builtin compiles. The builtin families
// (builtin_*.go, as in lang/types) fill the table in their init
// functions, by the ids the checker resolved calls and names to.
type builtinCode struct {
	// call compiles a call that has a value of type t.
	call func(f *fn, e *lang.Call, t *types.Type) val
	// ident compiles the builtin written as a name.
	ident func(f *fn, e *lang.Ident, t *types.Type) val
	// stmt compiles a call used as a statement; without it, the call's
	// value is compiled and dropped.
	stmt func(f *fn, e *lang.Call)
	// into writes the value of e (a call or a name) in place at dst, laid
	// out as t, when it can, and tells whether it did (exprInto).
	into func(f *fn, e lang.Expr, dst mem, t *types.Type, zeroPad bool) bool
}

var builtinCodes = map[types.Builtin]*builtinCode{}

// define adds how builtin id compiles to the table.
func define(id types.Builtin, code builtinCode) {
	if builtinCodes[id] != nil {
		panic(fmt.Sprintf("codegen: builtin %s defined twice", id))
	}
	builtinCodes[id] = &code
}

// builtinCode is how the builtin e (a call or a name) compiles, or nil.
func (f *fn) builtinCode(e lang.Expr) *builtinCode {
	return builtinCodes[f.c.info.BuiltinOf(e)]
}

// callExpr compiles a call that has a value: of a builtin, or of a
// function of imported C.
func (f *fn) callExpr(e *lang.Call, t *types.Type) val {
	f.pos = e.At
	if cf := f.c.info.CCalls[e]; cf != nil {
		return f.scriptCCall(e, cf, t)
	}
	if code := f.builtinCode(e); code != nil && code.call != nil {
		return code.call(f, e, t)
	}
	f.fail(e.At, "function %s() not supported by the code generator yet", e.Fun)
	return val{}
}

// builtin compiles a builtin written as a name.
func (f *fn) builtin(e *lang.Ident, t *types.Type) val {
	f.pos = e.At
	if code := f.builtinCode(e); code != nil && code.ident != nil {
		return code.ident(f, e, t)
	}
	f.fail(e.At, "builtin %s not supported by the code generator yet", e.Name)
	return val{}
}

// callStmt compiles a call used as a statement, when its builtin has
// code for that, and tells whether it had.
func (f *fn) callStmt(e *lang.Call) bool {
	code := f.builtinCode(e)
	if code == nil || code.stmt == nil {
		return false
	}
	code.stmt(f, e)
	return true
}

// callInto writes the value of the builtin e in place, when its builtin
// can, and tells whether it did.
func (f *fn) callInto(e lang.Expr, dst mem, t *types.Type, zeroPad bool) bool {
	code := f.builtinCode(e)
	return code != nil && code.into != nil && code.into(f, e, dst, t, zeroPad)
}

// operand compiles the argument of a call whose value is that of its
// (integer) argument, seen as another type: ksym(addr), kptr(p).
func operand(f *fn, e *lang.Call, t *types.Type) val {
	return val{t: t, r: f.scalar(f.expr(e.Args[0]))}
}

// helperValue is the ident code of a builtin whose value a helper
// returns (cpu: bpf_get_smp_processor_id).
func helperValue(helper asm.BuiltinFunc) func(*fn, *lang.Ident, *types.Type) val {
	return func(f *fn, _ *lang.Ident, t *types.Type) val { return val{t: t, r: f.call(helper)} }
}

// viewValue compiles a value user space formats (strerror, syscall_name,
// signal_name, cgroup_path): its integer argument, in 64 bits.
func viewValue(f *fn, e *lang.Call, t *types.Type) val {
	x := f.expr(e.Args[0])
	return val{t: t, r: f.extend(f.scalar(x), min(x.t.Size, 8), x.t.Signed)}
}

// checkedOnly is the statement code of a builtin the checker has
// done all the work of (static_assert): nothing.
func checkedOnly(*fn, *lang.Call) {}
