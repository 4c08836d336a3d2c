package insn

import (
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/cilium/ebpf/asm"
)

// HelperName is the kernel's name of helper fn ("bpf_map_lookup_elem"
// for asm.FnMapLookupElem), made from cilium/ebpf's name of the
// constant; an id cilium does not know is "helper N".
func HelperName(fn asm.BuiltinFunc) string {
	s := fn.String()
	if !strings.HasPrefix(s, "Fn") {
		return "helper " + strconv.FormatUint(uint64(fn), 10)
	}
	var b strings.Builder
	b.WriteString("bpf")
	for _, r := range s[2:] {
		if unicode.IsUpper(r) {
			b.WriteByte('_')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maxHelper bounds the ids HelperByName searches: past the kernel's last
// helper (bpf_cgrp_storage_delete is 211 in Linux 6.18).
const maxHelper = 1024

var helperIDs = sync.OnceValue(func() map[string]asm.BuiltinFunc {
	m := map[string]asm.BuiltinFunc{}
	for fn := asm.BuiltinFunc(1); fn < maxHelper; fn++ {
		if s := fn.String(); strings.HasPrefix(s, "Fn") {
			m[HelperName(fn)] = fn
		}
	}
	return m
})

// HelperByName finds a helper by its name, with or without "bpf_".
func HelperByName(name string) (asm.BuiltinFunc, bool) {
	if !strings.HasPrefix(name, "bpf_") {
		name = "bpf_" + name
	}
	fn, ok := helperIDs()[name]
	return fn, ok
}
