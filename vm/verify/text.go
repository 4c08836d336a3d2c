package verify

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/gotrace/gotrace/vm/insn"
)

// Text verifies a program written in the conformance text format: a
// file of "-- name" sections, of which this reads
//
//	-- asm      the program, in the syntax of insn.Assemble
//	-- type     its program type (tracepoint, kprobe, raw_tracepoint,
//	            perf_event, socket, xdp), unless progType is not 0
//	-- maps     one map a line: NAME TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES [FLAGS]
//	-- options  "unprivileged"
//
// Other sections (expected results, memory) are ignored. A text that
// cannot be read gives a plain error; a program the verifier refuses an
// *Error.
func Text(src []byte, progType ebpf.ProgramType, opts Options) error {
	tc, err := parseText(string(src))
	if err != nil {
		return err
	}
	if progType == ebpf.UnspecifiedProgram {
		progType = tc.progType
	}
	if tc.unprivileged {
		opts.Unprivileged = true
	}
	b, fds, err := tc.raw(nil)
	if err != nil {
		return err
	}
	return Raw(b, progType, fds, opts)
}

// ProgTypeByName maps the names bpfvm verify's -type flag takes.
func ProgTypeByName(s string) (ebpf.ProgramType, bool) {
	switch strings.ToLower(s) {
	case "tracepoint", "tp":
		return ebpf.TracePoint, true
	case "kprobe":
		return ebpf.Kprobe, true
	case "raw_tracepoint", "rawtracepoint", "raw_tp":
		return ebpf.RawTracepoint, true
	case "perf_event", "perf":
		return ebpf.PerfEvent, true
	case "socket", "socket_filter":
		return ebpf.SocketFilter, true
	case "xdp":
		return ebpf.XDP, true
	case "tracing", "fentry", "fexit":
		return ebpf.Tracing, true
	}
	return ebpf.UnspecifiedProgram, false
}

var mapTypes = map[string]ebpf.MapType{
	"hash": ebpf.Hash, "array": ebpf.Array, "percpu_hash": ebpf.PerCPUHash, "percpu_array": ebpf.PerCPUArray,
	"lru_hash": ebpf.LRUHash, "lru_percpu_hash": ebpf.LRUCPUHash, "ringbuf": ebpf.RingBuf,
	"perf_event_array": ebpf.PerfEventArray, "stack_trace": ebpf.StackTrace, "prog_array": ebpf.ProgramArray,
	"queue": ebpf.Queue, "stack": ebpf.Stack,
}

// textCase is a parsed text file.
type textCase struct {
	sections     map[string]string
	progType     ebpf.ProgramType
	maps         []*ebpf.MapSpec
	unprivileged bool
	prog         *insn.Program // kernel variables resolved, maps not yet
}

func parseText(src string) (*textCase, error) {
	tc := &textCase{sections: map[string]string{}, progType: ebpf.TracePoint}
	cur := ""
	for _, l := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(l, "-- ") {
			cur = strings.TrimSpace(l[3:])
			tc.sections[cur] += ""
			continue
		}
		if cur != "" {
			tc.sections[cur] += l
		}
	}
	text, ok := tc.sections["asm"]
	if !ok {
		return nil, fmt.Errorf("no -- asm section")
	}
	if t, ok := tc.sections["type"]; ok {
		pt, ok := ProgTypeByName(strings.TrimSpace(t))
		if !ok {
			return nil, fmt.Errorf("unknown program type %q", strings.TrimSpace(t))
		}
		tc.progType = pt
	}
	if o, ok := tc.sections["options"]; ok {
		for _, w := range strings.Fields(o) {
			switch w {
			case "unprivileged":
				tc.unprivileged = true
			default:
				return nil, fmt.Errorf("unknown option %q", w)
			}
		}
	}
	for _, l := range strings.Split(tc.sections["maps"], "\n") {
		if i := strings.Index(l, "#"); i >= 0 {
			l = l[:i]
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 || len(f) > 6 {
			return nil, fmt.Errorf("map line %q: want NAME TYPE KEY_SIZE VALUE_SIZE MAX_ENTRIES [FLAGS]", l)
		}
		mt, ok := mapTypes[f[1]]
		if !ok {
			return nil, fmt.Errorf("map line %q: unknown map type %q", l, f[1])
		}
		var n [4]uint64
		for k, s := range f[2:] {
			x, err := strconv.ParseUint(s, 0, 32)
			if err != nil {
				return nil, fmt.Errorf("map line %q: %q is not a number", l, s)
			}
			n[k] = x
		}
		tc.maps = append(tc.maps, &ebpf.MapSpec{Name: f[0], Type: mt, KeySize: uint32(n[0]), ValueSize: uint32(n[1]), MaxEntries: uint32(n[2]), Flags: uint32(n[3])})
	}
	p, err := assemble(text)
	if err != nil {
		return nil, err
	}
	tc.prog = p
	return tc, nil
}

// assemble translates program text with insn.Assemble and fills in the
// BTF ids of the kernel variables it names; map references are left to
// textCase.raw.
func assemble(text string) (*insn.Program, error) {
	p, err := insn.Assemble(text)
	if err != nil {
		return nil, err
	}
	for _, r := range p.Refs {
		if r.Src == insn.PseudoBTFID {
			id, err := kernelVarID(r.Name)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", r.Line, err)
			}
			binary.LittleEndian.PutUint32(p.Code[8*r.Slot+4:], uint32(id))
		}
	}
	return p, nil
}

// kernelVarID finds the BTF id of the kernel variable name in vmlinux's
// BTF, for `lddw %rN, ksym:NAME`.
func kernelVarID(name string) (btf.TypeID, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return 0, fmt.Errorf("ksym:%s: %w", name, err)
	}
	var v *btf.Var
	if err := spec.TypeByName(name, &v); err != nil {
		return 0, fmt.Errorf("ksym:%s: %w", name, err)
	}
	return spec.TypeID(v)
}

// raw gives the program bytes with map file descriptors filled in: the
// given ones, or made-up ones, and the specs by descriptor.
func (tc *textCase) raw(fds map[string]int) ([]byte, map[int]*ebpf.MapSpec, error) {
	byName := map[string]*ebpf.MapSpec{}
	specs := map[int]*ebpf.MapSpec{}
	if fds == nil {
		fds = map[string]int{}
		for i, m := range tc.maps {
			fds[m.Name] = 1000 + i
		}
	}
	for _, m := range tc.maps {
		byName[m.Name] = m
		specs[fds[m.Name]] = m
	}
	b := append([]byte(nil), tc.prog.Code...)
	for _, r := range tc.prog.Refs {
		if r.Src == insn.PseudoBTFID {
			continue
		}
		if byName[r.Name] == nil {
			return nil, nil, fmt.Errorf("program uses map %q, which the -- maps section does not declare", r.Name)
		}
		binary.LittleEndian.PutUint32(b[r.Slot*8+4:], uint32(fds[r.Name]))
	}
	return b, specs, nil
}
