package verify

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	insnLine   = regexp.MustCompile(`^(\d+): \([0-9a-f]{2}\)`)
	insnInText = regexp.MustCompile(`(?:insn|from insn|at insn) (\d+)`)
)

// KernelLogInsn reduces the kernel verifier's log to the instruction it
// failed at and its last message. It gives -1 when the log names no
// instruction.
func KernelLogInsn(log []string) (insn int, msg string) {
	insn = -1
	var lines []string
	for _, l := range log {
		l = strings.TrimRight(l, "\r\n\x00")
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	// The message: the last line that is not a summary or a state dump.
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if strings.HasPrefix(l, "processed ") || strings.HasPrefix(l, "verification time") ||
			strings.HasPrefix(l, "stack depth") || strings.HasPrefix(l, "mark_precise") ||
			strings.HasPrefix(l, "Func#") || strings.HasPrefix(l, "func#") ||
			strings.HasPrefix(l, "; ") || insnLine.MatchString(l) || strings.HasPrefix(l, "from ") ||
			strings.HasPrefix(l, "last_idx") || strings.HasPrefix(l, "regs=") || strings.HasPrefix(l, "parent ") ||
			strings.HasPrefix(l, "-- BEGIN") || strings.HasPrefix(l, "-- END") {
			continue
		}
		msg = strings.TrimSpace(l)
		break
	}
	if m := insnInText.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			return n, msg
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if m := insnLine.FindStringSubmatch(lines[i]); m != nil {
			n, _ := strconv.Atoi(m[1])
			return n, msg
		}
	}
	return insn, msg
}
