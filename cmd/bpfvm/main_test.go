package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(args []string, stdin string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTestCommand(t *testing.T) {
	files, _ := filepath.Glob("../../vm/testdata/conformance/*.data")
	code, out, _ := runCmd(append([]string{"test"}, files...), "")
	if code != 0 || !strings.HasSuffix(out, "0 failed\n") || !strings.Contains(out, "PASS ") {
		t.Errorf("bpfvm test over the corpus: code %d\n%s", code, out[max(0, len(out)-300):])
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.data")
	os.WriteFile(bad, []byte("-- asm\nmov %r0, 1\nexit\n-- result\n0x2\n"), 0o644)
	code, out, _ = runCmd([]string{"test", bad}, "")
	if code != 1 || !strings.Contains(out, "FAIL "+bad+": r0 = 0x1, want 0x2") || !strings.HasSuffix(out, "0 passed, 1 failed\n") {
		t.Errorf("a failing case: code %d\n%s", code, out)
	}
}

// TestPlugin speaks the bpf_conformance plugin protocol.
func TestPlugin(t *testing.T) {
	// ldxw r0, [r1+0]; exit
	prog := "6110000000000000" + "9500000000000000"
	code, out, errOut := runCmd([]string{"01020304"}, prog+"\n")
	if code != 0 || out != "4030201\n" {
		t.Errorf("plugin: code %d out %q err %q", code, out, errOut)
	}
	code, out, _ = runCmd([]string{"--program", prog, "0a000000"}, "")
	if code != 0 || out != "a\n" {
		t.Errorf("--program: code %d out %q", code, out)
	}
	// A read past the memory is an error with a non-zero exit.
	code, _, errOut = runCmd([]string{"0102"}, prog+"\n")
	if code == 0 || !strings.Contains(errOut, "instruction 0") {
		t.Errorf("bad access: code %d err %q", code, errOut)
	}
}

func TestAsmDisasm(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "p.s")
	os.WriteFile(f, []byte("mov %r0, 5\nexit\n"), 0o644)
	code, out, _ := runCmd([]string{"asm", f}, "")
	if code != 0 || out != "b7000000050000009500000000000000\n" {
		t.Errorf("asm: %d %q", code, out)
	}
	code, out, _ = runCmd([]string{"disasm", "b7000000050000009500000000000000"}, "")
	if code != 0 || out != "mov %r0, 5\nexit\n" {
		t.Errorf("disasm: %d %q", code, out)
	}
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.data")
	os.WriteFile(good, []byte("-- asm\nmov %r0, 0\nexit\n"), 0o644)
	bad := filepath.Join(dir, "bad.data")
	os.WriteFile(bad, []byte("-- asm\nldxdw %r0, [%r10]\nexit\n"), 0o644)
	code, out, _ := runCmd([]string{"verify", "-type", "xdp", good, bad}, "")
	if code != 1 || !strings.Contains(out, "ACCEPT good") || !strings.Contains(out, "REJECT bad: insn 0:") {
		t.Errorf("verify: code %d\n%s", code, out)
	}
}
