package probes

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
)

// iter probes are BPF iterators (5.8+): a tracing program of attach type
// BPF_TRACE_ITER runs once per kernel object (task, open file, vma, map,
// ...) while gotrace reads the iterator's file descriptor, and once more
// with NULL objects when the walk ends. The `ctx` builtin is the
// iterator's struct bpf_iter__NAME from the kernel's BTF (meta, then the
// objects, each member in a u64 slot). The iterators are those the
// kernel's BTF describes (struct bpf_iter__NAME and the function
// bpf_iter_NAME).

// iterNeedsMap are iterators that walk one map, which gotrace cannot name.
var iterNeedsMap = map[string]bool{"bpf_map_elem": true, "bpf_sk_storage_map": true, "sockmap": true}

// iterTaskKinds are the iterators a -p PID narrows to one process.
var iterTaskKinds = map[string]bool{"task": true, "task_file": true, "task_vma": true}

// kernelIters lists the iterators of the kernel's BTF, sorted.
func kernelIters(spec *btf.Spec) []string {
	var out []string
	for t, err := range spec.All() {
		if err != nil {
			break
		}
		s, ok := t.(*btf.Struct)
		if !ok || !strings.HasPrefix(s.Name, "bpf_iter__") || strings.HasSuffix(s.Name, "__safe_trusted") {
			continue
		}
		name := strings.TrimPrefix(s.Name, "bpf_iter__")
		var fn *btf.Func
		if spec.TypeByName("bpf_iter_"+name, &fn) != nil {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// iterFunc returns the iterator's struct and its bpf_iter_NAME prototype.
func iterFunc(spec *btf.Spec, name string) (*btf.Struct, *btf.FuncProto, bool) {
	var st *btf.Struct
	var fn *btf.Func
	if spec.TypeByName("bpf_iter__"+name, &st) != nil || spec.TypeByName("bpf_iter_"+name, &fn) != nil {
		return nil, nil, false
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	return st, proto, ok
}

func (e *env) iterContexts(s Spec) ([]*types.Context, error) {
	if !e.t.Has(FeatureIter) {
		return nil, &SpecError{
			Msg:  "iter probes are not available on this kernel (it has no BPF iterators, or no BTF)",
			Hint: "BPF iterators need Linux 5.8 or later with CONFIG_DEBUG_INFO_BTF",
		}
	}
	if s.Pin != "" {
		return nil, &SpecError{
			Msg:  "pinning an iterator (" + s.Raw + ") is not supported: gotrace prints an iterator's output itself, so a pinned iterator would have no reader",
			Hint: "leave out the pin part: iter:" + s.Func,
		}
	}
	spec, err := e.t.KernelBTF()
	if err != nil {
		return nil, specErrorf("iter probes need the kernel's BTF: %v", err)
	}
	st, _, ok := iterFunc(spec, s.Func)
	if !ok {
		return nil, &SpecError{Missing: true, Msg: "iter " + s.Func + " not available for your kernel version.", Hint: "list them with: gotrace -l 'iter:*'"}
	}
	if iterNeedsMap[s.Func] {
		return nil, specErrorf("iter %s walks the elements of one map, which gotrace cannot name; it is not supported", s.Func)
	}
	e.mu.Lock()
	ctxType := e.btfConv().convert(st)
	e.mu.Unlock()
	// An iteration is one run: exit() in it ends the script once the
	// iteration is over, as bpftrace's does, not at the element it was
	// called on.
	c := &types.Context{Provider: "iter", Name: s.Name(), Kind: types.ProgTracing, AttachTo: s.Func, Ctx: ctxType, Freeze: types.FreezeNever}
	return []*types.Context{e.context(s, c)}, nil
}

// listIters lists iterators as iter:NAME; with verbose, the members of
// ctx after each (meta left out), as bpftrace -lv prints them.
func listIters(t Target, rest string, verbose bool) ([]string, error) {
	if !t.Has(FeatureIter) {
		return nil, nil
	}
	spec, err := t.KernelBTF()
	if err != nil {
		return nil, nil
	}
	var out []string
	for _, name := range kernelIters(spec) {
		if !Match(orStar(rest), name) {
			continue
		}
		out = append(out, "iter:"+name)
		if !verbose {
			continue
		}
		if _, proto, ok := iterFunc(spec, name); ok {
			for i, p := range proto.Params {
				if i == 0 && p.Name == "meta" {
					continue
				}
				out = append(out, "    "+cDecl(p.Type)+" "+p.Name)
			}
		}
	}
	return out, nil
}

// Iterator is an attached iter probe. Iterate runs the walk: it reads the
// iterator until its end, which runs the program once per object.
type Iterator struct {
	fd   int // the BPF_TRACE_ITER link
	name string
}

// Iterate runs the iterator once to its end.
func (it *Iterator) Iterate() error {
	fd, err := bpfIterCreate(it.fd)
	if err != nil {
		return fmt.Errorf("cannot start iterator %s: %v", it.name, err)
	}
	f := os.NewFile(uintptr(fd), "bpf_iter")
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return fmt.Errorf("iterator %s: %v", it.name, err)
	}
	return nil
}

// Close detaches the program.
func (it *Iterator) Close() error {
	if it.fd < 0 {
		return nil
	}
	err := unix.Close(it.fd)
	it.fd = -1
	return err
}

// attachIter links prog as an iterator; with pid (gotrace -p), task
// iterators walk that process only (6.1+).
func attachIter(s Spec, name string, prog *ebpf.Program, pid int) (io.Closer, error) {
	if pid == 0 || !iterTaskKinds[s.Func] {
		l, err := link.AttachIter(link.IterOptions{Program: prog})
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		// The Iterator keeps its own descriptor; the link's is closed.
		fd, err := unix.FcntlInt(uintptr(l.FD()), unix.F_DUPFD_CLOEXEC, 0)
		l.Close()
		if err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		return &Iterator{fd: fd, name: name}, nil
	}
	// union bpf_iter_link_info.task: tid, pid, pid_fd
	info := [3]uint32{0, uint32(pid), 0}
	fd, err := bpfLinkCreateIter(prog.FD(), unsafe.Pointer(&info), uint32(unsafe.Sizeof(info)))
	runtime.KeepAlive(prog)
	runtime.KeepAlive(&info)
	if err != nil {
		if errors.Is(err, unix.EINVAL) {
			return nil, fmt.Errorf("cannot attach probe %s to process %d: %v (iterating one process needs Linux 6.1 or later)", name, pid, err)
		}
		return nil, fmt.Errorf("cannot attach probe %s to process %d: %v", name, pid, err)
	}
	return &Iterator{fd: fd, name: name}, nil
}

// bpfLinkCreateIter is BPF_LINK_CREATE for an iterator with link info.
func bpfLinkCreateIter(progFD int, info unsafe.Pointer, infoLen uint32) (int, error) {
	// struct { prog_fd, target_fd, attach_type, flags u32; iter_info u64; iter_info_len u32 }
	var attr struct {
		progFD, targetFD, attachType, flags uint32
		iterInfo                            uint64
		iterInfoLen                         uint32
		_                                   [28]byte
	}
	attr.progFD = uint32(progFD)
	attr.attachType = uint32(ebpf.AttachTraceIter)
	attr.iterInfo = uint64(uintptr(info))
	attr.iterInfoLen = infoLen
	fd, _, errno := unix.Syscall(unix.SYS_BPF, bpfLinkCreate, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(info)
	if errno != 0 {
		return -1, errno
	}
	unix.CloseOnExec(int(fd))
	return int(fd), nil
}

// bpfIterCreate is BPF_ITER_CREATE: a new walk of an iterator link.
func bpfIterCreate(linkFD int) (int, error) {
	var attr struct {
		linkFD, flags uint32
	}
	attr.linkFD = uint32(linkFD)
	fd, _, errno := unix.Syscall(unix.SYS_BPF, bpfIterCreateCmd, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if errno != 0 {
		return -1, errno
	}
	unix.CloseOnExec(int(fd))
	return int(fd), nil
}

const (
	bpfIterCreateCmd = 33 // BPF_ITER_CREATE
	bpfLinkCreate    = 28 // BPF_LINK_CREATE
)

// iterProvider is the iter provider: a BPF iterator over kernel
// objects, read by the runtime; its program sees the object through ctx.
type iterProvider struct{}

func (iterProvider) parse(s *Spec, args []string) error {
	n := len(args)
	if n != 1 && n != 2 {
		return specErrorf("iter probe type takes 2 arguments (1 optional)")
	}
	if HasWildcard(args[0]) || (n == 2 && HasWildcard(args[1])) {
		return specErrorf("iter probe type does not support wildcards")
	}
	s.Func = args[0]
	if n == 2 {
		s.Pin = args[1]
	}
	return nil
}

func (iterProvider) contexts(e *env, s Spec) ([]*types.Context, error) {
	return e.iterContexts(s)
}

func (iterProvider) facts(c *types.Context) { c.Iter = true }

func (iterProvider) attach(a attachment) (io.Closer, error) {
	return attachIter(a.spec, a.name, a.prog, a.pid)
}

func (iterProvider) list(t Target, name, rest string, verbose bool) ([]string, error) {
	return listIters(t, rest, verbose)
}
