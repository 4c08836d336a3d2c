package types

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Functions lists the functions the checker knows.
func Functions() []string {
	return []string{"assert", "avg", "bswap", "buf", "cat", "cgroup_path", "cgroupid", "clear", "count", "delete", "errorf", "exit", "getopt", "has_key", "hist", "join", "kaddr", "kstack", "ksym",
		"len", "lhist", "macaddr", "max", "memcmp", "min", "ntop", "offsetof", "override", "path", "print", "printf", "pton", "reg", "signal", "signal_thread", "sizeof", "static_assert", "stats", "str", "str_concat", "tseries",
		"strcontains", "strerror", "strftime", "strlen", "strncmp", "strstr", "sum", "syscall_name", "system", "time", "typeof", "uaddr", "usym", "ustack", "dw_ustack", "warnf", "zero",
		"is_array", "is_integer", "is_literal", "is_ptr", "is_str", "is_unsigned_integer", "is_err", "strcap", "kptr", "uptr", "pcomm", "ppid", "leader_comm", "leader_tid", "signal_name", "container_of", "find", "fail", "assert_str", "write_user", "kfunc_exist", "kfunc_allowed", "socket_cookie", "percpu_kaddr", "skboutput", "unwatch"}
}

// BuiltinNames lists the builtin identifiers the checker knows, for
// completion and "did you mean" hints.
func BuiltinNames() []string {
	names := []string{"args", "probe", "retval", "func", "curtask", "kstack", "ustack", "dw_ustack", "username", "usermode", "probetype",
		"ppid", "pcomm", "leader_comm", "leader_tid", "has_cpid", "default_str_length", "config"}
	for i := 0; i < ArgCount; i++ {
		names = append(names, fmt.Sprintf("arg%d", i))
	}
	for n := range builtinTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c *checker) call(e *lang.Call, stmt bool) *Type {
	nargs := func(lo, hi int) bool {
		if len(e.Args) < lo || len(e.Args) > hi {
			want := fmt.Sprint(lo)
			if hi > lo {
				want = fmt.Sprintf("%d to %d", lo, hi)
			}
			if hi > 100 {
				want = fmt.Sprintf("at least %d", lo)
			}
			c.errorf(e.At, "%s() takes %s argument%s, got %d", e.Fun, want, plural(lo, hi), len(e.Args))
			return false
		}
		return true
	}
	if t, ok := c.moreCall(e, nargs); ok {
		return t
	}
	switch e.Fun {
	case "printf":
		if !nargs(1, 1<<20) {
			return nil
		}
		return c.printf(e)
	case "sizeof", "offsetof", "getopt", "kaddr", "cgroupid":
		return c.constCall(e, nargs)
	case "errorf", "warnf", "cat", "system":
		if !nargs(1, 1<<20) {
			return nil
		}
		if e.Fun == "system" && !c.info.Config.Unsafe {
			c.errorf(e.At, "system() runs commands: it needs --unsafe")
			return nil
		}
		if c.printf(e) == nil {
			return nil
		}
		return VoidType
	case "strftime":
		if !nargs(2, 2) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "strftime() takes its format as a string literal")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		if t := c.expr(e.Args[1]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[1].Pos(), "strftime() takes nanoseconds (like nsecs), not %s", t)
			return nil
		}
		return &Type{Kind: Timestamp, Size: 8, Name: lit.Val}
	case "buf":
		if !nargs(1, 2) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() && t.Kind != Array && t.Kind != Str {
			c.errorf(e.Args[0].Pos(), "buf() takes an address or an array, not %s", t)
			return nil
		}
		capacity := MaxBuf
		if len(e.Args) == 2 {
			lt := c.expr(e.Args[1])
			if lt.Kind != Invalid && !lt.IsInteger() {
				c.errorf(e.Args[1].Pos(), "buf() length must be an integer, not %s", lt)
				return nil
			}
			if v, ok := c.constValue(e.Args[1]); ok {
				if v <= 0 || v > MaxBuf {
					c.errorf(e.Args[1].Pos(), "buf() length must be from 1 to %d", MaxBuf)
					return nil
				}
				capacity = int(v)
			}
		} else if t := c.info.Types[e.Args[0]]; t != nil && (t.Kind == Array || t.Kind == Str) {
			capacity = min(t.Size, MaxBuf)
		}
		return &Type{Kind: Buf, Size: 1 + capacity}
	case "len":
		if !nargs(1, 1) {
			return nil
		}
		m, ok := e.Args[0].(*lang.MapExpr)
		if !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "len() takes a map: len(@m)")
			return nil
		}
		if c.info.Maps[m.Name] == nil && !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
			return nil
		}
		if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 && !c.infer {
			c.errorf(m.At, "call to len() expects a map with explicit keys (non-scalar map); %s has none", m.Name)
			return nil
		}
		if c.inCallback > 0 {
			c.errorf(e.At, "len() cannot be used inside a for loop over a map")
			return nil
		}
		return Uint64
	case "reg":
		if !nargs(1, 1) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok || RegOffset(lit.Val) < 0 {
			c.errorf(e.Args[0].Pos(), "reg() takes a register name such as \"ip\", \"sp\" or \"di\"")
			return nil
		}
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgKprobe && ctx.Kind != ProgPerfEvent {
				c.errorf(e.At, "reg() needs registers, which probe %s does not have", ctx.Name)
				return nil
			}
		}
		c.record(lit, StrType(len(lit.Val)+1))
		c.info.Consts[lit] = Const{Int: int64(RegOffset(lit.Val))}
		return Uint64
	case "static_assert":
		if !nargs(1, 2) {
			return nil
		}
		c.expr(e.Args[0])
		v, ok := c.constValue(e.Args[0])
		if !ok {
			c.errorf(e.Args[0].Pos(), "static_assert() needs a condition known when compiling")
			return nil
		}
		if v == 0 && !c.infer {
			msg := "static_assert failed"
			if len(e.Args) == 2 {
				if lit, isLit := e.Args[1].(*lang.StrLit); isLit {
					msg += ": " + lit.Val
				}
			}
			c.errorf(e.At, "%s", msg)
		}
		return VoidType
	case "assert":
		if !nargs(2, 2) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "assert() needs a condition, not %s", t)
			return nil
		}
		lit, ok := e.Args[1].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[1].Pos(), "assert() takes its message as a string literal")
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		return VoidType
	case "time":
		if !nargs(0, 1) {
			return nil
		}
		if len(e.Args) == 1 {
			lit, ok := e.Args[0].(*lang.StrLit)
			if !ok {
				c.errorf(e.Args[0].Pos(), "time() takes a strftime format as a string literal")
				return nil
			}
			c.record(lit, StrType(len(lit.Val)+1))
		}
		return VoidType
	case "signal", "signal_thread":
		if !nargs(1, 1) {
			return nil
		}
		if !c.info.Config.Unsafe {
			c.errorf(e.At, "%s() sends signals: it needs --unsafe", e.Fun)
			return nil
		}
		switch a := e.Args[0].(type) {
		case *lang.StrLit:
			n := SignalNumber(a.Val)
			if n == 0 {
				c.errorf(a.At, "unknown signal %q", a.Val)
				return nil
			}
			c.info.Consts[a] = Const{Int: int64(n)}
			c.record(a, Uint32)
		default:
			if t := c.expr(a); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(a.Pos(), "%s() takes a signal number or name, not %s", e.Fun, t)
				return nil
			}
		}
		return VoidType
	case "exit":
		if !nargs(0, 1) {
			return nil
		}
		if len(e.Args) == 1 {
			if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(e.Args[0].Pos(), "exit() takes an integer exit code, not %s", t)
			}
		}
		return VoidType
	case "count", "sum", "min", "max", "avg", "stats", "hist", "lhist", "tseries":
		c.errorf(e.At, "%s() must be assigned to a map: @x = %s(...)", e.Fun, e.Fun)
		return nil
	case "delete":
		if !nargs(1, 2) {
			return nil
		}
		m, ok := e.Args[0].(*lang.MapExpr)
		if !ok {
			c.errorf(e.Args[0].Pos(), "delete() takes a map: delete(@m[key]) or delete(@m, key)")
			return nil
		}
		if len(e.Args) == 2 {
			if len(m.Keys) != 0 {
				c.errorf(e.Args[0].Pos(), "delete(@m, key) takes the map without a key")
				return nil
			}
			// delete(@m, k) means the same as delete(@m[k])
			c.keyCheck(&lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])})
		} else {
			c.keyCheck(m)
		}
		return BoolType // whether the key was there
	case "ksym", "usym":
		if !nargs(1, 1) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "%s() takes an address, not %s", e.Fun, t)
			return nil
		}
		if e.Fun == "ksym" {
			return &Type{Kind: Ksym, Size: 8}
		}
		return UsymType
	case "kstack", "ustack", "dw_ustack":
		return c.stackCall(e)
	case "bswap":
		if !nargs(1, 1) {
			return nil
		}
		t := c.expr(e.Args[0])
		if t.Kind != Invalid && t.Kind != Int {
			c.errorf(e.Args[0].Pos(), "bswap() takes an integer, not %s", t)
			return nil
		}
		return t
	case "strlen":
		if !nargs(1, 1) {
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Str {
			c.errorf(e.Args[0].Pos(), "strlen() takes a string, not %s", t)
			return nil
		}
		return Uint64
	case "strncmp":
		if !nargs(3, 3) {
			return nil
		}
		for _, a := range e.Args[:2] {
			if t := c.expr(a); t.Kind != Invalid && t.Kind != Str {
				c.errorf(a.Pos(), "strncmp() compares strings, not %s", t)
				return nil
			}
		}
		if _, ok := e.Args[2].(*lang.IntLit); !ok {
			c.errorf(e.Args[2].Pos(), "strncmp() needs a constant length")
			return nil
		}
		c.expr(e.Args[2])
		return Uint64
	case "has_key":
		if !nargs(2, 2) {
			return nil
		}
		m, ok := e.Args[0].(*lang.MapExpr)
		if !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "has_key() takes a map and a key: has_key(@m, key)")
			return nil
		}
		c.keyCheck(&lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])})
		return BoolType
	case "clear", "zero":
		if !nargs(1, 1) {
			return nil
		}
		if m, ok := e.Args[0].(*lang.MapExpr); !ok || len(m.Keys) != 0 {
			c.errorf(e.Args[0].Pos(), "%s() takes a whole map: %s(@m)", e.Fun, e.Fun)
			return nil
		} else if c.info.Maps[m.Name] == nil && !c.infer {
			c.errorf(m.At, "undefined map %s", m.Name)
		}
		return VoidType
	case "print":
		if !nargs(1, 3) {
			return nil
		}
		if m, ok := e.Args[0].(*lang.MapExpr); ok && len(m.Keys) == 0 {
			if c.info.Maps[m.Name] == nil && !c.infer {
				c.errorf(m.At, "undefined map %s", m.Name)
			}
			for _, a := range e.Args[1:] {
				if _, ok := a.(*lang.IntLit); !ok {
					c.errorf(a.Pos(), "print(@m, top, div) takes integer constants")
				}
			}
			return VoidType
		}
		if len(e.Args) != 1 {
			c.errorf(e.At, "print() of a value takes one argument")
			return nil
		}
		if t := c.expr(e.Args[0]); t.Kind == Void {
			c.errorf(e.Args[0].Pos(), "this has no value to print")
		}
		return VoidType
	case "str":
		if !nargs(1, 2) {
			return nil
		}
		if p, ok := e.Args[0].(*lang.PosParam); ok && !p.Count {
			v, _ := c.info.Config.Param(p.N)
			c.record(p, StrType(len(v)+1))
			return StrType(len(v) + 1)
		}
		t := c.expr(e.Args[0])
		if t.Kind == Invalid {
			return nil
		}
		size := c.info.Settings.MaxStrlen
		if len(e.Args) == 2 {
			lt := c.expr(e.Args[1])
			if lt.Kind != Invalid && !lt.IsInteger() {
				c.errorf(e.Args[1].Pos(), "str() length must be an integer, not %s", lt)
			}
			if lit, ok := e.Args[1].(*lang.IntLit); ok && int(lit.Val)+1 < size {
				size = int(lit.Val) + 1
			}
		}
		switch {
		case t.Kind == Str:
			return t
		case t.IsInteger(), t.Kind == Array && t.Elem.Kind == Int && t.Elem.Size == 1:
			return StrType(size)
		}
		c.errorf(e.Args[0].Pos(), "str() takes a pointer or an integer address, not %s", t)
		return nil
	}
	if t, ok := c.scriptCall(e); ok {
		return t
	}
	err := c.errorf(e.At, "unknown function '%s'", e.Fun)
	if s := suggest(e.Fun, Functions()); s != "" {
		err.Hint = "did you mean " + s + "?"
	}
	return nil
}

func plural(lo, hi int) string {
	if lo == 1 && hi == 1 {
		return ""
	}
	return "s"
}

// moreCall types the functions of this file; ok is false for any other.
func (c *checker) moreCall(e *lang.Call, nargs func(lo, hi int) bool) (t *Type, ok bool) {
	switch e.Fun {
	case "is_array", "is_integer", "is_literal", "is_ptr", "is_str", "is_unsigned_integer":
		if !nargs(1, 1) {
			return nil, true
		}
		t := c.expr(e.Args[0])
		if t.Kind == Invalid {
			return nil, true
		}
		var yes bool
		switch e.Fun {
		case "is_array":
			yes = t.Kind == Array
		case "is_integer":
			yes = t.Kind == Int
		case "is_unsigned_integer":
			yes = t.Kind == Int && !t.Signed
		case "is_ptr":
			yes = t.Kind == Ptr
		case "is_str":
			yes = t.Kind == Str
		case "is_literal":
			switch e.Args[0].(type) {
			case *lang.IntLit, *lang.StrLit, *lang.BoolLit:
				yes = true
			}
		}
		c.info.Consts[e] = Const{Int: map[bool]int64{true: 1}[yes]}
		return BoolType, true
	case "strcap":
		if !nargs(1, 1) {
			return nil, true
		}
		t := c.expr(e.Args[0])
		if t.Kind != Str && t.Kind != Array {
			if t.Kind != Invalid {
				c.errorf(e.Args[0].Pos(), "strcap() takes a string or an array, not %s", t)
			}
			return nil, true
		}
		c.info.Consts[e] = Const{Int: int64(t.Size)}
		return Int64, true
	case "kptr", "uptr":
		if !nargs(1, 1) {
			return nil, true
		}
		t := c.expr(e.Args[0])
		if t.Kind != Ptr {
			if t.Kind != Invalid {
				c.errorf(e.Args[0].Pos(), "%s() takes a pointer, not %s", e.Fun, t)
			}
			return nil, true
		}
		return PtrTo(t.Elem, e.Fun == "uptr"), true
	case "is_err":
		if !nargs(1, 1) {
			return nil, true
		}
		// IS_ERR(): the last 4095 values of the address space
		return c.expand(e, &lang.Binary{At: e.At, Op: ">=", X: &lang.Cast{At: e.At, Type: "uint64", X: e.Args[0]}, Y: &lang.IntLit{At: e.At, Val: 1<<64 - 4095}}), true
	case "pcomm":
		if !nargs(0, 1) {
			return nil, true
		}
		return c.expand(e, taskField(e.At, e.Args, "real_parent", "comm")), true
	case "ppid", "leader_comm", "leader_tid":
		// of a given task (the current one without an argument)
		if !nargs(0, 1) {
			return nil, true
		}
		switch e.Fun {
		case "ppid":
			return c.expand(e, &lang.Cast{At: e.At, Type: "uint32", X: taskField(e.At, e.Args, "real_parent", "tgid")}), true
		case "leader_comm":
			return c.expand(e, taskField(e.At, e.Args, "group_leader", "comm")), true
		}
		return c.expand(e, &lang.Cast{At: e.At, Type: "uint32", X: taskField(e.At, e.Args, "group_leader", "pid")}), true
	case "signal_name":
		if !nargs(1, 1) {
			return nil, true
		}
		if !c.intArg(e, 0, "a signal number") {
			return nil, true
		}
		return &Type{Kind: View, Size: 8, Name: "signal_name"}, true
	case "container_of":
		if !nargs(3, 3) {
			return nil, true
		}
		te, isType := e.Args[1].(*lang.TypeExpr)
		member, isIdent := e.Args[2].(*lang.Ident)
		if !isType || !isIdent {
			c.errorf(e.At, "container_of() takes a pointer, a struct type and a member name: container_of(p, struct s, member)")
			return nil, true
		}
		// (type *)((uint64)p - offsetof(type, member))
		return c.expand(e, &lang.Cast{At: e.At, Type: te.Type + " *", X: &lang.Binary{At: e.At, Op: "-",
			X: &lang.Cast{At: e.At, Type: "uint64", X: e.Args[0]},
			Y: &lang.Call{At: e.At, Fun: "offsetof", Args: []lang.Expr{te, member}}}}), true
	case "nsecs":
		if !nargs(1, 1) {
			return nil, true
		}
		clock, isIdent := e.Args[0].(*lang.Ident)
		if !isIdent || (clock.Name != "monotonic" && clock.Name != "boot" && clock.Name != "tai" && clock.Name != "sw_tai") {
			c.errorf(e.Args[0].Pos(), "nsecs() takes a clock: monotonic, boot, tai or sw_tai")
			return nil, true
		}
		return Uint64, true
	case "fail":
		if !nargs(1, 1<<20) {
			return nil, true
		}
		lit := c.litArg(e, 0, "its format")
		if lit == nil {
			return nil, true
		}
		var args []any
		for _, a := range e.Args[1:] {
			if v, ok := c.constValue(a); ok {
				args = append(args, v)
			} else if k, ok := c.constString(a); ok {
				args = append(args, k)
			} else {
				c.errorf(a.Pos(), "fail() takes only values known when compiling")
				return nil, true
			}
		}
		if c.dead == 0 && !c.infer {
			c.errorf(e.At, "%s", cFormat(lit.Val, args))
		}
		return VoidType, true
	case "assert_str":
		if !nargs(1, 1) {
			return nil, true
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Str {
			c.errorf(e.Args[0].Pos(), "assert_str: %s is not a string", t)
			return nil, true
		}
		return VoidType, true
	case "write_user":
		if !nargs(3, 3) {
			return nil, true
		}
		if !c.info.Config.Unsafe {
			c.errorf(e.At, "write_user() writes into a process's memory: it needs --unsafe")
			return nil, true
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "write_user() writes at an address, not into %s", t)
			return nil, true
		}
		src := c.expr(e.Args[1])
		if src.Kind != Invalid && src.InRegister() {
			c.errorf(e.Args[1].Pos(), "write_user() copies from a value in memory (a string, an array, a tuple), not %s", src)
			return nil, true
		}
		c.expr(e.Args[2])
		n, isConst := c.constValue(e.Args[2])
		if !isConst || n <= 0 || n > int64(src.Size) {
			c.errorf(e.Args[2].Pos(), "write_user() needs a constant length from 1 to the %d bytes of its source", src.Size)
			return nil, true
		}
		c.info.Consts[e.Args[2]] = Const{Int: n}
		return BoolType, true
	case "kfunc_exist", "kfunc_allowed":
		if !nargs(1, 1) {
			return nil, true
		}
		lit, isLit := e.Args[0].(*lang.StrLit)
		if !isLit {
			c.errorf(e.Args[0].Pos(), "%s() accepts a string literal only", e.Fun)
			return nil, true
		}
		c.record(lit, StrType(len(lit.Val)+1))
		yes := false
		if ke, ok := c.env.(KfuncEnv); ok {
			if e.Fun == "kfunc_exist" {
				yes = ke.KernelFunc(lit.Val)
			} else if len(c.ctxs) > 0 {
				yes = ke.KfuncAllowed(lit.Val, c.ctxs[0].Kind)
			}
		}
		c.info.Consts[e] = Const{Int: map[bool]int64{true: 1}[yes]}
		return BoolType, true
	case "percpu_kaddr":
		if !nargs(1, 2) {
			return nil, true
		}
		lit := c.litArg(e, 0, "the name of a per-CPU kernel variable")
		if lit == nil {
			return nil, true
		}
		if len(e.Args) == 2 && !c.intArg(e, 1, "a CPU number") {
			return nil, true
		}
		ke, ok := c.env.(KernelVarEnv)
		if !ok {
			c.errorf(e.At, "percpu_kaddr() needs the kernel's BTF, which is not available here")
			return nil, true
		}
		id, err := ke.KernelVar(lit.Val)
		if err != nil {
			c.errorf(lit.At, "percpu_kaddr(%q): %v", lit.Val, err)
			return nil, true
		}
		c.info.KernelVars[e] = id
		return PtrTo(Uint64, false), true
	case "skboutput":
		if !nargs(4, 4) {
			return nil, true
		}
		lit := c.litArg(e, 0, "the pcap file's path")
		if lit == nil {
			return nil, true
		}
		if t := c.expr(e.Args[1]); t.Kind != Invalid && t.Kind != Ptr {
			c.errorf(e.Args[1].Pos(), "skboutput() takes a struct sk_buff pointer, not %s", t)
			return nil, true
		}
		if !c.intArg(e, 2, "the number of bytes to capture as an integer") {
			return nil, true
		}
		c.expr(e.Args[3])
		off, ok := c.constValue(e.Args[3])
		if !ok || off < 0 {
			c.errorf(e.Args[3].Pos(), "skboutput() takes the offset as a non-negative integer literal")
			return nil, true
		}
		c.info.Consts[e.Args[3]] = Const{Int: off}
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgTracing || ctx.Provider == "iter" {
				c.errorf(e.At, "skboutput() needs the sk_buff pointer typed by the kernel's BTF, which only fentry and fexit probes have (not %s)", ctx.Name)
				return nil, true
			}
		}
		return Uint32, true
	case "socket_cookie":
		if !nargs(1, 1) {
			return nil, true
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && t.Kind != Ptr {
			c.errorf(e.Args[0].Pos(), "socket_cookie() takes a struct sock pointer, not %s", t)
			return nil, true
		}
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgTracing {
				c.errorf(e.At, "socket_cookie() needs a socket pointer the kernel's BTF types, which only fentry, fexit and iter probes have (not %s)", ctx.Name)
				return nil, true
			}
		}
		return Uint64, true
	case "comm":
		// comm(pid): the name of another process, through the kernel's
		// bpf_task_from_pid; a process that does not exist gives "N/A"
		// with a warning, as bpftrace.
		if !nargs(1, 1) {
			return nil, true
		}
		if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
			c.errorf(e.Args[0].Pos(), "comm() takes a process id, not %s", t)
			return nil, true
		}
		ke, ok := c.env.(KfuncEnv)
		if !ok || len(c.ctxs) == 0 {
			c.errorf(e.At, "comm(pid) needs the kernel's BTF, which is not available here")
			return nil, true
		}
		for _, name := range []string{"bpf_task_from_pid", "bpf_task_release"} {
			id, ok := ke.KfuncID(name)
			if !ok || !ke.KfuncAllowed(name, c.ctxs[0].Kind) {
				c.errorf(e.At, "Syntax comm(PID) is not supported in this probe type yet. Type: %s", ProbeType(c.ctxs[0]))
				return nil, true
			}
			c.info.Kfuncs[name] = id
		}
		at := e.At
		pid := &lang.Var{At: at, Name: "$__pid", Scope: 1<<30 + at.Offset}
		task := &lang.Var{At: at, Name: "$__task", Scope: 1<<30 + at.Offset}
		name := &lang.Var{At: at, Name: "$__comm", Scope: 1<<30 + at.Offset}
		x := &lang.BlockExpr{At: at, Stmts: []lang.Stmt{
			&lang.AssignStmt{At: at, Lhs: pid, Op: "=", Rhs: &lang.Cast{At: at, Type: "int32", X: e.Args[0]}},
			&lang.AssignStmt{At: at, Lhs: task, Op: "=", Rhs: &lang.Call{At: at, Fun: "__task_from_pid", Args: []lang.Expr{pid}}},
			&lang.IfStmt{At: at, Cond: task,
				Then: &lang.Block{At: at, Stmts: []lang.Stmt{
					&lang.AssignStmt{At: at, Lhs: name, Op: "=", Rhs: &lang.Call{At: at, Fun: "__task_comm_release", Args: []lang.Expr{task}}}}},
				Else: &lang.BlockStmt{Body: &lang.Block{At: at, Stmts: []lang.Stmt{
					&lang.ExprStmt{X: &lang.Call{At: at, Fun: "warnf", Args: []lang.Expr{&lang.StrLit{At: at, Val: "No such process (pid=%d)"}, pid}}},
					&lang.AssignStmt{At: at, Lhs: name, Op: "=", Rhs: &lang.StrLit{At: at, Val: "N/A"}}}}},
			},
		}, Value: name}
		return c.expand(e, x), true
	case "__task_from_pid":
		// a task acquired by bpf_task_from_pid (0: none), as an integer
		if !nargs(1, 1) {
			return nil, true
		}
		c.expr(e.Args[0])
		return Uint64, true
	case "__task_comm_release":
		// the task's comm, then bpf_task_release
		if !nargs(1, 1) {
			return nil, true
		}
		c.expr(e.Args[0])
		st := c.kernelStruct(e.At, "task_struct")
		if st == nil {
			return nil, true
		}
		f, ok := st.Field("comm")
		if !ok {
			c.errorf(e.At, "the kernel's struct task_struct has no comm")
			return nil, true
		}
		c.info.TaskCommOffset = f.Offset
		return StrType(16), true
	case "find":
		if !nargs(3, 3) {
			return nil, true
		}
		m, isMap := e.Args[0].(*lang.MapExpr)
		v, isVar := e.Args[2].(*lang.Var)
		if !isMap || len(m.Keys) != 0 || !isVar {
			c.errorf(e.At, "find() takes a map, a key and a $variable: find(@m, key, $v)")
			return nil, true
		}
		if mi := c.info.Maps[m.Name]; mi != nil && len(mi.Keys) == 0 {
			c.errorf(m.At, "find() needs a map with keys; %s has none", m.Name)
			return nil, true
		}
		// { $found = has_key(@m, k); if ($found) { $v = @m[k]; } $found }
		found := &lang.Var{At: e.At, Name: "$__found", Scope: 1<<30 + e.At.Offset}
		x := &lang.BlockExpr{At: e.At, Stmts: []lang.Stmt{
			&lang.AssignStmt{At: e.At, Lhs: found, Op: "=", Rhs: &lang.Call{At: e.At, Fun: "has_key", Args: []lang.Expr{m, e.Args[1]}}},
			&lang.IfStmt{At: e.At, Cond: found, Then: &lang.Block{At: e.At, Stmts: []lang.Stmt{
				&lang.AssignStmt{At: e.At, Lhs: v, Op: "=", Rhs: &lang.MapExpr{At: m.At, Name: m.Name, Keys: lang.KeyArgs(e.Args[1])}}}}},
		}, Value: found}
		return c.expand(e, x), true
	case "typeof":
		c.errorf(e.At, "typeof() names a type: use it in a cast, a let declaration, sizeof or offsetof")
		return nil, true
	case "strcontains", "strstr":
		if !nargs(2, 2) || !c.strArgs(e, e.Args) {
			return nil, true
		}
		h, hok := e.Args[0].(*lang.StrLit)
		n, nok := e.Args[1].(*lang.StrLit)
		if hok && nok {
			// two literals: the answer is known now
			i := int64(strings.Index(h.Val, n.Val))
			if e.Fun == "strcontains" {
				c.info.Consts[e] = Const{Int: map[bool]int64{true: 1}[i >= 0]}
			} else {
				c.info.Consts[e] = Const{Int: i}
			}
		}
		if e.Fun == "strcontains" {
			return BoolType, true
		}
		return Int64, true
	case "str_concat":
		if !nargs(2, 1<<20) || !c.strArgs(e, e.Args) {
			return nil, true
		}
		size := 1
		for _, a := range e.Args {
			size += c.info.Types[a].Size - 1
		}
		return StrType(min(size, max(c.info.Settings.MaxStrlen, c.info.Types[e.Args[0]].Size))), true
	case "memcmp":
		if !nargs(3, 3) {
			return nil, true
		}
		for _, a := range e.Args[:2] {
			t := c.expr(a)
			if t.Kind != Invalid && t.InRegister() {
				c.errorf(a.Pos(), "memcmp() compares values in memory (strings, arrays, tuples, structs), not %s", t)
				return nil, true
			}
		}
		c.expr(e.Args[2])
		n, isConst := c.constValue(e.Args[2])
		if !isConst || n < 0 {
			c.errorf(e.Args[2].Pos(), "memcmp() needs a constant, non-negative length")
			return nil, true
		}
		c.info.Consts[e.Args[2]] = Const{Int: n}
		for _, a := range e.Args[:2] {
			if t := c.info.Types[a]; t.Kind != Invalid && int64(t.Size) < n {
				c.errorf(a.Pos(), "memcmp() of %d bytes, but %s has only %d", n, t, t.Size)
				return nil, true
			}
		}
		return Int64, true
	case "ntop":
		if !nargs(1, 2) {
			return nil, true
		}
		addr := e.Args[len(e.Args)-1]
		if len(e.Args) == 2 {
			if t := c.expr(e.Args[0]); t.Kind != Invalid && !t.IsInteger() {
				c.errorf(e.Args[0].Pos(), "ntop() takes the address family (AF_INET or AF_INET6) first, not %s", t)
				return nil, true
			}
		}
		t := c.expr(addr)
		switch {
		case t.Kind == Invalid:
			return nil, true
		case t.IsInteger():
		case (t.Kind == Array || t.Kind == Str) && (t.Size == 4 || t.Size == 16):
		default:
			c.errorf(addr.Pos(), "ntop() takes an IPv4 address as an integer or 4 bytes, or an IPv6 address as 16 bytes, not %s", t)
			return nil, true
		}
		return InetType, true
	case "pton":
		if !nargs(1, 1) {
			return nil, true
		}
		lit := c.litArg(e, 0, "an address")
		if lit == nil {
			return nil, true
		}
		a, err := netip.ParseAddr(lit.Val)
		if err != nil || a.Zone() != "" {
			c.errorf(lit.At, "pton(%q): not an IPv4 or IPv6 address", lit.Val)
			return nil, true
		}
		b := a.AsSlice()
		c.info.Consts[e] = Const{Bytes: b}
		return ArrayOf(Uint8, len(b)), true
	case "macaddr":
		if !nargs(1, 1) {
			return nil, true
		}
		t := c.expr(e.Args[0])
		switch {
		case t.Kind == Invalid:
			return nil, true
		case t.IsInteger():
		case (t.Kind == Array || t.Kind == Str) && t.Size >= 6:
		default:
			c.errorf(e.Args[0].Pos(), "macaddr() takes 6 bytes (an array) or their address, not %s", t)
			return nil, true
		}
		return &Type{Kind: View, Size: 6, Name: "macaddr"}, true
	case "strerror", "syscall_name":
		if !nargs(1, 1) {
			return nil, true
		}
		if !c.intArg(e, 0, "an integer") {
			return nil, true
		}
		return &Type{Kind: View, Size: 8, Name: e.Fun}, true
	case "cgroup_path":
		if !nargs(1, 2) {
			return nil, true
		}
		if !c.intArg(e, 0, "a cgroup id") {
			return nil, true
		}
		filter := "*"
		if len(e.Args) == 2 {
			lit := c.litArg(e, 1, "its hierarchy filter")
			if lit == nil {
				return nil, true
			}
			filter = lit.Val
		}
		return &Type{Kind: View, Size: 8, Name: "cgroup_path", Mode: filter}, true
	case "join":
		if !nargs(1, 2) {
			return nil, true
		}
		if !c.intArg(e, 0, "an array of string pointers (like args.argv)") {
			return nil, true
		}
		if len(e.Args) == 2 {
			if c.litArg(e, 1, "its separator") == nil {
				return nil, true
			}
		}
		return VoidType, true
	case "path":
		if !nargs(1, 2) {
			return nil, true
		}
		if t := c.expr(e.Args[0]); t.Kind == Struct {
			// a struct path in kernel memory (file->f_path): its address
			if t.Name != "struct path" {
				c.errorf(e.Args[0].Pos(), "path() takes a struct path or a pointer to one, not %s", t)
				return nil, true
			}
		} else if !c.intArg(e, 0, "a struct path pointer") {
			return nil, true
		}
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgTracing {
				c.errorf(e.At, "path() needs the kernel's bpf_d_path, which only fentry, fexit and iter probes may call (not %s)", ctx.Name)
				return nil, true
			}
		}
		size := c.info.Settings.MaxStrlen
		if len(e.Args) == 2 {
			c.expr(e.Args[1])
			n, isConst := c.constValue(e.Args[1])
			if !isConst || n < 1 || n > 4096 {
				c.errorf(e.Args[1].Pos(), "path() takes a constant size from 1 to 4096")
				return nil, true
			}
			size = int(n)
		}
		return StrType(size), true
	case "unwatch":
		if !nargs(1, 1) {
			return nil, true
		}
		if !c.intArg(e, 0, "the watched address as an integer") {
			return nil, true
		}
		return VoidType, true
	case "override":
		if !nargs(1, 1) {
			return nil, true
		}
		if !c.info.Config.Unsafe {
			c.errorf(e.At, "override() changes what a kernel function returns: it needs --unsafe")
			return nil, true
		}
		for _, ctx := range c.ctxs {
			if ctx.Provider != "kprobe" {
				c.errorf(e.At, "override() works only in kprobes, not in %s", ctx.Name)
				return nil, true
			}
		}
		if !c.intArg(e, 0, "the return value as an integer") {
			return nil, true
		}
		return VoidType, true
	case "uaddr":
		if !nargs(1, 1) {
			return nil, true
		}
		lit := c.litArg(e, 0, "a symbol name")
		if lit == nil {
			return nil, true
		}
		se, isSym := c.env.(SymbolEnv)
		if !isSym || len(c.ctxs) == 0 {
			c.errorf(e.At, "uaddr() is not available here")
			return nil, true
		}
		var addr, at uint64
		var size int
		for i, ctx := range c.ctxs {
			if ctx.Provider != "uprobe" && ctx.Provider != "uretprobe" && ctx.Provider != "usdt" {
				c.errorf(e.At, "uaddr() works only in uprobes, uretprobes and usdt probes, not in %s", ctx.Name)
				return nil, true
			}
			a, n, pie, err := se.UserSymbol(ctx, lit.Val)
			if err != nil {
				c.errorf(lit.At, "uaddr(%q): %v", lit.Val, err)
				return nil, true
			}
			if i > 0 && (a != addr || pie != at) {
				c.errorf(e.At, "uaddr(%q) has different addresses in the probes of this block", lit.Val)
				return nil, true
			}
			addr, size, at = a, n, pie
		}
		c.info.Consts[e] = Const{Int: int64(addr), At: at}
		elem := Uint64
		switch size {
		case 1:
			elem = Uint8
		case 2:
			elem = Uint16
		case 4:
			elem = Uint32
		}
		return PtrTo(elem, true), true
	}
	return nil, false
}

func (c *checker) ident(e *lang.Ident) *Type {
	if c.inCallback > 0 {
		switch e.Name {
		case "args", "retval", "func":
			c.errorf(e.At, "%s cannot be used inside a for loop over a map; copy it to a $variable before the loop", e.Name)
			return nil
		}
		if strings.HasPrefix(e.Name, "arg") {
			if _, err := strconv.Atoi(e.Name[3:]); err == nil {
				c.errorf(e.At, "%s cannot be used inside a for loop over a map; copy it to a $variable before the loop", e.Name)
				return nil
			}
		}
	}
	if t, ok := builtinTypes[e.Name]; ok {
		return t
	}
	if t, ok := c.moreBuiltin(e); ok {
		return t
	}
	switch e.Name {
	case "kstack", "ustack", "dw_ustack":
		return c.stackType(e.At, e.Name, "", 0)
	case "curtask":
		// an inline struct task_struct takes the place of the kernel's
		st, ok := c.cdefs["struct task_struct"]
		if !ok {
			st = c.kernelStruct(e.At, "task_struct")
		}
		if st == nil {
			return nil
		}
		return PtrTo(st, false)
	case "probe":
		n := 0
		for _, ctx := range c.probeCtxs {
			if len(ctx.Name)+1 > n {
				n = len(ctx.Name) + 1
			}
		}
		return StrType(n)
	case "ctx":
		return c.ctxBuiltin(e)
	case "args":
		var t *Type
		for _, ctx := range c.ctxs {
			if ctx.Args == nil {
				c.errorf(e.At, "args is not available in probe %s", ctx.Name)
				return nil
			}
			if t != nil && !Equal(t, ctx.Args) {
				c.errorf(e.At, "args has different layouts in the probes of this block (%s and %s)", t, ctx.Args)
				return nil
			}
			t = ctx.Args
		}
		return t
	}
	if t := c.probeBuiltin(e); t != nil || c.reported {
		c.reported = false
		return t
	}
	if v, ok := cConstant(e.Name); ok {
		c.info.Consts[e] = Const{Int: v}
		return ConstType(v)
	}
	if ee, ok := c.env.(EnumEnv); ok {
		if v, t, ok := ee.KernelEnum(e.Name); ok {
			// an enumerator of the kernel's types: a constant of its enum
			c.info.Consts[e] = Const{Int: v}
			return t
		}
	}
	err := c.errorf(e.At, "unknown identifier '%s'", e.Name)
	if s := suggest(e.Name, BuiltinNames()); s != "" {
		err.Hint = "did you mean " + s + "?"
	}
	return nil
}

// moreBuiltin types the builtins of this file: username, usermode,
// probetype, and those that stand for another expression (ppid, pcomm,
// leader_comm, leader_tid, has_cpid, default_str_length).
func (c *checker) moreBuiltin(e *lang.Ident) (*Type, bool) {
	switch e.Name {
	case "ppid":
		return c.expand(e, &lang.Cast{At: e.At, Type: "uint32", X: taskField(e.At, nil, "real_parent", "tgid")}), true
	case "pcomm":
		return c.expand(e, taskField(e.At, nil, "real_parent", "comm")), true
	case "leader_comm":
		return c.expand(e, taskField(e.At, nil, "group_leader", "comm")), true
	case "leader_tid":
		return c.expand(e, &lang.Cast{At: e.At, Type: "uint32", X: taskField(e.At, nil, "group_leader", "pid")}), true
	case "has_cpid":
		return c.expand(e, &lang.Binary{At: e.At, Op: "!=", X: &lang.Ident{At: e.At, Name: "cpid"}, Y: &lang.IntLit{At: e.At}}), true
	case "default_str_length":
		c.info.Consts[e] = Const{Int: int64(c.info.Settings.MaxStrlen)}
		return Int64, true
	case "config":
		return c.expand(e, configRecord(e.At, c.info.Settings)), true
	case "username":
		return &Type{Kind: View, Size: 8, Name: "username"}, true
	case "usermode":
		for _, ctx := range c.ctxs {
			if ctx.Kind != ProgKprobe && ctx.Kind != ProgPerfEvent {
				c.errorf(e.At, "usermode needs the registers of the interrupted code, which probe %s does not have", ctx.Name)
				return nil, true
			}
		}
		return Uint8, true
	case "probetype":
		n := 0
		for _, ctx := range c.probeCtxs {
			n = max(n, len(ProbeType(ctx))+1)
		}
		return StrType(n), true
	}
	return nil, false
}

// expand types x as the meaning of e and records it for the code
// generator.
func (c *checker) expand(e, x lang.Expr) *Type {
	t := c.expr(x)
	if t.Kind == Invalid {
		return nil
	}
	c.info.Expansions[e] = x
	if k, ok := c.info.Consts[x]; ok {
		c.info.Consts[e] = k
	}
	return t
}

// litArg returns argument i of e when it is a string literal (and types
// it); otherwise it says that e takes what as a string literal.
func (c *checker) litArg(e *lang.Call, i int, what string) *lang.StrLit {
	lit, ok := e.Args[i].(*lang.StrLit)
	if !ok {
		c.errorf(e.Args[i].Pos(), "%s() takes %s as a string literal", e.Fun, what)
		return nil
	}
	c.record(lit, StrType(len(lit.Val)+1))
	return lit
}

// intArg checks that argument i of e is an integer (or a pointer), and
// otherwise says that e takes what.
func (c *checker) intArg(e *lang.Call, i int, what string) bool {
	t := c.expr(e.Args[i])
	if t.Kind != Invalid && !t.IsInteger() {
		c.errorf(e.Args[i].Pos(), "%s() takes %s, not %s", e.Fun, what, t)
		return false
	}
	return true
}

// strArgs checks that every argument of e is a string.
func (c *checker) strArgs(e *lang.Call, args []lang.Expr) bool {
	for _, a := range args {
		if t := c.expr(a); t.Kind != Str {
			if t.Kind != Invalid {
				c.errorf(a.Pos(), "%s() takes strings, not %s", e.Fun, t)
			}
			return false
		}
	}
	return true
}
