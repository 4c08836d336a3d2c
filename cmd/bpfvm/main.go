// Command bpfvm runs eBPF programs in gotrace's eBPF machine (package vm).
//
//	bpfvm test FILE.data...     run conformance-format files: PASS or FAIL each, then "N passed, M failed"
//	bpfvm verify [flags] FILE   check programs with gotrace's verifier (see bpfvm verify -h)
//	bpfvm asm FILE              assemble the text format to raw bytes (hex) on stdout
//	bpfvm disasm HEX            disassemble raw bytes given in hex
//	bpfvm [--program HEX] [MEMHEX]
//	                            the bpf_conformance plugin protocol: the program in hex (from
//	                            --program or the first line of stdin), the memory in hex; prints
//	                            r0 in hex, or an error on stderr with a non-zero exit
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gotrace/gotrace/vm"
	"github.com/gotrace/gotrace/vm/verify"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "bpfvm: internal error: %v\n", r)
			code = 2
		}
	}()
	if len(args) > 0 {
		switch args[0] {
		case "test":
			return test(args[1:], stdout, stderr)
		case "verify":
			return verify.Command(args[1:], stdout, stderr)
		case "asm":
			return asm(args[1:], stdout, stderr)
		case "disasm":
			return disasm(args[1:], stdout, stderr)
		case "-h", "--help", "help":
			fmt.Fprint(stdout, usage)
			return 0
		}
	}
	return plugin(args, stdin, stdout, stderr)
}

const usage = `usage:
  bpfvm test FILE.data...      run conformance-format tests
  bpfvm verify [flags] FILE    check programs with gotrace's verifier
  bpfvm asm FILE               assemble to hex
  bpfvm disasm HEX             disassemble hex
  bpfvm [--program HEX] [MEM]  bpf_conformance plugin protocol (program on stdin by default)
`

func test(files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprint(stderr, "bpfvm test: no files\n")
		return 2
	}
	passed, failed := 0, 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", f, err)
			failed++
			continue
		}
		c, err := vm.ParseCase(filepath.Base(f), string(b))
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", f, err)
			failed++
			continue
		}
		if _, _, ok, why := vm.RunCase(c); ok {
			fmt.Fprintf(stdout, "PASS %s\n", f)
			passed++
		} else {
			fmt.Fprintf(stdout, "FAIL %s: %s\n", f, why)
			failed++
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func asm(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, "usage: bpfvm asm FILE\n")
		return 2
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: %v\n", err)
		return 1
	}
	raw, err := vm.Assemble(string(b))
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: %s: %v\n", args[0], err)
		return 1
	}
	fmt.Fprintln(stdout, hex.EncodeToString(raw))
	return 0
}

func disasm(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprint(stderr, "usage: bpfvm disasm HEX\n")
		return 2
	}
	raw, err := hex.DecodeString(strings.Join(strings.Fields(args[0]), ""))
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: %v\n", err)
		return 1
	}
	text, err := vm.Disassemble(raw)
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: %v\n", err)
		return 1
	}
	fmt.Fprint(stdout, text)
	return 0
}

// plugin speaks the bpf_conformance plugin protocol.
func plugin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var progHex, memHex string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--program" && i+1 < len(args):
			progHex = args[i+1]
			i++
		case a == "--debug" || a == "--elf":
		case strings.HasPrefix(a, "--"):
			fmt.Fprintf(stderr, "Unexpected arguments: %s\n", a)
			return 1
		default:
			memHex = a
		}
	}
	if progHex == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintf(stderr, "bpfvm: no program on stdin\n")
			return 1
		}
		progHex = line
	}
	prog, err := hex.DecodeString(strings.Join(strings.Fields(progHex), ""))
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: bad program hex: %v\n", err)
		return 1
	}
	mem, err := hex.DecodeString(strings.Join(strings.Fields(memHex), ""))
	if err != nil {
		fmt.Fprintf(stderr, "bpfvm: bad memory hex: %v\n", err)
		return 1
	}
	m := vm.New(vm.Config{})
	p, err := m.Load(prog)
	if err != nil {
		fmt.Fprintf(stderr, "Failed to load program: %v\n", err)
		return 1
	}
	r0, err := m.Run(p, mem)
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%x\n", r0)
	return 0
}
