package probes

import (
	"bytes"
	"debug/elf"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/gotrace/gotrace/lang/types"
)

func TestParseUSDTArg(t *testing.T) {
	tests := []struct {
		in   string
		want USDTArg
	}{
		{"-4@%edi", USDTArg{Size: 4, Signed: true, Kind: USDTArgReg, Reg: "edi"}},
		{"8@%rax", USDTArg{Size: 8, Kind: USDTArgReg, Reg: "rax"}},
		{"4@$5", USDTArg{Size: 4, Kind: USDTArgConst, Const: 5}},
		{"-8@$-1", USDTArg{Size: 8, Signed: true, Kind: USDTArgConst, Const: -1}},
		{"8@-8(%rbp)", USDTArg{Size: 8, Kind: USDTArgMem, Const: -8, Reg: "rbp"}},
		{"2@(%rsp)", USDTArg{Size: 2, Kind: USDTArgMem, Reg: "rsp"}},
		{"4@16(%rax,%rdx,4)", USDTArg{Size: 4, Kind: USDTArgMem, Const: 16, Reg: "rax", Index: "rdx", Scale: 4}},
		{"8@counter+8(%rip)", USDTArg{Size: 8, Kind: USDTArgMem, Const: 8, Reg: "rip", Sym: "counter"}},
		{"1@flag(%rip)", USDTArg{Size: 1, Kind: USDTArgMem, Reg: "rip", Sym: "flag"}},
	}
	for _, tt := range tests {
		got, err := parseUSDTArg(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseUSDTArg(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"%eax", "3@%eax", "x@%eax", "4@$x", "4@8(%rax"} {
		if _, err := parseUSDTArg(bad); err == nil {
			t.Errorf("parseUSDTArg(%q) accepted", bad)
		}
	}
}

func TestPtRegsOffset(t *testing.T) {
	for reg, want := range map[string]int{
		"rdi": 112, "edi": 112, "di": 112, "dil": 112, "rax": 80, "eax": 80, "ax": 80, "al": 80,
		"r8": 72, "r8d": 72, "r10w": 56, "r12b": 24, "rsp": 152, "esp": 152, "rip": 128, "rbx": 40, "bl": 40,
	} {
		if got, ok := PtRegsOffset(reg); !ok || got != want {
			t.Errorf("PtRegsOffset(%q) = %d, %v; want %d", reg, got, ok, want)
		}
	}
	if _, ok := PtRegsOffset("xmm0"); ok {
		t.Errorf("xmm0 has no pt_regs slot")
	}
}

func TestUSDTSites(t *testing.T) {
	b, err := os.ReadFile("testdata/bin/prog")
	if err != nil {
		t.Fatal(err)
	}
	sites, err := usdtSites(bytes.NewReader(b))
	if err != nil || len(sites) != 1 {
		t.Fatalf("usdtSites = %+v, %v", sites, err)
	}
	s := sites[0]
	if s.Provider != "gotrace" || s.Name != "tick" || s.Addr != 0x116f || s.Offset != 0x116f || s.Semaphore != 0x3018 || s.ArgsText != "-4@%ebx 8@%r12" {
		t.Errorf("site = %+v", s)
	}
	want := []USDTArg{{Size: 4, Signed: true, Kind: USDTArgReg, Reg: "ebx"}, {Size: 8, Kind: USDTArgReg, Reg: "r12"}}
	if !reflect.DeepEqual(s.Args, want) {
		t.Errorf("args = %+v", s.Args)
	}
	if sites, err := usdtSites(bytes.NewReader(nil)); err == nil || sites != nil {
		t.Errorf("empty file: %v, %v", sites, err)
	}
}

func TestUSDTContexts(t *testing.T) {
	env := newEnvForTest(uprobeTarget(t))
	for _, raw := range []string{"usdt:/usr/bin/app:tick", "U:/usr/bin/app:gotrace:tick", "usdt:app:gotrace:t*", "usdt:/usr/bin/app:*"} {
		ctxs, err := env.contexts(raw)
		if err != nil || len(ctxs) != 1 {
			t.Errorf("%s: %v, %v", raw, ctxs, err)
			continue
		}
		c := ctxs[0]
		if c.Name != "usdt:/usr/bin/app:gotrace:tick" || c.Provider != "usdt" || c.Kind != types.ProgKprobe {
			t.Errorf("%s: %+v", raw, c)
		}
		args, ok := USDTArgs(c)
		if !ok || len(args) != 2 || args[0].Reg != "ebx" {
			t.Errorf("%s: USDTArgs = %+v, %v", raw, args, ok)
		}
	}
	for raw, msg := range map[string]string{
		"usdt:/usr/bin/app:nope":       "no USDT probe nope in /usr/bin/app",
		"usdt:/usr/bin/app:other:tick": "no USDT probe other:tick in /usr/bin/app",
		"usdt:/usr/bin/none:tick":      "binary /usr/bin/none does not exist",
		"usdt:/usr/bin/zz*:tick":       "no file matches /usr/bin/zz*",
		"usdt:/usr/bin/ap*:nope":       "no USDT probe nope in /usr/bin/app",
		"usdt:/etc/ld.so.cache:tick":   "cannot read the USDT notes of /etc/ld.so.cache",
		"usdt:/usr/bin/app:a:b:c":      "usdt probe type requires 2 or 3 arguments, found 4",
	} {
		_, err := env.contexts(raw)
		if err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", raw, err, msg)
		}
	}
	if ctxs, err := env.contexts("usdt:/usr/bin/ap*:tick"); err != nil || len(ctxs) != 1 || ctxs[0].Name != "usdt:/usr/bin/app:gotrace:tick" {
		t.Errorf("usdt:/usr/bin/ap*:tick: %v, %v", ctxs, err)
	}
	if _, ok := USDTArgs(&types.Context{Name: "usdt:/x:a:b"}); ok {
		t.Errorf("USDTArgs of an unknown context")
	}
	got, err := List(uprobeTarget(t), "usdt:/usr/bin/app:*")
	if err != nil || len(got) != 1 || got[0] != "usdt:/usr/bin/app:gotrace:tick" {
		t.Errorf("List = %v, %v", got, err)
	}
}

// TestParseUSDTArgsARM64: the notes of arm64 files, in its assembler's
// syntax, and where their registers are in arm64's struct pt_regs.
func TestParseUSDTArgsARM64(t *testing.T) {
	got, err := parseUSDTArgs("-4@x0 8@x1 4@w2 8@[sp, 16] -4@[x19] 2@[x29, -8] 4@5 -8@-1 8@sp", elf.EM_AARCH64)
	if err != nil {
		t.Fatal(err)
	}
	want := []USDTArg{
		{Size: 4, Signed: true, Kind: USDTArgReg, Reg: "x0"},
		{Size: 8, Kind: USDTArgReg, Reg: "x1"},
		{Size: 4, Kind: USDTArgReg, Reg: "w2"},
		{Size: 8, Kind: USDTArgMem, Reg: "sp", Const: 16},
		{Size: 4, Signed: true, Kind: USDTArgMem, Reg: "x19"},
		{Size: 2, Kind: USDTArgMem, Reg: "x29", Const: -8},
		{Size: 4, Kind: USDTArgConst, Const: 5},
		{Size: 8, Signed: true, Kind: USDTArgConst, Const: -1},
		{Size: 8, Kind: USDTArgReg, Reg: "sp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	locs, err := argLocs(got, types.RegsARM64)
	if err != nil {
		t.Fatal(err)
	}
	var regs []int
	for _, l := range locs {
		regs = append(regs, l.Reg)
	}
	if wantRegs := []int{0, 8, 16, 248, 152, 232, -1, -1, 248}; !reflect.DeepEqual(regs, wantRegs) {
		t.Errorf("pt_regs offsets %v, want %v", regs, wantRegs)
	}
	// x86-64 register names are not arm64's
	if _, err := argLocs([]USDTArg{{Size: 8, Kind: USDTArgReg, Reg: "rdi"}}, types.RegsARM64); err == nil {
		t.Errorf("%%rdi accepted on arm64")
	}
	for _, bad := range []string{"4@x31", "4@[x1, 8", "4@q0", "3@x0", "4@[x1, y]"} {
		if _, err := parseUSDTArgs(bad, elf.EM_AARCH64); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
