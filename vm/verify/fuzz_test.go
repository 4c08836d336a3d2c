package verify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"
)

// FuzzRaw checks that no input makes the verifier panic or loop forever.
func FuzzRaw(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.data")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		tc, err := parseText(string(b))
		if err != nil {
			continue
		}
		code, _, err := tc.raw(nil)
		if err == nil {
			f.Add(code, uint8(tc.progType))
		}
	}
	maps := map[int]*ebpf.MapSpec{
		1000: {Name: "a", Type: ebpf.Array, KeySize: 4, ValueSize: 16, MaxEntries: 4},
		1001: {Name: "h", Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 4},
		1002: {Name: "rb", Type: ebpf.RingBuf, MaxEntries: 4096},
	}
	f.Fuzz(func(t *testing.T, code []byte, pt uint8) {
		types := []ebpf.ProgramType{ebpf.TracePoint, ebpf.Kprobe, ebpf.RawTracepoint, ebpf.PerfEvent, ebpf.SocketFilter, ebpf.XDP}
		Raw(code, types[int(pt)%len(types)], maps, Options{MaxInsns: 100000, Unprivileged: pt&0x80 != 0})
	})
}
