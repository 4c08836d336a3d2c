package types

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Constants known when compiling: sizes and offsets (sizeof, offsetof),
// types (typeof, typeinfo and the type predicates is_*), named parameters (getopt),
// the kernel's functions (kfunc_exist, kfunc_allowed) and the script's
// settings (default_str_length, config).

const (
	BuiltinSizeof Builtin = constFamily + iota
	BuiltinOffsetof
	BuiltinTypeof
	BuiltinTypeinfo
	BuiltinGetopt
	BuiltinIsArray
	BuiltinIsInteger
	BuiltinIsLiteral
	BuiltinIsPtr
	BuiltinIsStr
	BuiltinIsUnsignedInteger
	BuiltinKfuncExist
	BuiltinKfuncAllowed
	BuiltinDefaultStrLength
	BuiltinConfig
)

func init() {
	define(
		&builtin{id: BuiltinSizeof, name: "sizeof", minArgs: 1, maxArgs: 1, call: (*checker).sizeofCall},
		&builtin{id: BuiltinOffsetof, name: "offsetof", minArgs: 2, maxArgs: 2, call: (*checker).offsetofCall},
		// (typeof names a type where one is written: see typeOfCall)
		&builtin{id: BuiltinTypeof, name: "typeof", maxArgs: variadic, call: func(c *checker, e *lang.Call) *Type {
			c.errorf(e.At, "typeof() names a type: use it in a cast, a let declaration, sizeof or offsetof")
			return nil
		}},
		&builtin{id: BuiltinTypeinfo, name: "typeinfo", minArgs: 1, maxArgs: 1, call: (*checker).typeinfoCall},
		&builtin{id: BuiltinGetopt, name: "getopt", minArgs: 1, maxArgs: 3, call: (*checker).getoptCall},
		&builtin{id: BuiltinIsArray, name: "is_array", minArgs: 1, maxArgs: 1,
			call: typePredicate(func(_ lang.Expr, t *Type) bool { return t.Kind == Array })},
		&builtin{id: BuiltinIsInteger, name: "is_integer", minArgs: 1, maxArgs: 1,
			call: typePredicate(func(_ lang.Expr, t *Type) bool { return t.Kind == Int })},
		&builtin{id: BuiltinIsLiteral, name: "is_literal", minArgs: 1, maxArgs: 1, call: typePredicate(func(x lang.Expr, _ *Type) bool {
			switch x.(type) {
			case *lang.IntLit, *lang.StrLit, *lang.BoolLit:
				return true
			}
			return false
		})},
		&builtin{id: BuiltinIsPtr, name: "is_ptr", minArgs: 1, maxArgs: 1,
			call: typePredicate(func(_ lang.Expr, t *Type) bool { return t.Kind == Ptr })},
		&builtin{id: BuiltinIsStr, name: "is_str", minArgs: 1, maxArgs: 1,
			call: typePredicate(func(_ lang.Expr, t *Type) bool { return t.Kind == Str })},
		&builtin{id: BuiltinIsUnsignedInteger, name: "is_unsigned_integer", minArgs: 1, maxArgs: 1,
			call: typePredicate(func(_ lang.Expr, t *Type) bool { return t.Kind == Int && !t.Signed })},
		&builtin{id: BuiltinKfuncExist, name: "kfunc_exist", minArgs: 1, maxArgs: 1, call: kfuncPredicate(func(c *checker, ke KfuncEnv, name string) bool {
			return ke.KernelFunc(name)
		})},
		&builtin{id: BuiltinKfuncAllowed, name: "kfunc_allowed", minArgs: 1, maxArgs: 1, call: kfuncPredicate(func(c *checker, ke KfuncEnv, name string) bool {
			return len(c.ctxs) > 0 && ke.KfuncAllowed(name, c.ctxs[0].Kind)
		})},
		&builtin{id: BuiltinDefaultStrLength, name: "default_str_length", ident: func(c *checker, e *lang.Ident) *Type {
			c.info.Consts.Set(e, Const{Int: int64(c.info.Settings.MaxStrlen)})
			return Int64
		}},
		&builtin{id: BuiltinConfig, name: "config", ident: func(c *checker, e *lang.Ident) *Type {
			return c.expand(e, configRecord(e.At, c.info.Settings))
		}},
	)
}

// isTypeof tells whether e is typeof(...), which names a type.
func isTypeof(e lang.Expr) (*lang.Call, bool) {
	tc, ok := e.(*lang.Call)
	return tc, ok && callable[tc.Fun] == builtins[BuiltinTypeof]
}

// typeArg is the type argument e of sizeof, offsetof or typeof names,
// when it names one (isType): a type written as one, typeof(...), or an
// identifier that names a type (size_t) rather than a value. t is nil
// after an error.
func (c *checker) typeArg(e lang.Expr) (t *Type, isType bool) {
	switch a := e.(type) {
	case *lang.TypeExpr:
		return c.namedType(a.At, a.Type), true
	case *lang.Ident:
		if b, _ := lookupIdent(a.Name); b == nil && c.isTypeName(a.Name) {
			return c.namedType(a.At, a.Name), true
		}
	}
	if tc, ok := isTypeof(e); ok {
		return c.typeOfCall(tc), true
	}
	return nil, false
}

// sizeofCall checks sizeof(type or expression): its size, a constant.
func (c *checker) sizeofCall(e *lang.Call) *Type {
	c.noMapAssign(e.Args[0], "sizeof")
	t, isType := c.typeArg(e.Args[0])
	if !isType {
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
	c.info.Consts.Set(e, Const{Int: int64(t.Size)})
	return Uint64
}

// noMapAssign reports the map assignments in x, the argument of a builtin
// (named by what) that reads only its type: x is never run, so the
// assignment would never happen.
func (c *checker) noMapAssign(x lang.Expr, what string) {
	lang.Inspect(x, func(n lang.Node) bool {
		var at lang.Pos
		switch n := n.(type) {
		case *lang.AssignStmt:
			if _, isMap := n.Lhs.(*lang.MapExpr); !isMap {
				return true
			}
			at = n.At
		case *lang.Unary:
			if _, isMap := n.X.(*lang.MapExpr); !isMap || (n.Op != "++" && n.Op != "--") {
				return true
			}
			at = n.At
		default:
			return true
		}
		c.errorf(at, "Map assignments not allowed inside of %s", what)
		return true
	})
}

// typeinfoCall checks typeinfo(type or expression): a record describing
// the type, (btf_id=0, base_type="int", full_type="uint64"), made when
// compiling; an expression given is typed, never evaluated.
func (c *checker) typeinfoCall(e *lang.Call) *Type {
	c.noMapAssign(e.Args[0], "typeof or typeinfo")
	t, isType := c.typeArg(e.Args[0])
	if m, ok := e.Args[0].(*lang.MapExpr); ok && c.info.Maps[m.Name] != nil && c.info.Maps[m.Name].Value.Kind == Agg {
		// the aggregation itself, which a probe cannot read
		c.keyCheck(m)
		t, isType = c.info.Maps[m.Name].Value, true
	}
	if !isType {
		t = c.expr(e.Args[0])
	}
	if t == nil || t.Kind == Invalid {
		return nil
	}
	at := e.At
	return c.expand(e, &lang.Tuple{At: at, Names: []string{"btf_id", "base_type", "full_type"}, Elems: []lang.Expr{
		&lang.IntLit{At: at, Val: 0},
		&lang.StrLit{At: at, Val: baseTypeName(t)},
		&lang.StrLit{At: at, Val: fullTypeName(t)},
	}})
}

// baseTypeName is the kind of t as typeinfo names it, in bpftrace's
// words: "int", "string", "pointer", "record", "kstack", ...
func baseTypeName(t *Type) string {
	switch t.Kind {
	case Void:
		return "void"
	case Int:
		return "int"
	case Bool:
		return "bool"
	case Str:
		return "string"
	case Ptr:
		return "pointer"
	case Array:
		return "array"
	case Struct:
		return "c_type"
	case Tuple:
		if t.Named {
			return "record"
		}
		return "tuple"
	case Buf:
		return "buffer"
	case Stack:
		return t.Name // kstack or ustack
	case Ksym:
		return "ksym_t"
	case Usym:
		return "usym_t"
	case Timestamp:
		return "timestamp"
	case Agg:
		return t.AggFn.String() + "_t"
	case View:
		switch t.Name {
		case "inet":
			return "inet"
		case "macaddr":
			return "mac_address"
		case "username", "cgroup_path":
			return t.Name + "_t"
		}
		return "string"
	}
	return "none"
}

// fullTypeName is t written out as typeinfo's full_type gives it, in
// bpftrace's spelling: "uint64", "string[6]", "struct task_struct *",
// "int32[4]", "record { .a = int64, .b = string[3] }".
func fullTypeName(t *Type) string {
	switch t.Kind {
	case Int:
		if t.Enum != nil && t.Name != "" {
			return t.Name
		}
		return IntType(t.Size, t.Signed).String()
	case Str:
		return fmt.Sprintf("string[%d]", t.Size)
	case Ptr:
		return fullTypeName(t.Elem) + " *"
	case Array:
		return fmt.Sprintf("%s[%d]", fullTypeName(t.Elem), t.Len)
	case Tuple:
		var parts []string
		for _, f := range t.Fields {
			if t.Named {
				parts = append(parts, "."+f.Name+" = "+fullTypeName(f.Type))
			} else {
				parts = append(parts, fullTypeName(f.Type))
			}
		}
		if t.Named {
			return "record { " + strings.Join(parts, ", ") + " }"
		}
		return "(" + strings.Join(parts, ",") + ")"
	case Buf:
		// bpftrace counts a 4-byte length ahead of the data
		return fmt.Sprintf("buffer[%d]", t.Size-1+4)
	case Stack:
		mode := t.Mode
		if mode == "" {
			mode = "bpftrace"
		}
		return fmt.Sprintf("%s_%s_%d", t.Name, mode, t.Len)
	case Agg:
		switch t.AggFn {
		case AggSum, AggMin, AggMax, AggAvg, AggStats:
			if t.AggArg == nil || !t.AggArg.Signed {
				return "u" + baseTypeName(t)
			}
		}
		return baseTypeName(t)
	case View:
		if t.Name == "inet" {
			return fmt.Sprintf("inet[%d]", t.Size)
		}
	case Struct:
		if t.Name != "" {
			return t.Name
		}
	}
	return baseTypeName(t)
}

// offsetofCall checks offsetof(struct, member[.member]): the member's
// offset, a constant.
func (c *checker) offsetofCall(e *lang.Call) *Type {
	c.noMapAssign(e.Args[0], "offsetof")
	st, isType := c.typeArg(e.Args[0])
	if _, ok := isTypeof(e.Args[0]); ok && st != nil && st.Kind == Ptr {
		st = st.Elem
	}
	if !isType {
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
	c.info.Consts.Set(e, Const{Int: int64(off)})
	return Uint64
}

// getoptCall checks getopt(name[, default[, description]]): the named
// parameter's value, a constant (named.go).
func (c *checker) getoptCall(e *lang.Call) *Type {
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
	var def lang.Expr // nil: a flag
	if len(e.Args) > 1 {
		def = e.Args[1]
		switch def.(type) {
		case *lang.StrLit, *lang.BoolLit:
		default:
			if _, ok := constInt(def); !ok {
				c.errorf(def.Pos(), "getopt() default must be an integer, string or bool literal")
				return nil
			}
		}
	}
	k, t := c.optionValue(lit.Val, def)
	c.info.Consts.Set(e, k)
	return t
}

// typePredicate is the rule of is_array(x) and the like: whether x (of
// type t) is so, a constant.
func typePredicate(is func(x lang.Expr, t *Type) bool) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		t := c.expr(e.Args[0])
		if t.Kind == Invalid {
			return nil
		}
		return c.constBool(e, is(e.Args[0], t))
	}
}

// kfuncPredicate is the rule of kfunc_exist(name) and kfunc_allowed(name):
// what the Env says of the kernel function, a constant.
func kfuncPredicate(is func(c *checker, ke KfuncEnv, name string) bool) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		lit, isLit := e.Args[0].(*lang.StrLit)
		if !isLit {
			c.errorf(e.Args[0].Pos(), "%s() accepts a string literal only", e.Fun)
			return nil
		}
		c.record(lit, StrType(len(lit.Val)+1))
		ke, ok := c.env.(KfuncEnv)
		return c.constBool(e, ok && is(c, ke, lit.Val))
	}
}

// Option is a named parameter a script reads with getopt() (see
// named.go): its description and default as written.
type Option struct {
	Desc    string
	Default string
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
