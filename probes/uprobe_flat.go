package probes

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/lang/types"
)

// A uprobe may also go into a file that is not ELF at all: a flat
// binary of machine code that a program maps executable and jumps into
// (uprobe:./code.bin:0x0). The address is then the offset in the file,
// and nothing tells where instructions start, so it needs --unsafe. The
// kernel takes such a probe like any other: a perf event of its uprobe
// PMU with the file's path and the offset. It is opened here rather
// than through cilium/ebpf, which looks the file's symbols up when the
// offset is 0.

// uprobePMU reads the type of the kernel's uprobe PMU and the bit of
// its config that makes a uretprobe.
func uprobePMU() (typ uint32, retBit uint64, err error) {
	b, err := os.ReadFile("/sys/bus/event_source/devices/uprobe/type")
	if err != nil {
		return 0, 0, fmt.Errorf("the kernel has no uprobe PMU: %v", err)
	}
	t, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the uprobe PMU's type: %v", err)
	}
	retBit = 1 // config:0, the format of every kernel so far
	if f, err := os.ReadFile("/sys/bus/event_source/devices/uprobe/format/retprobe"); err == nil {
		if _, bit, ok := strings.Cut(strings.TrimSpace(string(f)), "config:"); ok {
			if n, err := strconv.Atoi(bit); err == nil && n < 64 {
				retBit = 1 << n
			}
		}
	}
	return uint32(t), retBit, nil
}

// attachUprobeAt attaches prog to a uprobe (or uretprobe) at offset off
// of the file at path (as gotrace opens it), in every process or only
// in process pid.
func attachUprobeAt(name, path string, off uint64, ret bool, prog *ebpf.Program, pid int) (io.Closer, error) {
	typ, retBit, err := uprobePMU()
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	attr := unix.PerfEventAttr{
		Type:        typ,
		Size:        uint32(unsafe.Sizeof(unix.PerfEventAttr{})),
		Sample:      1,
		Sample_type: unix.PERF_SAMPLE_RAW,
		Wakeup:      1,
		Ext1:        uint64(uintptr(unsafe.Pointer(p))), // uprobe_path
		Ext2:        off,                                // probe_offset
	}
	if ret {
		attr.Config = retBit
	}
	tid, cpu := -1, 0
	if pid > 0 {
		tid, cpu = pid, -1
	}
	fd, err := unix.PerfEventOpen(&attr, tid, cpu, -1, unix.PERF_FLAG_FD_CLOEXEC)
	runtime.KeepAlive(p)
	if err != nil {
		return nil, fmt.Errorf("cannot attach probe %s: perf_event_open: %v", name, err)
	}
	pa := &perfAttachment{}
	if err := attachPerfFD(pa, fd, prog); err != nil {
		pa.Close()
		return nil, fmt.Errorf("cannot attach probe %s: %v", name, err)
	}
	return pa, nil
}

// isELF reports whether the file starts like an ELF file.
func isELF(v fileView, path string) bool {
	f, err := v.open(path)
	if err != nil {
		return true // not a question of format: openBinary said why
	}
	defer f.Close()
	var magic [4]byte
	n, _ := f.ReadAt(magic[:], 0)
	return n == 4 && string(magic[:]) == "\x7fELF"
}

// flatContexts is the context of a uprobe at an offset of a file that
// is not ELF (see the top of this file).
func (e *env) flatContexts(v fileView, s Spec, path string) ([]*types.Context, error) {
	sp := s
	sp.Target = path
	where := fmt.Sprintf("%s:0x%x", path, s.Address)
	if !e.unsafe {
		se := specErrorf("%s is not an ELF binary, so gotrace cannot check that an instruction starts at %s", path, where)
		se.Hint = "--unsafe attaches at that offset of the file anyway"
		return nil, se
	}
	e.warnf("%s is not an ELF binary: attaching at offset 0x%x of the file, unchecked", path, s.Address)
	c := e.context(sp, &types.Context{Provider: s.Provider, Name: sp.Name(), Kind: types.ProgKprobe})
	placeUprobe(c, &uprobeSite{open: v.hostPath(path), offset: s.Address})
	return []*types.Context{c}, nil
}
