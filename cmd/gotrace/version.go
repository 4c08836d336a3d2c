package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// bpftraceVersion is the bpftrace release whose language and command
// line gotrace follows. Under bpftrace's name, --version says it first,
// for tools that read bpftrace's version to decide what a script may use.
const bpftraceVersion = "0.26.1"

// buildInfo describes the binary: the commit it was built from (when
// the build recorded it) and the Go release that built it.
func buildInfo() (commit, goVersion string, dirty bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", "", false
	}
	goVersion = bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
			if len(commit) > 12 {
				commit = commit[:12]
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	return commit, goVersion, dirty
}

// gotraceDetails is "gotrace 0.1.0-dev, commit 3729601abcde, go1.26.8":
// the commit when the build recorded it (go build -buildvcs=true, or
// -ldflags "-X main.commit=...").
func gotraceDetails() string {
	c, gov, dirty := buildInfo()
	if c == "" {
		c = commit
	}
	parts := []string{"gotrace " + version}
	if c != "" {
		if dirty {
			c += "+dirty"
		}
		parts = append(parts, "commit "+c)
	}
	if gov != "" {
		parts = append(parts, gov)
	}
	return strings.Join(parts, ", ")
}

// commit is the commit gotrace was built from, when the build says it
// with -ldflags "-X main.commit=..." rather than in the build info.
var commit = ""

// printVersion prints --version. As gotrace: its version, commit and Go
// release, and the bpftrace release it follows. Under bpftrace's name (a
// link named bpftrace, the drop-in way): bpftrace's shape first,
// "bpftrace v0.26.1", which tools match with
// ^bpftrace v(\d+)\.(\d+)\.(\d+), and what it really is in parentheses
// after it on the same line.
func printVersion(w io.Writer) {
	if asBpftrace() {
		fmt.Fprintf(w, "bpftrace v%s (%s)\n", bpftraceVersion, gotraceDetails())
		return
	}
	c, gov, dirty := buildInfo()
	if c == "" {
		c = commit
	}
	var extra []string
	if c != "" {
		if dirty {
			c += "+dirty"
		}
		extra = append(extra, "commit "+c)
	}
	if gov != "" {
		extra = append(extra, gov)
	}
	extra = append(extra, "bpftrace v"+bpftraceVersion+" compatible")
	fmt.Fprintf(w, "gotrace %s (%s)\n", version, strings.Join(extra, ", "))
}
