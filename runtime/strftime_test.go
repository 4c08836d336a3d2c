package runtime

import (
	"fmt"
	"testing"
	"time"
)

// Each conversion against what C's strftime gives in the C locale (the
// expectations are GNU date's output for the same instants, in UTC).
func TestStrftimeConversions(t *testing.T) {
	const format = "%c|%x|%X|%r|%u|%w|%V|%G|%g|%C|%k|%l|%P|%U|%W|%j"
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{1704639845, "Sun Jan  7 15:04:05 2024|01/07/24|15:04:05|03:04:05 PM|7|0|01|2024|24|20|15| 3|pm|01|01|007"},
		{1735603200, "Tue Dec 31 00:00:00 2024|12/31/24|00:00:00|12:00:00 AM|2|2|01|2025|25|20| 0|12|am|52|53|366"},
		{1609459199, "Thu Dec 31 23:59:59 2020|12/31/20|23:59:59|11:59:59 PM|4|4|53|2020|20|20|23|11|pm|52|52|366"},
	} {
		if got := Strftime(format, time.Unix(tc.unix, 0).UTC()); got != tc.want {
			t.Errorf("%d:\n got %s\nwant %s", tc.unix, got, tc.want)
		}
	}
	if got := Strftime("%S.%f", time.Unix(5, 123456789).UTC()); got != "05.123456" {
		t.Errorf("%%f: %s", got)
	}
}

// TestTimeKeepsDistances checks that boot-clock timestamps formatted as
// wall time keep their distance to the microsecond: the wall time of
// boot is read once, not once per timestamp.
func TestTimeKeepsDistances(t *testing.T) {
	s := &Symbols{}
	usecs := func(ns uint64) int64 {
		var sec, usec int64
		if _, err := fmt.Sscanf(s.Time("%s.%f", ns), "%d.%d", &sec, &usec); err != nil {
			t.Fatal(err)
		}
		return sec*1000000 + usec
	}
	for i := uint64(0); i < 2000; i++ {
		base := i * 7919
		if d := usecs(base+123000) - usecs(base); d != 123 {
			t.Fatalf("timestamps %d and %d ns formatted %d µs apart, want 123", base+123000, base, d)
		}
	}
}

// TestStrftimeFractions: strftime()'s %k, %f and %l are the second's
// nanoseconds, microseconds and milliseconds; %% stays a percent sign.
func TestStrftimeFractions(t *testing.T) {
	tm := time.Unix(1704639845, 123456789).UTC()
	got := Strftime(strftimeFractions("%S.%k|%f|%l|%%k|%H", tm), tm)
	if want := "05.123456789|123456|123|%k|15"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
