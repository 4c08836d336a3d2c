// Package unwind turns the DWARF call-frame information of an x86-64 ELF
// object into rows a BPF program can binary-search to unwind user stacks
// that have no frame pointers (dw_ustack).
//
// The call-frame information (.eh_frame, else .debug_frame) is a list of
// CIEs (common settings and initial instructions) and FDEs (one per
// function: an address range and instructions). Running an FDE's
// instructions after its CIE's gives, at every address of the function,
// the rule for the canonical frame address (CFA: the caller's stack
// pointer before its call) and where each register of the caller is
// saved. The instructions are run as a small machine: a location, the
// current rules, the rules after the CIE's instructions (what
// DW_CFA_restore goes back to) and a stack for DW_CFA_remember_state
// and DW_CFA_restore_state; every advance of the location records the
// rules of the addresses passed over as a row.
//
// Rows keep what an unwinder needs on x86-64: the CFA as rsp or rbp plus
// an offset (or the fixed expression of PLT entries, recognised by its
// bytes), the return address at CFA-8, and where the caller's rbp is
// saved (or that it is unchanged). Any other rule (a CFA from another
// register or another expression, the return address elsewhere, rbp in
// a register or given by an expression) makes the row Undefined, where
// unwinding stops. The rows of all functions are sorted by address;
// neighbours with the same rule are merged, and the end of a function
// not followed at once by another gets an Undefined row, so that a row
// lasts until the next one and gaps between functions stop the unwinder.
package unwind

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind is the rule a row gives for the CFA.
type Kind uint8

const (
	Undefined Kind = iota // no unwind information: stop unwinding
	RSP                   // CFA = rsp + CFAOff
	RBP                   // CFA = rbp + CFAOff
	// PLT is the CFA of a PLT entry: rsp + 8, plus 8 more once the
	// entry has pushed its index, from byte 16-CFAOff of the 16-byte
	// entry on: CFA = rsp + 8 + (((rip & 15) + CFAOff) >> 4) * 8.
	// The expression gcc and binutils write (DW_OP_lit11) gives
	// CFAOff 5: CFA = rsp + 8 + ((rip & 15) >= 11 ? 8 : 0).
	PLT
)

// Row is the unwind rule from PC (an address of the object, as its ELF
// program headers give them) to the next row's PC.
type Row struct {
	PC     uint64
	Kind   Kind
	CFAOff int32
	RBPOff int32 // the caller's rbp is saved at CFA + RBPOff; 0: rbp is unchanged
}

// Rows reads the rows of the object file at path (see RowsFromELF).
func Rows(path string) ([]Row, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return RowsFromELF(f)
}

// RowsFromELF reads the rows of an object: sorted by PC, no two
// neighbours with the same rule, and an Undefined row at the end of
// every function whose end is not the start of the next one, so that
// gaps between functions (and the addresses after the last) stop the
// unwinder. The functions come from .eh_frame, and from .debug_frame
// for what .eh_frame does not cover (all of them when there is no
// .eh_frame); a function described in both keeps its .eh_frame rows.
// An object without call-frame information has no rows. Malformed
// call-frame information is an error.
func RowsFromELF(f *elf.File) ([]Row, error) {
	if f.Machine != elf.EM_X86_64 {
		return nil, fmt.Errorf("unwinding is only for x86-64 objects, not %v", f.Machine)
	}
	// .eh_frame, and .debug_frame for what it does not cover (objects
	// built with -g but without asynchronous unwind tables)
	var fdes []fde
	for _, name := range []string{".eh_frame", ".debug_frame"} {
		sec := f.Section(name)
		if sec == nil || sec.Type == elf.SHT_NOBITS {
			continue
		}
		data, err := sec.Data()
		if err != nil {
			return nil, err
		}
		p := &parser{data: data, addr: sec.Addr, eh: name == ".eh_frame", cies: map[uint64]*cie{}}
		more, err := p.parse()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		fdes = append(fdes, more...)
	}
	return join(fdes), nil
}

const pageSize = 4096 // x86-64's

// Bias is what to subtract from an address in a mapping of f, which
// starts at mapStart and maps the file from offset mapOff (as
// /proc/PID/maps shows), to get f's own virtual address. Within a
// loadable segment addresses and file offsets move together: the byte
// at file offset o of segment p is at p.Vaddr + (o - p.Off) in f and at
// mapStart + (o - mapOff) in the process, so that
//
//	bias = mapStart - mapOff + p.Off - p.Vaddr
//
// (0 for an executable loaded where it was linked; the load address for
// a shared object or PIE linked at 0). The segment is the one whose
// page-aligned file range holds mapOff; when the last page of one
// segment is the first of the next, a segment starting at mapOff comes
// first, then an executable one. Bias fails when no segment holds mapOff.
func Bias(f *elf.File, mapStart, mapOff uint64) (uint64, bool) {
	var best *elf.Prog
	bestScore := -1
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Filesz == 0 {
			continue
		}
		// the kernel maps a segment from the page holding its first byte
		lo := p.Off &^ (pageSize - 1)
		if mapOff < lo || mapOff >= p.Off+p.Filesz {
			continue
		}
		score := 0
		if mapOff == lo {
			score += 2
		}
		if p.Flags&elf.PF_X != 0 {
			score++
		}
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	if best == nil {
		return 0, false
	}
	return mapStart - mapOff + best.Off - best.Vaddr, true
}

// fde is a function's address range and rows.
type fde struct {
	begin, end uint64
	rows       []Row
}

// join sorts the functions, marks the gaps between them Undefined, and
// merges neighbouring rows with the same rule.
func join(fdes []fde) []Row {
	sort.SliceStable(fdes, func(i, j int) bool { return fdes[i].begin < fdes[j].begin })
	// a function described twice (.eh_frame and .debug_frame) keeps its
	// first description
	kept := fdes[:0]
	for _, f := range fdes {
		if n := len(kept); n > 0 && f.begin < kept[n-1].end {
			continue
		}
		kept = append(kept, f)
	}
	fdes = kept
	var out []Row
	add := func(r Row) {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.PC == r.PC {
				*last = r
				if n > 1 && sameRule(out[n-2], r) {
					out = out[:n-1]
				}
				return
			}
			if sameRule(*last, r) {
				return
			}
		}
		out = append(out, r)
	}
	for i, f := range fdes {
		// a row out of the function, or before its predecessor (a
		// DW_CFA_set_loc going back), is dropped: rows stay sorted
		pc := f.begin
		for _, r := range f.rows {
			if r.PC >= pc && r.PC < f.end {
				add(r)
				pc = r.PC
			}
		}
		if i+1 == len(fdes) || fdes[i+1].begin > f.end {
			add(Row{PC: f.end})
		}
	}
	return out
}

func sameRule(a, b Row) bool {
	return a.Kind == b.Kind && a.CFAOff == b.CFAOff && a.RBPOff == b.RBPOff
}

// cie is a common information entry.
type cie struct {
	codeAlign  uint64
	dataAlign  int64
	ra         uint64
	fdeEnc     byte
	aug        bool // the 'z' augmentation: FDEs have an augmentation length
	addrSize   int
	initial    []byte
	initialPos uint64 // the section offset of initial
}

type parser struct {
	data []byte
	addr uint64 // the section's address, for pc-relative pointers
	eh   bool   // .eh_frame (else .debug_frame)
	cies map[uint64]*cie
}

var errShort = errors.New("call-frame information ends early")

// reader reads one entry; pos is the section offset of b[0].
type reader struct {
	b   []byte
	i   int
	pos uint64
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.i = len(r.b)
}

func (r *reader) u8() byte {
	if r.i >= len(r.b) {
		r.fail(errShort)
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *reader) fixed(n int) uint64 {
	if r.i+n > len(r.b) {
		r.fail(errShort)
		return 0
	}
	var v uint64
	for k := n - 1; k >= 0; k-- {
		v = v<<8 | uint64(r.b[r.i+k])
	}
	r.i += n
	return v
}

func (r *reader) uleb() uint64 {
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c := r.u8()
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		if c&0x80 == 0 || r.err != nil {
			return v
		}
	}
}

func (r *reader) sleb() int64 {
	var v int64
	var shift uint
	var c byte
	for {
		c = r.u8()
		if shift < 64 {
			v |= int64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 || r.err != nil {
			break
		}
	}
	if shift < 64 && c&0x40 != 0 {
		v |= -1 << shift
	}
	return v
}

func (r *reader) block(n uint64) []byte {
	if n > uint64(len(r.b)-r.i) {
		r.fail(errShort)
		return nil
	}
	b := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return b
}

// pointer reads a pointer in encoding enc (DW_EH_PE_*). The indirect
// bit (0x80) is ignored: the pointers read here are skipped (the
// personality routine's) or refused before (an FDE's range).
func (r *reader) pointer(enc byte, sectionAddr uint64) uint64 {
	if enc == 0xff { // omit
		return 0
	}
	enc &^= 0x80
	if enc&0x70 == 0x50 { // aligned: an absolute pointer at the next multiple of 8
		for (r.pos+uint64(r.i))%8 != 0 && r.err == nil {
			r.u8()
		}
		enc = 0x00
	}
	at := sectionAddr + r.pos + uint64(r.i)
	var v uint64
	switch enc & 0x0f {
	case 0x00:
		v = r.fixed(8)
	case 0x01:
		v = r.uleb()
	case 0x02:
		v = r.fixed(2)
	case 0x03:
		v = r.fixed(4)
	case 0x04:
		v = r.fixed(8)
	case 0x09:
		v = uint64(r.sleb())
	case 0x0a:
		v = uint64(int64(int16(r.fixed(2))))
	case 0x0b:
		v = uint64(int64(int32(r.fixed(4))))
	case 0x0c:
		v = r.fixed(8)
	default:
		r.fail(fmt.Errorf("unknown pointer encoding %#x", enc))
		return 0
	}
	switch enc & 0x70 {
	case 0x00:
	case 0x10: // pc-relative
		v += at
	case 0x30: // data-relative: relative to the section here
		v += sectionAddr
	default:
		r.fail(fmt.Errorf("unsupported pointer application %#x", enc&0x70))
	}
	return v
}

// parse walks the section's entries and runs every FDE.
func (p *parser) parse() ([]fde, error) {
	var out []fde
	for off := uint64(0); off < uint64(len(p.data)); {
		start := off
		length, idSize, hdr, err := p.header(off)
		if err != nil {
			return nil, err
		}
		if length == 0 {
			if p.eh {
				break // the terminator
			}
			off += hdr
			continue
		}
		end := off + hdr + length
		if length > uint64(len(p.data)) || end > uint64(len(p.data)) || end < off+hdr {
			return nil, errShort
		}
		body := &reader{b: p.data[off+hdr : end], pos: off + hdr}
		id := body.fixed(idSize)
		off = end
		if p.isCIE(id, idSize) {
			if _, err := p.cie(start); err != nil {
				return nil, err
			}
			continue
		}
		cieOff := id
		if p.eh {
			cieOff = start + hdr - id
		}
		c, err := p.cie(cieOff)
		if err != nil {
			return nil, err
		}
		f, err := p.fde(c, body)
		if err != nil {
			return nil, err
		}
		if f.end > f.begin {
			out = append(out, f)
		}
	}
	return out, nil
}

// header reads an entry's length: the length, the size of its CIE id
// field, and the size of the length field.
func (p *parser) header(off uint64) (length uint64, idSize int, hdr uint64, err error) {
	r := &reader{b: p.data[off:]}
	length, idSize, hdr = r.fixed(4), 4, 4
	if length == 0xffffffff {
		length, idSize, hdr = r.fixed(8), 8, 12
	}
	return length, idSize, hdr, r.err
}

func (p *parser) isCIE(id uint64, idSize int) bool {
	if p.eh {
		return id == 0
	}
	return id == 1<<(8*idSize)-1 || idSize == 8 && id == ^uint64(0)
}

// cie parses (once) the CIE at section offset off.
func (p *parser) cie(off uint64) (*cie, error) {
	if c, ok := p.cies[off]; ok {
		if c == nil {
			return nil, fmt.Errorf("bad CIE at %#x", off)
		}
		return c, nil
	}
	p.cies[off] = nil
	if off >= uint64(len(p.data)) {
		return nil, fmt.Errorf("CIE offset %#x is outside the section", off)
	}
	length, idSize, hdr, err := p.header(off)
	if err != nil {
		return nil, err
	}
	end := off + hdr + length
	if length > uint64(len(p.data)) || end > uint64(len(p.data)) || end < off+hdr {
		return nil, errShort
	}
	r := &reader{b: p.data[off+hdr : end], pos: off + hdr}
	if !p.isCIE(r.fixed(idSize), idSize) {
		return nil, fmt.Errorf("entry at %#x is not a CIE", off)
	}
	c := &cie{fdeEnc: 0, addrSize: 8}
	version := r.u8()
	augEnd := bytes.IndexByte(r.b[r.i:], 0)
	if augEnd < 0 {
		return nil, errShort
	}
	augmentation := string(r.b[r.i : r.i+augEnd])
	r.i += augEnd + 1
	if version != 1 && version != 3 && version != 4 {
		return nil, fmt.Errorf("CIE at %#x: version %d", off, version)
	}
	if version == 4 {
		c.addrSize = int(r.u8())
		if seg := r.u8(); seg != 0 {
			return nil, fmt.Errorf("CIE at %#x: segment selectors", off)
		}
	}
	c.codeAlign = r.uleb()
	c.dataAlign = r.sleb()
	if version == 1 {
		c.ra = uint64(r.u8())
	} else {
		c.ra = r.uleb()
	}
	if len(augmentation) > 0 {
		if augmentation[0] != 'z' {
			return nil, fmt.Errorf("unsupported CIE augmentation %q", augmentation)
		}
		c.aug = true
		n := r.uleb()
		data := &reader{b: r.block(n), pos: r.pos + uint64(r.i) - n}
	letters:
		for k, a := range augmentation[1:] {
			switch a {
			case 'R':
				c.fdeEnc = data.u8()
			case 'P':
				data.pointer(data.u8(), p.addr)
			case 'L':
				data.u8()
			case 'S', 'B':
			default:
				// the size of an unknown letter's data is unknown: the
				// augmentation length skips it, but nothing after it
				// can be read
				if strings.ContainsRune(augmentation[k+1:], 'R') {
					return nil, fmt.Errorf("unsupported CIE augmentation %q", augmentation)
				}
				break letters
			}
		}
		if data.err != nil {
			return nil, fmt.Errorf("CIE at %#x: augmentation data: %w", off, data.err)
		}
		if app := c.fdeEnc & 0x70; c.fdeEnc&0x80 != 0 || app != 0x00 && app != 0x10 && app != 0x30 && app != 0x50 {
			return nil, fmt.Errorf("CIE at %#x: unsupported FDE pointer encoding %#x", off, c.fdeEnc)
		}
	}
	if c.addrSize != 4 && c.addrSize != 8 {
		return nil, fmt.Errorf("CIE at %#x: address size %d", off, c.addrSize)
	}
	if r.err != nil {
		return nil, r.err
	}
	if !p.eh {
		c.fdeEnc = 0 // .debug_frame addresses are absolute, addrSize bytes
	}
	c.initial, c.initialPos = r.b[r.i:], r.pos+uint64(r.i)
	p.cies[off] = c
	return c, nil
}

// fde reads an FDE's range and runs its instructions.
func (p *parser) fde(c *cie, r *reader) (fde, error) {
	var begin, size uint64
	if p.eh {
		begin = r.pointer(c.fdeEnc, p.addr)
		size = r.pointer(c.fdeEnc&0x0f, p.addr)
	} else {
		begin, size = r.fixed(c.addrSize), r.fixed(c.addrSize)
	}
	if c.aug && p.eh {
		r.block(r.uleb())
	}
	if r.err != nil {
		return fde{}, r.err
	}
	m := &machine{c: c, p: p, loc: begin}
	if err := m.run(c.initial, c.initialPos, true); err != nil {
		return fde{}, err
	}
	m.loc = begin // a CIE has no location to advance
	m.initial = m.state.clone()
	if err := m.run(r.b[r.i:], r.pos+uint64(r.i), false); err != nil {
		return fde{}, err
	}
	m.emit()
	return fde{begin: begin, end: begin + size, rows: m.rows}, nil
}

// x86-64 DWARF register numbers.
const (
	regRBP = 6
	regRSP = 7
	regRA  = 16
)

// rule is where a register of the caller is.
type rule struct {
	kind int // ruleSame, ruleOffset, ruleOther
	off  int64
}

const (
	ruleSame   = iota // unchanged (also: undefined, or no rule)
	ruleOffset        // saved at CFA + off
	ruleOther         // something the BPF side does not follow
)

type state struct {
	cfaReg  uint64
	cfaOff  int64
	cfaExpr []byte // set: the CFA is this DWARF expression
	rbp, ra rule
}

func (s state) clone() state { return s }

// machine runs call-frame instructions and collects the rows.
type machine struct {
	c       *cie
	p       *parser
	loc     uint64
	state   state
	initial state
	stack   []state
	rows    []Row
}

// emit records the row for the current location.
func (m *machine) emit() {
	m.rows = append(m.rows, m.row())
}

func (m *machine) row() Row {
	s := m.state
	r := Row{PC: m.loc}
	if s.ra.kind != ruleOffset || s.ra.off != -8 {
		return r
	}
	switch s.rbp.kind {
	case ruleOffset:
		r.RBPOff = int32(s.rbp.off)
	case ruleOther:
		return r
	}
	switch {
	case s.cfaExpr != nil:
		if t, ok := pltThreshold(s.cfaExpr); ok {
			r.Kind, r.CFAOff = PLT, int32(16-t)
		} else {
			r.RBPOff = 0
		}
	case s.cfaReg == regRSP:
		r.Kind, r.CFAOff = RSP, int32(s.cfaOff)
	case s.cfaReg == regRBP:
		r.Kind, r.CFAOff = RBP, int32(s.cfaOff)
	default:
		r.RBPOff = 0
	}
	if r.Kind == Undefined || !fits32(s.rbp.off) || r.Kind != PLT && !fits32(s.cfaOff) {
		return Row{PC: m.loc}
	}
	return r
}

func fits32(v int64) bool { return v == int64(int32(v)) }

// pltThreshold recognises the CFA expression of PLT entries,
// rsp + 8 + ((rip & 15) >= T) << 3, and returns T.
func pltThreshold(e []byte) (int, bool) {
	// DW_OP_breg7 8; DW_OP_breg16 0; DW_OP_lit15; DW_OP_and;
	// DW_OP_litT; DW_OP_ge; DW_OP_lit3; DW_OP_shl; DW_OP_plus
	if len(e) != 11 || e[0] != 0x77 || e[1] != 0x08 || e[2] != 0x80 || e[3] != 0x00 || e[4] != 0x3f || e[5] != 0x1a ||
		e[6] < 0x30 || e[6] > 0x4f || e[7] != 0x2a || e[8] != 0x33 || e[9] != 0x24 || e[10] != 0x22 {
		return 0, false
	}
	t := int(e[6] - 0x30)
	return t, t > 0 && t < 16
}

func (m *machine) setRule(reg uint64, r rule) {
	switch reg {
	case regRBP:
		m.state.rbp = r
	case regRA:
		m.state.ra = r
	}
}

func (m *machine) restore(reg uint64) {
	switch reg {
	case regRBP:
		m.state.rbp = m.initial.rbp
	case regRA:
		m.state.ra = m.initial.ra
	}
}

// advance moves to a new location, recording the row of the old one.
func (m *machine) advance(to uint64, initial bool) {
	if initial || to == m.loc {
		m.loc = to
		return
	}
	m.emit()
	m.loc = to
}

// run executes instructions found at section offset pos; initial: the
// CIE's, before any row.
func (m *machine) run(code []byte, pos uint64, initial bool) error {
	r := &reader{b: code, pos: pos}
	c := m.c
	off := func(v uint64) int64 { return int64(v) * c.dataAlign }
	for r.i < len(r.b) && r.err == nil {
		op := r.u8()
		switch op >> 6 {
		case 1: // advance_loc
			m.advance(m.loc+uint64(op&0x3f)*c.codeAlign, initial)
			continue
		case 2: // offset
			m.setRule(uint64(op&0x3f), rule{ruleOffset, off(r.uleb())})
			continue
		case 3: // restore
			m.restore(uint64(op & 0x3f))
			continue
		}
		switch op {
		case 0x00: // nop
		case 0x01: // set_loc
			var to uint64
			if m.p.eh {
				to = r.pointer(c.fdeEnc, m.p.addr)
			} else {
				to = r.fixed(c.addrSize)
			}
			m.advance(to, initial)
		case 0x02:
			m.advance(m.loc+r.fixed(1)*c.codeAlign, initial)
		case 0x03:
			m.advance(m.loc+r.fixed(2)*c.codeAlign, initial)
		case 0x04:
			m.advance(m.loc+r.fixed(4)*c.codeAlign, initial)
		case 0x05: // offset_extended
			reg := r.uleb()
			m.setRule(reg, rule{ruleOffset, off(r.uleb())})
		case 0x06: // restore_extended
			m.restore(r.uleb())
		case 0x07, 0x08: // undefined, same_value
			m.setRule(r.uleb(), rule{kind: ruleSame})
		case 0x09: // register
			reg := r.uleb()
			r.uleb()
			m.setRule(reg, rule{kind: ruleOther})
		case 0x0a: // remember_state
			if len(m.stack) > 64 {
				return errors.New("call-frame state stack too deep")
			}
			m.stack = append(m.stack, m.state.clone())
		case 0x0b: // restore_state
			if len(m.stack) == 0 {
				return errors.New("call-frame restore_state without remember_state")
			}
			m.state = m.stack[len(m.stack)-1]
			m.stack = m.stack[:len(m.stack)-1]
		case 0x0c: // def_cfa
			m.state.cfaReg, m.state.cfaOff, m.state.cfaExpr = r.uleb(), int64(r.uleb()), nil
		case 0x0d: // def_cfa_register
			m.state.cfaReg, m.state.cfaExpr = r.uleb(), nil
		case 0x0e: // def_cfa_offset
			m.state.cfaOff = int64(r.uleb())
		case 0x0f: // def_cfa_expression
			m.state.cfaExpr = r.block(r.uleb())
			if m.state.cfaExpr == nil {
				m.state.cfaExpr = []byte{}
			}
		case 0x10, 0x16: // expression, val_expression
			reg := r.uleb()
			r.block(r.uleb())
			m.setRule(reg, rule{kind: ruleOther})
		case 0x11: // offset_extended_sf
			reg := r.uleb()
			m.setRule(reg, rule{ruleOffset, r.sleb() * c.dataAlign})
		case 0x12: // def_cfa_sf
			m.state.cfaReg, m.state.cfaOff, m.state.cfaExpr = r.uleb(), r.sleb()*c.dataAlign, nil
		case 0x13: // def_cfa_offset_sf
			m.state.cfaOff = r.sleb() * c.dataAlign
		case 0x14: // val_offset
			reg := r.uleb()
			r.uleb()
			m.setRule(reg, rule{kind: ruleOther})
		case 0x15: // val_offset_sf
			reg := r.uleb()
			r.sleb()
			m.setRule(reg, rule{kind: ruleOther})
		case 0x2e: // GNU_args_size
			r.uleb()
		case 0x2f: // GNU_negative_offset_extended
			reg := r.uleb()
			m.setRule(reg, rule{ruleOffset, -off(r.uleb())})
		default:
			return fmt.Errorf("unknown call-frame instruction %#x", op)
		}
	}
	return r.err
}
