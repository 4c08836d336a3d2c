package probes

import (
	"slices"
	"testing"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// A wildcard uprobe is one uprobe-multi context per binary where the
// kernel has uprobe-multi links, holding every matched function and its
// file offset, unless its block reads probe or args; one function's
// uprobe and an offset stay single. Without the feature, every function
// gets its own context, with the same offsets.
func TestUprobeMulti(t *testing.T) {
	const src = `uprobe:/usr/bin/app:* { @[func] = count(); }
uretprobe:/usr/bin/app:* { @r[func] = count(); }
uprobe:/usr/bin/app:* { @p[probe] = count(); }
uprobe:/usr/bin/app:* { @a = args; }
uprobe:/usr/bin/app:gt_add { @one = count(); }`
	f, err := lang.Parse("t.gt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	blocks := func(env *env) [][]*types.Context {
		var out [][]*types.Context
		for _, p := range f.Probes {
			ctxs, err := env.BlockContexts(p, p.Specs[0])
			if err != nil {
				t.Fatal(lang.Format(err, []byte(src)))
			}
			out = append(out, ctxs)
		}
		return out
	}
	tgt := uprobeTarget(t)
	tgt.Features[FeatureUprobeMulti] = false
	single := blocks(newEnvForTest(tgt))
	tgt.Features[FeatureUprobeMulti] = true
	multi := blocks(newEnvForTest(tgt))

	if len(single[0]) < 2 {
		t.Fatalf("the test binary has %d functions; the test needs several", len(single[0]))
	}
	var funcs []string
	var offsets []uint64
	for _, c := range single[0] {
		if len(c.Funcs) != 0 || c.UprobeMulti {
			t.Errorf("without uprobe-multi, %s is a multi context", c.Name)
		}
		a := attachPointOf(c)
		funcs = append(funcs, a.spec.Func)
		offsets = append(offsets, a.uprobe.offset)
	}
	for i, ret := range []bool{false, true} {
		if len(multi[i]) != 1 {
			t.Fatalf("block %d: %d contexts, want one uprobe-multi context", i, len(multi[i]))
		}
		c := multi[i][0]
		site := attachPointOf(c).uprobe
		if !c.UprobeMulti || !slices.Equal(c.Funcs, funcs) || !slices.Equal(site.offsets, offsets) || c.Return != ret {
			t.Errorf("block %d: %s funcs %v offsets %x, want %v %x", i, c.Name, c.Funcs, site.offsets, funcs, offsets)
		}
		if c.Count() != len(funcs) {
			t.Errorf("block %d counts as %d probes, want %d", i, c.Count(), len(funcs))
		}
	}
	if c := multi[0][0]; c.Name != "uprobe:/usr/bin/app:*" || c.Kind != types.ProgKprobe || c.Func != types.FuncUser {
		t.Errorf("multi context: %s kind %v func %v", c.Name, c.Kind, c.Func)
	}
	for i := 2; i < len(multi); i++ {
		if len(multi[i]) != len(single[i]) || multi[i][0].UprobeMulti {
			t.Errorf("block %d (reads probe or args, or one function): %d contexts, want %d single ones", i, len(multi[i]), len(single[i]))
		}
	}
}
