package symbolize

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
)

// vdsoTable names the vDSO, the code the kernel maps into every process
// ([vdso] in its maps: clock_gettime, gettimeofday, ...). It has no file;
// its image is the same in every process of one kernel and one ABI, so
// gotrace reads its own copy (the [vdso] of /proc/self/maps, through
// /proc/self/mem) and names a process's vDSO addresses by their offset
// in it.
type vdsoTable struct {
	size  uint64 // of the mapping: a process whose vDSO differs (another ABI) is not named
	table *Table
}

func (s *Symbolizer) vdso() *vdsoTable {
	s.vdsoOnce.Do(func() {
		s.vdsoTab = &vdsoTable{}
		ms, err := ReadMaps("/proc", os.Getpid())
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.Path != "[vdso]" {
				continue
			}
			f, err := os.Open(fmt.Sprintf("/proc/%d/mem", os.Getpid()))
			if err != nil {
				return
			}
			img := make([]byte, m.End-m.Start)
			_, err = f.ReadAt(img, int64(m.Start))
			f.Close()
			if err != nil {
				return
			}
			ef, err := elf.NewFile(bytes.NewReader(img))
			if err != nil {
				return
			}
			s.vdsoTab = &vdsoTable{size: m.End - m.Start, table: ReadTable(ef, "[vdso]", Debug{})}
			return
		}
	})
	return s.vdsoTab
}

// lookup names the byte at offset off of a [vdso] mapping of size
// bytes.
func (v *vdsoTable) lookup(off, size uint64) (Symbol, bool) {
	if v.table == nil || size != v.size || off >= v.size {
		return Symbol{}, false
	}
	a, ok := v.table.Vaddr(off)
	if !ok {
		return Symbol{}, false
	}
	sym, ok := v.table.Lookup(a)
	if ok {
		sym.Addr -= a - off // the offset into the function stays a - sym.Addr
	}
	return sym, ok
}
