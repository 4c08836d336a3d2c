package probes

import (
	"sort"
	"strings"
)

// List returns the probes matching pattern, one "provider:..." line each,
// the way `bpftrace -l` prints them: providers in alphabetical order,
// each provider's probes sorted. An empty pattern lists everything.
// With ForPID (-p), uprobes and USDT probes are those of the files the
// process sees.
func List(t Target, pattern string, opts ...EnvOption) ([]string, error) {
	return list(listTarget(t, opts), pattern, false)
}

// ListVerbose is List with each probe's arguments after it, indented by
// four spaces ("    const char * filename"), as `bpftrace -lv` prints them.
func ListVerbose(t Target, pattern string, opts ...EnvOption) ([]string, error) {
	return list(listTarget(t, opts), pattern, true)
}

// kernelListable are the providers a wildcard provider expands to when
// listing (bpftrace's kernel probe types; uprobes and usdt need a binary,
// interval and profile must be named).
var kernelListable = []string{"fentry", "hardware", "iter", "kprobe", "rawtracepoint", "software", "tracepoint"}

func list(t Target, pattern string, verbose bool) ([]string, error) {
	var out []string
	for _, p := range strings.Split(pattern, ",") {
		got, err := listOne(t, strings.TrimSpace(p), verbose)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func listOne(t Target, pattern string, verbose bool) ([]string, error) {
	switch {
	case pattern == "" || pattern == "*":
		pattern = "*:*"
	case !strings.Contains(pattern, ":"):
		// a bare word searches the names of every kernel provider
		pattern = "*:" + pattern
	}
	front, rest, _ := strings.Cut(pattern, ":")
	var provs []string
	if HasWildcard(front) {
		for _, p := range kernelListable {
			if Match(front, p) {
				provs = append(provs, p)
			}
		}
	} else {
		p := CanonicalProvider(front)
		if p == "" {
			return nil, specErrorf("invalid probe type: %s", front)
		}
		provs = []string{p}
	}
	sort.Strings(provs)
	var out []string
	for _, p := range provs {
		got, err := listProvider(t, p, rest, verbose)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func listProvider(t Target, provider, rest string, verbose bool) ([]string, error) {
	return providerOf(provider).list(t, provider, rest, verbose)
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func mustList(l []string, err error) []string { return l }

// filterLines keeps the probe lines matching pattern, with their
// indented detail lines.
func filterLines(lines []string, pattern string, verbose bool) []string {
	var out []string
	keep := false
	for _, l := range lines {
		if strings.HasPrefix(l, " ") {
			if keep {
				out = append(out, l)
			}
			continue
		}
		keep = Match(pattern, l)
		if keep {
			out = append(out, l)
		}
	}
	return out
}

func matchNames(provider string, names []string, pattern string) []string {
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if Match(orStar(pattern), n) || Match(orStar(pattern), strings.TrimSuffix(n, ":")) {
			out = append(out, provider+":"+n)
		}
	}
	return out
}
