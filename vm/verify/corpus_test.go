package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/vm/insn"
)

// expectation is the -- expect section of a case: "accept", or
// "reject INSN MESSAGE-SUBSTRING" (INSN may be *).
type expectation struct {
	accept bool
	insn   int // -1: any
	msg    string
}

func parseExpect(s string) (expectation, error) {
	s = strings.TrimSpace(s)
	f := strings.Fields(s)
	if len(f) == 0 {
		return expectation{}, errors.New("empty -- expect")
	}
	switch f[0] {
	case "accept":
		return expectation{accept: true}, nil
	case "reject":
		e := expectation{insn: -1}
		if len(f) > 1 && f[1] != "*" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return e, fmt.Errorf("bad insn %q", f[1])
			}
			e.insn = n
		}
		if len(f) > 2 {
			e.msg = strings.Join(f[2:], " ")
		}
		return e, nil
	}
	return expectation{}, fmt.Errorf("want accept or reject, not %q", f[0])
}

// corpusCase is one file of testdata. exp is its verdict on any kernel;
// where the verdict depends on whether the kernel gives tracing
// programs' functions private stacks (Options.PrivateStack), exp is the
// verdict where it does and shared (the section "expect shared-stack")
// where it does not.
type corpusCase struct {
	name   string
	tc     *textCase
	exp    expectation
	shared expectation
}

// expect is the case's verdict for a kernel that grants private stacks
// or not.
func (c corpusCase) expect(privateStack bool) expectation {
	if privateStack {
		return c.exp
	}
	return c.shared
}

func loadCorpus(t *testing.T) []corpusCase {
	files, err := filepath.Glob("testdata/*.data")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var out []corpusCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tc, err := parseText(string(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		exp, err := parseExpect(tc.sections["expect"])
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		shared := exp
		if text, ok := tc.sections["expect shared-stack"]; ok {
			if shared, err = parseExpect(text); err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
		}
		out = append(out, corpusCase{strings.TrimSuffix(filepath.Base(f), ".data"), tc, exp, shared})
	}
	return out
}

// toAsm rebuilds cilium instructions from raw bytes, naming maps by
// reference as the code generator does.
func toAsm(tc *textCase) (asm.Instructions, map[string]*ebpf.MapSpec, error) {
	insns, err := asm.AppendInstructions(nil, bytes.NewReader(tc.prog.Code), binary.LittleEndian, "linux")
	if err != nil {
		return nil, nil, err
	}
	mapAt := map[int]string{}
	for _, r := range tc.prog.Refs {
		if r.Src != insn.PseudoBTFID {
			mapAt[r.Slot] = r.Name
		}
	}
	slot := 0
	for i := range insns {
		if name, ok := mapAt[slot]; ok {
			insns[i] = insns[i].WithReference(name)
		}
		slot += int(insns[i].Size() / 8)
	}
	maps := map[string]*ebpf.MapSpec{}
	for _, m := range tc.maps {
		maps[m.Name] = m
	}
	return insns, maps, nil
}

func verdict(err error) string {
	if err == nil {
		return "ACCEPT"
	}
	var ve *Error
	if errors.As(err, &ve) {
		return fmt.Sprintf("REJECT insn %d: %s", ve.Insn, ve.Msg)
	}
	return "ERROR " + err.Error()
}

// checkVerdict runs the verifier over a case with opts and checks the
// verdict against exp; it returns the verifier's answer.
func checkVerdict(t *testing.T, c corpusCase, opts Options, exp expectation) error {
	t.Helper()
	b, fds, err := c.tc.raw(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := Raw(b, c.tc.progType, fds, opts)
	// The code generator's path must say the same.
	if insns, maps, err := toAsm(c.tc); err == nil && sameEncoding(insns, c.tc) {
		got2 := Program(insns, c.tc.progType, maps, opts)
		if verdict(got) != verdict(got2) {
			t.Errorf("Raw and Program disagree:\n  Raw:     %s\n  Program: %s", verdict(got), verdict(got2))
		}
	}
	var ve *Error
	if got != nil && !errors.As(got, &ve) {
		t.Fatalf("not a verifier error: %v", got)
	}
	where := fmt.Sprintf(" (private stacks %v)", opts.PrivateStack)
	switch {
	case exp.accept && got != nil:
		t.Errorf("want accept%s, got %s\n  state: %s", where, verdict(got), ve.Detail)
	case !exp.accept && got == nil:
		t.Errorf("want reject%s, got accept", where)
	case !exp.accept:
		if exp.insn >= 0 && ve.Insn != exp.insn {
			t.Errorf("want reject at insn %d%s, got %s", exp.insn, where, verdict(got))
		}
		if exp.msg != "" && !strings.Contains(ve.Msg, exp.msg) {
			t.Errorf("want message containing %q%s, got %s", exp.msg, where, verdict(got))
		}
	}
	return got
}

// TestCorpus runs every case under testdata through the verifier, checks
// the expected verdict both for a kernel that grants private stacks and
// for one that does not, and as root loads it into this kernel too: the
// kernel's verdict must agree with ours for what the host grants
// (probes.FeaturePrivateStack, the probe gotrace itself uses).
func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	kerr := kernelAvailable()
	if kerr != nil {
		if os.Getenv("CI") == "true" {
			t.Errorf("kernel part cannot run in CI: %v", kerr)
		} else {
			t.Logf("kernel part skipped: %v", kerr)
		}
	}
	hostPrivateStack := kerr == nil && probes.HostTarget().Has(probes.FeaturePrivateStack)
	agree, total, insnAgree, rejects := 0, 0, 0, 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got error
			for _, ps := range []bool{false, true} {
				opts := Options{Unprivileged: c.tc.unprivileged, NumCPU: possibleCPUs(), PrivateStack: ps}
				if err := checkVerdict(t, c, opts, c.expect(ps)); ps == hostPrivateStack {
					got = err
				}
			}
			var ve *Error
			errors.As(got, &ve)
			if kerr != nil {
				return
			}
			kb, closeMaps, err := kernelCode(c.tc)
			if err != nil {
				t.Fatalf("creating maps: %v", err)
			}
			defer closeMaps()
			ok, log, err := kernelLoad(c.tc.progType, kb, c.tc.unprivileged)
			if err != nil {
				t.Fatalf("kernel load: %v", err)
			}
			if !ok && strings.Contains(log, "failed to find the address for kernel symbol") {
				// a kernel without CONFIG_KALLSYMS_ALL cannot resolve
				// variables (ksym:NAME): it never gets to verify
				t.Logf("kernel cannot resolve the kernel variable: %s", strings.TrimSpace(log))
				return
			}
			total++
			if ok == (got == nil) {
				agree++
			} else {
				lines := strings.Split(strings.TrimSpace(log), "\n")
				if len(lines) > 12 {
					lines = lines[len(lines)-12:]
				}
				t.Errorf("kernel disagrees: kernel accept=%v, ours %s\n  kernel log tail:\n    %s", ok, verdict(got), strings.Join(lines, "\n    "))
			}
			if !ok && got != nil {
				rejects++
				ki, kmsg := KernelLogInsn(strings.Split(log, "\n"))
				if ki == ve.Insn {
					insnAgree++
				} else {
					t.Logf("kernel stops at insn %d (%s), we at %d [log %d bytes: %q]", ki, kmsg, ve.Insn, len(log), log[max(0, len(log)-300):])
				}
			}
		})
	}
	if kerr == nil {
		t.Logf("agreement with kernel: %d/%d", agree, total)
		t.Logf("same failing instruction as the kernel: %d/%d rejections", insnAgree, rejects)
		if agree != total {
			t.Errorf("verdicts differ from the kernel's on %d of %d programs", total-agree, total)
		}
	}
}

// kernelCode creates the case's maps and puts their descriptors into the
// program.
func kernelCode(tc *textCase) ([]byte, func(), error) {
	var made []*ebpf.Map
	closeAll := func() {
		for _, m := range made {
			m.Close()
		}
	}
	fds := map[string]int{}
	for _, spec := range tc.maps {
		s := spec.Copy()
		if s.Type == ebpf.PerfEventArray {
			s.MaxEntries = 0
		}
		m, err := ebpf.NewMap(s)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("map %s: %w", spec.Name, err)
		}
		made = append(made, m)
		fds[spec.Name] = m.FD()
	}
	b, _, err := tc.raw(fds)
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return b, closeAll, nil
}

// sameEncoding reports whether cilium encodes insns back to the case's
// bytes (it drops fields it does not model, such as reserved ones).
func sameEncoding(insns asm.Instructions, tc *textCase) bool {
	var buf bytes.Buffer
	for _, ins := range insns {
		if _, err := ins.Marshal(&buf, binary.LittleEndian); err != nil {
			return false
		}
	}
	return bytes.Equal(buf.Bytes(), tc.prog.Code)
}
