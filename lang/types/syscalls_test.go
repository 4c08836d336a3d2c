package types

import (
	"runtime"
	"testing"
)

// TestSyscallTables: each architecture has its own numbers, and the one
// gotrace runs on is the one SyscallNames holds.
func TestSyscallTables(t *testing.T) {
	for _, tc := range []struct {
		arch string
		nr   uint64
		name string
	}{
		{"amd64", 257, "openat"}, {"amd64", 0, "read"}, {"amd64", 59, "execve"},
		{"arm64", 56, "openat"}, {"arm64", 63, "read"}, {"arm64", 221, "execve"},
	} {
		if got := syscallNamesByArch[tc.arch][tc.nr]; got != tc.name {
			t.Errorf("%s: system call %d is %q, want %q", tc.arch, tc.nr, got, tc.name)
		}
	}
	if len(SyscallNames) == 0 && (runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64") {
		t.Errorf("no system call table for %s", runtime.GOARCH)
	}
	if v, ok := cConstant("__NR_openat"); !ok || SyscallNames[uint64(v)] != "openat" {
		t.Errorf("__NR_openat = %d, %v: not openat's number here", v, ok)
	}
}
