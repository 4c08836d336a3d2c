package lang

import (
	"bytes"
	goruntime "runtime"
	"strings"
	"testing"
)

// TestConvertProbesInParallel: probes converted at the same time give
// the tree and the errors of probes converted one after another; only the
// scope numbers of their variables differ, and within a probe they tell
// the same variables apart.
func TestConvertProbesInParallel(t *testing.T) {
	src := `#define LIMIT 10
macro bump(x) { let $t = x; $t + 1 }
BEGIN { let $a = 1; if ($a) { let $a = 2; @x = bump($a); } @y = $a + LIMIT; }
kprobe:f { let $a = bump(3); { let $b = $a; @z[$b] = count(); } }
kprobe:g { $u = 1; @w = undefined_macro(1, 2) + bump(1, 2); }
kprobe:h { let $c = 1; let $c = 2; @v = $c; }
kprobe:i { @a = bump(bump(1)); @b = bump(); }`
	parse := func(procs int) (*File, string, string) {
		defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(procs))
		f, err := Parse("p.bt", []byte(src))
		var tree bytes.Buffer
		if f != nil {
			Dump(&tree, f)
		}
		msg := ""
		if el, ok := err.(ErrorList); ok {
			for _, e := range el {
				msg += e.Error() + "\n"
			}
		} else if err != nil {
			msg = err.Error()
		}
		return f, tree.String(), msg
	}
	_, seqTree, seqErr := parse(1)
	if !strings.Contains(seqErr, "p.bt:5:") || !strings.Contains(seqErr, "p.bt:7:") {
		t.Fatalf("want errors in two probes, got %q", seqErr)
	}
	for range 5 {
		_, parTree, parErr := parse(4)
		if parErr != seqErr {
			t.Fatalf("errors differ:\none after another:\n%s\nat the same time:\n%s", seqErr, parErr)
		}
		if parTree != seqTree {
			t.Fatalf("trees differ:\none after another:\n%s\nat the same time:\n%s", seqTree, parTree)
		}
	}
	// without the failing probe, the variables of each probe
	src = strings.NewReplacer("@w = undefined_macro(1, 2) + bump(1, 2);", "@w = 1;", "let $c = 2;", "", "@b = bump();", "").Replace(src)
	seq, _, err := parse(1)
	if err != "" {
		t.Fatal(err)
	}
	par, _, _ := parse(4)
	for i := range seq.Probes {
		a, b := varKeys(seq.Probes[i]), varKeys(par.Probes[i])
		if len(a) != len(b) {
			t.Fatalf("probe %d: %d variables one after another, %d at the same time", i, len(a), len(b))
		}
		same := map[string]string{}
		back := map[string]string{}
		for k := range a {
			if x, ok := same[a[k]]; ok && x != b[k] || back[b[k]] != "" && back[b[k]] != a[k] {
				t.Fatalf("probe %d: use %d is %s one after another, %s at the same time: not the same variables", i, k, a[k], b[k])
			}
			same[a[k]], back[b[k]] = b[k], a[k]
		}
	}
}

// varKeys lists the keys of the variables p uses, in the order a walk
// meets them.
func varKeys(p *Probe) []string {
	var keys []string
	Inspect(p.Body, func(n Node) bool {
		if v, ok := n.(*Var); ok {
			keys = append(keys, v.Key())
		}
		return true
	})
	return keys
}
