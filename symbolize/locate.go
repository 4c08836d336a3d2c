package symbolize

import (
	"encoding/binary"
	"encoding/hex"
	"os"
)

// Locate returns the executable mapping of process pid that holds addr
// and the GNU build id of its object ("" when it has none, or its file
// could not be read), as Lookup found them: profiles (pprof) keep the
// mapping and build id of every frame, so that a tool with the binaries
// can add source lines. ok is false when no mapping holds addr.
func (s *Symbolizer) Locate(pid int, addr uint64) (m Mapping, buildID string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.process(pid)
	m, o, ok := p.find(addr)
	if !ok {
		return Mapping{}, "", false
	}
	if o != nil {
		if t := s.table(pid, o); t != nil {
			buildID = t.BuildID
		}
	}
	return m, buildID, true
}

// NotesBuildID reads the GNU build id from a file of ELF notes, such as
// the running kernel's /sys/kernel/notes or a module's
// /sys/module/NAME/notes/.note.gnu.build-id; "" when it has none.
func NotesBuildID(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if id := noteBuildID(b, binary.NativeEndian); id != nil {
		return hex.EncodeToString(id)
	}
	return ""
}
