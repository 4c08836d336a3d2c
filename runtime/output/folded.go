package output

import (
	"io"
	"sort"
	"strconv"
	"strings"
)

// Folded stacks: one line per distinct stack, its frames from the root
// to the leaf joined by ';', a space and its value:
//
//	bash;main;execute_command;__libc_fork 42
//
// the form Brendan Gregg's stackcollapse scripts write and flamegraph.pl,
// inferno-flamegraph and speedscope read. A profile's labels (the key's
// elements other than stacks: comm, pid, ...) come first, as the root
// frames, in the key's order, as stackcollapse-perf puts the process
// name first. Samples whose lines are the same (addresses in one
// function) are added up; lines are sorted, as stackcollapse sorts them.

// FoldedLine is one line of folded stacks.
type FoldedLine struct {
	Frames []string // root first
	Value  int64
}

// String is the line as written, without its newline.
func (l FoldedLine) String() string {
	return strings.Join(l.Frames, ";") + " " + strconv.FormatInt(l.Value, 10)
}

// Fold turns a profile into folded lines: one per distinct stack and
// labels, sorted. Lines whose value is not positive are left out (a
// folded line is a count; a sum of signed values may be negative).
func Fold(p *StackProfile) []FoldedLine {
	sums := map[string]int64{}
	frames := map[string][]string{}
	for _, s := range p.Samples {
		fs := make([]string, 0, len(s.Labels)+len(s.Stack))
		for _, l := range s.Labels {
			fs = append(fs, foldName(l.Str))
		}
		for i := len(s.Stack) - 1; i >= 0; i-- {
			fs = append(fs, foldName(s.Stack[i].Name()))
		}
		k := strings.Join(fs, ";")
		if _, ok := frames[k]; !ok {
			frames[k] = fs
		}
		sums[k] += s.Value
	}
	keys := make([]string, 0, len(sums))
	for k, v := range sums {
		if v <= 0 {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]FoldedLine, 0, len(keys))
	for _, k := range keys {
		out = append(out, FoldedLine{Frames: frames[k], Value: sums[k]})
	}
	return out
}

// foldName makes a name safe in a folded line: no ';' (the separator),
// no line breaks, and never empty.
func foldName(s string) string {
	if s == "" {
		return "[empty]"
	}
	if !strings.ContainsAny(s, ";\n\r") {
		return s
	}
	return strings.NewReplacer(";", ":", "\n", " ", "\r", " ").Replace(s)
}

// WriteFolded writes profiles as folded stacks. With several profiles,
// each line starts with its map's name, so that one flame graph shows
// them side by side.
func WriteFolded(w io.Writer, ps ...*StackProfile) error {
	var b strings.Builder
	for _, p := range ps {
		for _, l := range Fold(p) {
			if len(ps) > 1 {
				b.WriteString(foldName(p.Map) + ";")
			}
			b.WriteString(l.String())
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
