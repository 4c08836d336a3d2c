package lang

import "testing"

// TestExprNumbers: every expression of a parsed file, in its probes, its
// config block and its map declarations, macro expansions included, has
// a number of its own from 1 to File.Exprs.
func TestExprNumbers(t *testing.T) {
	src := `config = { max_strlen = 64 + 0 }
let @m = lru_hash(10 * 2);
macro twice(x) { x * 2 }
BEGIN { @a[pid, comm] = count(); $x = twice(3) + (1 ? 2 : 3); }
kprobe:f /arg0 > 1 && @m[tid] == 0/ { printf("%d\n", $x); @m[tid] = (uint8)args.n; }`
	f, err := Parse("n.bt", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ExprNum]Expr{}
	visit := func(n Node) bool {
		if e, ok := n.(Expr); ok {
			num := NumOf(e)
			if num < 1 || int(num) > f.Exprs {
				t.Errorf("%T at %v has number %d, not in 1..%d", e, e.Pos(), num, f.Exprs)
			}
			if o, dup := seen[num]; dup && o != e {
				t.Errorf("%T at %v and %T at %v share number %d", o, o.Pos(), e, e.Pos(), num)
			}
			seen[num] = e
		}
		return true
	}
	for _, c := range f.Config {
		Inspect(c.Value, visit)
	}
	for _, d := range f.MapDecls {
		Inspect(d.Size, visit)
	}
	for _, p := range f.Probes {
		if p.Pred != nil {
			Inspect(p.Pred, visit)
		}
		Inspect(p.Body, visit)
	}
	if len(seen) != f.Exprs || f.Exprs < 20 {
		t.Errorf("%d expressions numbered, File.Exprs %d", len(seen), f.Exprs)
	}
	if NumOf(&IntLit{Val: 1}) != 0 {
		t.Errorf("an expression made after parsing has a number")
	}
}

// TestNothingToBind: the parser notes a file with nothing BindParams
// rewrites, and one with a parameter or a literal string to fold.
func TestNothingToBind(t *testing.T) {
	for src, want := range map[string]bool{
		`BEGIN { @x = 1 + 2; printf("%s\n", str(arg0)); }`: true,
		`BEGIN { @x = $1; }`:            false,
		`BEGIN { @x = str("abc", 2); }`: false,
		`BEGIN { @x = "abc" + 1; }`:     false,
		`BEGIN { @x = $#; }`:            false,
	} {
		f, err := Parse("b.bt", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if f.nothingToBind != want {
			t.Errorf("%s: nothingToBind %v, want %v", src, f.nothingToBind, want)
		}
	}
}
