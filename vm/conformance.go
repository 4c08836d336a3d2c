package vm

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/vm/insn"
)

// Assemble translates the text format of the conformance corpus (that
// of insn.Assemble) to instruction bytes. Maps and kernel variables named
// symbolically have no number here: a program that names one is refused.
func Assemble(src string) ([]byte, error) {
	p, err := insn.Assemble(src)
	if err != nil {
		return nil, err
	}
	if len(p.Refs) > 0 {
		r := p.Refs[0]
		return nil, fmt.Errorf("line %d: %s names a map or kernel variable, which a program in this format cannot", r.Line, r.Name)
	}
	return p.Code, nil
}

// Disassemble writes raw instructions in the text format, one per line
// (insn.Disassemble).
func Disassemble(raw []byte) (string, error) { return insn.Disassemble(raw) }

// Case is one test of the conformance format: a program (from its -- asm
// or -- raw section), the memory passed in r1 (its length in r2), and
// either the expected r0 (-- result) or an expected error (-- error).
type Case struct {
	Name    string
	Program []byte
	Mem     []byte
	Result  uint64
	HasWant bool   // a -- result section was given
	Error   string // the -- error section, if any
}

// ParseCase reads a conformance-format file.
func ParseCase(name, text string) (*Case, error) {
	c := &Case{Name: name}
	sections := map[string][]string{}
	cur := ""
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "-- ") {
			cur = strings.TrimSpace(strings.TrimPrefix(line, "-- "))
			sections[cur] = []string{}
			continue
		}
		if cur != "" {
			sections[cur] = append(sections[cur], line)
		}
	}
	if a, ok := sections["asm"]; ok {
		p, err := Assemble(strings.Join(a, "\n"))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		c.Program = p
	} else if r, ok := sections["raw"]; ok {
		var b []byte
		for _, line := range r {
			for _, w := range strings.Fields(strings.SplitN(line, "#", 2)[0]) {
				v, err := strconv.ParseUint(w, 0, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: bad raw instruction %q", name, w)
				}
				for i := 0; i < 8; i++ {
					b = append(b, byte(v>>(8*i)))
				}
			}
		}
		c.Program = b
	} else {
		return nil, fmt.Errorf("%s: no -- asm or -- raw section", name)
	}
	if m, ok := sections["mem"]; ok {
		h := strings.Join(strings.Fields(strings.Join(m, " ")), "")
		b, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("%s: bad -- mem: %v", name, err)
		}
		c.Mem = b
	}
	if r, ok := sections["result"]; ok {
		s := strings.TrimSpace(strings.Join(r, " "))
		v, err := strconv.ParseUint(s, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: bad -- result %q", name, s)
		}
		c.Result, c.HasWant = v, true
	}
	if e, ok := sections["error"]; ok {
		c.Error = strings.TrimSpace(strings.Join(e, "\n"))
		if c.Error == "" {
			c.Error = "error"
		}
	}
	return c, nil
}

// RunCase runs a case on a fresh machine and says whether it passed.
func RunCase(c *Case) (r0 uint64, err error, pass bool, why string) {
	m := New(Config{})
	p, err := m.Load(c.Program)
	if err == nil {
		mem := c.Mem
		if mem == nil {
			mem = []byte{}
		}
		r0, err = m.Run(p, append([]byte(nil), mem...))
	}
	switch {
	case c.Error != "" && err == nil:
		return r0, nil, false, fmt.Sprintf("want an error (%s), got r0=0x%x", c.Error, r0)
	case c.Error != "":
		return r0, err, true, ""
	case err != nil:
		return r0, err, false, err.Error()
	case c.HasWant && r0 != c.Result:
		return r0, nil, false, fmt.Sprintf("r0 = 0x%x, want 0x%x", r0, c.Result)
	}
	return r0, nil, true, ""
}
