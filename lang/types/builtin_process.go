package types

import (
	"strings"

	"github.com/gotrace/gotrace/lang"
)

var builtinTypes = map[string]*Type{
	"pid":     Uint32,
	"tid":     Uint32,
	"uid":     Uint32,
	"gid":     Uint32,
	"cpu":     Uint32,
	"nsecs":   Uint64,
	"elapsed": Uint64,
	"cpid":    Uint32,
	"ncpus":   Uint64,
	"numaid":  Uint32,
	"rand":    Uint32,
	"cgroup":  Uint64,
	"jiffies": Uint64,
	"comm":    StrType(16),
}

// taskField is task->link->field, for the task given (or curtask).
func taskField(at lang.Pos, task []lang.Expr, link, field string) lang.Expr {
	var t lang.Expr = &lang.Ident{At: at, Name: "curtask"}
	if len(task) == 1 {
		t = task[0]
	}
	return &lang.Field{At: at, X: &lang.Field{At: at, X: t, Name: link, Arrow: true}, Name: field, Arrow: true}
}

// SignalNumber is the number of a signal named "SIGKILL" or "KILL", or 0.
func SignalNumber(name string) int {
	name = strings.TrimPrefix(strings.ToUpper(name), "SIG")
	for i, n := range signalNames {
		if n == name {
			return i
		}
	}
	return 0
}

var signalNames = [...]string{1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE", 9: "KILL",
	10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM", 16: "STKFLT", 17: "CHLD", 18: "CONT",
	19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU", 23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF",
	28: "WINCH", 29: "IO", 30: "PWR", 31: "SYS"}

// SignalName names signal n without its SIG prefix ("TERM"), or gives ""
// for a number that is not a signal.
func SignalName(n uint64) string {
	if n > 0 && n < uint64(len(signalNames)) {
		return signalNames[n]
	}
	return ""
}
