package probes

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/lang/types"
)

// fentry:bpf[:ID]:NAME and fexit:bpf[:ID]:NAME attach to a BPF program
// that is already loaded (another tracer's, another gotrace's), at the
// entry or return of one of its functions: the program's main function
// or one of its subprograms, named as its BTF names them (programs
// loaded without BTF cannot be traced this way). Without an ID every
// loaded program with a function of that name is traced, each as its
// own probe "fentry:bpf:ID:NAME", which the `probe` builtin tells
// apart; NAME may be a wildcard. `args` is not available (the kernel
// gives no names to a BPF function's arguments); argN reads the
// function's arguments in their u64 slots and, in fexit, retval the
// slot after them. `gotrace -l 'fentry:bpf:*'` lists them.
//
// The program is compiled with the target's id in its context
// (Context.AttachProg); the runtime opens the target by that id when it
// loads the program (AttachTarget), since the kernel checks a tracing
// program against its target at load time.

// BPFProg is a function of a loaded BPF program that fentry:bpf and
// fexit:bpf can attach to.
type BPFProg struct {
	ID    uint32 // the loaded program's id
	Name  string // the function's name in the program's BTF
	Proto *btf.FuncProto
}

// hostBPFProgs lists the functions of the loaded BPF programs that have
// BTF, by program id and then in the order of the program's function
// information (the main function first).
func hostBPFProgs() ([]BPFProg, error) {
	var out []BPFProg
	id := ebpf.ProgramID(0)
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return out, err
		}
		id = next
		prog, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // unloaded since it was listed
		}
		out = append(out, progFuncs(prog, uint32(id))...)
		prog.Close()
	}
	return out, nil
}

// progFuncs lists the BTF functions of one loaded program.
func progFuncs(prog *ebpf.Program, id uint32) []BPFProg {
	info, err := prog.Info()
	if err != nil {
		return nil
	}
	if _, ok := info.BTFID(); !ok {
		return nil
	}
	fis, err := info.FuncInfos()
	if err != nil {
		return nil
	}
	var out []BPFProg
	seen := map[string]bool{}
	for _, fi := range fis {
		if fi.Func == nil || seen[fi.Func.Name] {
			continue
		}
		seen[fi.Func.Name] = true
		proto, _ := fi.Func.Type.(*btf.FuncProto)
		out = append(out, BPFProg{ID: id, Name: fi.Func.Name, Proto: proto})
	}
	return out
}

// bpfProgMatches lists the functions of loaded programs that s (an
// fentry:bpf or fexit:bpf spec) names.
func bpfProgMatches(t Target, s Spec) ([]BPFProg, error) {
	progs, err := t.BPFPrograms()
	if err != nil {
		return nil, fmt.Errorf("cannot list the loaded BPF programs: %v", err)
	}
	var out []BPFProg
	for _, p := range progs {
		if (s.ProgID == 0 || uint64(p.ID) == s.ProgID) && Match(orStar(s.Func), p.Name) {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// bpfProgContexts expands fentry:bpf[:ID]:NAME (fexit too).
func (e *env) bpfProgContexts(s Spec) ([]*types.Context, error) {
	matches, err := bpfProgMatches(e.t, s)
	if err != nil {
		return nil, err
	}
	if len(matches) == 0 {
		what := s.Func
		if s.ProgID != 0 {
			what = strconv.FormatUint(s.ProgID, 10) + ":" + s.Func
		}
		return nil, &SpecError{Missing: true, Msg: "no loaded BPF program with BTF has a function " + what,
			Hint: "list them with: gotrace -l '" + s.Provider + ":bpf:*'"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	conv := e.btfConv()
	var ctxs []*types.Context
	for _, p := range matches {
		sp := s
		sp.ProgID, sp.Func = uint64(p.ID), p.Name
		c := &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgTracing, AttachTo: p.Name, AttachProg: p.ID}
		if p.Proto != nil {
			c.NumArgs = len(p.Proto.Params)
			if _, void := p.Proto.Return.(*btf.Void); s.Provider == "fexit" && !void && p.Proto.Return != nil {
				c.Retval = slotType(conv.convert(p.Proto.Return))
			}
		}
		ctxs = append(ctxs, e.context(sp, c))
	}
	return ctxs, nil
}

// listBPFProgs lists fentry:bpf:ID:NAME (fexit too) for the loaded
// programs' functions; rest is what follows "bpf:" in the pattern.
func listBPFProgs(t Target, provider, rest string) []string {
	s := Spec{Provider: provider}
	parts, err := splitParts(rest)
	if err != nil || (fentryProvider{}).parse(&s, append([]string{"bpf"}, parts...)) != nil {
		return nil
	}
	matches, err := bpfProgMatches(t, s)
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range matches {
		out = append(out, fmt.Sprintf("%s:bpf:%d:%s", provider, p.ID, p.Name))
	}
	return out
}

// AttachTarget opens the loaded program an fentry:bpf or fexit:bpf
// probe's program attaches to (nil for every other probe); the caller
// sets it as the ProgramSpec's AttachTarget for loading and closes it
// afterwards.
func AttachTarget(ctx *types.Context) (*ebpf.Program, error) {
	if ctx == nil || ctx.AttachProg == 0 {
		return nil, nil
	}
	p, err := ebpf.NewProgramFromID(ebpf.ProgramID(ctx.AttachProg))
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: the BPF program %d is no longer loaded (%v)", ctx.Name, ctx.AttachProg, err)
	}
	return p, nil
}
