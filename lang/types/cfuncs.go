package types

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/cc"
)

// Imported C.
//
// A script may import .bpf.c files; their functions can then be called
// from the script like builtins. lang/cc parses each file; the checker
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
//
// This file holds what the checker records, its scopes and the
// declarations of functions; cfuncs_types.go resolves C types,
// cfuncs_stmt.go checks statements, variables and initializers,
// cfuncs_expr.go expressions, and cfuncs_calls.go calls of functions,
// helpers and builtins, and the script's calls of C functions.

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
	"__builtin_va_list": ArrayOf(Uint64, 3),
	"float":             FloatType(4), "double": FloatType(8), "long double": FloatType(16),
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
