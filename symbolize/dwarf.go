package symbolize

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"path"
)

// DWARF is the debug information of an object: its types, the
// parameters of its functions and its line tables, read with
// debug/dwarf. It may come from four places:
//
//   - the object's own .debug_* sections;
//   - its separate debug file, when it was stripped of them (found as
//     FindDebugFile finds it, also in the directories of --debuginfo);
//   - split DWARF (gcc -gsplit-dwarf): the object keeps one skeleton
//     unit per source file, with the line table and the addresses, and
//     names the .dwo file that holds the rest (DW_AT_dwo_name, relative
//     to DW_AT_comp_dir); the .dwo files may be packed into one
//     OBJECT.dwp next to the object, whose .debug_cu_index says where
//     each unit's contribution to each section starts.
//
// Main holds the line tables (and, without split DWARF, everything);
// Split holds one Data per split unit found, for types and functions.
type DWARF struct {
	Main  *dwarf.Data
	Split []*dwarf.Data
	// Path is the file the debug information was read from ("" for the
	// object itself).
	Path string
}

// All is every Data that holds types and functions: the split units'
// and the main one.
func (d *DWARF) All() []*dwarf.Data {
	if d == nil {
		return nil
	}
	return append(append([]*dwarf.Data(nil), d.Split...), d.Main)
}

// ReadDWARF reads the debug information of the ELF object f, known to
// its process as objPath (see DWARF). The debug file and .dwo/.dwp
// files are looked for through dbg's openers; what it returns does not
// keep them open. It fails when the object has no debug information
// anywhere.
func ReadDWARF(f *elf.File, objPath string, dbg Debug) (*DWARF, error) {
	src, where := f, ""
	if f.Section(".debug_info") == nil {
		df := FindDebugFile(f, objPath, dbg)
		if df == nil {
			return nil, errors.New("no debug information (DWARF) found")
		}
		defer df.Close()
		src, where = df.File, df.Path
	}
	d, err := src.DWARF()
	if err != nil {
		return nil, err
	}
	out := &DWARF{Main: d, Path: where}
	var addr []byte
	if s := src.Section(".debug_addr"); s != nil {
		addr, _ = s.Data()
	}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil || e == nil {
			break
		}
		if e.Tag != dwarf.TagSkeletonUnit && !(e.Tag == dwarf.TagCompileUnit && e.Val(dwarf.AttrDwoName) != nil) {
			r.SkipChildren()
			continue
		}
		r.SkipChildren()
		name, _ := e.Val(dwarf.AttrDwoName).(string)
		dir, _ := e.Val(dwarf.AttrCompDir).(string)
		base, _ := e.Val(dwarf.AttrAddrBase).(int64)
		var unitAddr []byte
		if addr != nil && base >= 0 && int(base) <= len(addr) {
			unitAddr = addr[base:]
		}
		if sd := readSplitUnit(objPath, name, dir, unitAddr, dbg); sd != nil {
			out.Split = append(out.Split, sd)
		}
	}
	return out, nil
}

// readSplitUnit reads one split unit: from its .dwo file, else from the
// object's .dwp package.
func readSplitUnit(objPath, dwoName, compDir string, addr []byte, dbg Debug) *dwarf.Data {
	var cands []string
	if dwoName != "" {
		if path.IsAbs(dwoName) {
			cands = append(cands, dwoName)
		} else if compDir != "" {
			cands = append(cands, path.Join(compDir, dwoName))
		}
		cands = append(cands, path.Join(path.Dir(objPath), path.Base(dwoName)))
	}
	opens := dbg.Openers
	if len(opens) == 0 {
		opens = []Opener{HostOpener}
	}
	for _, open := range opens {
		for _, c := range cands {
			if d := readDWOFile(open, c, addr, false); d != nil {
				return d
			}
		}
		if d := readDWOFile(open, objPath+".dwp", addr, true); d != nil {
			return d
		}
	}
	return nil
}

// dwoSections are the sections of a .dwo or .dwp file, by the column
// a DWARF 5 unit index gives them (DW_SECT_*).
var dwoSections = map[uint32]string{
	1: ".debug_info.dwo",
	3: ".debug_abbrev.dwo",
	4: ".debug_line.dwo",
	5: ".debug_loclists.dwo",
	6: ".debug_str_offsets.dwo",
	8: ".debug_rnglists.dwo",
}

// readDWOFile opens a .dwo (or, packed, a .dwp) file as DWARF data.
// A .dwp's sections are cut to the first compilation unit's
// contributions, as its .debug_cu_index lays them out.
func readDWOFile(open Opener, p string, addr []byte, packed bool) *dwarf.Data {
	r, err := open(p)
	if err != nil {
		return nil
	}
	defer r.Close()
	f, err := elf.NewFile(r)
	if err != nil {
		return nil
	}
	sec := func(name string) []byte {
		s := f.Section(name)
		if s == nil {
			return nil
		}
		b, _ := s.Data()
		return b
	}
	data := map[string][]byte{}
	for _, n := range dwoSections {
		data[n] = sec(n)
	}
	if packed {
		idx := sec(".debug_cu_index")
		if !cutToFirstUnit(idx, data, f.ByteOrder) {
			return nil
		}
	}
	if data[".debug_info.dwo"] == nil || data[".debug_abbrev.dwo"] == nil {
		return nil
	}
	d, err := dwarf.New(data[".debug_abbrev.dwo"], nil, nil, data[".debug_info.dwo"], nil, nil, nil, sec(".debug_str.dwo"))
	if err != nil {
		return nil
	}
	// A split unit has no DW_AT_str_offsets_base: its string offsets
	// start right after the section's 8-byte header (DWARF 5).
	if so := data[".debug_str_offsets.dwo"]; len(so) >= 8 {
		_ = d.AddSection(".debug_str_offsets", so[8:])
	}
	if addr != nil {
		_ = d.AddSection(".debug_addr", addr)
	}
	if rl := data[".debug_rnglists.dwo"]; rl != nil {
		_ = d.AddSection(".debug_rnglists", rl)
	}
	return d
}

// cutToFirstUnit cuts each section of a .dwp to the contribution of the
// first compilation unit its DWARF 5 index lists. The index: a header
// (version, padding, column count, unit count, slot count), a hash
// table of slot signatures and slot rows, the column section ids, then
// a row of offsets and a row of sizes per unit.
func cutToFirstUnit(idx []byte, data map[string][]byte, bo binary.ByteOrder) bool {
	if len(idx) < 16 || bo.Uint16(idx) != 5 {
		return false
	}
	cols, units, slots := int(bo.Uint32(idx[4:])), int(bo.Uint32(idx[8:])), int(bo.Uint32(idx[12:]))
	if units == 0 || cols == 0 {
		return false
	}
	hdr := 16 + slots*12
	ids := hdr
	offs := ids + 4*cols
	sizes := offs + 4*cols*units
	if sizes+4*cols*units > len(idx) {
		return false
	}
	for c := 0; c < cols; c++ {
		name, ok := dwoSections[bo.Uint32(idx[ids+4*c:])]
		if !ok || data[name] == nil {
			continue
		}
		off := int(bo.Uint32(idx[offs+4*c:]))
		n := int(bo.Uint32(idx[sizes+4*c:]))
		if off+n > len(data[name]) {
			return false
		}
		data[name] = data[name][off : off+n]
	}
	return true
}
