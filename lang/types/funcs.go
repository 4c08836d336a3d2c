package types

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// This file types the string functions (strcontains, strstr, str_concat,
// memcmp), the functions whose values user space prints through a
// formatter (ntop, macaddr, strerror, syscall_name, cgroup_path), the
// compile-time pton and uaddr, and join, path and override.

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

// typeOfCall gives the type typeof(x) names: x is a type, or an
// expression whose static type it is (the expression is never run).
func (c *checker) typeOfCall(e *lang.Call) *Type {
	if len(e.Args) != 1 {
		c.errorf(e.At, "typeof() takes one type or expression")
		return nil
	}
	if te, ok := e.Args[0].(*lang.TypeExpr); ok {
		return c.namedType(te.At, te.Type)
	}
	t := c.expr(e.Args[0])
	if t.Kind == Invalid {
		return nil
	}
	if t.Kind == Void || t.Kind == Agg {
		c.errorf(e.Args[0].Pos(), "%s has no type typeof() can name", t)
		return nil
	}
	return t
}

// addressOf types &x: a pointer to a $variable (on the stack), to a map
// value, or to a struct field (where the struct is).
func (c *checker) addressOf(e *lang.Unary, t *Type) *Type {
	switch x := e.X.(type) {
	case *lang.Var:
		return PtrTo(t, false)
	case *lang.MapExpr:
		if mi := c.info.Maps[x.Name]; mi != nil && mi.Value.Kind == Agg {
			c.errorf(e.At, "%s is an aggregation: its value has no address", x.Name)
			return nil
		}
		return PtrTo(t, false)
	case *lang.Field:
		st := c.info.Types[x.X]
		user := false
		if st.Kind == Ptr {
			user = st.User
			st = st.Elem
		}
		if st.Kind == Struct {
			if f, ok := st.Field(x.Name); ok && f.BitSize == 0 {
				return PtrTo(f.Type, user)
			}
		}
	}
	c.errorf(e.At, "& takes a $variable, an @map or a struct field")
	return nil
}

// BytesComparable reports whether == and != compare x and y byte by
// byte: tuples of the same layout, and arrays (or a fixed string against
// an array, as a char[4] field against pton()) of the same size.
func BytesComparable(x, y *Type) bool {
	switch {
	case x.Kind == Tuple && y.Kind == Tuple:
		return Equal(x, y)
	case x.Kind == Array && y.Kind == Array:
		return x.Size == y.Size && Equal(x.Elem, y.Elem)
	case x.Kind == Array && y.Kind == Str, x.Kind == Str && y.Kind == Array:
		return x.Size == y.Size
	case x.Kind == Buf && y.Kind == Buf:
		// length byte and zero-filled data: the shorter size decides
		return true
	}
	return false
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

// KfuncEnv is implemented by Envs that can tell which kfuncs the kernel
// has and which program kinds may call them.
// KernelVarEnv is implemented by Envs that know the kernel's per-CPU
// variables (percpu_kaddr()): KernelVar gives one's BTF id in vmlinux.
type KernelVarEnv interface {
	KernelVar(name string) (uint32, error)
}

type KfuncEnv interface {
	KernelFunc(name string) bool
	KfuncAllowed(name string, k ProgKind) bool
	// KfuncID gives the kfunc's BTF id in vmlinux.
	KfuncID(name string) (uint32, bool)
}

// InetType is the type of ntop(): the address family as an int64 and 16
// bytes of address (the first 4 for IPv4).
var InetType = &Type{Kind: View, Size: 24, Name: "inet"}

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

// taskField is task->link->field, for the task given (or curtask).
func taskField(at lang.Pos, task []lang.Expr, link, field string) lang.Expr {
	var t lang.Expr = &lang.Ident{At: at, Name: "curtask"}
	if len(task) == 1 {
		t = task[0]
	}
	return &lang.Field{At: at, X: &lang.Field{At: at, X: t, Name: link, Arrow: true}, Name: field, Arrow: true}
}

// ProbeType is what the probetype builtin gives for a probe: its
// canonical provider, with begin and end (and self) called "special".
func ProbeType(ctx *Context) string {
	switch ctx.Provider {
	case "begin", "end", "self", "test":
		return "special"
	}
	return ctx.Provider
}

// deadIf runs check with the branch marked dead when dead is true.
func (c *checker) deadIf(dead bool, check func()) {
	if dead {
		c.dead++
		defer func() { c.dead-- }()
	}
	check()
}

// constString returns a string known when compiling: a literal or a
// string positional parameter.
func (c *checker) constString(e lang.Expr) (string, bool) {
	switch x := e.(type) {
	case *lang.StrLit:
		return x.Val, true
	case *lang.PosParam:
		if _, isInt := c.info.Config.ParamInt(x.N); !isInt && !x.Count {
			return c.info.Config.Param(x.N)
		}
	}
	return "", false
}

// cFormat formats a printf-style message with values known when
// compiling (fail()).
func cFormat(format string, args []any) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("-+ #0123456789.lhz", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		spec := strings.NewReplacer("l", "", "h", "", "z", "").Replace(format[i+1 : j])
		verb := format[j]
		switch {
		case verb == '%':
			b.WriteByte('%')
		case len(args) == 0:
			b.WriteString(format[i : j+1])
		default:
			if verb == 'u' || verb == 'i' {
				verb = 'd'
			}
			fmt.Fprintf(&b, "%"+spec+string(verb), args[0])
			args = args[1:]
		}
		i = j
	}
	return b.String()
}

// configRecord is the config builtin: a record of the script's settings.
func configRecord(at lang.Pos, s Settings) lang.Expr {
	num := func(n int) lang.Expr { return &lang.IntLit{At: at, Val: uint64(n)} }
	str := func(v string) lang.Expr { return &lang.StrLit{At: at, Val: v} }
	flag := func(v bool) lang.Expr { return &lang.BoolLit{At: at, Val: v} }
	fields := []struct {
		name string
		x    lang.Expr
	}{
		{"cache_user_symbols", str(s.CacheUserSymbols)}, {"cpp_demangle", flag(s.CppDemangle)},
		{"lazy_symbolication", flag(s.LazySymbolicate)}, {"license", str(s.License)},
		{"log_size", num(s.LogSize)}, {"max_bpf_progs", num(s.MaxBpfProgs)},
		{"max_cat_bytes", num(s.MaxCatBytes)}, {"max_map_keys", num(s.MaxMapKeys)},
		{"max_probes", num(s.MaxProbes)}, {"max_strlen", num(s.MaxStrlen)},
		{"missing_probes", str(s.MissingProbes)}, {"perf_rb_pages", num(s.PerfRbPages)},
		{"print_maps_on_exit", flag(s.PrintMapsOnExit)}, {"show_debug_info", flag(s.ShowDebugInfo)},
		{"stack_mode", str(s.StackMode)}, {"str_trunc_trailer", str(s.StrTruncTrailer)},
		{"symbol_source", str(s.SymbolSource)},
	}
	rec := &lang.Tuple{At: at}
	for _, f := range fields {
		rec.Names = append(rec.Names, f.name)
		rec.Elems = append(rec.Elems, f.x)
	}
	return rec
}
