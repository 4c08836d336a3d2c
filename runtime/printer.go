package runtime

import (
	"io"

	"github.com/gotrace/gotrace/runtime/output"
)

// newPrinter makes the printer of a session (kernel or VM) as opts say.
func newPrinter(w io.Writer, opts Options) *output.Printer {
	p := output.New(w, opts.Format)
	p.Loc = opts.Loc
	p.Profile = opts.Profile
	p.Color = opts.Color
	if opts.JSONMeta != nil {
		p.SetJSONMeta(*opts.JSONMeta)
	}
	return p
}
