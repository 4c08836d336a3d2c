package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gotrace/gotrace/probes"
	"github.com/gotrace/gotrace/runtime"
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
		part = strings.Join(strings.Fields(part), " ")
		if isTypeSearch(part) {
			lines, err := kernelTypes(t, part, o.verbose)
			if err != nil {
				lg.errorf("%v", err)
				status = exitError
				continue
			}
			for _, l := range lines {
				fmt.Fprintln(stdout, l)
			}
			continue
		}
		if err := checkSearch(part); err != nil {
			lg.errorf("%v", err)
			status = exitError
			continue
		}
		if front, _, ok := strings.Cut(part, ":"); ok && !probes.HasWildcard(front) {
			if f, ok := providerFeature[probes.CanonicalProvider(front)]; ok && !t.Has(f) {
				lg.errorf("cannot list %s probes: this kernel has no %s", probes.CanonicalProvider(front), f)
				status = exitError
				continue
			}
		}
		ls := probes.List
		if o.verbose {
			ls = probes.ListVerbose
		}
		lines, err := ls(t, part, probes.ForPID(o.pid))
		if err != nil {
			lg.errorf("%v", err)
			status = exitError
			continue
		}
		for _, l := range lines {
			fmt.Fprintln(stdout, l)
		}
	}
	return status
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
// script file), with -v their arguments.
func listProgram(o *options, c *runtime.Compiled, t probes.Target, stdout io.Writer, lg *logger) int {
	for _, pi := range c.Info.Probes {
		for _, ctx := range pi.Contexts {
			if !o.verbose {
				fmt.Fprintln(stdout, ctx.Name)
				continue
			}
			lines, err := probes.ListVerbose(t, ctx.Name, probes.ForPID(o.pid))
			if err != nil || len(lines) == 0 {
				fmt.Fprintln(stdout, ctx.Name)
				continue
			}
			for _, l := range lines {
				fmt.Fprintln(stdout, l)
			}
		}
	}
	return exitOK
}
