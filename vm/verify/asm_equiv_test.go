package verify

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/vm/insn"
)

// sharedSameAs checks that the shared assembler gives the bytes and map
// references this package's assembler gives.
func sharedSameAs(t *testing.T, name, text string) {
	t.Helper()
	want, err := assemble(text)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	p, err := insn.Assemble(text)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	code := append([]byte(nil), p.Code...)
	maps := map[int]string{}
	for _, r := range p.Refs {
		switch r.Src {
		case insn.PseudoBTFID:
			id, err := kernelVarID(r.Name)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			binary.LittleEndian.PutUint32(code[8*r.Slot+4:], uint32(id))
		default:
			maps[r.Slot] = r.Name
		}
	}
	if !bytes.Equal(code, want.code) {
		t.Errorf("%s: shared assembler differs\n%x\n%x", name, code, want.code)
	}
	if len(maps) != len(want.maps) {
		t.Errorf("%s: map references differ: %v, %v", name, maps, want.maps)
	}
	for k, v := range want.maps {
		if maps[k] != v {
			t.Errorf("%s: map references differ: %v, %v", name, maps, want.maps)
		}
	}
}

// TestSharedAssemblerSameBytes: the shared assembler (vm/insn) turns
// every test program into the bytes this package's assembler does. It
// goes when this package's assembler goes.
func TestSharedAssemblerSameBytes(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.data")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		tc, err := parseText(string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		sharedSameAs(t, f, tc.sections["asm"])
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		pt, unpriv := ebpf.TracePoint, false
		if r.Intn(4) == 0 {
			pt, unpriv = ebpf.SocketFilter, r.Intn(2) == 0
		}
		sharedSameAs(t, "random", randomProgram(r, pt, unpriv))
	}
	t.Logf("%d files", len(files))
}
