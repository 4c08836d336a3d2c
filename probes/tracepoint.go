package probes

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
)

// tpField is one line "field:TYPE NAME; offset:N; size:N; signed:N;" of
// a tracepoint format file.
type tpField struct {
	Decl     string // "const char * filename", as written
	CType    string // "const char *"
	Name     string // "filename"
	ArrayLen int    // -1: not an array; 0: "[]"
	Offset   int
	Size     int
	Signed   bool
	Common   bool // one of the common_ fields every event starts with
}

// parseFormat reads the fields of a tracepoint format file.
func parseFormat(text string) ([]tpField, error) {
	var fields []tpField
	common := true
	seenField := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			if seenField {
				common = false
			}
			continue
		}
		if !strings.HasPrefix(trimmed, "field:") {
			continue
		}
		seenField = true
		f, err := parseFormatField(trimmed)
		if err != nil {
			return nil, err
		}
		f.Common = common || strings.HasPrefix(f.Name, "common_")
		fields = append(fields, f)
	}
	if len(fields) == 0 {
		return nil, errors.New("format file has no fields")
	}
	return fields, nil
}

func formatSection(line, title string) (string, error) {
	i := strings.Index(line, title)
	if i < 0 {
		return "", fmt.Errorf("could not parse %q in %q", title, line)
	}
	rest := line[i+len(title):]
	j := strings.IndexByte(rest, ';')
	if j < 0 {
		return "", fmt.Errorf("could not parse %q in %q", title, line)
	}
	return rest[:j], nil
}

func parseFormatField(line string) (tpField, error) {
	f := tpField{ArrayLen: -1}
	decl, err := formatSection(line, "field:")
	if err != nil {
		return f, err
	}
	f.Decl = strings.TrimSpace(decl)
	i := strings.LastIndexAny(f.Decl, " \t")
	if i < 0 {
		return f, fmt.Errorf("could not parse type of %q", decl)
	}
	f.CType, f.Name = strings.TrimSpace(f.Decl[:i]), f.Decl[i+1:]
	if j := strings.IndexByte(f.Name, '['); j >= 0 {
		k := strings.IndexByte(f.Name, ']')
		if k < j {
			return f, fmt.Errorf("could not parse array size of %q", decl)
		}
		n := strings.TrimSpace(f.Name[j+1 : k])
		f.ArrayLen = 0
		if n != "" {
			v, err := strconv.Atoi(n)
			if err != nil {
				// sizes like [TASK_COMM_LEN] are resolved from size below
				v = -2
			}
			f.ArrayLen = v
		}
		f.Name = f.Name[:j]
	}
	for _, sec := range []struct {
		title string
		dst   *int
	}{{"offset:", &f.Offset}, {"size:", &f.Size}} {
		s, err := formatSection(line, sec.title)
		if err != nil {
			return f, err
		}
		if *sec.dst, err = strconv.Atoi(s); err != nil {
			return f, fmt.Errorf("could not parse %s in %q", sec.title, line)
		}
	}
	if s, err := formatSection(line, "signed:"); err == nil {
		f.Signed = s == "1"
	}
	return f, nil
}

var charType = &types.Type{Kind: types.Int, Size: 1, Signed: true, Name: "char"}

// baseCType maps a C type name without pointers or array brackets to a
// gotrace type; size and signed come from the format file.
func baseCType(ctype string, size int, signed bool) *types.Type {
	words := strings.Fields(ctype)
	var kept []string
	for _, w := range words {
		switch w {
		case "const", "volatile", "__user", "__rcu", "__iomem", "__percpu", "__attribute__((btf_type_tag(\"user\")))":
			continue
		}
		kept = append(kept, w)
	}
	t := strings.Join(kept, " ")
	switch {
	case t == "char" || t == "signed char":
		if size == 1 {
			return charType
		}
	case t == "void":
		return types.VoidType
	case strings.HasPrefix(t, "struct ") || strings.HasPrefix(t, "union "):
		return &types.Type{Kind: types.Struct, Name: t, Size: size}
	}
	switch size {
	case 1, 2, 4, 8:
		return types.IntType(size, signed)
	}
	if size <= 0 {
		return types.Uint8
	}
	return types.ArrayOf(types.Uint8, size)
}

// fieldType is the gotrace type of a format field.
func fieldType(f tpField, user bool) *types.Type {
	ctype := f.CType
	if strings.HasPrefix(ctype, "__data_loc") {
		return types.StrType(0)
	}
	if norm := normalizeCType(ctype); strings.Contains(norm, "*") {
		base := strings.TrimSpace(norm[:strings.IndexByte(norm, '*')])
		depth := strings.Count(norm, "*")
		isUser := user || strings.Contains(ctype, "__user")
		var elem *types.Type
		switch {
		case base == "void":
			elem = types.VoidType
		case strings.HasPrefix(base, "struct ") || strings.HasPrefix(base, "union "):
			elem = &types.Type{Kind: types.Struct, Name: base}
		default:
			elem = baseCType(base, max(cTypeSize(base), 1), cTypeSigned(base))
		}
		for i := 1; i < depth; i++ {
			elem = types.PtrTo(elem, isUser)
		}
		return types.PtrTo(elem, isUser)
	}
	if f.ArrayLen != -1 {
		n := f.ArrayLen
		esize := cTypeSize(ctype)
		if n == -2 || esize == 0 {
			if esize == 0 {
				esize = 1
			}
			n = f.Size / esize
		} else if n > 0 {
			esize = f.Size / n
		}
		elem := baseCType(ctype, esize, cTypeSigned(ctype))
		if ctype == "char" || ctype == "signed char" {
			elem = charType
		}
		return types.ArrayOf(elem, n)
	}
	// Syscall arguments are stored as 8-byte longs but declared with their
	// C types ("int dfd"): read them as the C type, as bpftrace does, so
	// that -100 is -100 and not 4294967196.
	if n := cTypeSize(ctype); n > 0 && n < f.Size {
		return baseCType(ctype, n, cTypeSigned(ctype))
	}
	if cTypeSize(ctype) > 0 {
		return baseCType(ctype, f.Size, cTypeSigned(ctype))
	}
	return baseCType(ctype, f.Size, f.Signed)
}

// normalizeCType drops qualifiers and spacing: "const char *const *"
// becomes "char **".
func normalizeCType(ctype string) string {
	c := strings.ReplaceAll(ctype, "*", " * ")
	var kept []string
	for _, w := range strings.Fields(c) {
		switch w {
		case "const", "volatile", "__user", "__rcu", "__iomem", "__percpu", "restrict", "__restrict":
			continue
		}
		kept = append(kept, w)
	}
	return strings.ReplaceAll(strings.Join(kept, " "), " *", "*")
}

// sizeQualifiers and signQualifiers drop the qualifiers that do not
// change a type's size or sign. A Replacer builds its tables the first
// time it replaces: made once, they serve every field of every format.
var (
	sizeQualifiers = strings.NewReplacer("const ", "", "volatile ", "", "__user ", "")
	signQualifiers = strings.NewReplacer("const ", "", "volatile ", "")
)

// cTypeSize is the size of a C scalar type on 64-bit Linux when the
// format does not say it (pointer targets, array elements); 0 if unknown.
func cTypeSize(ctype string) int {
	t := strings.TrimSpace(sizeQualifiers.Replace(ctype + " "))
	switch t {
	case "char", "signed char", "unsigned char", "u8", "s8", "__u8", "__s8", "bool", "_Bool", "uint8_t", "int8_t":
		return 1
	case "short", "unsigned short", "short int", "short unsigned int", "u16", "s16", "__u16", "__s16", "__le16", "__be16", "uint16_t", "int16_t":
		return 2
	case "int", "unsigned int", "unsigned", "u32", "s32", "__u32", "__s32", "__le32", "__be32", "uint32_t", "int32_t", "pid_t", "uid_t", "gid_t", "umode_t":
		if t == "umode_t" {
			return 2
		}
		return 4
	case "long", "unsigned long", "long int", "long unsigned int", "long long", "unsigned long long", "u64", "s64", "__u64", "__s64",
		"__le64", "__be64", "uint64_t", "int64_t", "size_t", "ssize_t", "loff_t", "off_t", "dma_addr_t", "phys_addr_t", "sector_t", "ino_t", "dev_t":
		if t == "dev_t" {
			return 4
		}
		return 8
	}
	return 0
}

func cTypeSigned(ctype string) bool {
	t := strings.TrimSpace(signQualifiers.Replace(ctype + " "))
	if strings.HasPrefix(t, "unsigned") || strings.HasPrefix(t, "u") || strings.HasPrefix(t, "__u") || strings.HasPrefix(t, "__le") ||
		strings.HasPrefix(t, "__be") || t == "size_t" || t == "bool" || t == "_Bool" || t == "dma_addr_t" || t == "phys_addr_t" || t == "sector_t" {
		return false
	}
	return true
}

// tracepointArgs lays out the `args` struct of a tracepoint.
func tracepointArgs(category, event string, fields []tpField) *types.Type {
	user := category == "syscalls"
	st := &types.Type{Kind: types.Struct, Name: "struct _tracepoint_" + category + "_" + event}
	end := 0
	for _, f := range fields {
		ft := fieldType(f, user)
		dataLoc := strings.HasPrefix(f.CType, "__data_loc")
		st.Fields = append(st.Fields, types.Field{Name: f.Name, Offset: f.Offset, Type: ft, DataLoc: dataLoc})
		if e := f.Offset + f.Size; e > end {
			end = e
		}
	}
	a := st.Align()
	st.Size = (end + a - 1) / a * a
	return st
}

// enumFields gives the fields of a tracepoint's args declared as an enum
// ("enum skb_drop_reason reason") that enum's type from the kernel's BTF,
// so that printing them with %s, or print(), shows the enumerator's name.
// The field keeps the size and sign the format gives it.
func (e *env) enumFields(args *types.Type, fields []tpField) {
	var spec *btf.Spec
	for i, f := range fields {
		name, ok := strings.CutPrefix(normalizeCType(f.CType), "enum ")
		if !ok || strings.Contains(name, "*") || f.ArrayLen != -1 || args.Fields[i].Type.Kind != types.Int {
			continue
		}
		if spec == nil {
			s, err := e.t.KernelBTF()
			if err != nil {
				return
			}
			spec = s
		}
		var en *btf.Enum
		if spec.TypeByName(name, &en) != nil {
			continue
		}
		e.mu.Lock()
		t := *e.btfConv().convert(en)
		e.mu.Unlock()
		t.Size, t.Signed = args.Fields[i].Type.Size, args.Fields[i].Type.Signed
		args.Fields[i].Type = &t
	}
}

// layoutKey identifies a struct layout, so that tracepoints whose records
// are laid out the same share one args type.
func layoutKey(t *types.Type) string {
	b := make([]byte, 0, 64*len(t.Fields))
	b = append(strconv.AppendInt(b, int64(t.Size), 10), '{')
	for _, f := range t.Fields {
		b = append(append(b, f.Name...), '@')
		b = append(strconv.AppendInt(b, int64(f.Offset), 10), ':')
		b = append(append(b, f.Type.String()...), ':')
		b = append(strconv.AppendBool(b, f.DataLoc), ';')
	}
	return string(b)
}

// tracepointLayout is the args layout of tracepoint category:event,
// from its format file (or BTF, where tracefs is closed), read the first
// time a probe names the tracepoint. A missing tracepoint's error wraps
// fs.ErrNotExist; the others are SpecErrors.
func (e *env) tracepointLayout(category, event string) (*types.Type, error) {
	key := category + ":" + event
	e.mu.Lock()
	args, ok := e.tpArgs[key]
	e.mu.Unlock()
	if ok {
		return args, nil
	}
	var text []byte
	var fields []tpField
	var err, parseErr error
	if f := e.prefetched(key); f != nil {
		text, err, fields, parseErr, args = f.text, f.err, f.fields, f.parseErr, f.args
	} else {
		text, err = e.t.TracepointFormat(category, event)
	}
	if err != nil && errors.Is(err, fs.ErrPermission) {
		text, err = e.formatFromBTF(category, event, err)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if se := (*SpecError)(nil); errors.As(err, &se) {
			return nil, se
		}
		return nil, specErrorf("cannot read the format of tracepoint %s:%s: %v", category, event, err)
	}
	if fields == nil && parseErr == nil {
		fields, parseErr = parseFormat(string(text))
	}
	if parseErr != nil {
		return nil, specErrorf("cannot parse the format of tracepoint %s:%s: %v", category, event, parseErr)
	}
	if args == nil {
		args = tracepointArgs(category, event, fields)
	}
	e.enumFields(args, fields)
	args = e.intern(args)
	e.mu.Lock()
	if e.tpArgs == nil {
		e.tpArgs = map[string]*types.Type{}
	}
	e.tpArgs[key] = args
	e.mu.Unlock()
	return args, nil
}

// tracepointNames expands category and event patterns into the matching
// tracepoints, as "category:event" pairs in sorted order.
func tracepointNames(t Target, category, event string) ([][2]string, error) {
	if !HasWildcard(category) && !HasWildcard(event) {
		return [][2]string{{category, event}}, nil
	}
	cats := []string{category}
	if HasWildcard(category) {
		all, err := t.TracepointCategories()
		if err != nil {
			return nil, err
		}
		cats = nil
		for _, c := range all {
			if Match(category, c) {
				cats = append(cats, c)
			}
		}
	}
	var out [][2]string
	for _, c := range cats {
		evs, err := t.Tracepoints(c)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, e := range evs {
			if Match(event, e) {
				out = append(out, [2]string{c, e})
			}
		}
	}
	return out, nil
}

func tracepointNotFound(t Target, category, event string) *SpecError {
	e := missingf("tracepoint not found: %s:%s", category, event)
	switch {
	case category == "syscall":
		e.Hint = "did you mean syscalls:" + event + "?"
	default:
		if cats, err := t.TracepointCategories(); err == nil {
			found := false
			for _, c := range cats {
				if c == category {
					found = true
				}
			}
			if !found {
				best, bestD := "", 3
				for _, c := range cats {
					if d := editDistance(category, c); d < bestD {
						best, bestD = c, d
					}
				}
				if best != "" {
					e.Hint = "did you mean " + best + ":" + event + "?"
					return e
				}
			} else if evs, err := t.Tracepoints(category); err == nil {
				best, bestD := "", 4
				for _, ev := range evs {
					if d := editDistance(event, ev); d < bestD {
						best, bestD = ev, d
					}
				}
				if best != "" {
					e.Hint = "did you mean " + category + ":" + best + "?"
					return e
				}
			}
		}
		e.Hint = "list tracepoints with: gotrace -l 'tracepoint:" + category + ":*'"
	}
	return e
}

// tracepointContexts answers Contexts for tracepoint specs.
func (e *env) tracepointContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureTracepoint) {
		return nil, specErrorf("this kernel does not support tracepoint programs")
	}
	names, err := tracepointNames(e.t, s.Target, s.Func)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return nil, tracefsDenied("cannot list the tracepoints "+s.Target+":"+s.Func, e.t, "")
		}
		return nil, specErrorf("cannot list tracepoints: %v", err)
	}
	if len(names) == 0 {
		return nil, &SpecError{
			Msg:  "no tracepoint matches " + s.Target + ":" + s.Func,
			Hint: "list tracepoints with: gotrace -l 'tracepoint:*'",
		}
	}
	var ctxs []*types.Context
	for _, n := range names {
		args, err := e.tracepointLayout(n[0], n[1])
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if len(names) > 1 {
					continue
				}
				return nil, tracepointNotFound(e.t, n[0], n[1])
			}
			return nil, err
		}
		sp := s
		sp.Target, sp.Func = n[0], n[1]
		ctxs = append(ctxs, e.context(sp, &types.Context{
			Provider: "tracepoint",
			Name:     sp.Name(),
			Kind:     types.ProgTracepoint,
			Args:     args,
			ArgsUser: n[0] == "syscalls",
		}))
	}
	if len(ctxs) == 0 {
		return nil, &SpecError{Msg: "no tracepoint matches " + s.Target + ":" + s.Func}
	}
	return ctxs, nil
}

func attachTracepoint(s Spec, name string, prog *ebpf.Program) (io.Closer, error) {
	pa, err := attachTracepointEvent(s.Target, s.Func, prog)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return pa, nil
}

// attachTracepointEvent opens the perf event of tracepoint
// category:event (one, on CPU 0 for every process: a tracepoint's
// program runs on every CPU whatever the event's CPU) and attaches prog
// to it, through a bpf_link where the kernel has them, so that Freeze
// can take the program off before the slow close of the event.
func attachTracepointEvent(category, event string, prog *ebpf.Program) (*perfAttachment, error) {
	root, err := host.Tracefs()
	if err != nil {
		return nil, err
	}
	if !validName(category) || !validName(event) {
		return nil, fmt.Errorf("tracepoint %s:%s does not exist", category, event)
	}
	b, err := readSmall(filepath.Join(root, "events", category, event, "id"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("tracepoint %s:%s does not exist", category, event)
		}
		return nil, err
	}
	id, err := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("tracepoint %s:%s: reading its id: %v", category, event, err)
	}
	fd, err := openPerfEvent(unix.PERF_TYPE_TRACEPOINT, id, 1, false, 0)
	if err != nil {
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("tracepoint %s:%s does not exist", category, event)
		}
		return nil, fmt.Errorf("tracepoint %s:%s: perf_event_open: %v", category, event, err)
	}
	pa := &perfAttachment{}
	if err := attachPerfFD(pa, fd, prog); err != nil {
		pa.Close()
		return nil, err
	}
	return pa, nil
}

// listTracepoints lists "tracepoint:cat:event" names matching the
// patterns; verbose adds the event's own fields (not the common_ ones),
// indented, as "    TYPE NAME".
func listTracepoints(t Target, category, event string, verbose bool) ([]string, error) {
	if category == "" {
		category = "*"
	}
	if event == "" {
		event = "*"
	}
	names, err := tracepointNames(t, category, event)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if !HasWildcard(category) && !HasWildcard(event) {
			if _, err := t.TracepointFormat(n[0], n[1]); err != nil {
				continue
			}
		}
		out = append(out, "tracepoint:"+n[0]+":"+n[1])
		if !verbose {
			continue
		}
		text, err := t.TracepointFormat(n[0], n[1])
		if err != nil {
			continue
		}
		fields, err := parseFormat(string(text))
		if err != nil {
			continue
		}
		for _, f := range fields {
			if !f.Common {
				out = append(out, "    "+f.Decl)
			}
		}
	}
	return out, nil
}

// tracepointProvider is the tracepoint provider: the kernel's static
// trace events of tracefs, args laid out by each event's format file.
type tracepointProvider struct{}

func (tracepointProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n == 1 && HasWildcard(args[0]) {
		args, n = []string{"*", args[0]}, 2
	}
	if n != 2 {
		return countError(s.Provider, n, 2)
	}
	s.Target, s.Func = args[0], args[1]
	if s.Target == "" || s.Func == "" {
		return specErrorf("tracepoint probe must have a target")
	}
	return nil
}

func (tracepointProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.tracepointContexts(s)
}

func (tracepointProvider) facts(c *types.Context) {
	c.SkipSelf = true
	c.AnyProcess = true
	c.InProcess = true
}

func (tracepointProvider) freezesByLink(*types.Context) bool { return true }

func (tracepointProvider) attach(a attachment) (io.Closer, error) {
	return attachTracepoint(a.spec, a.name, a.prog)
}

func (tracepointProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	if !t.Has(FeatureTracepoint) {
		return nil, nil
	}
	cat, ev := "*", rest
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		cat, ev = rest[:i], rest[i+1:]
	} else if HasWildcard(rest) || rest == "" {
		// "tracepoint:*foo*" searches event names in every category
		return filterLines(mustList(listTracepoints(t, "*", "*", verbose)), "tracepoint:*:"+orStar(rest), verbose), nil
	}
	return listTracepoints(t, cat, ev, verbose)
}
