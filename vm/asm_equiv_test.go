package vm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/vm/insn"
)

// TestSharedAssemblerSameBytes: the shared assembler (vm/insn) turns
// every conformance program into the bytes this package's assembler
// does. It goes when this package's assembler goes.
func TestSharedAssemblerSameBytes(t *testing.T) {
	files, _ := filepath.Glob("testdata/conformance/*.data")
	n := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		_, after, ok := strings.Cut(string(b), "-- asm\n")
		if !ok {
			continue
		}
		text, _, _ := strings.Cut(after, "\n-- ")
		want, err := Assemble(text)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		p, err := insn.Assemble(text)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if !bytes.Equal(p.Code, want) || len(p.Refs) != 0 {
			t.Errorf("%s: shared assembler differs", f)
		}
		dis, _ := Disassemble(want)
		dis2, _ := insn.Disassemble(want)
		if dis != dis2 {
			t.Errorf("%s: shared disassembler differs:\n%s\n%s", f, dis, dis2)
		}
		n++
	}
	t.Logf("%d programs", n)
}
