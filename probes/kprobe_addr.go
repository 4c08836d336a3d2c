package probes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang/types"
	"golang.org/x/sys/unix"
)

// Kprobes at an address and at an offset into a function.
//
// kprobe:ADDRESS (and kretprobe:ADDRESS) hand the kernel an absolute
// address, which tells functions of the same name apart. The kernel
// refuses an address that does not start an instruction (EILSEQ on
// x86-64) but will place a probe anywhere else it may, so, as with
// bpftrace, an address needs --unsafe. Before that, the address is
// looked up in /proc/kallsyms: it must lie in a kernel function (a text
// symbol), a kretprobe's must be the function's first byte, and on
// arm64 it must be a multiple of 4 (every instruction is 4 bytes). The
// probe is named with the address in decimal ("kprobe:305419896", as
// bpftrace names it) and `func` names the function that holds it.
//
// kprobe:FUNC+OFFSET must stay inside the function: its size is the
// distance to the next symbol in /proc/kallsyms. Whether the offset
// starts an instruction is left to the kernel, whose refusal is
// reported as bpftrace words it.

// kernelSym is a text symbol of /proc/kallsyms: where it starts and how
// many bytes it spans (up to the next symbol).
type kernelSym struct {
	name string
	mod  string // "" for vmlinux
	addr uint64
	size uint64
}

// parseKallsymsAddrs reads the text symbols of /proc/kallsyms with
// their addresses, sorted by address. It returns nil when the addresses
// are hidden (all zero: kptr_restrict, not root).
func parseKallsymsAddrs(b []byte) []kernelSym {
	var syms []kernelSym
	var starts []uint64 // every symbol's address, text or not: where a function ends
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 {
			continue
		}
		addr, err := strconv.ParseUint(f[0], 16, 64)
		if err != nil || addr == 0 {
			continue
		}
		starts = append(starts, addr)
		if f[1] != "t" && f[1] != "T" {
			continue
		}
		s := kernelSym{name: f[2], addr: addr}
		if len(f) > 3 {
			s.mod = strings.Trim(f[3], "[]")
		}
		syms = append(syms, s)
	}
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].addr < syms[j].addr })
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	for i := range syms {
		// the first start past this symbol's
		k := sort.Search(len(starts), func(k int) bool { return starts[k] > syms[i].addr })
		if k < len(starts) {
			syms[i].size = starts[k] - syms[i].addr
		}
	}
	return syms
}

// kernelSymbols returns the target's kernel text symbols with their
// addresses (nil where they are hidden), read once per Env.
func (e *env) kernelSymbols() []kernelSym {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ksyms == nil {
		e.ksyms = []kernelSym{}
		if b, err := e.t.ReadFile("/proc/kallsyms"); err == nil {
			if s := parseKallsymsAddrs(b); s != nil {
				e.ksyms = s
			}
		}
	}
	return e.ksyms
}

// symbolAt returns the kernel function that holds addr.
func symbolAt(syms []kernelSym, addr uint64) (kernelSym, bool) {
	i := sort.Search(len(syms), func(i int) bool { return syms[i].addr > addr }) - 1
	if i < 0 || syms[i].size == 0 || addr >= syms[i].addr+syms[i].size {
		return kernelSym{}, false
	}
	return syms[i], true
}

// symbolNamed returns the first kernel function named name in module
// mod ("" or "vmlinux": the kernel itself), as the kernel's own lookup
// finds it.
func symbolNamed(syms []kernelSym, mod, name string) (kernelSym, bool) {
	if mod == "vmlinux" {
		mod = ""
	}
	for _, s := range syms {
		if s.name == name && s.mod == mod {
			return s, true
		}
	}
	return kernelSym{}, false
}

// kprobeAddressCheck checks a kprobe's or kretprobe's absolute address.
func (e *env) kprobeAddressCheck(s Spec) error {
	if !e.unsafe {
		return &SpecError{Msg: "Probing by address requires --unsafe",
			Hint: "gotrace cannot check that an instruction starts at " + fmt.Sprintf("%#x", s.Address) + "; --unsafe attaches there anyway"}
	}
	if e.t.Arch() == "arm64" && s.Address%4 != 0 {
		return &SpecError{Msg: fmt.Sprintf("Could not add %s into middle of instruction: %#x", s.Provider, s.Address),
			Hint: "arm64 instructions are 4 bytes: the address must be a multiple of 4"}
	}
	syms := e.kernelSymbols()
	if len(syms) == 0 {
		return nil // addresses hidden: the kernel decides
	}
	sym, ok := symbolAt(syms, s.Address)
	if !ok {
		return &SpecError{Msg: fmt.Sprintf("address %#x is not in a kernel function", s.Address),
			Hint: "kernel functions and their addresses are in /proc/kallsyms"}
	}
	if s.Provider == "kretprobe" && s.Address != sym.addr {
		return &SpecError{Msg: fmt.Sprintf("a kretprobe must be at a function's entry: %#x is %s+%d", s.Address, sym.name, s.Address-sym.addr),
			Hint: fmt.Sprintf("%s starts at %#x", sym.name, sym.addr)}
	}
	return nil
}

// kprobeOffsetCheck checks that fn+offset stays inside fn (module mod).
func (e *env) kprobeOffsetCheck(s Spec, mod, fn string) error {
	sym, ok := symbolNamed(e.kernelSymbols(), mod, fn)
	if !ok || sym.size == 0 || s.Offset < sym.size {
		return nil
	}
	return &SpecError{Msg: fmt.Sprintf("Offset outside the function bounds ('%s' size is %d)", fn, sym.size)}
}

// kprobeAtIP gives a kprobe at an offset or an address its `func` from
// the instruction pointer: bpf_get_func_ip knows only probes at a
// function's entry (it gives 0 elsewhere).
func kprobeAtIP(s Spec, c *types.Context) *types.Context {
	if s.Provider == "kprobe" && (s.Offset != 0 || s.Address != 0) {
		c.Func = types.FuncKernelIP
	}
	return c
}

// kprobePMUType is the perf event type of the kernel's kprobe PMU and
// the config bit that makes its events return probes.
func kprobePMUType() (typ uint32, retBit uint, err error) {
	dir := "/sys/bus/event_source/devices/kprobe"
	b, err := os.ReadFile(filepath.Join(dir, "type"))
	if err != nil {
		return 0, 0, fmt.Errorf("the kernel has no kprobe PMU: %v", err)
	}
	t, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("%s/type: %v", dir, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "format", "retprobe")); err == nil {
		if n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSpace(string(b)), "config:"), 10, 8); err == nil {
			retBit = uint(n)
		}
	}
	return uint32(t), retBit, nil
}

// attachKprobeAt attaches prog to a kprobe (ret: a kretprobe) at an
// absolute kernel address or at an offset into a function: a kprobe PMU
// event whose first config word names the function (none for an
// address) and whose second is the offset (or the address). The kernel
// answers a place that starts no instruction with EINVAL (EILSEQ inside,
// turned into EINVAL by the kprobe tracer), which is reported as such.
func attachKprobeAt(s Spec, name string, prog *ebpf.Program, ret bool) (io.Closer, error) {
	typ, retBit, err := kprobePMUType()
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	attr := unix.PerfEventAttr{Type: typ, Size: unix.PERF_ATTR_SIZE_VER1, Ext2: s.Address}
	var sym *byte
	if s.Address == 0 {
		if sym, err = unix.BytePtrFromString(s.Func); err != nil {
			return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
		}
		attr.Ext1, attr.Ext2 = uint64(uintptr(unsafe.Pointer(sym))), s.Offset
	}
	if ret {
		attr.Config = 1 << retBit
	}
	fd, err := unix.PerfEventOpen(&attr, -1, 0, -1, unix.PERF_FLAG_FD_CLOEXEC)
	runtime.KeepAlive(sym)
	if err != nil {
		if errors.Is(err, unix.EINVAL) {
			err = unix.EILSEQ
		}
		return nil, kprobeAttachError(name, err)
	}
	pa := &perfAttachment{}
	if err := attachPerfFD(pa, fd, prog); err != nil {
		pa.Close()
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return pa, nil
}

// kprobeAttachError words the kernel's refusal of a kprobe: EILSEQ means
// the place does not start an instruction.
func kprobeAttachError(name string, err error) error {
	if errors.Is(err, unix.EILSEQ) {
		return fmt.Errorf("cannot attach probe %s: Possible attachment attempt in the middle of an instruction, try a different offset.", name)
	}
	return fmt.Errorf("cannot attach probe %s: %v", name, err)
}
