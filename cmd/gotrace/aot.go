package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// Ahead-of-time: --aot FILE writes a program that runs the script on a
// host without gotrace.
//
// bpftrace's --aot writes the compiled BPF object into a copy of a small
// runtime. gotrace writes a copy of its own static binary with the
// script's source, its name and the options and parameters it was given
// appended after the ELF image (the kernel maps only what the program
// headers name, so the appendix is inert). Started, the copy finds the
// appendix and compiles the script on the host it runs on: against that
// kernel's BTF, tracefs formats and features, with that machine's CPU
// count, so struct layouts, tracepoint fields and helper choices are the
// target's, not the build host's (a compiled object would carry the
// build host's offsets, which is why bpftrace's AOT refuses scripts that
// are not portable). Compiling costs the copy milliseconds. Arguments
// given to the copy are added to the saved ones: options before the
// script's, positional parameters after its saved ones, and named
// parameters after --.

// aotMagic ends the appendix: the payload (JSON), its length (u64, little
// endian), then this.
const aotMagic = "\x00gotrace-aot-v1\x00"

// aotPayload is what --aot saves.
type aotPayload struct {
	Name   string   `json:"name"`   // the script's name, as diagnostics show it
	Src    string   `json:"src"`    // its text
	Flags  []string `json:"flags"`  // options, as command-line arguments
	Params []string `json:"params"` // positional parameters
	Named  []string `json:"named"`  // named parameters (without "--")
}

// importLine finds import statements, whose files the copy reads at run
// time from where the script names them.
var importLine = regexp.MustCompile(`(?m)^\s*import\s+"([^"]+)"`)

// writeAOT writes the --aot file.
func writeAOT(o *options, name string, src []byte) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find gotrace's own binary: %v", err)
	}
	image, err := ownImage(self)
	if err != nil {
		return err
	}
	if dynamic(image) {
		fmt.Fprintf(os.Stderr, "WARNING: this gotrace is dynamically linked: %s needs the same shared libraries where it runs (build gotrace with CGO_ENABLED=0 for a static one)\n", o.aot)
	}
	if m := importLine.FindAllSubmatch(src, -1); len(m) > 0 {
		fmt.Fprintf(os.Stderr, "WARNING: the script imports %q: %s reads it at run time, from that path\n", m[0][1], o.aot)
	}
	app, err := encodePayload(&aotPayload{Name: name, Src: string(src), Flags: aotFlags(o), Params: o.params, Named: o.named})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Write(image)
	buf.Write(app)
	tmp := o.aot + ".tmp" + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, buf.Bytes(), 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, o.aot); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// encodePayload is the appendix that holds p: its JSON, the JSON's
// length, the magic.
func encodePayload(p *aotPayload) ([]byte, error) {
	js, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Write(js)
	binary.Write(&buf, binary.LittleEndian, uint64(len(js)))
	buf.WriteString(aotMagic)
	return buf.Bytes(), nil
}

// aotFlags are the options the copy runs with: those that change what
// the script does or prints, not what this run of gotrace does.
func aotFlags(o *options) []string {
	var f []string
	add := func(cond bool, args ...string) {
		if cond {
			f = append(f, args...)
		}
	}
	add(o.quiet, "-q")
	add(o.formatStr != "", "-f", o.formatStr)
	add(o.buffer != "", "-B", o.buffer)
	add(o.unsafe, "--unsafe")
	add(o.noWarnings, "--no-warnings")
	add(o.usdtFileActivation, "--usdt-file-activation")
	add(o.probeFilter != "", "--probe-filter", o.probeFilter)
	add(o.mode == "test" || o.mode == "bench", "--mode", o.mode)
	for _, d := range o.includeDirs {
		f = append(f, "-I", d)
	}
	for _, i := range o.includes {
		f = append(f, "--include", i)
	}
	for _, n := range o.noFeatures {
		f = append(f, "--no-feature", n)
	}
	return f
}

// ownImage is gotrace's binary without an appendix of its own (an AOT
// copy may write another).
func ownImage(self string) ([]byte, error) {
	b, err := os.ReadFile(self)
	if err != nil {
		return nil, err
	}
	if p, n := findPayload(b); p != nil {
		b = b[:len(b)-n]
	}
	return b, nil
}

// dynamic reports whether the ELF image asks for a program interpreter.
func dynamic(image []byte) bool {
	f, err := elf.NewFile(bytes.NewReader(image))
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return true
		}
	}
	return false
}

// findPayload reads the appendix at the end of b, and how many bytes it
// takes.
func findPayload(b []byte) (*aotPayload, int) {
	if len(b) < len(aotMagic)+8 || string(b[len(b)-len(aotMagic):]) != aotMagic {
		return nil, 0
	}
	end := len(b) - len(aotMagic)
	n := binary.LittleEndian.Uint64(b[end-8 : end])
	if n > uint64(end-8) {
		return nil, 0
	}
	start := end - 8 - int(n)
	var p aotPayload
	if json.Unmarshal(b[start:end-8], &p) != nil {
		return nil, 0
	}
	return &p, len(b) - start
}

// loadPayload reads the appendix of the running binary, if it has one.
// Only the tail of the file is read: a binary without one costs a stat
// and a small read.
func loadPayload() (*aotPayload, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil
	}
	f, err := os.Open(self)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() < int64(len(aotMagic)+8) {
		return nil, nil
	}
	tail := make([]byte, len(aotMagic)+8)
	if _, err := f.ReadAt(tail, fi.Size()-int64(len(tail))); err != nil {
		return nil, nil
	}
	if string(tail[8:]) != aotMagic {
		return nil, nil
	}
	n := int64(binary.LittleEndian.Uint64(tail[:8]))
	if n <= 0 || n > fi.Size()-int64(len(tail)) {
		return nil, errors.New("damaged ahead-of-time appendix")
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, fi.Size()-int64(len(tail))-n); err != nil && err != io.EOF {
		return nil, err
	}
	var p aotPayload
	if err := json.Unmarshal(js, &p); err != nil {
		return nil, fmt.Errorf("damaged ahead-of-time appendix: %v", err)
	}
	if p.Name == "" {
		p.Name = filepath.Base(self)
	}
	return &p, nil
}
