package runtime

import "github.com/gotrace/gotrace/runtime/output"

// newPrinter makes the printer of a session (kernel or VM) as opts say.
func newPrinter(opts Options) *output.Printer {
	p := output.New(opts.Out, opts.Format)
	p.Loc = opts.Loc
	p.Profile = opts.Profile
	if opts.JSONMeta != nil {
		p.SetJSONMeta(*opts.JSONMeta)
	}
	return p
}
