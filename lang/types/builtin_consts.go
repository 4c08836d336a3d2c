package types

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Constants known when compiling: sizes and offsets (sizeof, offsetof),
// types (typeof and the type predicates is_*), named parameters (getopt),
// the kernel's functions (kfunc_exist, kfunc_allowed) and the script's
// settings (default_str_length, config).

const (
	BuiltinSizeof Builtin = constFamily + iota
	BuiltinOffsetof
	BuiltinTypeof
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
			c.info.Consts[e] = Const{Int: int64(c.info.Settings.MaxStrlen)}
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

// sizeofCall checks sizeof(type or expression): its size, a constant.
func (c *checker) sizeofCall(e *lang.Call) *Type {
	var t *Type
	if te, ok := e.Args[0].(*lang.TypeExpr); ok {
		t = c.namedType(te.At, te.Type)
	} else if tc, ok := isTypeof(e.Args[0]); ok {
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
}

// offsetofCall checks offsetof(struct, member[.member]): the member's
// offset, a constant.
func (c *checker) offsetofCall(e *lang.Call) *Type {
	var st *Type
	if te, ok := e.Args[0].(*lang.TypeExpr); ok {
		st = c.namedType(te.At, te.Type)
	} else if tc, ok := isTypeof(e.Args[0]); ok {
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
}

// getoptCall checks getopt(name[, default[, description]]): the named
// parameter's value, a constant.
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
			// about the command line, not a place in the script
			c.errorf(lang.Pos{}, "program command line option --%s invalid integer (value: %s)", lit.Val, v)
			return nil
		}
		n = x
	}
	c.info.Consts[e] = Const{Int: n}
	return Int64
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

// Option is a named parameter a script reads with getopt(): its
// description and default as written, for the list an unknown parameter
// gets.
type Option struct {
	Desc    string
	Default string
}

// unknownNamed reports named parameters (-- --name) no getopt() reads,
// in bpftrace's words, with the list of those the script takes as a
// hint; -- --help asks for that list alone (with the descriptions).
func (c *checker) unknownNamed() error {
	var unknown []string
	help := false
	for n := range c.info.Config.Named {
		if _, ok := c.info.Options[n]; ok {
			continue
		}
		if n == "help" {
			help = true
			continue
		}
		unknown = append(unknown, "--"+n)
	}
	if len(unknown) == 0 && !help {
		return nil
	}
	sort.Strings(unknown)
	e := &lang.Error{}
	if len(unknown) > 0 {
		e.Msg = "unexpected program command line options: " + strings.Join(unknown, ", ")
	}
	if len(c.info.Options) == 0 {
		e.Hint = "no custom program options defined."
		return e
	}
	var opts []string
	for _, n := range slices.Backward(slices.Sorted(maps.Keys(c.info.Options))) {
		o := "--" + n
		if d := c.info.Options[n].Desc; help && d != "" {
			o += ": " + d
		}
		opts = append(opts, o)
	}
	if help {
		e.Hint = "expected program options:\n" + strings.Join(opts, "\n")
	} else {
		e.Hint = "expected program options: " + strings.Join(opts, ", ")
	}
	return e
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
