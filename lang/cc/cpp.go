package cc

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
)

// systemHeaders are the <...> headers a file may include. They are read
// as nothing: the type checker knows what they declare.
var systemHeaders = []string{
	"linux/types.h", "linux/bpf.h", "linux/errno.h", "asm/errno.h",
	"asm-generic/errno.h", "asm/posix_types.h", "linux/posix_types.h",
	"linux/ptrace.h", "linux/stddef.h", "stddef.h", "stdint.h", "stdbool.h",
	"errno.h", "bpf/bpf_helpers.h", "bpf/bpf_tracing.h",
	"bpf/bpf_core_read.h", "bpf/bpf_endian.h",
}

// predefinedMacros are defined before the first line of every file: what
// the compiler itself would define for the BPF target, and the
// conveniences of libbpf's headers that only rename or drop attributes.
const predefinedMacros = `
#define __bpf__ 1
#define __BPF__ 1
#define __GOTRACE__ 1
#define __STDC__ 1
#define __LITTLE_ENDIAN__ 1
#define __ORDER_LITTLE_ENDIAN__ 1234
#define __ORDER_BIG_ENDIAN__ 4321
#define __BYTE_ORDER__ __ORDER_LITTLE_ENDIAN__
#define __CHAR_BIT__ 8
#define __SIZEOF_LONG__ 8
#define __SIZEOF_POINTER__ 8
#define __ATOMIC_RELAXED 0
#define __ATOMIC_CONSUME 1
#define __ATOMIC_ACQUIRE 2
#define __ATOMIC_RELEASE 3
#define __ATOMIC_ACQ_REL 4
#define __ATOMIC_SEQ_CST 5
#define NULL ((void *)0)
#define true 1
#define false 0
#define bool _Bool
#define SEC(name) __attribute__((section(name)))
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))
#define __weak __attribute__((weak))
#define __ksym __attribute__((section(".ksyms")))
#define __kptr
#define __percpu_kptr
#define __hidden
#define __arg_ctx
#define __arg_nonnull
#define __arg_trusted
#define likely(x) (x)
#define unlikely(x) (x)
#define barrier() ((void)0)
#define offsetof __builtin_offsetof
#define __uint(name, val) int (*name)[val]
#define __type(name, val) __typeof__(val) *name
`

// compilerHeaders are the headers a C compiler brings rather than the
// system, as gotrace's C reader gives them to a script's headers when
// the system has none of that name.
var compilerHeaders = map[string]string{
	"stdarg.h":  "typedef __builtin_va_list va_list;\ntypedef __builtin_va_list __gnuc_va_list;\n",
	"stddef.h":  "#define offsetof(t, m) __builtin_offsetof(t, m)\ntypedef int wchar_t;\n",
	"stdbool.h": "#define bool _Bool\n#define true 1\n#define false 0\n",
}

// hostMacros are predefined for the headers a script includes
// (Options.IncludeDirs): the system's headers choose by them.
var hostMacros = `
#define __linux__ 1
#define __linux 1
#define __unix__ 1
#define __LP64__ 1
#define _LP64 1
#define __SIZEOF_INT__ 4
#define __SIZEOF_SHORT__ 2
#define __SIZEOF_LONG_LONG__ 8
#define __SIZEOF_SIZE_T__ 8
#define __CHAR_BIT__ 8
#define __WORDSIZE 64
` + map[string]string{"amd64": "#define __x86_64__ 1\n#define __x86_64 1\n#define __amd64__ 1\n", "arm64": "#define __aarch64__ 1\n"}[runtime.GOARCH]

// Limits that keep hostile input from running away.
const (
	maxIncludeDepth = 64
	maxIncludes     = 256 // headers read, in all
	maxArgDepth     = 64
	maxExpansion    = 1 << 18 // tokens made or copied by macro expansion, in all
)

// macro is a #define. A function-like macro has fn set, its parameter
// names, and variadic when the last parameter is `...` (__VA_ARGS__,
// the last element of params).
type macro struct {
	name     string
	fn       bool
	params   []string
	variadic bool
	body     []token
	dynamic  func(use token) token // __LINE__, __FILE__
}

// cond is an open #if group: taking is whether lines are being kept now,
// taken whether some branch of it was already kept.
type cond struct {
	at     lang.Pos
	taking bool
	taken  bool
	inElse bool
}

// file is a file being read, on the include stack.
type file struct {
	name  string
	dir   string
	toks  []token
	i     int
	conds []cond
}

// cpp is the preprocessor's state for one Parse.
type cpp struct {
	opts      Options
	errs      *lang.ErrorList
	macros    map[string]*macro
	files     []*file
	included  map[string]bool
	vmlinux   bool
	vmlinuxAt int // output tokens before the #include "vmlinux.h"
	out       []token
	made      int // tokens made by expansion so far
	stopped   bool
	// defined lists the macros a file defines (File.Macros), once the
	// predefined ones are in.
	defined []*Macro
	builtin bool // reading the predefined macros
}

// preprocess turns a file into the token stream the parser reads.
func preprocess(name string, src []byte, opts Options, errs *lang.ErrorList) *cpp {
	p := &cpp{opts: opts, errs: errs, macros: map[string]*macro{}, included: map[string]bool{}, vmlinuxAt: -1, builtin: true}
	p.predefine(predefinedMacros)
	if opts.IncludeDirs != nil {
		// a script's headers are read for the machine gotrace runs on
		p.predefine(hostMacros)
	}
	p.builtin = false
	p.macros["__LINE__"] = &macro{name: "__LINE__", dynamic: func(use token) token {
		return token{kind: tNumber, text: strconv.Itoa(use.pos.Line), pos: use.pos}
	}}
	p.macros["__FILE__"] = &macro{name: "__FILE__", dynamic: func(use token) token {
		return token{kind: tString, text: quoteString(use.pos.File), pos: use.pos}
	}}
	p.included[filepath.Clean(name)] = true
	p.push(name, lex(name, src, errs))
	e := &expander{p: p}
	for {
		t := e.next()
		if t.kind == tEOF {
			break
		}
		if t.kind == tBad {
			// Reported here; the parser stops quietly at it.
			if t.text != "" {
				p.errs.Add(t.pos, "%s", t.text)
			}
			t.text = ""
		}
		t.bol, t.hide = false, nil
		p.out = append(p.out, t)
	}
	return p
}

// predefine defines the macros of text, one #define a line.
func (p *cpp) predefine(text string) {
	var discard lang.ErrorList
	toks := lex("<built-in>", []byte(text), &discard)
	for len(toks) > 0 {
		n := 1
		for n < len(toks) && !toks[n].bol {
			n++
		}
		p.define(toks[2:n])
		toks = toks[n:]
	}
}

func (p *cpp) push(name string, toks []token) {
	p.files = append(p.files, &file{name: name, dir: filepath.Dir(name), toks: toks})
}

// fileNext returns the next token of the files being read, with
// directives carried out and the lines of groups not taken dropped.
func (p *cpp) fileNext() token {
	for len(p.files) > 0 && !p.stopped {
		f := p.files[len(p.files)-1]
		if f.i >= len(f.toks) {
			for _, c := range f.conds {
				p.errs.Add(c.at, "unterminated conditional directive (#if without #endif)")
			}
			p.files = p.files[:len(p.files)-1]
			continue
		}
		t := f.toks[f.i]
		if t.bol && t.kind == tPunct && t.text == "#" {
			j := f.i + 1
			for j < len(f.toks) && !f.toks[j].bol {
				j++
			}
			line := f.toks[f.i+1 : j]
			f.i = j
			p.directive(f, t, line)
			continue
		}
		f.i++
		if len(f.conds) > 0 && !f.conds[len(f.conds)-1].taking {
			continue
		}
		return t
	}
	return token{kind: tEOF}
}

// directive carries out the directive `# line...` of file f.
func (p *cpp) directive(f *file, hash token, line []token) {
	skipping := len(f.conds) > 0 && !f.conds[len(f.conds)-1].taking
	if len(line) == 0 || line[0].kind != tIdent {
		if !skipping && len(line) > 0 && line[0].kind != tNumber {
			p.errs.Add(line[0].pos, "invalid preprocessing directive '#%s'", line[0].text)
		}
		return
	}
	name, args := line[0].text, line[1:]
	switch name {
	case "if", "ifdef", "ifndef":
		if skipping {
			f.conds = append(f.conds, cond{at: hash.pos, taken: true})
			return
		}
		var v bool
		if name == "if" {
			v = p.evalIf(hash, args)
		} else if len(args) == 0 || args[0].kind != tIdent {
			p.errs.Add(hash.pos, "#%s expects a macro name", name)
		} else {
			_, def := p.macros[args[0].text]
			v = def == (name == "ifdef")
		}
		f.conds = append(f.conds, cond{at: hash.pos, taking: v, taken: v})
	case "elif", "else":
		if len(f.conds) == 0 {
			p.errs.Add(hash.pos, "#%s without #if", name)
			return
		}
		c := &f.conds[len(f.conds)-1]
		if c.inElse {
			p.errs.Add(hash.pos, "#%s after #else", name)
			return
		}
		switch {
		case c.taken:
			c.taking = false
		case name == "else":
			c.taking, c.taken = true, true
		default:
			v := p.evalIf(hash, args)
			c.taking, c.taken = v, v
		}
		c.inElse = name == "else"
	case "endif":
		if len(f.conds) == 0 {
			p.errs.Add(hash.pos, "#endif without #if")
			return
		}
		f.conds = f.conds[:len(f.conds)-1]
	default:
		if skipping {
			return
		}
		switch name {
		case "define":
			if len(args) == 0 {
				p.errs.Add(hash.pos, "#define needs a macro name")
				return
			}
			p.define(args)
		case "undef":
			if len(args) == 0 || args[0].kind != tIdent {
				p.errs.Add(hash.pos, "#undef needs a macro name")
				return
			}
			delete(p.macros, args[0].text)
		case "include":
			p.include(f, hash, args)
		case "error":
			p.errs.Add(hash.pos, "#error %s", spell(args))
		case "warning", "pragma", "line", "ident", "sccs":
			// Nothing to do: each header is read once per file, so
			// #pragma once needs no bookkeeping.
		default:
			p.errs.Add(line[0].pos, "unknown preprocessing directive '#%s'", name)
		}
	}
}

// define records `#define NAME body` or `#define NAME(params) body`.
func (p *cpp) define(line []token) {
	nameTok := line[0]
	if nameTok.kind != tIdent {
		p.errs.Add(nameTok.pos, "macro name must be an identifier, found '%s'", nameTok.text)
		return
	}
	m := &macro{name: nameTok.text}
	rest := line[1:]
	if len(rest) > 0 && rest[0].text == "(" && rest[0].kind == tPunct && !rest[0].space {
		m.fn = true
		i := 1
		for {
			if i >= len(rest) {
				p.errs.Add(nameTok.pos, "missing ')' in the parameter list of macro '%s'", m.name)
				return
			}
			t := rest[i]
			if t.text == ")" && len(m.params) == 0 {
				i++
				break
			}
			switch {
			case t.kind == tIdent:
				for _, q := range m.params {
					if q == t.text {
						p.errs.Add(t.pos, "duplicate macro parameter '%s'", t.text)
						return
					}
				}
				m.params = append(m.params, t.text)
				if i+1 < len(rest) && rest[i+1].text == "..." {
					// GNU's named variadic parameter: NAME...
					m.variadic = true
					i++
				}
			case t.text == "...":
				m.params = append(m.params, "__VA_ARGS__")
				m.variadic = true
			default:
				p.errs.Add(t.pos, "expected a parameter name in macro '%s', found '%s'", m.name, t.text)
				return
			}
			i++
			if i < len(rest) && rest[i].text == ")" {
				i++
				break
			}
			if m.variadic || i >= len(rest) || rest[i].text != "," {
				at := nameTok.pos
				if i < len(rest) {
					at = rest[i].pos
				}
				p.errs.Add(at, "expected ',' or ')' in the parameter list of macro '%s'", m.name)
				return
			}
			i++
		}
		rest = rest[i:]
	}
	m.body = make([]token, len(rest))
	for i, t := range rest {
		t.bol = false
		t.paste = t.kind == tPunct && t.text == "##"
		m.body[i] = t
	}
	if n := len(m.body); n > 0 && (m.body[0].paste || m.body[n-1].paste) {
		p.errs.Add(nameTok.pos, "'##' cannot be at either end of the body of macro '%s'", m.name)
		return
	}
	if m.fn {
		for i, t := range m.body {
			if t.kind == tPunct && t.text == "#" && (i+1 >= len(m.body) || m.param(m.body[i+1]) < 0) {
				p.errs.Add(t.pos, "'#' is not followed by a parameter of macro '%s'", m.name)
				return
			}
		}
	}
	p.macros[m.name] = m
	if !p.builtin {
		p.defined = append(p.defined, &Macro{At: nameTok.pos, Name: m.name, Func: m.fn, Params: m.params, Variadic: m.variadic, Body: spell(m.body)})
	}
}

// Defined lists the macros still defined at the end, in the order of
// their (last) definition.
func (p *cpp) stillDefined() []*Macro {
	seen := map[string]bool{}
	var out []*Macro
	for i := len(p.defined) - 1; i >= 0; i-- {
		m := p.defined[i]
		if seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		if d, ok := p.macros[m.Name]; ok && d.dynamic == nil {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out
}

// param returns the index of the parameter t names, or -1.
func (m *macro) param(t token) int {
	if t.kind != tIdent || !m.fn {
		return -1
	}
	for i, q := range m.params {
		if q == t.text {
			return i
		}
	}
	return -1
}

// include carries out #include.
func (p *cpp) include(f *file, hash token, args []token) {
	if len(args) > 0 && args[0].kind != tString && args[0].text != "<" {
		args = p.expandList(args, 0)
	}
	if len(args) == 0 {
		p.errs.Add(hash.pos, "#include expects \"FILENAME\" or <FILENAME>")
		return
	}
	if args[0].kind == tString {
		text := args[0].text
		if !strings.HasPrefix(text, "\"") {
			p.errs.Add(args[0].pos, "#include expects \"FILENAME\" or <FILENAME>")
			return
		}
		p.includeFile(f, hash, text[1:len(text)-1])
		return
	}
	var b strings.Builder
	closed := false
	for _, t := range args[1:] {
		if t.text == ">" && t.kind == tPunct {
			closed = true
			break
		}
		if t.space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	if !closed {
		p.errs.Add(hash.pos, "#include expects \"FILENAME\" or <FILENAME>")
		return
	}
	h := b.String()
	if h == "vmlinux.h" {
		// the kernel's types, as "vmlinux.h" gives them
		if !p.vmlinux {
			p.vmlinux, p.vmlinuxAt = true, len(p.out)
		}
		return
	}
	for _, d := range p.opts.IncludeDirs {
		path := filepath.Join(d, h)
		if st, err := os.Stat(path); err == nil && !st.IsDir() {
			p.readHeader(hash, h, path)
			return
		}
	}
	if text, ok := compilerHeaders[h]; ok && p.opts.IncludeDirs != nil {
		if !p.included["<"+h+">"] {
			p.included["<"+h+">"] = true
			p.push("<"+h+">", lex("<"+h+">", []byte(text), p.errs))
		}
		return
	}
	for _, k := range systemHeaders {
		if k == h {
			return
		}
	}
	if p.opts.IncludeDirs != nil {
		p.errs.Add(hash.pos, "'%s' file not found", h)
		return
	}
	p.errs.Add(hash.pos, "#include <%s>: gotrace's C compiler knows only these system headers: %s", h, strings.Join(systemHeaders, ", "))
}

func (p *cpp) includeFile(f *file, hash token, name string) {
	if name == "" {
		p.errs.Add(hash.pos, "empty file name in #include")
		return
	}
	if filepath.Base(name) == "vmlinux.h" {
		if !p.vmlinux {
			p.vmlinux, p.vmlinuxAt = true, len(p.out)
		}
		return
	}
	path := name
	if !filepath.IsAbs(path) {
		path = filepath.Join(f.dir, name)
		if _, err := os.Stat(path); err != nil {
			for _, d := range p.opts.IncludeDirs {
				if st, err := os.Stat(filepath.Join(d, name)); err == nil && !st.IsDir() {
					path = filepath.Join(d, name)
					break
				}
			}
		}
	}
	p.readHeader(hash, name, path)
}

// readHeader reads the header name (found at path) in place of the
// #include at hash, once per file.
func (p *cpp) readHeader(hash token, name, path string) {
	if p.included[path] {
		return
	}
	if len(p.files) >= maxIncludeDepth {
		p.errs.Add(hash.pos, "#include \"%s\": includes are nested too deeply", name)
		p.stopped = true
		return
	}
	if len(p.included) > maxIncludes {
		p.errs.Add(hash.pos, "#include \"%s\": more than %d headers", name, maxIncludes)
		p.stopped = true
		return
	}
	read := p.opts.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if err != nil {
		p.errs.Add(hash.pos, "#include \"%s\": %v", name, err)
		return
	}
	p.included[path] = true
	p.push(path, lex(path, data, p.errs))
}

// spell writes tokens back as text, one space where there was white space.
func spell(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.space {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

// quoteString makes a string literal token's text of s.
func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
