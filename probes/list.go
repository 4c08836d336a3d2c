package probes

import (
	"sort"
	"strings"
)

// List returns the probes matching pattern, one "provider:..." line each,
// the way `bpftrace -l` prints them: providers in alphabetical order,
// each provider's probes sorted. An empty pattern lists everything.
func List(t Target, pattern string) ([]string, error) {
	return list(t, pattern, false)
}

// ListVerbose is List with each probe's arguments after it, indented by
// four spaces ("    const char * filename"), as `bpftrace -lv` prints them.
func ListVerbose(t Target, pattern string) ([]string, error) {
	return list(t, pattern, true)
}

// listable are the providers `-l` enumerates without a binary to look in.
var listable = []string{"hardware", "interval", "kprobe", "profile", "rawtracepoint", "software", "tracepoint"}

func list(t Target, pattern string, verbose bool) ([]string, error) {
	if pattern == "" {
		pattern = "*"
	}
	parts := strings.SplitN(pattern, ":", 2)
	front, rest := parts[0], ""
	if len(parts) == 2 {
		rest = parts[1]
	} else {
		rest = "*"
	}
	var provs []string
	if HasWildcard(front) || len(parts) == 1 {
		for _, p := range listable {
			if Match(front, p) {
				provs = append(provs, p)
			}
		}
		if len(parts) == 1 && len(provs) == 0 {
			// a bare word is a search in every provider's names
			provs, rest = listable, front
		} else if len(parts) == 1 && !HasWildcard(front) {
			rest = "*"
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
	switch provider {
	case "tracepoint":
		if !t.Has(FeatureTracepoint) {
			return nil, nil
		}
		cat, ev := "*", rest
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			cat, ev = rest[:i], rest[i+1:]
		} else if HasWildcard(rest) || rest == "" {
			// "tracepoint:*foo*" searches event names in every category
			return filterLines(mustList(listTracepoints(t, "*", "*", verbose)), "tracepoint:*:"+orStar(rest), verbose), nil
		}
		return listTracepoints(t, cat, ev, verbose)
	case "rawtracepoint":
		return listRawTracepoints(t, rest, verbose)
	case "uprobe", "uretprobe":
		return listUprobes(t, provider, rest)
	case "usdt":
		return listUSDT(t, rest)
	case "kprobe", "kretprobe":
		return listKprobes(t, provider, rest)
	case "software", "hardware":
		list := softwareEvents
		if provider == "hardware" {
			if !t.Has(FeatureHardware) {
				return nil, nil
			}
			list = hardwareEvents
		}
		var names []string
		for _, ev := range list {
			names = append(names, ev.Name+":")
			if ev.Alias != "" {
				names = append(names, ev.Alias+":")
			}
		}
		return matchNames(provider, names, rest), nil
	case "interval", "profile":
		return matchNames(provider, []string{"hz:", "ms:", "s:", "us:"}, rest), nil
	}
	return nil, nil
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
