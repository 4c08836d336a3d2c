package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
)

// -l: probes matching a search, kernel types, or a script's probes.

// providerFeature is the kernel facility each provider needs: a search
// that names a provider the kernel lacks is told so rather than
// answered with nothing.
var providerFeature = map[string]probes.Feature{
	"kprobe": probes.FeatureKprobe, "kretprobe": probes.FeatureKprobe,
	"uprobe": probes.FeatureUprobe, "uretprobe": probes.FeatureUprobe, "usdt": probes.FeatureUprobe,
	"tracepoint": probes.FeatureTracepoint, "rawtracepoint": probes.FeatureRawTracepoint,
	"fentry": probes.FeatureFentry, "fexit": probes.FeatureFentry,
	"hardware": probes.FeatureHardware, "software": probes.FeaturePerfEvent,
	"profile": probes.FeaturePerfEvent, "interval": probes.FeaturePerfEvent,
	"iter": probes.FeatureIter, "watchpoint": probes.FeatureBreakpoint, "asyncwatchpoint": probes.FeatureBreakpoint,
}

// list prints what -l's search matches: probes, one "provider:..." line
// each (with -v their arguments), or with struct/union/enum the
// kernel's types.
func list(o *options, t probes.Target, stdout io.Writer, lg *logger) int {
	search := o.listTarget
	if strings.Contains(search, ".") && !strings.ContainsAny(search, ":*") {
		lg.warnf("It appears that '%s' is a filename but the file does not exist. Treating '%s' as a search pattern.", search, search)
	}
	status := exitOK
	for _, part := range strings.Split(search, ",") {
		if !listSearch(o, t, strings.Join(strings.Fields(part), " "), stdout, lg) {
			status = exitError
		}
	}
	return status
}

// listSearch prints what one search matches, and reports whether it
// could be answered.
func listSearch(o *options, t probes.Target, part string, stdout io.Writer, lg *logger) bool {
	if isTypeSearch(part) {
		lines, err := kernelTypes(t, part, o.verbose)
		if err != nil {
			lg.errorf("%v", err)
			return false
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
		return true
	}
	if err := checkSearch(part); err != nil {
		lg.errorf("%v", err)
		return false
	}
	if front, _, ok := strings.Cut(part, ":"); ok && !probes.HasWildcard(front) {
		if f, ok := providerFeature[probes.CanonicalProvider(front)]; ok && !t.Has(f) {
			lg.errorf("cannot list %s probes: this kernel has no %s", probes.CanonicalProvider(front), f)
			return false
		}
	}
	ls := probes.List
	if o.verbose {
		ls = probes.ListVerbose
	}
	ok := true
	kernel, user := splitUserSearch(part, o.pid)
	if kernel != "-" {
		lines, err := ls(t, kernel, probes.ForPID(o.pid))
		if err != nil {
			lg.errorf("%v", err)
			return false
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
	}
	for _, u := range user {
		for _, bin := range probes.BinariesMatching(t, u.binary, o.pid) {
			lines, err := ls(t, u.provider+":"+bin+":"+u.rest, probes.ForPID(o.pid))
			if err != nil {
				if !u.expanded {
					lg.errorf("%v", err)
					ok = false
				}
				continue
			}
			for _, l := range lines {
				fmt.Fprintln(stdout, l)
			}
		}
	}
	return ok
}

// userSearch is a search of uprobes, uretprobes or USDT probes whose
// binary is a pattern: one provider, the binary's pattern, and what
// follows it.
type userSearch struct {
	provider, binary, rest string
	expanded               bool // the binary is a pattern: files it matches that hold no probes are passed over
}

// userProviders are the providers whose probes live in binaries.
var userProviders = []string{"uprobe", "uretprobe", "usdt"}

// splitUserSearch splits a search into what probes.List answers as it
// is (kernel providers, and user providers with one binary; "-" for
// nothing) and the
// searches of user providers over binaries the probes package does not
// look for itself: a pattern of files (uprobe:./bin/test*:*), every
// binary of a process (-p PID with uprobe:*:fn, or no search at all),
// or a wildcard provider with a binary (*:./bin/test:*).
func splitUserSearch(search string, pid int) (kernel string, user []userSearch) {
	if search == "" || search == "*" {
		if pid == 0 {
			return search, nil
		}
		return search, []userSearch{{"uprobe", "*", "*", true}, {"usdt", "*", "*:*", true}}
	}
	front, rest, ok := strings.Cut(search, ":")
	if !ok {
		return search, nil
	}
	bin, after, _ := strings.Cut(rest, ":")
	if probes.HasWildcard(front) {
		if bin == "" || probes.HasWildcard(bin) && pid == 0 {
			return search, nil // kernel providers only, as probes lists them
		}
		for _, p := range userProviders {
			if probes.Match(front, p) {
				user = append(user, userSearch{p, bin, orStar(after), true})
			}
		}
		return search, user
	}
	p := probes.CanonicalProvider(front)
	isUser := false
	for _, u := range userProviders {
		isUser = isUser || p == u
	}
	if !isUser || bin != "" && !probes.HasWildcard(bin) {
		return search, nil
	}
	if bin == "" {
		bin = "*"
	}
	return "-", []userSearch{{p, bin, orStar(after), true}}
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// checkSearch refuses a search no probe name could match: one with
// unbalanced brackets or an empty provider before its first colon.
func checkSearch(s string) error {
	depth := 0
	for _, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		return fmt.Errorf("invalid search pattern '%s': unbalanced brackets", s)
	}
	if strings.HasPrefix(s, ":") {
		return fmt.Errorf("invalid search pattern '%s': it names no probe type before ':'", s)
	}
	return nil
}

// listProgram prints the probes a script attaches to (-l with -e or a
// script file), each as -l prints it (interval:ms: for interval:ms:100,
// as bpftrace lists them), with -v their arguments. BEGIN, END and the
// other probes the runtime runs itself are not listed.
func listProgram(o *options, f *lang.File, t probes.Target, stdout io.Writer, lg *logger) int {
	status := exitOK
	for _, p := range f.Probes {
		for _, sp := range p.Specs {
			raw := strings.TrimSpace(sp.Raw)
			front, rest, _ := strings.Cut(raw, ":")
			prov := probes.CanonicalProvider(front)
			switch prov {
			case "", "begin", "end", "self", "test", "bench":
				continue
			case "interval", "profile", "software", "hardware":
				unit, _, _ := strings.Cut(rest, ":")
				raw = prov + ":" + unit
			}
			if !listSearch(o, t, raw, stdout, lg) {
				status = exitError
			}
		}
	}
	return status
}
