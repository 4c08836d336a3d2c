package types

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// A Builtin is the typed id of a builtin function or identifier: what the
// checker resolved a call or a name to (Info.Builtins), and what the code
// generator dispatches on. Each family of builtins declares the ids of its
// own in its file (builtin_*.go), counting from the family's base.
type Builtin int

// familySize is the most builtins a family may have.
const familySize = 64

// The families of builtins, each the base of its builtins' ids.
const (
	_             Builtin = iota * familySize // 0 is no builtin
	aggFamily                                 // builtin_agg.go
	tseriesFamily                             // builtin_tseries.go
	stringFamily                              // builtin_strings.go
	stackFamily                               // builtin_stacks.go
	netFamily                                 // builtin_net.go
	eventFamily                               // builtin_events.go
	mapFamily                                 // builtin_maps.go
	timeFamily                                // builtin_time.go
	processFamily                             // builtin_process.go
	probeFamily                               // builtin_probe.go
	constFamily                               // builtin_consts.go
	memFamily                                 // builtin_mem.go
	assertFamily                              // builtin_assert.go
)

// variadic as a builtin's maxArgs: no limit.
const variadic = -1

// builtin is one entry of the table of builtins: a builtin's name, how
// many arguments its calls take, and its typing rules.
type builtin struct {
	id   Builtin
	name string
	// call types a call of the builtin, whose number of arguments has
	// been checked; nil when the builtin is only a name (pid(1) is an
	// unknown function).
	call func(c *checker, e *lang.Call) *Type
	// ident types the builtin written as a bare name (pid, comm,
	// kstack); nil when it must be called.
	ident func(c *checker, e *lang.Ident) *Type
	// minArgs and maxArgs bound the number of arguments of a call
	// (maxArgs variadic: no bound).
	minArgs, maxArgs int
	// usage, when set, says what calls take in the error of a call with
	// another number of arguments, where the bounds alone would say too
	// little: "4 arguments (value, min, max, step)".
	usage string
	// arityError, when set, words that error itself (tseries keeps
	// bpftrace's words).
	arityError func(got int) string
	// numbered: the builtin's names are its name followed by a number,
	// as written by %d (arg0, arg1, ...: the number is in Info.ArgN).
	numbered bool
	// agg is the aggregation a call makes: it is only ever the value
	// assigned to a map (@m = count()).
	agg AggFn
}

// The table, filled by the families' init functions.
var (
	builtins     = map[Builtin]*builtin{}
	callable     = map[string]*builtin{} // builtins that can be called, by name
	identifiers  = map[string]*builtin{} // builtins that can be named, by name
	numbered     []*builtin
	aggregations = map[AggFn]*builtin{}
)

// define adds builtins to the table.
func define(bs ...*builtin) {
	for _, b := range bs {
		if b.id == 0 || builtins[b.id] != nil {
			panic(fmt.Sprintf("builtin %s: id %d is taken", b.name, b.id))
		}
		builtins[b.id] = b
		if b.call != nil {
			if callable[b.name] != nil {
				panic("builtin function " + b.name + " defined twice")
			}
			callable[b.name] = b
		}
		switch {
		case b.ident != nil && b.numbered:
			numbered = append(numbered, b)
		case b.ident != nil:
			if identifiers[b.name] != nil {
				panic("builtin identifier " + b.name + " defined twice")
			}
			identifiers[b.name] = b
		}
		if b.agg != 0 {
			aggregations[b.agg] = b
		}
		if b.call != nil && (b.agg != 0) != lang.IsAggregation(b.name) {
			panic("builtin " + b.name + ": the table and the parser disagree on whether it aggregates")
		}
	}
}

// String is the builtin's name (argN for the numbered one).
func (id Builtin) String() string {
	b := builtins[id]
	switch {
	case b == nil:
		return fmt.Sprintf("Builtin(%d)", int(id))
	case b.numbered:
		return b.name + "N"
	}
	return b.name
}

// Aggregation is the aggregation a call of the builtin makes (0: none).
func (id Builtin) Aggregation() AggFn {
	if b := builtins[id]; b != nil {
		return b.agg
	}
	return 0
}

// lookupIdent finds the builtin a name names, and its number for a
// numbered one.
func lookupIdent(name string) (*builtin, int) {
	if b := identifiers[name]; b != nil {
		return b, 0
	}
	for _, b := range numbered {
		var n int
		if _, err := fmt.Sscanf(name, b.name+"%d", &n); err == nil && fmt.Sprintf("%s%d", b.name, n) == name {
			return b, n
		}
	}
	return nil, 0
}

// internal tells whether a builtin is the checker's own, made by the
// expansion of another (comm(pid)): scripts are not told about it.
func internal(name string) bool { return strings.HasPrefix(name, "__") }

// Functions lists the builtin functions, for completion and "did you
// mean" hints.
func Functions() []string {
	var names []string
	for name := range callable {
		if !internal(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinNames lists the builtin identifiers (argN as arg0 to arg5), for
// completion and "did you mean" hints.
func BuiltinNames() []string {
	var names []string
	for name := range identifiers {
		names = append(names, name)
	}
	for _, b := range numbered {
		for i := 0; i < ArgCount; i++ {
			names = append(names, fmt.Sprintf("%s%d", b.name, i))
		}
	}
	sort.Strings(names)
	return names
}

// call types a call: of a builtin, else of a function of an imported C
// file.
func (c *checker) call(e *lang.Call) *Type {
	b := callable[e.Fun]
	if b == nil {
		if t, ok := c.scriptCall(e); ok {
			return t
		}
		err := c.errorf(e.At, "unknown function '%s'", e.Fun)
		if s := suggest(e.Fun, Functions()); s != "" {
			err.Hint = "did you mean " + s + "?"
		}
		return nil
	}
	c.info.Builtins.Set(e, b.id)
	if b.agg != 0 {
		c.unassigned(e)
		return nil
	}
	return c.callBuiltin(b, e)
}

// unassigned reports the call of an aggregation anywhere but as the value
// assigned to a map.
func (c *checker) unassigned(e *lang.Call) {
	c.errorf(e.At, "%s() must be assigned to a map: @x = %s(...)", e.Fun, e.Fun)
}

// aggregation resolves e when it is the call of an aggregation.
func (c *checker) aggregation(e lang.Expr) (*builtin, *lang.Call) {
	call, ok := e.(*lang.Call)
	if !ok {
		return nil, nil
	}
	b := callable[call.Fun]
	if b == nil || b.agg == 0 {
		return nil, nil
	}
	c.info.Builtins.Set(call, b.id)
	return b, call
}

// callBuiltin types a call of builtin b: the number of its arguments,
// then b's rule.
func (c *checker) callBuiltin(b *builtin, e *lang.Call) *Type {
	if n := len(e.Args); n < b.minArgs || b.maxArgs != variadic && n > b.maxArgs {
		c.errorf(e.At, "%s() %s", b.name, b.arityMessage(n))
		return nil
	}
	return b.call(c, e)
}

// arityMessage says what calls of b take, for a call that has got
// arguments.
func (b *builtin) arityMessage(got int) string {
	if b.arityError != nil {
		return b.arityError(got)
	}
	usage := b.usage
	switch {
	case usage != "":
	case b.maxArgs == 0:
		usage = "no arguments"
	case b.maxArgs == variadic:
		usage = fmt.Sprintf("at least %d arguments", b.minArgs)
	case b.minArgs == b.maxArgs:
		usage = fmt.Sprintf("%d argument%s", b.minArgs, plural(b.minArgs))
	default:
		usage = fmt.Sprintf("%d to %d arguments", b.minArgs, b.maxArgs)
	}
	return fmt.Sprintf("takes %s, got %d", usage, got)
}

// plural is "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ident types a bare name: a builtin, else a constant of C (EPERM) or of
// the kernel's enums.
func (c *checker) ident(e *lang.Ident) *Type {
	if b, n := lookupIdent(e.Name); b != nil {
		c.info.Builtins.Set(e, b.id)
		if b.numbered {
			c.info.ArgN[e] = n
		}
		return b.ident(c, e)
	}
	if v, ok := cConstant(e.Name); ok {
		c.info.Consts.Set(e, Const{Int: v})
		return ConstType(v)
	}
	if ee, ok := c.env.(EnumEnv); ok {
		if v, t, ok := ee.KernelEnum(e.Name); ok {
			// an enumerator of the kernel's types: a constant of its
			// enum, 64 bits wide (as bpftrace's enums are)
			c.info.Consts.Set(e, Const{Int: v})
			if t.Kind == Int && t.Size < 8 {
				wide := *t
				wide.Size = 8
				t = &wide
			}
			return t
		}
	}
	err := c.errorf(e.At, "unknown identifier '%s'", e.Name)
	if s := suggest(e.Name, BuiltinNames()); s != "" {
		err.Hint = "did you mean " + s + "?"
	}
	return nil
}

// expand types x as the meaning of e and records it for the code
// generator.
func (c *checker) expand(e, x lang.Expr) *Type {
	t := c.expr(x)
	if t.Kind == Invalid {
		return nil
	}
	c.info.Expansions.Set(e, x)
	if k, ok := c.info.Consts.Get(x); ok {
		c.info.Consts.Set(e, k)
	}
	return t
}

// typed is the ident rule of a builtin whose type is always t.
func typed(t *Type) func(*checker, *lang.Ident) *Type {
	return func(*checker, *lang.Ident) *Type { return t }
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

// view is the rule of a builtin whose value user space prints through
// the formatter name (strerror, syscall_name, signal_name): an integer,
// which the call takes as what.
func view(name, what string) func(*checker, *lang.Call) *Type {
	return func(c *checker, e *lang.Call) *Type {
		if !c.intArg(e, 0, what) {
			return nil
		}
		return &Type{Kind: View, Size: 8, Name: name}
	}
}

// constBool records that e's value is b, known when compiling.
func (c *checker) constBool(e lang.Expr, b bool) *Type {
	c.info.Consts.Set(e, Const{Int: b2i(b)})
	return BoolType
}
