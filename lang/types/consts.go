package types

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Const is the value of an expression known when checking: an integer
// (or bool), or a string when Str is set.
type Const struct {
	Int   int64
	Str   string
	IsStr bool
	Bytes []byte // pton(): the address bytes
	// At: uaddr() in a position-independent binary: where the probe
	// fires, to relocate Int by the probe's instruction pointer.
	At uint64
}

// constCall checks sizeof(type or expr), offsetof(struct, field[.field])
// and getopt(name[, default]); their values are constants.
func (c *checker) constCall(e *lang.Call, nargs func(lo, hi int) bool) *Type {
	switch e.Fun {
	case "sizeof":
		if !nargs(1, 1) {
			return nil
		}
		var t *Type
		if te, ok := e.Args[0].(*lang.TypeExpr); ok {
			t = c.namedType(te.At, te.Type)
		} else if tc, ok := e.Args[0].(*lang.Call); ok && tc.Fun == "typeof" {
			t = c.typeOfCall(tc)
		} else {
			t = c.expr(e.Args[0])
			if t.Kind == Invalid {
				return nil
			}
			if t.Kind == Void || t.Kind == Agg {
				c.errorf(e.Args[0].Pos(), "sizeof of %s: it has no size", t)
				return nil
			}
		}
		if t == nil {
			return nil
		}
		c.info.Consts[e] = Const{Int: int64(t.Size)}
		return Uint64
	case "offsetof":
		if !nargs(2, 2) {
			return nil
		}
		var st *Type
		if te, ok := e.Args[0].(*lang.TypeExpr); ok {
			st = c.namedType(te.At, te.Type)
		} else if tc, ok := e.Args[0].(*lang.Call); ok && tc.Fun == "typeof" {
			st = c.typeOfCall(tc)
			if st != nil && st.Kind == Ptr {
				st = st.Elem
			}
		} else {
			st = c.expr(e.Args[0])
			if st.Kind == Ptr {
				st = st.Elem
			}
		}
		if st == nil || st.Kind == Invalid {
			return nil
		}
		path, ok := fieldPath(e.Args[1])
		if !ok {
			c.errorf(e.Args[1].Pos(), "offsetof() needs a member name, like offsetof(struct x, a.b)")
			return nil
		}
		off := 0
		for _, name := range path {
			if st.Kind != Struct && st.Kind != Tuple {
				c.errorf(e.Args[1].Pos(), "%s is not a struct: it has no member %s", st, name)
				return nil
			}
			f, ok := st.Field(name)
			if !ok {
				c.errorf(e.Args[1].Pos(), "%s has no member %s", st, name)
				return nil
			}
			off += f.Offset
			st = f.Type
		}
		c.info.Consts[e] = Const{Int: int64(off)}
		return Uint64
	case "kaddr", "cgroupid":
		if !nargs(1, 1) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "%s() takes a string literal", e.Fun)
			return nil
		}
		se, ok := c.env.(SymbolEnv)
		if !ok {
			c.errorf(e.At, "%s() is not available here", e.Fun)
			return nil
		}
		lookup := se.KernelSymbol
		if e.Fun == "cgroupid" {
			lookup = se.CgroupID
		}
		addr, err := lookup(lit.Val)
		if err != nil {
			c.errorf(lit.At, "%s(%q): %v", e.Fun, lit.Val, err)
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		c.info.Consts[e] = Const{Int: int64(addr)}
		return Uint64
	case "getopt":
		if !nargs(1, 3) {
			return nil
		}
		lit, ok := e.Args[0].(*lang.StrLit)
		if !ok {
			c.errorf(e.Args[0].Pos(), "getopt() needs the parameter's name as a string literal")
			return nil
		}
		opt := Option{}
		if len(e.Args) == 3 {
			desc, ok := e.Args[2].(*lang.StrLit)
			if !ok {
				c.errorf(e.Args[2].Pos(), "getopt() takes the parameter's description as a string literal")
				return nil
			}
			opt.Desc = desc.Val
		}
		if len(e.Args) > 1 {
			opt.Default = literalText(e.Args[1])
		}
		if old, ok := c.info.Options[lit.Val]; ok && old.Desc != "" && opt.Desc != "" && old.Desc != opt.Desc {
			c.errorf(e.Args[2].Pos(), "--%s has another description where getopt() names it first", lit.Val)
		}
		if old, ok := c.info.Options[lit.Val]; !ok || old.Desc == "" {
			c.info.Options[lit.Val] = opt
		}
		v, given := c.info.Config.Named[lit.Val]
		if len(e.Args) == 1 {
			// A flag: true when given (with no value, or a true value).
			b := given && (v == "" || v == "true" || v == "1")
			c.info.Consts[e] = Const{Int: b2i(b)}
			return BoolType
		}
		switch d := e.Args[1].(type) {
		case *lang.StrLit:
			if !given {
				v = d.Val
			}
			c.info.Consts[e] = Const{Str: v, IsStr: true}
			return StrType(len(v) + 1)
		case *lang.BoolLit:
			b := d.Val
			if given {
				b = v == "" || v == "true" || v == "1"
			}
			c.info.Consts[e] = Const{Int: b2i(b)}
			return BoolType
		}
		n, ok := constInt(e.Args[1])
		if !ok {
			c.errorf(e.Args[1].Pos(), "getopt() default must be an integer, string or bool literal")
			return nil
		}
		if given {
			x, err := strconv.ParseInt(v, 0, 64)
			if err != nil {
				c.errorf(e.Args[0].Pos(), "parameter --%s=%s is not a number", lit.Val, v)
				return nil
			}
			n = x
		}
		c.info.Consts[e] = Const{Int: n}
		return Int64
	}
	return nil
}

// Option is a named parameter a script reads with getopt(): its
// description and default as written, for the list an unknown parameter
// gets.
type Option struct {
	Desc    string
	Default string
}

// unknownNamed reports named parameters (-- --name) no getopt() reads,
// listing those the script takes.
func (c *checker) unknownNamed() error {
	var unknown []string
	for n := range c.info.Config.Named {
		if _, ok := c.info.Options[n]; !ok {
			unknown = append(unknown, "--"+n)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	var b strings.Builder
	fmt.Fprintf(&b, "unknown named parameter %s", strings.Join(unknown, ", "))
	if len(c.info.Options) == 0 {
		b.WriteString(": this script takes none")
		return errors.New(b.String())
	}
	b.WriteString("; this script takes:")
	for _, n := range slices.Sorted(maps.Keys(c.info.Options)) {
		o := c.info.Options[n]
		fmt.Fprintf(&b, "\n  --%s", n)
		if o.Default != "" {
			fmt.Fprintf(&b, " (default %s)", o.Default)
		}
		if o.Desc != "" {
			fmt.Fprintf(&b, ": %s", o.Desc)
		}
	}
	return errors.New(b.String())
}

// literalText spells a literal as written: 35, -1, true, "x".
func literalText(e lang.Expr) string {
	switch e := e.(type) {
	case *lang.StrLit:
		return strconv.Quote(e.Val)
	case *lang.BoolLit:
		return strconv.FormatBool(e.Val)
	}
	if v, ok := constInt(e); ok {
		return strconv.FormatInt(v, 10)
	}
	return ""
}

// fieldPath reads a member designator: a, a.b, a.b.c.
func fieldPath(e lang.Expr) ([]string, bool) {
	switch e := e.(type) {
	case *lang.Ident:
		return []string{e.Name}, true
	case *lang.Field:
		p, ok := fieldPath(e.X)
		return append(p, e.Name), ok && !e.Arrow
	}
	return nil, false
}

// constInt reads an integer literal, possibly negated.
func constInt(e lang.Expr) (int64, bool) {
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Val), true
	case *lang.Unary:
		if e.Op == "-" {
			v, ok := constInt(e.X)
			return -v, ok
		}
	case *lang.Paren:
		return constInt(e.X)
	}
	return 0, false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// UsymType is the type of usym() and of func in uprobes: the address and
// the pid of the process it belongs to, 16 bytes.
var UsymType = &Type{Kind: Usym, Size: 16}

// MaxStackFrames is the most frames kstack and ustack keep (bpftrace's
// limit: the kernel's perf_event_max_stack default).
const MaxStackFrames = 127

// stackCall checks kstack([mode][, limit]) and ustack(...).
func (c *checker) stackCall(e *lang.Call) *Type {
	mode, limit := "", MaxStackFrames
	args := e.Args
	if len(args) > 2 {
		c.errorf(e.At, "%s() takes at most 2 arguments (mode and limit), got %d", e.Fun, len(args))
		return nil
	}
	if len(args) > 0 {
		if id, ok := args[0].(*lang.Ident); ok {
			switch id.Name {
			case "bpftrace", "perf", "raw", "build_id":
				mode = id.Name
			default:
				c.errorf(id.At, "%s() mode must be bpftrace, perf, raw or build_id, not %s", e.Fun, id.Name)
				return nil
			}
			if mode == "build_id" && e.Fun != "ustack" {
				c.errorf(id.At, "'build_id' stack mode can only be used for ustack")
				return nil
			}
			args = args[1:]
		}
	}
	if len(args) == 1 {
		lit, ok := args[0].(*lang.IntLit)
		if !ok {
			c.errorf(args[0].Pos(), "%s() limit must be an integer literal", e.Fun)
			return nil
		}
		if lit.Val > MaxStackFrames {
			c.errorf(args[0].Pos(), "%s() limit must be at most %d", e.Fun, MaxStackFrames)
			return nil
		}
		limit = int(lit.Val)
	} else if len(args) > 1 {
		c.errorf(args[1].Pos(), "%s() takes its mode first, then the limit", e.Fun)
		return nil
	}
	return c.stackType(e.At, e.Fun, mode, limit)
}

// stackType is the type of a kstack or ustack; mode "" is the configured
// stack_mode. A limit of 0 keeps no frames and is refused.
func (c *checker) stackType(pos lang.Pos, kind, mode string, limit int) *Type {
	if limit == 0 && mode == "" {
		limit = MaxStackFrames
	}
	if limit <= 0 {
		c.errorf(pos, "%s() limit must be at least 1", kind)
		return nil
	}
	if mode == "" {
		mode = c.info.Settings.StackMode
		if mode == "build_id" && kind != "ustack" {
			c.warnf(pos, "'build_id' stack mode can only be used for ustack. Falling back to 'raw' mode.")
			mode = "raw"
		}
	}
	return &Type{Kind: Stack, Size: 8, Name: kind, Len: limit, Mode: mode}
}

// userContexts reports whether every probe of the block fires in a
// process context where a user stack means something.
func (c *checker) userContexts() bool {
	for _, ctx := range c.ctxs {
		switch ctx.Provider {
		case "begin", "end", "self", "test", "bench":
			return false
		}
	}
	return true
}

// SignalNumber is the number of a signal named "SIGKILL" or "KILL", or 0.
func SignalNumber(name string) int {
	name = strings.TrimPrefix(strings.ToUpper(name), "SIG")
	for i, n := range signalNames {
		if n == name {
			return i
		}
	}
	return 0
}

var signalNames = [...]string{1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
	10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT",
	19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF",
	28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS"}

// SymbolEnv is implemented by Envs that can resolve kernel symbols
// (kaddr) and cgroup paths (cgroupid).
type SymbolEnv interface {
	KernelSymbol(name string) (uint64, error)
	CgroupID(path string) (uint64, error)
	// UserSymbol returns the address and size of a symbol of the binary
	// a uprobe or usdt probe is in (uaddr()). For a position-independent
	// binary, at is the address the probe fires at in the same address
	// space, so that the loaded address is addr + (ip - at); else at is 0.
	UserSymbol(ctx *Context, name string) (addr uint64, size int, at uint64, err error)
}

// ptRegs are the offsets of x86-64 struct pt_regs members, for reg().
var ptRegs = map[string]int{
	"r15": 0, "r14": 8, "r13": 16, "r12": 24, "bp": 32, "bx": 40, "r11": 48, "r10": 56, "r9": 64, "r8": 72,
	"ax": 80, "cx": 88, "dx": 96, "si": 104, "di": 112, "orig_ax": 120, "ip": 128, "cs": 136, "flags": 144,
	"sp": 152, "ss": 160,
}

// RegOffset is the offset in struct pt_regs of a register named as
// bpftrace's reg() names it ("ip", "sp", "di", "r8", ...), or -1.
func RegOffset(name string) int {
	if off, ok := ptRegs[name]; ok {
		return off
	}
	if off, ok := ptRegs[strings.TrimPrefix(name, "r")]; ok && strings.HasPrefix(name, "r") {
		return off // rip, rsp, rax, ...
	}
	return -1
}

// constValue folds an expression made of literals, sizeof/offsetof and
// operators into its value, when it has one.
func (c *checker) constValue(e lang.Expr) (int64, bool) {
	if k, ok := c.info.Consts[e]; ok && !k.IsStr {
		return k.Int, true
	}
	switch e := e.(type) {
	case *lang.IntLit:
		return int64(e.Val), true
	case *lang.BoolLit:
		return b2i(e.Val), true
	case *lang.PosParam:
		if e.Count {
			return int64(len(c.info.Config.Params)), true
		}
		return c.info.Config.ParamInt(e.N)
	case *lang.Paren:
		return c.constValue(e.X)
	case *lang.Cast:
		if strings.HasPrefix(e.Type, "enum ") {
			return c.constValue(e.X) // an enumerator
		}
	case *lang.Unary:
		x, ok := c.constValue(e.X)
		switch {
		case !ok:
		case e.Op == "-":
			return -x, true
		case e.Op == "~":
			return ^x, true
		case e.Op == "!":
			return b2i(x == 0), true
		}
	case *lang.Binary:
		x, ok1 := c.constValue(e.X)
		y, ok2 := c.constValue(e.Y)
		if !ok1 || !ok2 {
			return 0, false
		}
		// script constants fold as signed 64-bit values, as C's do
		switch e.Op {
		case "==", "!=", "<", "<=", ">", ">=":
			return b2i(compareConst(e.Op, x, y, true)), true
		case "&&":
			return b2i(x != 0 && y != 0), true
		case "||":
			return b2i(x != 0 || y != 0), true
		}
		return arithConst(e.Op, x, y, true)
	}
	return 0, false
}

// MaxBuf is the most bytes buf() keeps (its length is one byte).
const MaxBuf = 255

// SignalName names signal n without its SIG prefix ("TERM"), or gives ""
// for a number that is not a signal.
func SignalName(n uint64) string {
	if n > 0 && n < uint64(len(signalNames)) {
		return signalNames[n]
	}
	return ""
}
