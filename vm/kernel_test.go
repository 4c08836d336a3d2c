package vm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// kernelRun runs a conformance case in the kernel through BPF_PROG_TEST_RUN.
// The case becomes a function called by a small wrapper in a syscall
// program (whose context is a plain buffer: the case's memory): the
// wrapper passes the buffer in r1 and its length in r2, calls the case,
// and stores the 64-bit r0 into the buffer, since test runs return only
// 32 bits. ok is false when the kernel refuses the program.
func kernelRun(c *Case) (r0 uint64, ok bool, err error) {
	n := len(c.Mem)
	wrapper, err := Assemble(fmt.Sprintf(`
		mov %%r6, %%r1
		mov %%r2, %d
		call local +3
		stxdw [%%r6+0], %%r0
		mov %%r0, 0
		exit`, n))
	if err != nil {
		return 0, false, err
	}
	raw := append(wrapper, c.Program...)
	insns, err := asm.AppendInstructions(nil, bytes.NewReader(raw), binary.LittleEndian, "linux")
	if err != nil {
		return 0, false, err
	}
	prog, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Type: ebpf.Syscall, Flags: unix.BPF_F_SLEEPABLE, Instructions: insns, License: "GPL",
	}, ebpf.ProgramOptions{})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return 0, false, nil
		}
		return 0, false, err
	}
	defer prog.Close()
	ctx := make([]byte, max(n, 8))
	copy(ctx, c.Mem)
	out := make([]byte, len(ctx))
	if _, err := prog.Run(&ebpf.RunOptions{Context: ctx, ContextOut: out}); err != nil {
		return 0, true, err
	}
	return binary.LittleEndian.Uint64(out), true, nil
}

// TestKernelAgreement runs the whole corpus in the kernel as well: the
// kernel refuses exactly the cases that expect an error, and computes the
// same r0 for the others.
func TestKernelAgreement(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("not root, but CI=true: the kernel differential test must run")
		}
		t.Skip("not root")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/conformance/*.data")
	sort.Strings(files)
	if len(files) < 300 {
		t.Fatalf("only %d corpus files", len(files))
	}
	agree := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		c, err := ParseCase(filepath.Base(f), string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		kr0, kok, err := kernelRun(c)
		if err != nil {
			t.Errorf("%s: kernel: %v", c.Name, err)
			continue
		}
		vr0, verr, _, _ := RunCase(c)
		switch {
		case c.Error != "" && !kok && verr != nil:
			agree++
		case c.Error == "" && kok && verr == nil && kr0 == vr0 && vr0 == c.Result:
			agree++
		default:
			t.Errorf("%s: kernel loaded=%v r0=0x%x; vm r0=0x%x err=%v; expected error=%q r0=0x%x", c.Name, kok, kr0, vr0, verr, c.Error, c.Result)
		}
	}
	t.Logf("kernel agreement: %d/%d cases", agree, len(files))
	fmt.Printf("vm: kernel agreement over the corpus: %d/%d\n", agree, len(files))
}
