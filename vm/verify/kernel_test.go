package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"golang.org/x/sys/unix"

	"github.com/gotrace/gotrace/vm/insn"
)

// progLoadAttr is the start of union bpf_attr for BPF_PROG_LOAD.
type progLoadAttr struct {
	progType           uint32
	insnCnt            uint32
	insns              uint64
	license            uint64
	logLevel           uint32
	logSize            uint32
	logBuf             uint64
	kernVersion        uint32
	progFlags          uint32
	progName           [16]byte
	progIfindex        uint32
	expectedAttachType uint32
	progBTFFd          uint32
	funcInfoRecSize    uint32
	funcInfo           uint64
	funcInfoCnt        uint32
}

const bpfProgLoad = 5

var errNoBPF = errors.New("BPF is not available")

// kernelLoad loads raw instructions into the kernel. It reports whether
// the kernel accepted them and, when it did not, its log.
func kernelLoad(pt ebpf.ProgramType, code []byte, unprivileged bool) (bool, string, error) {
	if unprivileged {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		restore, err := dropPerfmon()
		if err != nil {
			return false, "", err
		}
		defer restore()
	}
	lic := []byte("GPL\x00")
	// Programs with functions need BTF describing them (the kernel
	// insists for callbacks).
	btfFD, funcInfo, err := funcBTF(code)
	if err != nil {
		return false, "", err
	}
	if btfFD != nil {
		defer btfFD.Close()
	}
	load := func(logLevel uint32, buf []byte) (int, unix.Errno) {
		attr := progLoadAttr{
			progType: uint32(pt),
			insnCnt:  uint32(len(code) / 8),
			insns:    uint64(uintptr(unsafe.Pointer(&code[0]))),
			license:  uint64(uintptr(unsafe.Pointer(&lic[0]))),
			logLevel: logLevel,
		}
		if btfFD != nil {
			attr.progBTFFd = uint32(btfFD.FD())
			attr.funcInfoRecSize = 8
			attr.funcInfo = uint64(uintptr(unsafe.Pointer(&funcInfo[0])))
			attr.funcInfoCnt = uint32(len(funcInfo) / 2)
		}
		if buf != nil {
			attr.logSize = uint32(len(buf))
			attr.logBuf = uint64(uintptr(unsafe.Pointer(&buf[0])))
		}
		var fd uintptr
		var errno unix.Errno
		// The Go runtime's preemption signals interrupt the verifier,
		// which then gives up with EAGAIN: try again.
		for try := 0; try < 100; try++ {
			fd, _, errno = unix.Syscall(unix.SYS_BPF, bpfProgLoad, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
			if errno != unix.EAGAIN {
				break
			}
		}
		runtime.KeepAlive(code)
		runtime.KeepAlive(lic)
		runtime.KeepAlive(buf)
		runtime.KeepAlive(funcInfo)
		return int(fd), errno
	}
	fd, errno := load(0, nil)
	if errno == 0 {
		unix.Close(fd)
		return true, "", nil
	}
	if errno == unix.EPERM && !unprivileged {
		return false, "", errNoBPF
	}
	buf := make([]byte, 1<<22)
	fd, errno2 := load(1, buf)
	if errno2 == 0 {
		unix.Close(fd)
		return true, "", nil
	}
	n := strings.IndexByte(string(buf), 0)
	if n < 0 {
		n = len(buf)
	}
	log := string(buf[:n])
	if log == "" {
		log = errno.Error()
	}
	return false, log, nil
}

// dropPerfmon takes CAP_PERFMON and CAP_SYS_ADMIN out of the calling
// thread's effective set (keeping CAP_BPF), which is how the kernel's
// rules for loaders without those capabilities are tested.
func dropPerfmon() (func(), error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return nil, err
	}
	saved := data
	const capSysAdmin, capPerfmon = 21, 38
	data[0].Effective &^= 1 << capSysAdmin
	data[1].Effective &^= 1 << (capPerfmon - 32)
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return nil, err
	}
	return func() {
		h := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		unix.Capset(&h, &saved[0])
	}, nil
}

// kernelAvailable reports whether programs can be loaded here.
func kernelAvailable() error {
	if os.Geteuid() != 0 {
		return errNoBPF
	}
	code := []byte{0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0}
	ok, log, err := kernelLoad(ebpf.SocketFilter, code, false)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("the kernel refused a trivial program: " + log)
	}
	return nil
}

// funcBTF describes each function of a program with subprograms as
// "static int f(void)", for the kernel's func_info.
func funcBTF(code []byte) (*btf.Handle, []uint32, error) {
	starts := map[int]bool{}
	n := len(code) / 8
	for i := 0; i < n; i++ {
		op, src := code[i*8], code[i*8+1]>>4
		imm := int32(binary.LittleEndian.Uint32(code[i*8+4:]))
		if (op == insn.JMP|insn.CALL && src == insn.PseudoCall) || (op == insn.LDDW && src == insn.PseudoFunc) {
			if t := i + 1 + int(imm); t > 0 && t < n {
				starts[t] = true
			}
		}
	}
	if len(starts) == 0 {
		return nil, nil, nil
	}
	starts[0] = true
	var offs []int
	for s := range starts {
		offs = append(offs, s)
	}
	sort.Ints(offs)
	proto := &btf.FuncProto{Return: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}}
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var info []uint32
	for k, off := range offs {
		id, err := b.Add(&btf.Func{Name: fmt.Sprintf("f%d", k), Type: proto, Linkage: btf.StaticFunc})
		if err != nil {
			return nil, nil, err
		}
		info = append(info, uint32(off), uint32(id))
	}
	h, err := btf.NewHandle(b)
	if err != nil {
		return nil, nil, err
	}
	return h, info, nil
}
