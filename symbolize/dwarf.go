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
	triedDWP := false
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
		if sd := readDWO(objPath, name, dir, unitAddr, dbg); sd != nil {
			out.Split = append(out.Split, sd)
		} else if !triedDWP {
			// the units are packed together: all of them at once
			triedDWP = true
			out.Split = append(out.Split, readDWP(objPath, unitAddr, dbg)...)
		}
	}
	return out, nil
}

// openers are the views a split unit's files are looked for in.
func (dbg Debug) openers() []Opener {
	if len(dbg.Openers) == 0 {
		return []Opener{HostOpener}
	}
	return dbg.Openers
}

// readDWO reads one split unit from its .dwo file.
func readDWO(objPath, dwoName, compDir string, addr []byte, dbg Debug) *dwarf.Data {
	var cands []string
	if dwoName != "" {
		if path.IsAbs(dwoName) {
			cands = append(cands, dwoName)
		} else if compDir != "" {
			cands = append(cands, path.Join(compDir, dwoName))
		}
		cands = append(cands, path.Join(path.Dir(objPath), path.Base(dwoName)))
	}
	for _, open := range dbg.openers() {
		for _, c := range cands {
			if f := openDWO(open, c); f != nil {
				return f.data(nil, addr)
			}
		}
	}
	return nil
}

// readDWP reads every compilation unit of the object's .dwp package
// (OBJECT.dwp next to it). The addresses of each are those of the
// object's first skeleton unit: the units of one object share its
// .debug_addr, each from its own base, so a unit's own addresses may
// read wrong; types and parameters, which gotrace reads from them, have
// no addresses.
func readDWP(objPath string, addr []byte, dbg Debug) []*dwarf.Data {
	for _, open := range dbg.openers() {
		f := openDWO(open, objPath+".dwp")
		if f == nil {
			continue
		}
		var out []*dwarf.Data
		for u := 0; ; u++ {
			cut, ok := f.unit(u)
			if !ok {
				break
			}
			if d := f.data(cut, addr); d != nil {
				out = append(out, d)
			}
		}
		return out
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

// dwoFile is a .dwo or .dwp file's DWARF sections, read.
type dwoFile struct {
	sections map[string][]byte // by name, of dwoSections
	str      []byte
	index    []byte // .debug_cu_index of a .dwp
	bo       binary.ByteOrder
}

// openDWO reads the sections of a .dwo or .dwp file.
func openDWO(open Opener, p string) *dwoFile {
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
	out := &dwoFile{sections: map[string][]byte{}, str: sec(".debug_str.dwo"), index: sec(".debug_cu_index"), bo: f.ByteOrder}
	for _, n := range dwoSections {
		out.sections[n] = sec(n)
	}
	return out
}

// data makes the DWARF data of the file, or of one unit of a package
// (cut: each section's part), with the object's addresses.
func (f *dwoFile) data(cut map[string][]byte, addr []byte) *dwarf.Data {
	sec := f.sections
	if cut != nil {
		sec = cut
	}
	if sec[".debug_info.dwo"] == nil || sec[".debug_abbrev.dwo"] == nil {
		return nil
	}
	d, err := dwarf.New(sec[".debug_abbrev.dwo"], nil, nil, sec[".debug_info.dwo"], nil, nil, nil, f.str)
	if err != nil {
		return nil
	}
	// A split unit has no DW_AT_str_offsets_base: its string offsets
	// start right after the section's 8-byte header (DWARF 5).
	if so := sec[".debug_str_offsets.dwo"]; len(so) >= 8 {
		_ = d.AddSection(".debug_str_offsets", so[8:])
	}
	if addr != nil {
		_ = d.AddSection(".debug_addr", addr)
	}
	if rl := sec[".debug_rnglists.dwo"]; rl != nil {
		_ = d.AddSection(".debug_rnglists", rl)
	}
	return d
}

// unit cuts each section of a .dwp to the contributions of its unit u,
// as its DWARF 5 index lays them out: a header (version, padding,
// column count, unit count, slot count), a hash table of slot
// signatures and slot rows, the column section ids, then a row of
// offsets and a row of sizes per unit.
func (f *dwoFile) unit(u int) (map[string][]byte, bool) {
	idx, bo := f.index, f.bo
	if len(idx) < 16 || bo.Uint16(idx) != 5 {
		return nil, false
	}
	cols, units, slots := int(bo.Uint32(idx[4:])), int(bo.Uint32(idx[8:])), int(bo.Uint32(idx[12:]))
	if u >= units || cols == 0 {
		return nil, false
	}
	ids := 16 + slots*12
	offs := ids + 4*cols
	sizes := offs + 4*cols*units
	if sizes+4*cols*units > len(idx) {
		return nil, false
	}
	out := map[string][]byte{}
	for c := 0; c < cols; c++ {
		name, ok := dwoSections[bo.Uint32(idx[ids+4*c:])]
		if !ok || f.sections[name] == nil {
			continue
		}
		off := int(bo.Uint32(idx[offs+4*(u*cols+c):]))
		n := int(bo.Uint32(idx[sizes+4*(u*cols+c):]))
		if off+n > len(f.sections[name]) {
			return nil, false
		}
		out[name] = f.sections[name][off : off+n]
	}
	return out, true
}
