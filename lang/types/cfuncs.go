package types

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
	"github.com/gotrace/gotrace/vm/insn"
)

// Imported C.
//
// A script may import .bpf.c files; their functions can then be called
// from the script like builtins. lang/cc parses each file; this file
// checks it as a C compiler's front end would and records, for the code
// generator, everything C's rules decide:
//
//   - every expression's type (Types), the type its value is converted to
//     where C converts it implicitly (Conv: the usual arithmetic
//     conversions, assignment, arguments, return, the branches of ?:),
//     and the value of every integer constant expression (Consts);
//   - what every identifier names (Objs: a local or parameter, a
//     function, an enumerator) and which calls are BPF helpers (Helpers,
//     by number) or kernel functions (CFunc.Kfunc, by BTF id);
//   - which local variables must live in memory (aggregates and those
//     whose address is taken) rather than in a register.
//
// Types come from the C integer types, the typedefs the libbpf headers
// give (u32, __u64, size_t, ...), the file's own struct, union, enum and
// typedef definitions, and, when the file includes "vmlinux.h", the
// kernel's BTF. Calls from the script convert integer arguments to the
// parameter types, pass pointers as they are, and pass a string, buffer
// or other value kept in memory to a pointer parameter by its address.
// BPF has no floating point, no indirect calls and no struct arguments;
// those are errors at the line that uses them.

// CProgram is what the checker learned of the imported C files.
type CProgram struct {
	// Funcs are the functions the files share (not static, which the
	// script may call) and the kernel functions declared with __ksym, by
	// name; Symbols are all the defined functions by Symbol; Order lists
	// the defined ones as they appear.
	Funcs   map[string]*CFunc
	Symbols map[string]*CFunc
	Order   []*CFunc
	// Types is the type of each expression as C gives it (arrays and
	// functions not yet decayed to pointers).
	Types map[cc.Expr]*Type
	// Conv is the type an expression's value is converted to where C
	// converts implicitly.
	Conv map[cc.Expr]*Type
	// OpType is the type a compound assignment (a += b) computes in.
	OpType map[*cc.Assign]*Type
	// Consts are the values of integer constant expressions.
	Consts map[cc.Expr]int64
	// Objs says what each identifier names.
	Objs map[*cc.Ident]*CObject
	// Decls are the objects of local variable declarations.
	Decls map[*cc.VarDecl]*CObject
	// Helpers are the calls of BPF helpers, with the helper's number.
	Helpers map[*cc.Call]asm.BuiltinFunc
	// Globals are the file-scope variables, laid out one after the other
	// (each at its alignment) in GlobalsSize bytes of one array map
	// value; their initializers are constant.
	Globals     []*CGlobal
	GlobalsSize int
	// Maps are the maps the C files define, in order.
	Maps []*CMap
	// CoreReads are the CO-RE reads (BPF_CORE_READ and its kin).
	CoreReads map[*cc.Call]*CoreRead
}

// CGlobal is a file-scope variable: its object (Offset set) and
// declaration.
type CGlobal struct {
	Obj  *CObject
	Decl *cc.VarDecl
}

// CObjKind says what a C identifier names.
type CObjKind int

const (
	CLocal CObjKind = iota
	CParam
	CFunction
	CConstant
	CGlobalVar
	CMapVar // a map defined in C (SEC(".maps"))
)

// CObject is a variable, parameter, function or enumerator of C.
type CObject struct {
	Kind  CObjKind
	Name  string
	Type  *Type
	Index int // CParam: its position
	// InMemory: the variable lives on the stack (an aggregate, or its
	// address is taken), not in a register.
	InMemory bool
	Func     *CFunc // CFunction
	Value    int64  // CConstant
	Offset   int    // CGlobalVar: where in the globals' map value
	Map      *CMap  // CMapVar
}

// CMap is a map a C file defines, libbpf style:
//
//	struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 64);
//	         __type(key, u32); __type(value, u64); } counts SEC(".maps");
type CMap struct {
	Name       string
	Type       uint32 // BPF_MAP_TYPE_*
	KeySize    int
	ValueSize  int
	MaxEntries int
	Flags      uint32
}

// CFunc is a function of an imported C file, or a kernel function one
// declares.
type CFunc struct {
	Name string
	// Symbol names the function in the program: its name, made unique
	// when static functions of several files share one.
	Symbol string
	Decl   *cc.FuncDecl
	Result *Type // VoidType for void
	Params []*CObject
	// Kfunc is set for an extern __ksym declaration: a kernel function,
	// called by its BTF id KfuncID. KfuncID is 0 when the kernel has
	// none (allowed for __weak declarations, which test for it).
	Kfunc   bool
	KfuncID uint32
}

// KernelTypeEnv is implemented by Envs that know the kernel's typedefs
// (from BTF), for C files that include "vmlinux.h".
type KernelTypeEnv interface {
	KernelTypedef(name string) (*Type, bool)
}

// bpfConstants are names <linux/bpf.h> gives that BPF C uses most.
var bpfConstants = map[string]int64{
	"BPF_ANY": 0, "BPF_NOEXIST": 1, "BPF_EXIST": 2, "BPF_F_LOCK": 4,
	"BPF_F_CURRENT_CPU": 0xffffffff, "BPF_F_INDEX_MASK": 0xffffffff,
	"BPF_F_NO_PREALLOC": 1, "BPF_F_NO_COMMON_LRU": 2, "BPF_F_NUMA_NODE": 4, "BPF_F_RDONLY_PROG": 0x80, "BPF_F_WRONLY_PROG": 0x100,
	"BPF_MAP_TYPE_HASH": 1, "BPF_MAP_TYPE_ARRAY": 2, "BPF_MAP_TYPE_PERCPU_HASH": 5, "BPF_MAP_TYPE_PERCPU_ARRAY": 6,
	"BPF_MAP_TYPE_LRU_HASH": 9, "BPF_MAP_TYPE_LRU_PERCPU_HASH": 10, "BPF_MAP_TYPE_QUEUE": 22, "BPF_MAP_TYPE_STACK": 23,
	"BPF_MAP_TYPE_RINGBUF": 27, "BPF_MAP_TYPE_BLOOM_FILTER": 30,
	// errno spellings the kernel's <linux/errno.h> adds (with __KERNEL__)
	"EOPNOTSUPP": 95, "EWOULDBLOCK": 11, "EDEADLOCK": 35, "EUCLEAN": 117,
	"ERESTARTSYS": 512, "ERESTARTNOINTR": 513, "ERESTARTNOHAND": 514, "ENOIOCTLCMD": 515,
	"ERESTART_RESTARTBLOCK": 516, "EPROBE_DEFER": 517, "EOPENSTALE": 518, "ENOPARAM": 519,
	"EBADHANDLE": 521, "ENOTSYNC": 522, "EBADCOOKIE": 523, "ENOTSUPP": 524, "ETOOSMALL": 525,
	"ESERVERFAULT": 526, "EBADTYPE": 527, "EJUKEBOX": 528, "EIOCBQUEUED": 529, "ERECALLCONFLICT": 530,
	"ENOGRACE": 531,
}

// funcPtr is the type of a function's address.
var funcPtr = &Type{Kind: Ptr, Size: 8, Elem: &Type{Kind: Void, Name: "function"}}

// cChar is C's char: signed, one byte, printed as a character.
var cChar = &Type{Kind: Int, Size: 1, Signed: true, Name: "char"}

// cInt is C's int, the type of comparisons and of promoted small integers.
var cInt = Int32

// cBaseTypes are the C spellings lang/cc gives base types.
var cBaseTypes = map[string]*Type{
	"char": cChar, "signed char": Int8, "unsigned char": Uint8,
	"short": Int16, "unsigned short": Uint16, "int": Int32, "unsigned int": Uint32,
	"long": Int64, "unsigned long": Uint64, "long long": Int64, "unsigned long long": Uint64,
	"_Bool": BoolType, "void": VoidType,
	"__le16": Uint16, "__le32": Uint32, "__le64": Uint64, "__be16": Uint16, "__be32": Uint32, "__be64": Uint64,
	"__wsum": Uint32, "__sum16": Uint16, "intptr_t": Int64, "__kernel_size_t": Uint64, "__kernel_pid_t": Int32,
}

// cScope is one block's names: ordinary identifiers (objects and
// typedefs) and struct/union/enum tags.
type cScope struct {
	objs     map[string]*CObject
	typedefs map[string]*Type
	tags     map[string]*Type
}

// cchecker checks the imported C files.
type cchecker struct {
	*checker
	p       *CProgram
	scopes  []*cScope
	vmlinux bool
	fn      *CFunc
	loops   int // enclosing loops
	breaks  int // enclosing loops and switches
	labels  map[string]bool
	gotos   []*cc.GotoStmt
}

// checkC parses and checks the imported C files of f.
func (c *checker) checkC(f *lang.File) {
	if len(f.CFiles) == 0 {
		return
	}
	p := &CProgram{
		Funcs: map[string]*CFunc{}, Symbols: map[string]*CFunc{}, Types: map[cc.Expr]*Type{}, Conv: map[cc.Expr]*Type{},
		OpType: map[*cc.Assign]*Type{}, Consts: map[cc.Expr]int64{}, Objs: map[*cc.Ident]*CObject{},
		Decls: map[*cc.VarDecl]*CObject{}, Helpers: map[*cc.Call]asm.BuiltinFunc{},
	}
	c.info.C = p
	for _, cf := range f.CFiles {
		k := &cchecker{checker: c, p: p}
		file, err := cc.Parse(cf.Name, cf.Src, cc.Options{KernelType: k.kernelTypeExists})
		if err != nil {
			if l, ok := err.(lang.ErrorList); ok {
				c.errs = append(c.errs, l...)
			} else {
				c.errorf(cf.At, "import %q: %v", cf.Name, err)
			}
			continue
		}
		k.vmlinux = file.VMLinux
		k.push()
		for _, d := range file.Decls {
			k.topDecl(d)
		}
	}
}

func (k *cchecker) kernelTypeExists(name string) bool {
	if te, ok := k.env.(KernelTypeEnv); ok {
		_, ok := te.KernelTypedef(name)
		return ok
	}
	return false
}

func (k *cchecker) push() {
	k.scopes = append(k.scopes, &cScope{objs: map[string]*CObject{}, typedefs: map[string]*Type{}, tags: map[string]*Type{}})
}

func (k *cchecker) pop() { k.scopes = k.scopes[:len(k.scopes)-1] }

func (k *cchecker) top() *cScope { return k.scopes[len(k.scopes)-1] }

func (k *cchecker) lookup(name string) (*CObject, *Type) {
	for i := len(k.scopes) - 1; i >= 0; i-- {
		if o, ok := k.scopes[i].objs[name]; ok {
			return o, nil
		}
		if t, ok := k.scopes[i].typedefs[name]; ok {
			return nil, t
		}
	}
	return nil, nil
}

func (k *cchecker) lookupTag(key string) *Type {
	for i := len(k.scopes) - 1; i >= 0; i-- {
		if t, ok := k.scopes[i].tags[key]; ok {
			return t
		}
	}
	return nil
}

// ---- declarations ----

func (k *cchecker) topDecl(d cc.Decl) {
	switch d := d.(type) {
	case *cc.FuncDecl:
		k.funcDecl(d)
	case *cc.VarDecl:
		k.globalVar(d)
	default:
		k.localTypeDecl(d)
	}
}

// localTypeDecl handles a typedef or a tag declaration, at any scope.
func (k *cchecker) localTypeDecl(d cc.Decl) {
	switch d := d.(type) {
	case *cc.TypedefDecl:
		if t := k.ctype(d.Type); t != nil {
			k.top().typedefs[d.Name] = t
		}
	case *cc.TagDecl:
		k.ctype(d.Type)
	}
}

func (k *cchecker) funcDecl(d *cc.FuncDecl) {
	if d.Variadic {
		k.errorf(d.At, "function %s: BPF functions cannot take a variable number of arguments", d.Name)
		return
	}
	f := &CFunc{Name: d.Name, Decl: d, Result: VoidType}
	if d.Result != nil {
		f.Result = k.ctype(d.Result)
		if f.Result == nil {
			return
		}
	}
	if !scalarOrVoid(f.Result) {
		k.errorf(d.At, "function %s returns %s: BPF functions return at most 8 bytes (an integer or a pointer)", d.Name, f.Result)
		return
	}
	if len(d.Params) > 5 {
		k.errorf(d.At, "function %s has %d parameters: BPF functions take at most 5", d.Name, len(d.Params))
		return
	}
	for i, pa := range d.Params {
		t := k.ctype(pa.Type)
		if t == nil {
			return
		}
		t = Decayed(t)
		if !scalarOrVoid(t) || t.Kind == Void {
			k.errorf(pa.At, "parameter %s of %s is %s: BPF functions take integers and pointers", pa.Name, d.Name, t)
			return
		}
		f.Params = append(f.Params, &CObject{Kind: CParam, Name: pa.Name, Type: t, Index: i})
	}
	if d.Ksym || d.Extern && d.Body == nil && k.isKernelFunc(d.Name) {
		f.Kfunc = true
		if ke, ok := k.env.(KfuncEnv); ok {
			f.KfuncID, _ = ke.KfuncID(d.Name)
		}
		if f.KfuncID == 0 && !d.Weak {
			k.errorf(d.At, "the kernel has no function %s (declared __ksym)", d.Name).
				WithHint("declare it __weak and test `if (" + d.Name + ")` to run where it is missing")
		}
	}
	// A static function belongs to its file; the others are shared by
	// all the imported files (and the script calls them).
	var prev *CFunc
	if o := k.scopes[0].objs[d.Name]; o != nil && o.Kind == CFunction {
		prev = o.Func
	} else if !d.Static {
		prev = k.p.Funcs[d.Name]
	}
	switch {
	case prev != nil && prev.Decl.Body != nil && d.Body != nil:
		k.errorf(d.At, "function %s is defined twice", d.Name)
		return
	case prev != nil && d.Body == nil:
		return // a prototype after the definition or another prototype
	case prev != nil && !prev.Kfunc:
		prev.Decl, prev.Result, prev.Params = d, f.Result, f.Params
		f = prev
	case prev == nil:
		f.Symbol = d.Name
		if d.Static || k.p.Symbols[d.Name] != nil {
			// statics of several files may share a name
			for i := 2; k.p.Symbols[f.Symbol] != nil; i++ {
				f.Symbol = fmt.Sprintf("%s__%d", d.Name, i)
			}
		}
		k.p.Symbols[f.Symbol] = f
		if !d.Static || f.Kfunc {
			k.p.Funcs[d.Name] = f
		}
		k.scopes[0].objs[d.Name] = &CObject{Kind: CFunction, Name: d.Name, Type: funcPtr, Func: f}
	}
	if d.Body == nil {
		return
	}
	if strings.HasPrefix(d.Section, ".") || d.Section != "" {
		k.errorf(d.At, "function %s has SEC(%q): imported C gives the script functions to call; probes are written in the script", d.Name, d.Section)
		return
	}
	k.p.Order = append(k.p.Order, f)
	k.fn = f
	k.labels = map[string]bool{}
	k.gotos = nil
	k.push()
	for _, pa := range f.Params {
		if pa.Name != "" {
			k.top().objs[pa.Name] = pa
		}
	}
	k.block(d.Body, false)
	k.pop()
	for _, g := range k.gotos {
		if !k.labels[g.Label] {
			k.errorf(g.At, "goto %s: no such label in %s", g.Label, d.Name)
		}
	}
	k.fn = nil
}

func (k *cchecker) isKernelFunc(name string) bool {
	ke, ok := k.env.(KfuncEnv)
	return ok && ke.KernelFunc(name)
}

func scalarOrVoid(t *Type) bool {
	return t.Kind == Void || t.Kind == Int || t.Kind == Bool || t.Kind == Ptr
}

// Decayed is t as a value: arrays become pointers to their first element.
func Decayed(t *Type) *Type {
	if t.Kind == Array {
		return PtrTo(t.Elem, false)
	}
	return t
}

// ---- types ----

// ctype resolves a C type as written; nil after reporting an error.
func (k *cchecker) ctype(t *cc.Type) *Type {
	switch t.Kind {
	case cc.Pointer:
		if t.Elem.Kind == cc.FuncOf {
			if k.ctype(t.Elem.Elem) == nil {
				return nil
			}
			return funcPtr
		}
		elem := k.ctype(t.Elem)
		if elem == nil {
			return nil
		}
		return PtrTo(elem, false)
	case cc.ArrayOf:
		elem := k.ctype(t.Elem)
		if elem == nil {
			return nil
		}
		if elem.Kind == Void {
			k.errorf(t.At, "an array of void")
			return nil
		}
		n := 0
		if t.Len != nil {
			v, ok := k.constExpr(t.Len)
			if !ok {
				return nil
			}
			if v < 0 || v > 1<<20 {
				k.errorf(cc.PosOf(t.Len), "array size %d is out of range", v)
				return nil
			}
			n = int(v)
		}
		return ArrayOf(elem, n)
	case cc.FuncOf:
		k.errorf(t.At, "a function type can only be pointed to")
		return nil
	}
	name := t.Name
	switch {
	case strings.HasPrefix(name, "struct "), strings.HasPrefix(name, "union "):
		return k.recordType(t)
	case strings.HasPrefix(name, "enum "):
		return k.enumType(t)
	}
	if b, ok := cBaseTypes[name]; ok {
		return b
	}
	if _, td := k.lookup(name); td != nil {
		return td
	}
	if b, ok := cTypedefs[name]; ok {
		return b
	}
	if k.vmlinux {
		if te, ok := k.env.(KernelTypeEnv); ok {
			if kt, ok := te.KernelTypedef(name); ok {
				return kt
			}
		}
	}
	k.errorf(t.At, "unknown type name '%s'", name)
	return nil
}

// recordType resolves struct/union NAME, laying out a body given here.
func (k *cchecker) recordType(t *cc.Type) *Type {
	key := t.Name
	anonymous := strings.HasSuffix(key, " ")
	if t.Record == nil {
		if r := k.lookupTag(key); r != nil {
			return r
		}
		if k.vmlinux {
			if kt := k.kernelStructQuiet(key); kt != nil {
				return kt
			}
		}
		// incomplete: pointers to it are fine
		r := &Type{Kind: Struct, Name: key}
		k.top().tags[key] = r
		return r
	}
	r := &Type{Kind: Struct, Name: key}
	if anonymous {
		r.Name = strings.TrimSpace(key) + " (anonymous)"
	} else {
		if prev, ok := k.top().tags[key]; ok && len(prev.Fields) == 0 {
			r = prev // completes a forward declaration
		} else if ok {
			k.errorf(t.At, "%s is defined twice", key)
			return prev
		}
		k.top().tags[key] = r
	}
	lay := recordLayout{union: t.Record.Union, packed: t.Packed}
	names := map[string]bool{}
	for _, fd := range t.Record.Fields {
		ft := k.ctype(fd.Type)
		if ft == nil {
			return nil
		}
		if ft.Kind == Void || ft.Kind == Struct && ft.Size == 0 && len(ft.Fields) == 0 {
			k.errorf(fd.At, "member %s has incomplete type %s", fd.Name, ft)
			return nil
		}
		if fd.Name != "" {
			if names[fd.Name] {
				k.errorf(fd.At, "member %s is declared twice", fd.Name)
				return nil
			}
			names[fd.Name] = true
		}
		bits := -1
		if fd.Bits != nil {
			v, ok := k.constExpr(fd.Bits)
			if !ok {
				return nil
			}
			if ft.Kind != Int && ft.Kind != Bool {
				k.errorf(fd.At, "bitfield %s must have an integer type", fd.Name)
				return nil
			}
			bits = int(v)
		}
		if err := lay.add(r, fd.Name, ft, bits); err != nil {
			k.errorf(fd.At, "%v", err)
			return nil
		}
	}
	aligned := 0
	if t.Aligned != nil {
		v, ok := k.constExpr(t.Aligned)
		if !ok {
			return nil
		}
		aligned = int(v)
	}
	lay.finish(r, aligned)
	return r
}

// enumType resolves enum NAME, declaring the enumerators of a body
// given here as constants of the current scope.
func (k *cchecker) enumType(t *cc.Type) *Type {
	key := t.Name
	if t.Enum == nil {
		if r := k.lookupTag(key); r != nil {
			return r
		}
		return &Type{Kind: Int, Size: 4, Signed: true, Name: key, Enum: map[int64]string{}}
	}
	r := &Type{Kind: Int, Size: 4, Signed: true, Name: key, Enum: map[int64]string{}}
	next := int64(0)
	for _, it := range t.Enum.Items {
		if it.Value != nil {
			v, ok := k.constExpr(it.Value)
			if !ok {
				return nil
			}
			next = v
		}
		if next > 1<<31-1 || next < -1<<31 {
			r.Size = 8
		}
		if _, dup := r.Enum[next]; !dup {
			r.Enum[next] = it.Name
		}
		k.top().objs[it.Name] = &CObject{Kind: CConstant, Name: it.Name, Type: cInt, Value: next}
		next++
	}
	if !strings.HasSuffix(key, " ") {
		k.top().tags[key] = r
	}
	return r
}

// constExpr checks e and returns its value as an integer constant.
func (k *cchecker) constExpr(e cc.Expr) (int64, bool) {
	t := k.expr(e)
	if t == nil {
		return 0, false
	}
	v, ok := k.p.Consts[e]
	if !ok {
		k.errorf(cc.PosOf(e), "this must be an integer constant")
	}
	return v, ok
}

// ---- statements ----

func (k *cchecker) block(b *cc.Block, scope bool) {
	if scope {
		k.push()
		defer k.pop()
	}
	for _, s := range b.Stmts {
		k.stmt(s)
	}
}

func (k *cchecker) stmt(s cc.Stmt) {
	switch s := s.(type) {
	case *cc.Block:
		k.block(s, true)
	case *cc.DeclStmt:
		for _, d := range s.Decls {
			if v, ok := d.(*cc.VarDecl); ok {
				k.localVar(v)
				continue
			}
			if fd, ok := d.(*cc.FuncDecl); ok {
				k.errorf(fd.At, "functions are declared at file scope")
				continue
			}
			k.localTypeDecl(d)
		}
	case *cc.ExprStmt:
		if s.X != nil {
			k.expr(s.X)
		}
	case *cc.IfStmt:
		k.cond(s.Cond)
		k.stmt(s.Then)
		if s.Else != nil {
			k.stmt(s.Else)
		}
	case *cc.WhileStmt:
		k.cond(s.Cond)
		k.loopBody(s.Body)
	case *cc.DoStmt:
		k.loopBody(s.Body)
		k.cond(s.Cond)
	case *cc.ForStmt:
		k.push()
		if s.Init != nil {
			k.stmt(s.Init)
		}
		if s.Cond != nil {
			k.cond(s.Cond)
		}
		if s.Post != nil {
			k.expr(s.Post)
		}
		k.loopBody(s.Body)
		k.pop()
	case *cc.ReturnStmt:
		res := k.fn.Result
		switch {
		case s.X == nil && res.Kind != Void:
			k.errorf(s.At, "%s must return a value of type %s", k.fn.Name, res)
		case s.X != nil && res.Kind == Void:
			if t := k.expr(s.X); t != nil && t.Kind != Void {
				k.errorf(s.At, "%s returns void: return takes no value", k.fn.Name)
			}
		case s.X != nil:
			k.convertTo(s.X, res, "return")
		}
	case *cc.BreakStmt:
		if k.breaks == 0 {
			k.errorf(s.At, "break outside a loop or switch")
		}
	case *cc.ContinueStmt:
		if k.loops == 0 {
			k.errorf(s.At, "continue outside a loop")
		}
	case *cc.SwitchStmt:
		t := k.expr(s.X)
		if t != nil && !isCInteger(t) {
			k.errorf(cc.PosOf(s.X), "switch on %s: it takes an integer", t)
		} else if t != nil {
			k.p.Conv[s.X] = promoted(t)
		}
		k.breaks++
		k.stmt(s.Body)
		k.breaks--
	case *cc.CaseStmt:
		if s.Value != nil {
			k.constExpr(s.Value)
		}
		k.stmt(s.Stmt)
	case *cc.LabelStmt:
		if k.labels[s.Name] {
			k.errorf(s.At, "label %s is defined twice", s.Name)
		}
		k.labels[s.Name] = true
		k.stmt(s.Stmt)
	case *cc.GotoStmt:
		k.gotos = append(k.gotos, s)
	}
}

func (k *cchecker) loopBody(s cc.Stmt) {
	k.loops++
	k.breaks++
	k.stmt(s)
	k.loops--
	k.breaks--
}

// cond checks a controlling expression: any scalar.
func (k *cchecker) cond(e cc.Expr) {
	t := k.expr(e)
	if t != nil && !isScalar(Decayed(t)) {
		k.errorf(cc.PosOf(e), "a condition must be an integer or a pointer, not %s", t)
	}
}

// globalVar lays out a file-scope variable; its initializer must be
// made of constants.
func (k *cchecker) globalVar(v *cc.VarDecl) {
	if v.Extern {
		k.errorf(v.At, "extern variable %s: imported C cannot link to other files' variables", v.Name)
		return
	}
	t := k.varType(v)
	if t == nil {
		return
	}
	if v.Section == ".maps" {
		k.mapDef(v, t)
		return
	}
	if v.Init != nil {
		k.initializer(v.Init, t)
		if e := k.nonConstant(v.Init); e != nil {
			k.errorf(cc.PosOf(e), "the initializer of global %s must be a constant", v.Name)
			return
		}
	}
	a := t.Align()
	off := (k.p.GlobalsSize + a - 1) / a * a
	o := &CObject{Kind: CGlobalVar, Name: v.Name, Type: t, InMemory: true, Offset: off}
	k.p.GlobalsSize = off + t.Size
	k.p.Globals = append(k.p.Globals, &CGlobal{Obj: o, Decl: v})
	k.top().objs[v.Name] = o
}

// mapDef reads a map definition: its members' types say the map's type
// and sizes (__uint(n, v) is `int (*n)[v]`, __type(n, T) is `T *n`).
func (k *cchecker) mapDef(v *cc.VarDecl, t *Type) {
	if t.Kind != Struct {
		k.errorf(v.At, "map %s: a map is defined as a struct of __uint and __type members", v.Name)
		return
	}
	m := &CMap{Name: v.Name, MaxEntries: 0}
	for _, f := range t.Fields {
		if f.Type.Kind != Ptr {
			k.errorf(v.At, "map %s: member %s is not __uint(...) or __type(...)", v.Name, f.Name)
			return
		}
		n := f.Type.Elem.Len
		switch f.Name {
		case "type":
			m.Type = uint32(n)
		case "max_entries":
			m.MaxEntries = n
		case "map_flags":
			m.Flags = uint32(n)
		case "key_size":
			m.KeySize = n
		case "value_size":
			m.ValueSize = n
		case "key":
			m.KeySize = f.Type.Elem.Size
		case "value":
			m.ValueSize = f.Type.Elem.Size
		case "pinning":
			k.errorf(v.At, "map %s: pinned maps are not supported", v.Name)
			return
		default:
			k.errorf(v.At, "map %s: gotrace does not know the map attribute %s", v.Name, f.Name)
			return
		}
	}
	if m.Type == 0 {
		k.errorf(v.At, "map %s has no __uint(type, BPF_MAP_TYPE_...)", v.Name)
		return
	}
	k.p.Maps = append(k.p.Maps, m)
	k.top().objs[v.Name] = &CObject{Kind: CMapVar, Name: v.Name, Type: t, Map: m}
}

// nonConstant returns a part of an initializer that is not constant.
func (k *cchecker) nonConstant(e cc.Expr) cc.Expr {
	switch x := e.(type) {
	case *cc.InitList:
		for _, it := range x.Items {
			if bad := k.nonConstant(it.Value); bad != nil {
				return bad
			}
		}
		return nil
	case *cc.StringLit:
		return nil
	}
	if _, ok := k.p.Consts[e]; ok {
		return nil
	}
	return e
}

// varType resolves a variable's type, sizing an array declared with []
// from its initializer.
func (k *cchecker) varType(v *cc.VarDecl) *Type {
	t := k.ctype(v.Type)
	if t == nil || t.Kind != Array || t.Len != 0 {
		return t
	}
	switch x := v.Init.(type) {
	case *cc.StringLit:
		return ArrayOf(t.Elem, len(x.Value)+1)
	case *cc.InitList:
		n, next := 0, 0
		for _, it := range x.Items {
			if len(it.Designator) > 0 && it.Designator[0].Index != nil {
				i, ok := k.constExpr(it.Designator[0].Index)
				if !ok {
					return nil
				}
				next = int(i)
			}
			next++
			n = max(n, next)
		}
		return ArrayOf(t.Elem, n)
	}
	return t
}

func (k *cchecker) localVar(v *cc.VarDecl) {
	if v.Extern || v.Static {
		k.errorf(v.At, "%s: static and extern variables are not supported in functions (BPF has no per-function memory)", v.Name)
		return
	}
	t := k.varType(v)
	if t == nil {
		return
	}
	if t.Kind == Void || t.Kind == Struct && len(t.Fields) == 0 && t.Size == 0 {
		k.errorf(v.At, "variable %s has incomplete type %s", v.Name, t)
		return
	}
	o := &CObject{Kind: CLocal, Name: v.Name, Type: t, InMemory: !t.InRegister()}
	k.p.Decls[v] = o
	if v.Init != nil {
		k.initializer(v.Init, t)
	}
	k.top().objs[v.Name] = o
}

// initializer checks the initializer of an object of type t.
func (k *cchecker) initializer(init cc.Expr, t *Type) {
	il, ok := init.(*cc.InitList)
	if !ok {
		if s, ok := init.(*cc.StringLit); ok && t.Kind == Array && t.Elem.Size == 1 {
			k.expr(s)
			if len(s.Value) > t.Len {
				k.errorf(s.At, "the string has %d bytes, more than the array's %d", len(s.Value), t.Len)
			}
			return
		}
		if t.Kind == Struct || t.Kind == Array {
			if it := k.expr(init); it != nil && !Equal(it, t) {
				k.errorf(cc.PosOf(init), "cannot initialize %s with %s", t, it)
			}
			return
		}
		k.convertTo(init, t, "initialization")
		return
	}
	switch t.Kind {
	case Struct, Array:
	default:
		if len(il.Items) != 1 {
			k.errorf(il.At, "a scalar is initialized with one value")
			return
		}
		k.initializer(il.Items[0].Value, t)
		return
	}
	next := 0
	for _, it := range il.Items {
		cur, idx := t, next
		for j, d := range it.Designator {
			f, i, ok := k.designate(cur, d, it.At)
			if !ok {
				return
			}
			if j == 0 {
				idx = i
			}
			cur = f
		}
		if len(it.Designator) == 0 {
			var ok bool
			cur, ok = k.nth(t, idx, it.At)
			if !ok {
				return
			}
		}
		next = idx + 1
		k.initializer(it.Value, cur)
	}
}

// designate resolves .field or [index] in t: the member's type and its
// position in initializer order.
func (k *cchecker) designate(t *Type, d cc.Designator, at lang.Pos) (*Type, int, bool) {
	if d.Index != nil {
		if t.Kind != Array {
			k.errorf(at, "[index] designator in %s, which is not an array", t)
			return nil, 0, false
		}
		v, ok := k.constExpr(d.Index)
		if !ok {
			return nil, 0, false
		}
		if v < 0 || int(v) >= t.Len {
			k.errorf(at, "index %d is outside the array of %d", v, t.Len)
			return nil, 0, false
		}
		return t.Elem, int(v), true
	}
	if t.Kind != Struct {
		k.errorf(at, ".%s designator in %s, which is not a struct", d.Field, t)
		return nil, 0, false
	}
	for i, f := range t.Fields {
		if f.Name == d.Field {
			return f.Type, i, true
		}
	}
	if f, ok := CField(t, d.Field); ok {
		return f.Type, len(t.Fields), true
	}
	k.errorf(at, "%s has no member %s", t, d.Field)
	return nil, 0, false
}

// nth is the type of the i-th element an initializer list fills.
func (k *cchecker) nth(t *Type, i int, at lang.Pos) (*Type, bool) {
	switch {
	case t.Kind == Array && i < t.Len:
		return t.Elem, true
	case t.Kind == Struct && i < len(t.Fields):
		return t.Fields[i].Type, true
	}
	k.errorf(at, "too many values for %s", t)
	return nil, false
}

// CField finds a member of a struct or union, looking into anonymous
// members; the offset is from the start of t.
func CField(t *Type, name string) (Field, bool) {
	for _, f := range t.Fields {
		if f.Name == name {
			return f, true
		}
		if f.Name == "" && f.Type.Kind == Struct {
			if in, ok := CField(f.Type, name); ok {
				in.Offset += f.Offset
				return in, true
			}
		}
	}
	return Field{}, false
}

// ---- expressions ----

func isCInteger(t *Type) bool { return t.Kind == Int || t.Kind == Bool }

func isScalar(t *Type) bool { return t.Kind == Int || t.Kind == Bool || t.Kind == Ptr }

// promoted is t after C's integer promotions.
func promoted(t *Type) *Type {
	if t.Kind == Bool || t.Kind == Int && t.Size < 4 {
		return cInt
	}
	if t.Kind == Int && (t.Enum != nil || t.Name != "") {
		return IntType(t.Size, t.Signed)
	}
	return t
}

// arith is the common type of the usual arithmetic conversions.
func arith(a, b *Type) *Type {
	a, b = promoted(a), promoted(b)
	switch {
	case a.Size > b.Size:
		return a
	case b.Size > a.Size:
		return b
	case !a.Signed:
		return a
	}
	return b
}

// convertTo checks e and records its conversion to t, as an assignment
// converts.
func (k *cchecker) convertTo(e cc.Expr, t *Type, what string) {
	et := k.expr(e)
	if et == nil {
		return
	}
	if !k.assignable(e, et, t) {
		k.errorf(cc.PosOf(e), "%s: cannot convert %s to %s", what, et, t)
		return
	}
	k.p.Conv[e] = t
}

func (k *cchecker) assignable(e cc.Expr, from, to *Type) bool {
	from = Decayed(from)
	switch {
	case to.Kind == Bool:
		return isScalar(from)
	case to.Kind == Int:
		return isScalar(from) // pointers to integers: C warns, BPF code does it often
	case to.Kind == Ptr:
		if from.Kind == Ptr {
			return true
		}
		v, ok := k.p.Consts[e]
		return ok && v == 0 || from.Kind == Int && from.Size == 8
	case to.Kind == Struct:
		return from.Kind == Struct && Equal(from, to)
	}
	return false
}

func (k *cchecker) record(e cc.Expr, t *Type) *Type {
	if t != nil {
		k.p.Types[e] = t
	}
	return t
}

func (k *cchecker) constant(e cc.Expr, t *Type, v int64) *Type {
	k.p.Consts[e] = truncate(v, t)
	return k.record(e, t)
}

// CTruncate gives v as a value of integer type t holds it (sign- or
// zero-extended from t's size).
func CTruncate(v int64, t *Type) int64 { return truncate(v, t) }

// truncate gives v as a value of integer type t holds it.
func truncate(v int64, t *Type) int64 {
	if t == nil {
		return v
	}
	if t.Kind == Bool {
		if v != 0 {
			return 1
		}
		return 0
	}
	if t.Kind != Int || t.Size >= 8 {
		return v
	}
	bits := uint(t.Size * 8)
	if t.Signed {
		return v << (64 - bits) >> (64 - bits)
	}
	return int64(uint64(v) << (64 - bits) >> (64 - bits))
}

// lvalue reports whether e designates an object.
func (k *cchecker) lvalue(e cc.Expr) bool {
	switch e := e.(type) {
	case *cc.Ident:
		o := k.p.Objs[e]
		return o != nil && (o.Kind == CLocal || o.Kind == CParam || o.Kind == CGlobalVar || o.Kind == CMapVar)
	case *cc.Unary:
		return e.Op == "*"
	case *cc.Index, *cc.CompoundLit:
		return true
	case *cc.Member:
		return e.Arrow || k.lvalue(e.X)
	}
	return false
}

// markInMemory notes that the object under an & lives in memory.
func (k *cchecker) markInMemory(e cc.Expr) {
	switch e := e.(type) {
	case *cc.Ident:
		if o := k.p.Objs[e]; o != nil && (o.Kind == CLocal || o.Kind == CParam) {
			o.InMemory = true
		}
	case *cc.Member:
		if !e.Arrow {
			k.markInMemory(e.X)
		}
	case *cc.Index:
		if t := k.p.Types[e.X]; t != nil && t.Kind == Array {
			k.markInMemory(e.X)
		}
	}
}

func (k *cchecker) expr(e cc.Expr) *Type {
	if t, ok := k.p.Types[e]; ok {
		return t
	}
	return k.record(e, k.exprType(e))
}

// exprType computes the type of e (nil after an error).
func (k *cchecker) exprType(e cc.Expr) *Type {
	switch e := e.(type) {
	case *cc.IntLit:
		return k.constant(e, intLitType(e), int64(e.Value))
	case *cc.StringLit:
		return ArrayOf(cChar, len(e.Value)+1)
	case *cc.Ident:
		return k.ident(e)
	case *cc.Unary:
		return k.unary(e)
	case *cc.Postfix:
		t := k.expr(e.X)
		if t != nil && !k.incrementable(e.X, t, e.Op) {
			return nil
		}
		return t
	case *cc.Binary:
		return k.binary(e)
	case *cc.Assign:
		return k.assign(e)
	case *cc.Cond:
		return k.ternary(e)
	case *cc.Call:
		return k.call(e)
	case *cc.Index:
		xt, it := k.expr(e.X), k.expr(e.I)
		if xt == nil || it == nil {
			return nil
		}
		xt = Decayed(xt)
		if xt.Kind != Ptr || xt.Elem.Kind == Void {
			k.errorf(e.At, "cannot index %s", xt)
			return nil
		}
		if !isCInteger(it) {
			k.errorf(cc.PosOf(e.I), "an index must be an integer, not %s", it)
			return nil
		}
		k.p.Conv[e.I] = Int64
		return xt.Elem
	case *cc.Member:
		return k.member(e)
	case *cc.Cast:
		to := k.ctype(e.Type)
		from := k.expr(e.X)
		if to == nil || from == nil {
			return nil
		}
		from = Decayed(from)
		if to.Kind != Void && (!isScalar(to) || !isScalar(from)) {
			k.errorf(e.At, "cannot cast %s to %s", from, to)
			return nil
		}
		if v, ok := k.p.Consts[e.X]; ok && isCInteger(to) {
			return k.constant(e, to, v)
		}
		if v, ok := k.p.Consts[e.X]; ok && to.Kind == Ptr && v == 0 {
			return k.constant(e, to, 0)
		}
		return to
	case *cc.Sizeof:
		var t *Type
		if e.Type != nil {
			t = k.ctype(e.Type)
		} else {
			t = k.expr(e.X)
		}
		if t == nil {
			return nil
		}
		if e.Align {
			return k.constant(e, Uint64, int64(t.Align()))
		}
		return k.constant(e, Uint64, int64(t.Size))
	case *cc.Offsetof:
		t := k.ctype(e.Type)
		if t == nil {
			return nil
		}
		off := 0
		for _, part := range e.Path {
			name, idx, _ := strings.Cut(part, "[")
			f, ok := CField(t, name)
			if t.Kind != Struct || !ok {
				k.errorf(e.At, "%s has no member %s", t, name)
				return nil
			}
			off += f.Offset
			t = f.Type
			for idx != "" {
				var n string
				n, idx, _ = strings.Cut(idx, "]")
				idx = strings.TrimPrefix(idx, "[")
				v, err := parseCInt(n)
				if t.Kind != Array || err != nil {
					k.errorf(e.At, "bad index [%s] in offsetof", n)
					return nil
				}
				off += int(v) * t.Elem.Size
				t = t.Elem
			}
		}
		return k.constant(e, Uint64, int64(off))
	case *cc.CompoundLit:
		t := k.ctype(e.Type)
		if t == nil {
			return nil
		}
		k.initializer(e.Init, t)
		return t
	case *cc.InitList:
		k.errorf(e.At, "a brace initializer goes in a declaration")
		return nil
	}
	k.errorf(cc.PosOf(e), "unsupported expression")
	return nil
}

func parseCInt(s string) (int64, error) {
	return strconv.ParseInt(strings.TrimSpace(s), 0, 64)
}

// intLitType is the type C gives an integer constant: the first of
// int, unsigned int (not for decimal), long, unsigned long that holds
// it, starting at unsigned with a U suffix and at long with an L.
func intLitType(e *cc.IntLit) *Type {
	if e.Char {
		return cInt
	}
	v := e.Value
	switch {
	case e.Longs == 0 && !e.Unsigned && v <= 1<<31-1:
		return Int32
	case e.Longs == 0 && (e.Unsigned || !e.Decimal) && v <= 1<<32-1:
		return Uint32
	case !e.Unsigned && v <= 1<<63-1:
		return Int64
	}
	return Uint64
}

func (k *cchecker) ident(e *cc.Ident) *Type {
	o, td := k.lookup(e.Name)
	if td != nil {
		k.errorf(e.At, "%s is a type, not a value", e.Name)
		return nil
	}
	if o == nil {
		if v, ok := bpfConstants[e.Name]; ok {
			return k.constant(e, Int64, v)
		}
		if v, ok := cConstant(e.Name); ok {
			return k.constant(e, cInt, v)
		}
		if id, ok := helperNumber(e.Name); ok && id != 0 {
			k.errorf(e.At, "the BPF helper %s can only be called", e.Name)
			return nil
		}
		k.errorf(e.At, "use of undeclared identifier '%s'", e.Name)
		return nil
	}
	k.p.Objs[e] = o
	switch o.Kind {
	case CConstant:
		return k.constant(e, o.Type, o.Value)
	case CFunction:
		if o.Func.Kfunc {
			// `if (bpf_kfunc)`: whether the kernel has it
			return k.constant(e, funcPtr, int64(min(o.Func.KfuncID, 1)))
		}
		return funcPtr
	}
	return o.Type
}

func (k *cchecker) incrementable(x cc.Expr, t *Type, op string) bool {
	if !k.lvalue(x) {
		k.errorf(cc.PosOf(x), "%s needs a variable or memory location", op)
		return false
	}
	if !isScalar(t) {
		k.errorf(cc.PosOf(x), "cannot apply %s to %s", op, t)
		return false
	}
	return true
}

func (k *cchecker) unary(e *cc.Unary) *Type {
	t := k.expr(e.X)
	if t == nil {
		return nil
	}
	cv, isConst := k.p.Consts[e.X]
	switch e.Op {
	case "-", "+", "~":
		if !isCInteger(t) {
			k.errorf(e.At, "cannot apply %s to %s", e.Op, t)
			return nil
		}
		pt := promoted(t)
		k.p.Conv[e.X] = pt
		if isConst {
			switch e.Op {
			case "-":
				cv = -cv
			case "~":
				cv = ^cv
			}
			return k.constant(e, pt, cv)
		}
		return pt
	case "!":
		if !isScalar(Decayed(t)) {
			k.errorf(e.At, "cannot apply ! to %s", t)
			return nil
		}
		if isConst {
			return k.constant(e, cInt, b2i(cv == 0))
		}
		return cInt
	case "*":
		pt := Decayed(t)
		if pt.Kind != Ptr || pt.Elem.Kind == Void {
			k.errorf(e.At, "cannot dereference %s", t)
			return nil
		}
		return pt.Elem
	case "&":
		if id, ok := e.X.(*cc.Ident); ok && k.p.Objs[id] != nil && k.p.Objs[id].Kind == CFunction {
			return funcPtr
		}
		if !k.lvalue(e.X) {
			k.errorf(e.At, "cannot take the address of this expression")
			return nil
		}
		k.markInMemory(e.X)
		return PtrTo(t, false)
	case "++", "--":
		if !k.incrementable(e.X, t, e.Op) {
			return nil
		}
		return t
	}
	k.errorf(e.At, "unknown operator %s", e.Op)
	return nil
}

func (k *cchecker) binary(e *cc.Binary) *Type {
	xt, yt := k.expr(e.X), k.expr(e.Y)
	if xt == nil || yt == nil {
		return nil
	}
	xv, xc := k.p.Consts[e.X]
	yv, yc := k.p.Consts[e.Y]
	both := xc && yc
	xd, yd := Decayed(xt), Decayed(yt)
	switch e.Op {
	case ",":
		return yt
	case "&&", "||":
		if !isScalar(xd) || !isScalar(yd) {
			k.errorf(e.At, "%s takes integers or pointers", e.Op)
			return nil
		}
		if both {
			if e.Op == "&&" {
				return k.constant(e, cInt, b2i(xv != 0 && yv != 0))
			}
			return k.constant(e, cInt, b2i(xv != 0 || yv != 0))
		}
		return cInt
	case "==", "!=", "<", ">", "<=", ">=":
		if xd.Kind == Ptr || yd.Kind == Ptr {
			if !isScalar(xd) || !isScalar(yd) {
				k.errorf(e.At, "cannot compare %s and %s", xt, yt)
				return nil
			}
			k.p.Conv[e.X], k.p.Conv[e.Y] = Uint64, Uint64
			return cInt
		}
		if !isCInteger(xd) || !isCInteger(yd) {
			k.errorf(e.At, "cannot compare %s and %s", xt, yt)
			return nil
		}
		ct := arith(xd, yd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = ct, ct
		if both {
			return k.constant(e, cInt, b2i(compareConst(BinaryOp(e.Op), truncate(xv, ct), truncate(yv, ct), ct.Signed)))
		}
		return cInt
	case "+", "-":
		switch {
		case xd.Kind == Ptr && yd.Kind == Ptr && e.Op == "-":
			k.p.Conv[e.X], k.p.Conv[e.Y] = Uint64, Uint64
			return Int64
		case xd.Kind == Ptr && isCInteger(yd):
			k.p.Conv[e.Y] = Int64
			return xd
		case yd.Kind == Ptr && isCInteger(xd) && e.Op == "+":
			k.p.Conv[e.X] = Int64
			return yd
		}
	}
	if !isCInteger(xd) || !isCInteger(yd) {
		k.errorf(e.At, "invalid operands to %s: %s and %s", e.Op, xt, yt)
		return nil
	}
	var rt *Type
	if e.Op == "<<" || e.Op == ">>" {
		rt = promoted(xd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = rt, promoted(yd)
	} else {
		rt = arith(xd, yd)
		k.p.Conv[e.X], k.p.Conv[e.Y] = rt, rt
	}
	if both {
		if v, ok := arithConst(BinaryOp(e.Op), truncate(xv, rt), truncate(yv, rt), rt.Signed); ok {
			return k.constant(e, rt, v)
		}
		if e.Op == "/" || e.Op == "%" {
			k.errorf(e.At, "division by zero")
		}
	}
	return rt
}

func (k *cchecker) assign(e *cc.Assign) *Type {
	xt := k.expr(e.X)
	if xt == nil {
		k.expr(e.Y)
		return nil
	}
	if !k.lvalue(e.X) || xt.Kind == Array {
		k.errorf(e.At, "%s needs a variable or memory location on its left", e.Op)
		k.expr(e.Y)
		return nil
	}
	if e.Op == "=" {
		if xt.Kind == Struct {
			if yt := k.expr(e.Y); yt != nil && !Equal(yt, xt) {
				k.errorf(e.At, "cannot assign %s to %s", yt, xt)
			}
			return xt
		}
		k.convertTo(e.Y, xt, "assignment")
		return xt
	}
	yt := k.expr(e.Y)
	if yt == nil {
		return nil
	}
	op := strings.TrimSuffix(e.Op, "=")
	yd := Decayed(yt)
	switch {
	case xt.Kind == Ptr && (op == "+" || op == "-") && isCInteger(yd):
		k.p.Conv[e.Y] = Int64
		k.p.OpType[e] = xt
	case isCInteger(xt) && isCInteger(yd):
		ct := arith(xt, yd)
		if op == "<<" || op == ">>" {
			ct = promoted(xt)
			k.p.Conv[e.Y] = promoted(yd)
		} else {
			k.p.Conv[e.Y] = ct
		}
		k.p.OpType[e] = ct
	default:
		k.errorf(e.At, "invalid operands to %s: %s and %s", e.Op, xt, yt)
		return nil
	}
	return xt
}

func (k *cchecker) ternary(e *cc.Cond) *Type {
	k.cond(e.C)
	then := e.Then
	if then == nil {
		then = e.C
	}
	at, bt := k.expr(then), k.expr(e.Else)
	if at == nil || bt == nil {
		return nil
	}
	ad, bd := Decayed(at), Decayed(bt)
	var rt *Type
	switch {
	case isCInteger(ad) && isCInteger(bd):
		rt = arith(ad, bd)
	case ad.Kind == Ptr && bd.Kind == Ptr:
		rt = ad
		if ad.Elem.Kind == Void {
			rt = bd
		}
	case ad.Kind == Ptr && isCInteger(bd):
		rt = ad
	case bd.Kind == Ptr && isCInteger(ad):
		rt = bd
	case ad.Kind == Void && bd.Kind == Void:
		return VoidType
	case ad.Kind == Struct && Equal(ad, bd):
		k.errorf(e.At, "a ?: of structs is not supported; use if")
		return nil
	default:
		k.errorf(e.At, "the branches of ?: have types %s and %s", at, bt)
		return nil
	}
	if e.Then != nil {
		k.p.Conv[e.Then] = rt
	}
	k.p.Conv[e.Else] = rt
	if cv, ok := k.p.Consts[e.C]; ok {
		pick := e.Else
		if cv != 0 {
			pick = then
		}
		if v, ok := k.p.Consts[pick]; ok {
			return k.constant(e, rt, v)
		}
	}
	return rt
}

func (k *cchecker) member(e *cc.Member) *Type {
	t := k.expr(e.X)
	if t == nil {
		return nil
	}
	if e.Arrow {
		t = Decayed(t)
		if t.Kind != Ptr {
			k.errorf(e.At, "-> on %s, which is not a pointer", t)
			return nil
		}
		t = t.Elem
	}
	if t.Kind != Struct {
		k.errorf(e.At, "%s is not a struct or union", t)
		return nil
	}
	if len(t.Fields) == 0 && t.Size == 0 {
		k.errorf(e.At, "%s is incomplete (include \"vmlinux.h\" for the kernel's types, or define it)", t)
		return nil
	}
	f, ok := CField(t, e.Name)
	if !ok {
		k.errorf(e.At, "%s has no member %s", t, e.Name)
		return nil
	}
	return f.Type
}

// cBuiltins are the compiler builtins C files may call, with their
// number of arguments.
var cBuiltins = map[string]int{
	"__builtin_expect": 2, "__builtin_memcpy": 3, "__builtin_memset": 3,
	"__builtin_bswap16": 1, "__builtin_bswap32": 1, "__builtin_bswap64": 1,
	"bpf_printk": -1,
	// atomics: the old value (fetch_and_OP) or the new one (OP_and_fetch)
	"__sync_fetch_and_add": 2, "__sync_fetch_and_sub": 2, "__sync_fetch_and_or": 2, "__sync_fetch_and_and": 2, "__sync_fetch_and_xor": 2,
	"__sync_add_and_fetch": 2, "__sync_sub_and_fetch": 2,
	"__atomic_fetch_add": 3, "__atomic_fetch_sub": 3, "__atomic_fetch_or": 3, "__atomic_fetch_and": 3, "__atomic_fetch_xor": 3,
	"__atomic_add_fetch": 3, "__atomic_sub_fetch": 3,
	// <bpf/bpf_endian.h>: byte order on a little-endian machine
	"bpf_htons": 1, "bpf_ntohs": 1, "bpf_htonl": 1, "bpf_ntohl": 1,
	"bpf_cpu_to_be64": 1, "bpf_be64_to_cpu": 1,
}

// cSwaps are the byte-order builtins and the swap each one is.
var cSwaps = map[string]string{
	"bpf_htons": "__builtin_bswap16", "bpf_ntohs": "__builtin_bswap16",
	"bpf_htonl": "__builtin_bswap32", "bpf_ntohl": "__builtin_bswap32",
	"bpf_cpu_to_be64": "__builtin_bswap64", "bpf_be64_to_cpu": "__builtin_bswap64",
}

func (k *cchecker) call(e *cc.Call) *Type {
	id, ok := e.Fun.(*cc.Ident)
	if !ok {
		k.expr(e.Fun)
		k.errorf(e.At, "BPF has no indirect calls: call a function by its name")
		return nil
	}
	if o, td := k.lookup(id.Name); o != nil && o.Kind == CFunction {
		k.p.Objs[id] = o
		return k.callFunc(e, o.Func)
	} else if td == nil && o == nil {
		if t, ok := k.coreCall(e, id.Name); ok {
			return t
		}
		if n, ok := cBuiltins[id.Name]; ok {
			return k.builtinCall(e, id.Name, n)
		}
		if fn, ok := helperNumber(id.Name); ok {
			return k.helperCall(e, fn)
		}
	}
	if o, _ := k.lookup(id.Name); o != nil {
		if o.Type == funcPtr {
			k.errorf(e.At, "BPF has no indirect calls: %s is a function pointer; call a function by its name", id.Name)
		} else {
			k.errorf(e.At, "%s is not a function", id.Name)
		}
		return nil
	}
	k.errorf(id.At, "call to undeclared function '%s'", id.Name)
	return nil
}

func (k *cchecker) callFunc(e *cc.Call, f *CFunc) *Type {
	if len(e.Args) != len(f.Params) {
		k.errorf(e.At, "%s takes %d argument%s, not %d", f.Name, len(f.Params), plural(len(f.Params)), len(e.Args))
		return nil
	}
	for i, a := range e.Args {
		k.convertTo(a, f.Params[i].Type, "argument "+strconv.Itoa(i+1)+" of "+f.Name)
	}
	return f.Result
}

func (k *cchecker) builtinCall(e *cc.Call, name string, n int) *Type {
	if n >= 0 && len(e.Args) != n {
		k.errorf(e.At, "%s takes %d argument%s", name, n, plural(n))
		return nil
	}
	switch name {
	case "__builtin_expect":
		t := k.expr(e.Args[0])
		k.expr(e.Args[1])
		if t != nil {
			if v, ok := k.p.Consts[e.Args[0]]; ok {
				return k.constant(e, t, v)
			}
		}
		return t
	case "__builtin_memcpy", "__builtin_memset":
		for _, a := range e.Args[:2] {
			k.expr(a)
		}
		if t := k.p.Types[e.Args[0]]; t != nil && Decayed(t).Kind != Ptr {
			k.errorf(cc.PosOf(e.Args[0]), "%s writes through a pointer, not %s", name, t)
		}
		if _, ok := k.constExpr(e.Args[2]); !ok {
			return nil
		}
		return PtrTo(VoidType, false)
	case "__sync_fetch_and_add", "__sync_fetch_and_sub", "__sync_fetch_and_or", "__sync_fetch_and_and", "__sync_fetch_and_xor",
		"__sync_add_and_fetch", "__sync_sub_and_fetch",
		"__atomic_fetch_add", "__atomic_fetch_sub", "__atomic_fetch_or", "__atomic_fetch_and", "__atomic_fetch_xor",
		"__atomic_add_fetch", "__atomic_sub_fetch":
		pt := k.expr(e.Args[0])
		if pt == nil {
			return nil
		}
		pt = Decayed(pt)
		if pt.Kind != Ptr || pt.Elem.Kind != Int || pt.Elem.Size < 4 {
			k.errorf(cc.PosOf(e.Args[0]), "%s takes a pointer to a 4- or 8-byte integer, not %s", name, pt)
			return nil
		}
		k.convertTo(e.Args[1], pt.Elem, name)
		if len(e.Args) == 3 {
			k.expr(e.Args[2]) // the memory order: BPF's atomics are all sequentially consistent
		}
		return pt.Elem
	case "bpf_printk":
		if len(e.Args) < 1 || len(e.Args) > 4 {
			k.errorf(e.At, "bpf_printk takes a format string and up to 3 values")
			return nil
		}
		if _, ok := e.Args[0].(*cc.StringLit); !ok {
			k.errorf(cc.PosOf(e.Args[0]), "bpf_printk's format must be a string literal")
			return nil
		}
		for _, a := range e.Args[1:] {
			k.convertTo(a, Uint64, "bpf_printk")
		}
		return Int64
	}
	if sw, ok := cSwaps[name]; ok {
		name = sw
	}
	size := map[string]*Type{"__builtin_bswap16": Uint16, "__builtin_bswap32": Uint32, "__builtin_bswap64": Uint64}[name]
	k.convertTo(e.Args[0], size, name)
	return size
}

// helperResults are the helpers that return something else than a long.
var helperResults = map[asm.BuiltinFunc]func() *Type{
	asm.FnMapLookupElem:      func() *Type { return PtrTo(VoidType, false) },
	asm.FnGetCurrentPidTgid:  func() *Type { return Uint64 },
	asm.FnKtimeGetNs:         func() *Type { return Uint64 },
	asm.FnKtimeGetBootNs:     func() *Type { return Uint64 },
	asm.FnGetCurrentUidGid:   func() *Type { return Uint64 },
	asm.FnGetCurrentTask:     func() *Type { return Uint64 },
	asm.FnGetPrandomU32:      func() *Type { return Uint32 },
	asm.FnGetSmpProcessorId:  func() *Type { return Uint32 },
	asm.FnGetCurrentCgroupId: func() *Type { return Uint64 },
	asm.FnJiffies64:          func() *Type { return Uint64 },
}

func (k *cchecker) helperCall(e *cc.Call, fn asm.BuiltinFunc) *Type {
	if len(e.Args) > 5 {
		k.errorf(e.At, "BPF helpers take at most 5 arguments")
		return nil
	}
	for _, a := range e.Args {
		t := k.expr(a)
		if t == nil {
			continue
		}
		switch d := Decayed(t); {
		case d.Kind == Ptr:
			k.p.Conv[a] = Uint64
			if id, ok := a.(*cc.Ident); ok && k.p.Objs[id] != nil && k.p.Objs[id].Kind == CFunction && k.p.Objs[id].Func.Kfunc {
				k.errorf(id.At, "a kernel function cannot be a callback")
			}
		case isCInteger(d):
			k.p.Conv[a] = IntType(8, promoted(d).Signed)
		default:
			k.errorf(cc.PosOf(a), "a helper argument must be an integer or a pointer, not %s", t)
		}
	}
	k.p.Helpers[e] = fn
	if r, ok := helperResults[fn]; ok {
		return r()
	}
	if fn == asm.FnGetCurrentTaskBtf {
		if st := k.kernelStructQuiet("struct task_struct"); st != nil {
			return PtrTo(st, false)
		}
	}
	return Int64
}

// helperNumber finds the BPF helper a C name (bpf_probe_read_kernel)
// calls, by the one table of helper names vm/insn derives from
// cilium/ebpf's asm.BuiltinFunc.
func helperNumber(name string) (asm.BuiltinFunc, bool) {
	if !strings.HasPrefix(name, "bpf_") {
		return 0, false
	}
	return insn.HelperByName(name)
}

// ---- calls from the script ----

// scriptCall types a call of an imported C function from the script: an
// integer argument is converted to the parameter's type, a pointer is
// passed as it is, a value kept in memory (a string, a buffer, a struct)
// goes to a pointer parameter as its address, and so does a map named
// without keys (`f(@m)`), for C's map helpers (keys and values are laid
// out as the script stores them).
func (c *checker) scriptCall(e *lang.Call) (*Type, bool) {
	if c.info.C == nil {
		return nil, false
	}
	f := c.info.C.Funcs[e.Fun]
	if f == nil {
		for _, g := range c.info.C.Order {
			if g.Name == e.Fun {
				c.errorf(e.At, "%s is static in %s: a script calls the functions a C file shares", e.Fun, g.Decl.At.File)
				return nil, true
			}
		}
	}
	if f == nil || f.Kfunc || f.Decl.Body == nil {
		return nil, false
	}
	if len(e.Args) != len(f.Params) {
		c.errorf(e.At, "%s takes %d argument%s, got %d", f.Name, len(f.Params), plural(len(f.Params)), len(e.Args))
		return nil, true
	}
	for i, a := range e.Args {
		pt := f.Params[i].Type
		if m, ok := a.(*lang.MapExpr); ok && len(m.Keys) == 0 && pt.Kind == Ptr {
			// a map itself: C gets its address for the map helpers
			if c.info.Maps[m.Name] == nil && !c.infer {
				c.errorf(m.At, "%s is passed to %s but the script never stores into it, so it has no key and value types", m.Name, f.Name)
			}
			c.record(m, PtrTo(VoidType, false))
			continue
		}
		t := c.expr(a)
		if t == nil || t.Kind == Invalid {
			continue
		}
		ok := false
		switch pt.Kind {
		case Int, Bool:
			ok = t.IsInteger()
		case Ptr:
			ok = t.Kind == Ptr || !t.InRegister() && t.Kind != Void && t.Kind != Agg
		}
		if !ok {
			name := f.Params[i].Name
			if name == "" {
				name = strconv.Itoa(i + 1)
			}
			c.errorf(a.Pos(), "%s: argument %s is %s in C, and this is %s", f.Name, name, pt, t)
		}
	}
	if c.info.CCalls == nil {
		c.info.CCalls = map[*lang.Call]*CFunc{}
	}
	c.info.CCalls[e] = f
	switch r := f.Result; r.Kind {
	case Void, Bool, Ptr:
		return r, true
	default:
		return IntType(r.Size, r.Signed), true
	}
}
