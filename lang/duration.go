package lang

import (
	"fmt"
	"strings"
)

// durationUnits are the nanoseconds of each duration suffix of integer
// literals (100ms, 1s), longest suffixes first.
var durationUnits = []struct {
	suffix string
	ns     uint64
}{
	{"ns", 1}, {"us", 1_000}, {"ms", 1_000_000},
	{"s", 1_000_000_000}, {"m", 60_000_000_000}, {"h", 3_600_000_000_000}, {"d", 86_400_000_000_000},
}

// parseDuration reads a decimal literal with a duration suffix as
// nanoseconds; ok is false when raw has no such suffix.
func parseDuration(raw string) (v uint64, ok bool, err error) {
	if len(raw) > 1 && (raw[1] == 'x' || raw[1] == 'X' || raw[1] == 'b' || raw[1] == 'B') {
		return 0, false, nil
	}
	for _, u := range durationUnits {
		num, found := strings.CutSuffix(raw, u.suffix)
		if !found || num == "" || strings.ContainsAny(num, "uUlLmnsh") {
			continue
		}
		n, err := ParseInt(num)
		if err != nil {
			return 0, true, err
		}
		if n > ^uint64(0)/u.ns {
			return 0, true, fmt.Errorf("duration %s does not fit in 64 bits of nanoseconds", raw)
		}
		return n * u.ns, true, nil
	}
	return 0, false, nil
}
