package main

import (
	"io"
	"os"
	"path/filepath"

	"github.com/gotrace/gotrace/lang"
)

// formatProgram is --fmt (--mode format): it prints the script in its
// canonical layout (lang.FormatScript) and loads nothing, so it needs no
// privileges. With -o the file is written whole or not at all: to a
// temporary file beside it, renamed over it at the end, so that
// `gotrace --fmt -o x.gt x.gt` formats a file in place. A script that
// does not parse is not formatted: the error is shown and the exit
// status is 1.
func formatProgram(o *options, name string, src []byte, stdout, stderr io.Writer, lg *logger) int {
	out, err := lang.FormatScript(name, src)
	if err != nil {
		io.WriteString(stderr, lang.Format(err, src))
		return 1
	}
	if o.outFile == "" {
		stdout.Write(out)
		return 0
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.outFile), filepath.Base(o.outFile)+".*")
	if err != nil {
		lg.errorf("unable to create temporary file: %v", err)
		return 1
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(o.outFile); err == nil {
		mode = fi.Mode().Perm()
	}
	_, werr := tmp.Write(out)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), mode)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), o.outFile)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		lg.errorf("failed to write '%s': %v", o.outFile, werr)
		return 1
	}
	return 0
}
