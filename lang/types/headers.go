package types

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
)

// Headers.
//
// The headers a script includes (#include lines, --include) are read
// through gotrace's C front end, lang/cc, as one translation unit that
// includes each in turn: "h" is looked for in the script's directory and
// then as <h> is, <h> in the -I directories and then the system's. The
// macros and enum constants go to the parser (lang.Headers), and the
// structs, unions, enums and typedefs to the type checker, ahead of the
// kernel's: `struct req` of a user's header is that struct, not a
// kernel struct of the same name.
//
// System headers hold C this front end does not read (inline assembly,
// floating point, compiler built-ins). A declaration of a header found in
// a system directory that cannot be read is skipped, with a warning that
// says where; a struct, union, enum or typedef it defines is then not
// defined, and a script that names it is told why rather than given
// the kernel's type of that name. In the user's own headers (the
// script's directory and -I) such a declaration is an error.

// headerTypes are the types the headers define, for the checker.
type headerTypes struct {
	// defs are "struct x", "union x", "enum x" and typedef names.
	defs map[string]*Type
	// skipped are the names of the definitions that could not be read,
	// with where.
	skipped map[string]lang.Pos
}

// HeaderReader is the lang.HeaderReader that reads headers with lang/cc,
// searching dirs (-I) before the system's directories.
func HeaderReader(dirs []string) lang.HeaderReader {
	return func(incs []*lang.Include, dir string) (*lang.Headers, error) {
		return readHeaders(incs, dir, dirs)
	}
}

func readHeaders(incs []*lang.Include, dir string, dirs []string) (*lang.Headers, error) {
	var src strings.Builder
	for _, inc := range incs {
		if inc.System {
			fmt.Fprintf(&src, "#include <%s>\n", inc.Path)
		} else {
			fmt.Fprintf(&src, "#include %q\n", inc.Path)
		}
	}
	unit := filepath.Join(dir, "<includes>")
	search := append(append([]string{}, dirs...), lang.SystemHeaderDirs...)
	file, err := cc.Parse(unit, []byte(src.String()), cc.Options{IncludeDirs: search})
	h := &lang.Headers{}
	var errs, skipped lang.ErrorList
	// a problem of the unit itself is one of the script's #include lines
	place := func(e *lang.Error) *lang.Error {
		if e.Pos.File == unit && e.Pos.Line >= 1 && e.Pos.Line <= len(incs) {
			c := *e
			c.Pos = incs[e.Pos.Line-1].At
			return &c
		}
		return e
	}
	for _, e := range asErrorList(err) {
		e = place(e)
		if systemHeader(e.Pos.File, dirs) {
			skipped = append(skipped, e)
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	for _, m := range file.Macros {
		h.Macros = append(h.Macros, &lang.HeaderMacro{At: m.At, Name: m.Name, Func: m.Func, Params: m.Params, Body: m.Body})
	}
	ht := &headerTypes{defs: map[string]*Type{}, skipped: map[string]lang.Pos{}}
	c := &checker{info: &Info{}}
	k := &cchecker{checker: c, p: &CProgram{
		Funcs: map[string]*CFunc{}, Symbols: map[string]*CFunc{}, Types: map[cc.Expr]*Type{}, Conv: map[cc.Expr]*Type{},
		OpType: map[*cc.Assign]*Type{}, Consts: map[cc.Expr]int64{}, Objs: map[*cc.Ident]*CObject{},
		Decls: map[*cc.VarDecl]*CObject{}, Helpers: map[*cc.Call]asm.BuiltinFunc{},
	}}
	k.push()
	for _, d := range file.Decls {
		n := len(c.errs)
		var name string
		switch d := d.(type) {
		case *cc.TypedefDecl:
			name = d.Name
			k.localTypeDecl(d)
		case *cc.TagDecl:
			name = d.Type.Name
			k.localTypeDecl(d)
		default:
			continue // functions and variables mean nothing to a script
		}
		if len(c.errs) > n {
			for _, e := range c.errs[n:] {
				if !systemHeader(e.Pos.File, dirs) {
					errs = append(errs, e)
					continue
				}
				skipped = append(skipped, e)
			}
			if !strings.HasSuffix(name, " ") {
				ht.skipped[name] = cc.PosOf(d)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	top := k.top()
	for name, t := range top.tags {
		if len(t.Fields) > 0 || t.Enum != nil {
			ht.defs[name] = t
		}
	}
	for name, t := range top.typedefs {
		ht.defs[name] = t
	}
	for name := range ht.skipped {
		delete(ht.defs, name) // what was laid out before the error
	}
	for _, d := range file.Decls {
		var t *cc.Type
		switch d := d.(type) {
		case *cc.TypedefDecl:
			t = d.Type
		case *cc.TagDecl:
			t = d.Type
		}
		for ; t != nil; t = t.Elem {
			if t.Enum == nil {
				continue
			}
			enum := t.Name
			if strings.HasSuffix(enum, " ") {
				enum = "" // anonymous: its constants are plain integers
			}
			for _, it := range t.Enum.Items {
				if o, ok := top.objs[it.Name]; ok && o.Kind == CConstant {
					h.Enumerators = append(h.Enumerators, &lang.HeaderEnumerator{At: it.At, Name: it.Name, Value: o.Value, Enum: enum})
				}
			}
		}
	}
	h.Decls = ht
	h.Skipped = skippedByFile(skipped)
	return h, nil
}

// skippedByFile makes one warning per header of the declarations skipped
// there, at the first of them.
func skippedByFile(errs lang.ErrorList) lang.ErrorList {
	var out lang.ErrorList
	count := map[string]int{}
	first := map[string]*lang.Error{}
	for _, e := range errs {
		if first[e.Pos.File] == nil {
			first[e.Pos.File] = e
			out = append(out, e)
		}
		count[e.Pos.File]++
	}
	for i, e := range out {
		w := *e
		w.Warning = true
		w.Msg = fmt.Sprintf("gotrace's C reader skipped %d declaration%s of this header it cannot read, the first for: %s", count[e.Pos.File], plural(count[e.Pos.File]), e.Msg)
		out[i] = &w
	}
	return out
}

// systemHeader tells whether the file path is a header of the system's
// directories rather than of the script's or of -I's.
func systemHeader(path string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(path, filepath.Clean(d)+"/") {
			return false
		}
	}
	for _, d := range lang.SystemHeaderDirs {
		if strings.HasPrefix(path, d+"/") {
			return true
		}
	}
	return false
}

func asErrorList(err error) lang.ErrorList {
	switch e := err.(type) {
	case nil:
		return nil
	case lang.ErrorList:
		return e
	case *lang.Error:
		return lang.ErrorList{e}
	}
	return lang.ErrorList{lang.Errorf(lang.Pos{}, "%v", err)}
}

// defineHeaders gives the checker the types of f's headers; the
// script's own inline definitions, read after them, may use them.
func (c *checker) defineHeaders(f *lang.File) {
	if f.Headers == nil {
		return
	}
	ht, ok := f.Headers.Decls.(*headerTypes)
	if !ok {
		return
	}
	c.info.Warnings = append(c.info.Warnings, f.Headers.Skipped...)
	for name, t := range ht.defs {
		c.cdefs[name] = t
	}
	c.hdrSkipped = ht.skipped
}
