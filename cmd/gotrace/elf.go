package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/gotrace/gotrace/codegen"
)

// --emit-elf FILE: the compiled programs as a relocatable eBPF ELF
// object, for readelf, llvm-objdump -d and loaders that read legacy map
// definitions (cilium/ebpf does):
//
//   - each probe's program in a section named the way libbpf names its
//     kind (tracepoint/syscalls/sys_enter_openat, raw_tracepoint/begin,
//     perf_event, kprobe/..., uprobe/..., fentry/...), with a global
//     function symbol named after the program (p0_begin), its
//     subprograms in place (calls are resolved, pc-relative);
//   - the maps in a "maps" section, each a struct bpf_map_def (type, key
//     size, value size, max entries, flags) with a global object symbol;
//   - an R_BPF_64_64 relocation for each instruction that loads a map
//     (a direct load of a map's value keeps its offset in the second
//     half of the instruction, as the kernel reads it);
//   - "license".
//
// There is no BTF: libbpf 1.0 and later refuse maps defined this way.

// elfSectionName is the section a probe's program goes in.
func elfSectionName(p *codegen.ProbeProg, t ebpf.ProgramType) string {
	name := p.Ctx.Name
	prov, rest, _ := strings.Cut(name, ":")
	slash := strings.ReplaceAll(rest, ":", "/")
	switch t {
	case ebpf.TracePoint:
		return "tracepoint/" + slash
	case ebpf.PerfEvent:
		return "perf_event"
	case ebpf.Kprobe:
		switch prov {
		case "kprobe", "kretprobe":
			return prov + "/" + rest
		case "uprobe", "uretprobe":
			return prov + "/" + rest
		case "usdt":
			return "usdt/" + rest
		}
		return "kprobe/" + slash
	case ebpf.Tracing:
		switch prov {
		case "fentry", "fexit", "iter":
			if _, fn, ok := strings.Cut(rest, ":"); ok && prov != "iter" {
				return prov + "/" + fn
			}
			return prov + "/" + rest
		case "rawtracepoint":
			_, fn, _ := strings.Cut(rest, ":")
			return "tp_btf/" + fn
		}
	case ebpf.RawTracepoint:
		return "raw_tracepoint/" + strings.ReplaceAll(name, ":", "_")
	}
	return "gotrace/" + strings.ReplaceAll(name, ":", "/")
}

type elfSection struct {
	name    string
	typ     elf.SectionType
	flags   elf.SectionFlag
	data    []byte
	link    uint32
	info    uint32
	align   uint64
	entsize uint64
}

type elfSym struct {
	name    string
	info    byte
	shndx   uint16
	value   uint64
	size    uint64
	nameOff uint32
}

// writeELF writes prog as an ELF object to path.
func writeELF(path string, prog *codegen.Program) error {
	b, err := buildELF(prog)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func buildELF(prog *codegen.Program) ([]byte, error) {
	secs := []*elfSection{{}} // index 0: SHN_UNDEF
	add := func(s *elfSection) uint16 {
		secs = append(secs, s)
		return uint16(len(secs) - 1)
	}

	// maps, in name order
	var mapNames []string
	for n := range prog.Spec.Maps {
		mapNames = append(mapNames, n)
	}
	sort.Strings(mapNames)
	var mapData bytes.Buffer
	mapSec := &elfSection{name: "maps", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC | elf.SHF_WRITE, align: 4}
	mapIdx := add(mapSec)
	var syms []elfSym
	mapSym := map[string]int{}
	for _, n := range mapNames {
		m := prog.Spec.Maps[n]
		off := mapData.Len()
		for _, v := range []uint32{uint32(m.Type), m.KeySize, m.ValueSize, m.MaxEntries, m.Flags} {
			binary.Write(&mapData, binary.LittleEndian, v)
		}
		mapSym[n] = len(syms)
		syms = append(syms, elfSym{name: n, info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_OBJECT), shndx: mapIdx, value: uint64(off), size: 20})
	}
	mapSec.data = mapData.Bytes()

	// programs, in the order of the probes
	type relocs struct {
		sec  uint16
		rels []struct {
			off uint64
			sym int
		}
	}
	var allRels []relocs
	license := "GPL"
	seen := map[string]bool{}
	for _, p := range prog.Probes {
		ps := prog.Spec.Programs[p.Prog]
		if ps == nil || seen[p.Prog] {
			continue
		}
		seen[p.Prog] = true
		if ps.License != "" {
			license = ps.License
		}
		insns := append(asm.Instructions(nil), ps.Instructions...)
		r := relocs{}
		var off uint64
		for i := range insns {
			ins := &insns[i]
			if ref := ins.Reference(); ref != "" && ins.IsLoadFromMap() {
				si, ok := mapSym[ref]
				if !ok {
					return nil, fmt.Errorf("program %s: unknown map %s", p.Prog, ref)
				}
				r.rels = append(r.rels, struct {
					off uint64
					sym int
				}{off, si})
				// the fd comes from the loader; the value's offset stays
				if err := ins.AssociateMap(elfFD(0)); err != nil {
					return nil, fmt.Errorf("program %s: %v", p.Prog, err)
				}
			}
			off += ins.Size()
		}
		var code bytes.Buffer
		if err := insns.Marshal(&code, binary.LittleEndian); err != nil {
			return nil, fmt.Errorf("program %s: %v", p.Prog, err)
		}
		idx := add(&elfSection{name: elfSectionName(p, ps.Type), typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC | elf.SHF_EXECINSTR, data: code.Bytes(), align: 8})
		syms = append(syms, elfSym{name: p.Prog, info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_FUNC), shndx: idx, size: uint64(code.Len())})
		r.sec = idx
		allRels = append(allRels, r)
	}
	licIdx := add(&elfSection{name: "license", typ: elf.SHT_PROGBITS, flags: elf.SHF_ALLOC | elf.SHF_WRITE, data: append([]byte(license), 0), align: 1})
	syms = append(syms, elfSym{name: "_license", info: elf.ST_INFO(elf.STB_GLOBAL, elf.STT_OBJECT), shndx: licIdx, size: uint64(len(license) + 1)})

	// the symbol table: the null symbol, then (all global) the rest
	var strtab bytes.Buffer
	strtab.WriteByte(0)
	var symtab bytes.Buffer
	symtab.Write(make([]byte, 24))
	for i := range syms {
		syms[i].nameOff = uint32(strtab.Len())
		strtab.WriteString(syms[i].name)
		strtab.WriteByte(0)
		s := elf.Sym64{Name: syms[i].nameOff, Info: syms[i].info, Shndx: syms[i].shndx, Value: syms[i].value, Size: syms[i].size}
		binary.Write(&symtab, binary.LittleEndian, s)
	}
	symIdx := uint16(len(secs))
	strIdx := symIdx + 1
	add(&elfSection{name: ".symtab", typ: elf.SHT_SYMTAB, data: symtab.Bytes(), link: uint32(strIdx), info: 1, align: 8, entsize: 24})
	add(&elfSection{name: ".strtab", typ: elf.SHT_STRTAB, data: strtab.Bytes(), align: 1})
	for _, r := range allRels {
		if len(r.rels) == 0 {
			continue
		}
		var rb bytes.Buffer
		for _, rel := range r.rels {
			binary.Write(&rb, binary.LittleEndian, elf.Rel64{Off: rel.off, Info: elf.R_INFO(uint32(rel.sym+1), rBPF64_64)})
		}
		add(&elfSection{name: ".rel" + secs[r.sec].name, typ: elf.SHT_REL, data: rb.Bytes(), link: uint32(symIdx), info: uint32(r.sec), align: 8, entsize: 16})
	}
	shstrIdx := uint16(len(secs))
	add(&elfSection{name: ".shstrtab", typ: elf.SHT_STRTAB, align: 1})

	// section names, then the file: header, section data, section headers
	var shstr bytes.Buffer
	shstr.WriteByte(0)
	nameOff := make([]uint32, len(secs))
	for i, s := range secs {
		if i == 0 {
			continue
		}
		nameOff[i] = uint32(shstr.Len())
		shstr.WriteString(s.name)
		shstr.WriteByte(0)
	}
	secs[shstrIdx].data = shstr.Bytes()

	var out bytes.Buffer
	out.Write(make([]byte, 64)) // the header, written last
	offs := make([]uint64, len(secs))
	for i, s := range secs {
		if i == 0 {
			continue
		}
		if a := s.align; a > 1 {
			for uint64(out.Len())%a != 0 {
				out.WriteByte(0)
			}
		}
		offs[i] = uint64(out.Len())
		out.Write(s.data)
	}
	for out.Len()%8 != 0 {
		out.WriteByte(0)
	}
	shoff := uint64(out.Len())
	for i, s := range secs {
		sh := elf.Section64{}
		if i > 0 {
			sh = elf.Section64{Name: nameOff[i], Type: uint32(s.typ), Flags: uint64(s.flags), Off: offs[i],
				Size: uint64(len(s.data)), Link: s.link, Info: s.info, Addralign: s.align, Entsize: s.entsize}
		}
		binary.Write(&out, binary.LittleEndian, sh)
	}
	hdr := elf.Header64{
		Type: uint16(elf.ET_REL), Machine: uint16(elf.EM_BPF), Version: uint32(elf.EV_CURRENT),
		Shoff: shoff, Ehsize: 64, Shentsize: 64, Shnum: uint16(len(secs)), Shstrndx: shstrIdx,
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var hb bytes.Buffer
	binary.Write(&hb, binary.LittleEndian, hdr)
	b := out.Bytes()
	copy(b, hb.Bytes())
	return b, nil
}

// elfFD stands for a map's fd while the instructions are encoded: the
// loader puts the real one there, as the relocation says.
type elfFD int

func (f elfFD) FD() int { return int(f) }

// rBPF64_64 is the relocation of a 64-bit immediate load (R_BPF_64_64).
const rBPF64_64 = 1
