package cc

import (
	"sort"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// Options tells the parser what it cannot see in the file.
type Options struct {
	// ReadFile reads a header named in #include "x.h" (path already
	// joined to the including file's directory). nil: os.ReadFile.
	ReadFile func(path string) ([]byte, error)
	// KernelType reports whether name is a typedef of the kernel's (from
	// BTF); consulted only after "vmlinux.h" was included, for
	// identifiers that are not otherwise known.
	KernelType func(name string) bool
	// IncludeDirs, when set, are searched for <h> (after the headers of
	// the BPF world, which are read as nothing) and for "h" after the
	// including file's directory: the script's headers are read this
	// way (-I directories, then the system's).
	IncludeDirs []string
}

// Parse preprocesses and parses the C file name whose text is src. The
// error is a non-empty lang.ErrorList or nil; with errors, the File holds
// the declarations that could be parsed.
func Parse(name string, src []byte, opts Options) (*File, error) {
	var errs lang.ErrorList
	pp := preprocess(name, src, opts, &errs)
	p := &parser{
		toks:      pp.out,
		errs:      &errs,
		opts:      opts,
		vmlinuxAt: pp.vmlinuxAt,
		scopes:    []map[string]bool{{}},
		kernel:    map[string]bool{},
	}
	p.eof = token{kind: tEOF, pos: lang.Pos{File: name}}
	if n := len(p.toks); n > 0 {
		p.eof.pos = p.toks[n-1].pos
	}
	f := &File{Name: name, VMLinux: pp.vmlinux, Macros: pp.stillDefined()}
	for p.peek(0).kind != tEOF && len(errs) < maxErrors {
		p.topLevel(f)
	}
	sortErrors(errs)
	return f, errs.Err()
}

// sortErrors orders errors by position within each file, the files in
// the order of their first error (the preprocessor finds its errors
// before the parser finds its own).
func sortErrors(errs lang.ErrorList) {
	order := map[string]int{}
	for _, e := range errs {
		if _, ok := order[e.Pos.File]; !ok {
			order[e.Pos.File] = len(order)
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Pos, errs[j].Pos
		if a.File != b.File {
			return order[a.File] < order[b.File]
		}
		return a.Offset < b.Offset
	})
}

const (
	maxErrors = 20
	maxDepth  = 400
)

// parser is a recursive-descent parser over the preprocessed tokens. It
// keeps the scopes of ordinary identifiers so that it knows which names
// are typedef names (true) and which are variables, functions or
// enumerators that hide one (false): that is what tells `(x)*y` the cast
// from `(x)*y` the product.
type parser struct {
	toks      []token
	i         int
	eof       token
	errs      *lang.ErrorList
	opts      Options
	vmlinuxAt int
	scopes    []map[string]bool
	kernel    map[string]bool
	depth     int
}

// bailout unwinds the parser to the top-level declaration being parsed
// after an error.
type bailout struct{}

func (p *parser) fail(pos lang.Pos, format string, args ...any) {
	// A bad token was reported by the preprocessor already.
	if p.tok().kind != tBad {
		p.errs.Add(pos, format, args...)
	}
	panic(bailout{})
}

func (p *parser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.eof
}

func (p *parser) tok() token { return p.peek(0) }

func (p *parser) next() token {
	t := p.peek(0)
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

// is reports whether the current token is the punctuator s.
func (p *parser) is(s string) bool {
	t := p.peek(0)
	return t.kind == tPunct && t.text == s
}

func (p *parser) isAt(k int, s string) bool {
	t := p.peek(k)
	return t.kind == tPunct && t.text == s
}

func (p *parser) isKw(s string) bool {
	t := p.peek(0)
	return t.kind == tIdent && t.text == s
}

func describe(t token) string {
	if t.kind == tEOF {
		return "end of file"
	}
	return "'" + t.text + "'"
}

// expect consumes the punctuator s or fails with "expected 's' where,
// found ...".
func (p *parser) expect(s, where string) token {
	if !p.is(s) {
		t := p.tok()
		p.fail(t.pos, "expected '%s' %s, found %s", s, where, describe(t))
	}
	return p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.fail(p.tok().pos, "the code is nested too deeply")
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) pushScope() { p.scopes = append(p.scopes, map[string]bool{}) }
func (p *parser) popScope()  { p.scopes = p.scopes[:len(p.scopes)-1] }

func (p *parser) declare(name string, typedef bool) {
	if name != "" {
		p.scopes[len(p.scopes)-1][name] = typedef
	}
}

// knownTypedefs are the typedef names a file may use without defining
// them; the type checker knows what they stand for.
var knownTypedefs = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`u8 u16 u32 u64 s8 s16 s32 s64 __u8 __u16 __u32 __u64
		__s8 __s16 __s32 __s64 __le16 __le32 __le64 __be16 __be32 __be64 __wsum __sum16
		int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t intptr_t uintptr_t
		ptrdiff_t size_t ssize_t pid_t uid_t gid_t off_t loff_t umode_t dev_t
		__kernel_size_t __kernel_pid_t`) {
		knownTypedefs[n] = true
	}
	for _, n := range strings.Fields(`auto break case char const continue default do double
		else enum extern float for goto if inline int long register restrict return short
		signed sizeof static struct switch typedef union unsigned void volatile while _Bool
		_Alignas _Alignof _Noreturn _Static_assert _Atomic _Complex _Generic _Thread_local
		__attribute__ __attribute __extension__ __inline __inline__ __restrict __restrict__
		__alignof__ __alignof __volatile__ __volatile __const __const__ __signed__ __signed
		asm __asm__ __asm typeof __typeof__ __typeof __int128 __builtin_offsetof
		__builtin_va_list __auto_type`) {
		keywords[n] = true
	}
}

var keywords = map[string]bool{}

// isTypedefName reports whether the identifier at token index at names a
// type.
func (p *parser) isTypedefName(name string, at int) bool {
	if keywords[name] {
		return false
	}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if v, ok := p.scopes[i][name]; ok {
			return v
		}
	}
	if knownTypedefs[name] {
		return true
	}
	if p.vmlinuxAt >= 0 && at >= p.vmlinuxAt && p.opts.KernelType != nil {
		v, ok := p.kernel[name]
		if !ok {
			v = p.opts.KernelType(name)
			p.kernel[name] = v
		}
		return v
	}
	return false
}

// specWords are the keywords that may start declaration specifiers.
var specWords = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`typedef static extern inline __inline __inline__ register
		auto _Noreturn __extension__ const __const __const__ volatile __volatile__ __volatile
		restrict __restrict __restrict__ __attribute__ __attribute _Alignas _Atomic void char
		short int long signed __signed__ __signed unsigned _Bool float double struct union enum
		typeof __typeof__ __typeof __int128 _Complex __builtin_va_list __auto_type`) {
		specWords[n] = true
	}
}

// isTypeStart reports whether the token k ahead starts declaration
// specifiers (a type name or a declaration).
func (p *parser) isTypeStart(k int) bool {
	t := p.peek(k)
	if t.kind != tIdent {
		return false
	}
	return specWords[t.text] || p.isTypedefName(t.text, p.i+k)
}

// topLevel parses one top-level declaration into f. After an error it
// skips to what looks like the end of the declaration.
func (p *parser) topLevel(f *File) {
	start := p.i
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			p.depth = 0
			p.scopes = p.scopes[:1]
			p.sync(start)
		}
	}()
	switch {
	case p.is(";"):
		p.next()
		return
	case p.isKw("_Static_assert"):
		p.staticAssert()
		return
	case p.isKw("asm") || p.isKw("__asm__") || p.isKw("__asm"):
		t := p.next()
		p.skipParens(t)
		p.expect(";", "after the asm statement")
		return
	}
	if !p.isTypeStart(0) {
		p.notType("a declaration")
	}
	s := p.specs(true)
	f.Decls = append(f.Decls, p.declRest(s, true)...)
}

// notType fails at a token that should have started a declaration.
func (p *parser) notType(what string) {
	t := p.tok()
	if t.kind == tIdent && !keywords[t.text] {
		p.fail(t.pos, "unknown type name '%s'", t.text)
	}
	p.fail(t.pos, "expected %s, found %s", what, describe(t))
}

// sync skips past the end of the declaration that failed: to a ';' or a
// closing '}' outside of braces. It always moves.
func (p *parser) sync(start int) {
	depth := 0
	i := start
	for ; i < len(p.toks); i++ {
		t := p.toks[i]
		if t.kind != tPunct {
			continue
		}
		switch t.text {
		case "{":
			depth++
		case "}":
			depth--
			if depth < 0 {
				depth = 0
			}
			if depth == 0 && i+1 >= p.i {
				// The end of a function body, or of a struct or an
				// initializer whose declaration goes on to its ';'.
				p.i = i + 1
				if p.is(";") {
					p.next()
					return
				}
				if p.tok().kind == tEOF || p.isTypeStart(0) {
					return
				}
			}
		case ";":
			if depth == 0 && i >= p.i {
				p.i = i + 1
				return
			}
		}
	}
	p.i = len(p.toks)
}

func (p *parser) staticAssert() {
	at := p.next()
	p.expect("(", "after _Static_assert")
	p.condExpr()
	if p.is(",") {
		p.next()
		if p.tok().kind != tString {
			p.fail(p.tok().pos, "expected a string in _Static_assert, found %s", describe(p.tok()))
		}
		for p.tok().kind == tString {
			p.next()
		}
	}
	p.expect(")", "to close _Static_assert")
	p.expect(";", "after _Static_assert")
	_ = at
}

// skipBraces skips a braced token list, nested braces included.
func (p *parser) skipBraces() {
	open := p.expect("{", "to open the body")
	depth := 1
	for depth > 0 {
		n := p.next()
		switch {
		case n.kind == tEOF:
			p.fail(open.pos, "unbalanced '{'")
		case n.kind == tPunct && n.text == "{":
			depth++
		case n.kind == tPunct && n.text == "}":
			depth--
		}
	}
}

// skipParens skips a parenthesised token list after t, nested
// parentheses included.
func (p *parser) skipParens(t token) {
	open := p.expect("(", "after '"+t.text+"'")
	depth := 1
	for depth > 0 {
		n := p.next()
		switch {
		case n.kind == tEOF:
			p.fail(open.pos, "unbalanced '(' after '%s'", t.text)
		case n.kind == tPunct && n.text == "(":
			depth++
		case n.kind == tPunct && n.text == ")":
			depth--
		}
	}
}

// attrs are the attributes the AST records.
type attrs struct {
	section    string
	hasSection bool
	weak       bool
	packed     bool
	aligned    Expr
}

func (p *parser) isAttr() bool {
	t := p.tok()
	return t.kind == tIdent && (t.text == "__attribute__" || t.text == "__attribute")
}

// attributes parses any __attribute__((...)) (and asm("name") labels) at
// the current token into a.
func (p *parser) attributes(a *attrs) {
	for {
		t := p.tok()
		if t.kind != tIdent {
			return
		}
		switch t.text {
		case "asm", "__asm__", "__asm":
			p.next()
			p.skipParens(t)
			continue
		case "__attribute__", "__attribute":
		default:
			return
		}
		p.next()
		p.expect("(", "after __attribute__")
		p.expect("(", "after __attribute__(")
		for !p.is(")") {
			n := p.tok()
			if n.kind != tIdent {
				p.fail(n.pos, "expected an attribute name, found %s", describe(n))
			}
			p.next()
			switch strings.TrimSuffix(strings.TrimPrefix(n.text, "__"), "__") {
			case "section":
				p.expect("(", "after 'section'")
				if p.tok().kind != tString {
					p.fail(p.tok().pos, "expected the section name as a string, found %s", describe(p.tok()))
				}
				a.section, a.hasSection = p.stringLit().Value, true
				p.expect(")", "after the section name")
			case "aligned":
				if p.is("(") {
					p.next()
					a.aligned = p.condExpr()
					p.expect(")", "after the alignment")
				} else {
					a.aligned = &IntLit{At: n.pos, Value: 8, Decimal: true}
				}
			case "packed":
				a.packed = true
			case "weak":
				a.weak = true
			default:
				if p.is("(") {
					p.skipParens(n)
				}
			}
			if !p.is(",") {
				break
			}
			p.next()
		}
		p.expect(")", "to close the attribute list")
		p.expect(")", "to close __attribute__")
	}
}

// specs are parsed declaration specifiers.
type specs struct {
	at       lang.Pos
	typedef  bool
	static   bool
	extern   bool
	inline   bool
	hasType  bool
	base     *Type
	tag      *Type // a struct, union or enum with a body defined here
	attrs    attrs
	typeWord token
}

// specs parses declaration specifiers: storage classes, qualifiers,
// attributes and the type specifiers, whose combination gives the base
// type's canonical name.
func (p *parser) specs(storage bool) *specs {
	p.enter()
	defer p.leave()
	s := &specs{at: p.tok().pos}
	var cnst, vol bool
	count := map[string]int{}
	var words []token
loop:
	for {
		t := p.tok()
		if t.kind != tIdent {
			break
		}
		switch t.text {
		case "typedef", "static", "extern", "register", "auto":
			if !storage {
				p.fail(t.pos, "'%s' is not allowed here", t.text)
			}
			switch t.text {
			case "typedef":
				s.typedef = true
			case "static":
				s.static = true
			case "extern":
				s.extern = true
			}
			p.next()
		case "inline", "__inline", "__inline__":
			s.inline = true
			p.next()
		case "_Noreturn", "__extension__", "restrict", "__restrict", "__restrict__":
			p.next()
		case "const", "__const", "__const__":
			cnst = true
			p.next()
		case "volatile", "__volatile__", "__volatile":
			vol = true
			p.next()
		case "__attribute__", "__attribute":
			p.attributes(&s.attrs)
		case "_Alignas":
			p.next()
			p.skipParens(t)
		case "void", "char", "short", "int", "long", "signed", "__signed__", "__signed", "unsigned", "_Bool":
			if s.base != nil {
				p.fail(t.pos, "'%s' after a type name", t.text)
			}
			w := t.text
			if strings.HasPrefix(w, "__signed") {
				w = "signed"
			}
			count[w]++
			words = append(words, t)
			p.next()
		case "float", "double":
			if p.opts.IncludeDirs == nil {
				p.fail(t.pos, "%s: '%s' is a floating-point type", noFloat, t.text)
			}
			// a script's headers may hold floating-point members: they
			// keep their place and have no value (types.FloatType)
			if s.base != nil {
				p.fail(t.pos, "'%s' after a type name", t.text)
			}
			count[t.text]++
			words = append(words, t)
			p.next()
		case "_Complex":
			p.fail(t.pos, "%s: '%s' is a floating-point type", noFloat, t.text)
		case "typeof", "__typeof__", "__typeof":
			// typeof(type name), as libbpf's __type(key, T) uses it; not
			// of an expression
			if s.base != nil || len(words) > 0 {
				p.fail(t.pos, "'%s' after a type name", t.text)
			}
			p.next()
			p.expect("(", "after '"+t.text+"'")
			if !p.isTypeStart(0) {
				p.fail(p.tok().pos, "'%s' of an expression is not supported by gotrace's C compiler: name a type", t.text)
			}
			tn := p.typeName()
			p.expect(")", "after the type")
			c := *tn
			s.base = &c
		case "__builtin_va_list":
			if p.opts.IncludeDirs == nil || s.base != nil || len(words) > 0 {
				p.fail(t.pos, "'%s' is not supported by gotrace's C compiler", t.text)
			}
			// a script's headers declare va_list with it
			s.base = &Type{At: t.pos, Kind: Named, Name: t.text}
			p.next()
		case "__int128", "_Atomic", "__auto_type":
			p.fail(t.pos, "'%s' is not supported by gotrace's C compiler", t.text)
		case "struct", "union", "enum":
			if s.base != nil || len(words) > 0 {
				p.fail(t.pos, "'%s' after a type name", t.text)
			}
			if t.text == "enum" {
				s.base = p.enumType()
				if s.base.Enum != nil {
					s.tag = s.base
				}
			} else {
				s.base = p.recordType()
				if s.base.Record != nil {
					s.tag = s.base
				}
			}
		default:
			if s.base == nil && len(words) == 0 && p.isTypedefName(t.text, p.i) {
				s.base = &Type{At: t.pos, Kind: Named, Name: t.text}
				p.next()
				continue
			}
			break loop
		}
	}
	if len(words) > 0 {
		name, ok := canonical(count)
		if !ok {
			var w []string
			for _, t := range words {
				w = append(w, t.text)
			}
			p.fail(words[0].pos, "invalid combination of type specifiers '%s'", strings.Join(w, " "))
		}
		s.base = &Type{At: words[0].pos, Kind: Named, Name: name}
	}
	if s.base == nil {
		s.base = &Type{At: s.at, Kind: Named, Name: "int"}
		return s
	}
	s.hasType = true
	if cnst || vol {
		if s.tag != nil {
			// The qualifiers belong to the declared objects, not to the
			// definition: qualify a copy.
			c := *s.base
			s.base = &c
		}
		s.base.Const = s.base.Const || cnst
		s.base.Volatile = s.base.Volatile || vol
	}
	if s.attrs.packed && s.base.Record != nil {
		s.base.Packed = true
	}
	return s
}

// canonical gives the canonical name of a combination of type keywords.
func canonical(c map[string]int) (string, bool) {
	n := 0
	for _, v := range c {
		n += v
	}
	sign, unsign := c["signed"], c["unsigned"]
	if sign > 1 || unsign > 1 || sign > 0 && unsign > 0 {
		return "", false
	}
	prefix := ""
	if unsign > 0 {
		prefix = "unsigned "
	}
	rest := n - sign - unsign
	switch {
	case c["void"] == 1 && n == 1:
		return "void", true
	case c["_Bool"] == 1 && n == 1:
		return "_Bool", true
	case c["float"] == 1 && n == 1:
		return "float", true
	case c["double"] == 1 && n == 1:
		return "double", true
	case c["double"] == 1 && c["long"] == 1 && n == 2:
		return "long double", true
	case c["char"] == 1 && rest == 1:
		switch {
		case sign > 0:
			return "signed char", true
		case unsign > 0:
			return "unsigned char", true
		}
		return "char", true
	case c["short"] == 1 && rest == 1+c["int"] && c["int"] <= 1:
		return prefix + "short", true
	case c["long"] == 1 && rest == 1+c["int"] && c["int"] <= 1:
		return prefix + "long", true
	case c["long"] == 2 && rest == 2+c["int"] && c["int"] <= 1:
		return prefix + "long long", true
	case rest == c["int"] && c["int"] <= 1:
		if unsign > 0 {
			return "unsigned int", true
		}
		return "int", true
	}
	return "", false
}

// tagHead parses `struct`, `union` or `enum`, attributes and the
// optional tag name: the keyword, the Named type ("struct NAME", NAME
// empty when there is none) and the attributes.
func (p *parser) tagHead() (token, *Type, attrs) {
	kw := p.next()
	t := &Type{At: kw.pos, Kind: Named}
	var a attrs
	p.attributes(&a)
	name := ""
	if n := p.tok(); n.kind == tIdent && !keywords[n.text] {
		name = n.text
		p.next()
	}
	t.Name = kw.text + " " + name
	return kw, t, a
}

// recordType parses struct/union [attributes] [NAME] [{ fields }] [attributes].
func (p *parser) recordType() *Type {
	kw, t, a := p.tagHead()
	if p.is("{") {
		open := p.next()
		rec := &Record{At: open.pos, Union: kw.text == "union"}
		for !p.is("}") {
			if p.tok().kind == tEOF {
				p.fail(open.pos, "missing '}' at the end of %s", strings.TrimSpace(t.Name))
			}
			p.field(rec)
		}
		p.next()
		p.attributes(&a)
		t.Record = rec
	} else if strings.HasSuffix(t.Name, " ") {
		p.fail(p.tok().pos, "expected a name or '{' after '%s', found %s", kw.text, describe(p.tok()))
	}
	t.Packed = a.packed
	t.Aligned = a.aligned
	return t
}

// field parses one member declaration (which may declare several).
func (p *parser) field(rec *Record) {
	if p.is(";") {
		p.next()
		return
	}
	if p.isKw("_Static_assert") {
		p.staticAssert()
		return
	}
	if !p.isTypeStart(0) {
		p.notType("a member declaration")
	}
	s := p.specs(false)
	if !s.hasType {
		p.fail(s.at, "expected a type in the member declaration")
	}
	if p.is(";") {
		p.next()
		if s.base.Record != nil {
			rec.Fields = append(rec.Fields, &Field{At: s.base.At, Type: s.base})
		}
		return
	}
	for {
		f := &Field{At: p.tok().pos, Type: s.base}
		if !p.is(":") {
			f.Name, f.At, f.Type = p.declarator(s.base, declNamed)
		}
		if p.is(":") {
			p.next()
			f.Bits = p.condExpr()
		}
		var a attrs
		p.attributes(&a)
		rec.Fields = append(rec.Fields, f)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(";", "after the member declaration")
}

// enumType parses enum [attributes] [NAME] [{ A, B = 3, }] [attributes].
func (p *parser) enumType() *Type {
	_, t, a := p.tagHead()
	if p.is("{") {
		open := p.next()
		en := &Enum{At: open.pos}
		for !p.is("}") {
			n := p.tok()
			if n.kind != tIdent || keywords[n.text] {
				p.fail(n.pos, "expected an enumerator name, found %s", describe(n))
			}
			p.next()
			item := &Enumerator{At: n.pos, Name: n.text}
			var ia attrs
			p.attributes(&ia)
			if p.is("=") {
				p.next()
				item.Value = p.condExpr()
			}
			p.declare(n.text, false)
			en.Items = append(en.Items, item)
			if !p.is(",") {
				break
			}
			p.next()
		}
		p.expect("}", "at the end of the enumerator list")
		p.attributes(&a)
		t.Enum = en
	} else if strings.HasSuffix(t.Name, " ") {
		p.fail(p.tok().pos, "expected a name or '{' after 'enum', found %s", describe(p.tok()))
	}
	return t
}

type declMode int

const (
	declNamed    declMode = iota // a name is required
	declAbstract                 // no name (type names in casts, sizeof)
	declEither                   // parameters
)

// declarator parses a declarator against the base type: pointers, then a
// name or a parenthesised declarator, then array and function suffixes.
// A parenthesised declarator is parsed against a placeholder type, which
// is filled in once the suffixes after it are known: in `int (*f)(int)`
// the placeholder the pointer points to becomes the function type.
func (p *parser) declarator(base *Type, mode declMode) (string, lang.Pos, *Type) {
	p.enter()
	defer p.leave()
	t := base
	for p.is("*") {
		star := p.next()
		ptr := &Type{At: star.pos, Kind: Pointer, Elem: t}
	quals:
		for {
			switch p.tok().text {
			case "const", "__const", "__const__":
				ptr.Const = true
			case "volatile", "__volatile__", "__volatile":
				ptr.Volatile = true
			case "restrict", "__restrict", "__restrict__", "_Nullable", "_Nonnull":
			case "__attribute__", "__attribute":
				var a attrs
				p.attributes(&a)
				continue
			default:
				break quals
			}
			p.next()
		}
		t = ptr
	}
	if p.is("(") && p.nested(mode) {
		p.next()
		hole := &Type{}
		name, pos, inner := p.declarator(hole, mode)
		p.expect(")", "to close the declarator")
		*hole = *p.suffixes(t)
		return name, pos, inner
	}
	name, pos := "", p.tok().pos
	if n := p.tok(); mode != declAbstract && n.kind == tIdent && !keywords[n.text] {
		name = n.text
		p.next()
	} else if mode == declNamed {
		p.fail(n.pos, "expected a name in the declaration, found %s", describe(n))
	}
	return name, pos, p.suffixes(t)
}

// nested reports whether the '(' at the current token opens a
// parenthesised declarator rather than a parameter list.
func (p *parser) nested(mode declMode) bool {
	if mode == declNamed {
		return true
	}
	n := p.peek(1)
	switch {
	case n.kind == tPunct:
		return n.text == "*" || n.text == "(" || n.text == "["
	case n.kind == tIdent:
		if specWords[n.text] || p.isTypedefName(n.text, p.i+1) {
			return false
		}
		return mode == declEither && !keywords[n.text]
	}
	return false
}

// suffixes applies the array and function suffixes at the current token
// to t; the first written is the outermost.
func (p *parser) suffixes(t *Type) *Type {
	var sfx []*Type
	for {
		if p.is("[") {
			open := p.next()
			a := &Type{At: open.pos, Kind: ArrayOf}
			for p.isKw("static") || p.isKw("const") || p.isKw("restrict") || p.isKw("volatile") {
				p.next()
			}
			if !p.is("]") {
				a.Len = p.assign()
			}
			p.expect("]", "after the array length")
			sfx = append(sfx, a)
			continue
		}
		if p.is("(") {
			open := p.next()
			f := &Type{At: open.pos, Kind: FuncOf}
			f.Params, f.Variadic = p.params()
			sfx = append(sfx, f)
			continue
		}
		break
	}
	for i := len(sfx) - 1; i >= 0; i-- {
		sfx[i].Elem = t
		t = sfx[i]
	}
	return t
}

// params parses a parameter list after its '(' up to and including the ')'.
func (p *parser) params() ([]*Param, bool) {
	if p.is(")") {
		p.next()
		return nil, false
	}
	if p.isKw("void") && p.isAt(1, ")") {
		p.next()
		p.next()
		return nil, false
	}
	var list []*Param
	variadic := false
	for {
		if p.is("...") {
			p.next()
			variadic = true
			break
		}
		if !p.isTypeStart(0) {
			p.notType("a parameter declaration")
		}
		s := p.specs(true)
		if !s.hasType {
			p.fail(s.at, "expected a type in the parameter declaration, found %s", describe(p.tok()))
		}
		name, pos, t := p.declarator(s.base, declEither)
		if name == "" {
			pos = s.at
		}
		var a attrs
		p.attributes(&a)
		list = append(list, &Param{At: pos, Name: name, Type: t})
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")", "after the parameters")
	return list, variadic
}

// typeName parses a type in a cast, sizeof or offsetof: specifiers and
// an abstract declarator.
func (p *parser) typeName() *Type {
	s := p.specs(false)
	if !s.hasType {
		p.fail(s.at, "expected a type, found %s", describe(p.tok()))
	}
	_, _, t := p.declarator(s.base, declAbstract)
	return t
}

// declRest parses the declarators after declaration specifiers, up to the
// ';' (or a function body at top level), and gives the declarations.
func (p *parser) declRest(s *specs, top bool) []Decl {
	var out []Decl
	if p.is(";") {
		p.next()
		if strings.HasPrefix(s.base.Name, "struct ") || strings.HasPrefix(s.base.Name, "union ") || strings.HasPrefix(s.base.Name, "enum ") {
			if s.base.Kind == Named && (s.tag != nil || !s.typedef) {
				out = append(out, &TagDecl{At: s.base.At, Type: s.base})
			}
		}
		return out
	}
	if !s.hasType {
		p.fail(s.at, "expected a type in the declaration, found %s", describe(p.tok()))
	}
	base := s.base
	if s.tag != nil && !strings.HasSuffix(s.tag.Name, " ") {
		// A named definition: its TagDecl comes first, and the declared
		// names refer to it by name.
		out = append(out, &TagDecl{At: s.tag.At, Type: s.tag})
		c := *s.base
		c.Record, c.Enum = nil, nil
		base = &c
	}
	for first := true; ; first = false {
		name, pos, t := p.declarator(base, declNamed)
		a := s.attrs
		p.attributes(&a)
		switch {
		case s.typedef:
			p.declare(name, true)
			out = append(out, &TypedefDecl{At: pos, Name: name, Type: t})
		case t.Kind == FuncOf:
			fd := &FuncDecl{At: pos, Name: name, Result: t.Elem, Params: t.Params, Variadic: t.Variadic,
				Static: s.static, Inline: s.inline, Extern: s.extern, Weak: a.weak, Section: a.section}
			fd.Ksym = s.extern && a.section == ".ksyms"
			p.declare(name, false)
			out = append(out, fd)
			if top && first && p.is("{") {
				if p.opts.IncludeDirs != nil {
					// a script's headers: their functions mean nothing
					// to a script, and their bodies are not read
					out = out[:len(out)-1]
					p.skipBraces()
					return out
				}
				fd.Body = p.funcBody(t.Params)
				return out
			}
		default:
			vd := &VarDecl{At: pos, Name: name, Type: t, Static: s.static, Extern: s.extern, Section: a.section}
			p.declare(name, false)
			if p.is("=") {
				p.next()
				vd.Init = p.initializer()
			}
			out = append(out, vd)
		}
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(";", "after the declaration")
	return out
}

// funcBody parses a function's body with its parameters in scope.
func (p *parser) funcBody(params []*Param) *Block {
	p.pushScope()
	defer p.popScope()
	for _, prm := range params {
		p.declare(prm.Name, false)
	}
	return p.block()
}
