package verify_test

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/rlimit"

	"github.com/gotrace/gotrace/codegen"
	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
	"github.com/gotrace/gotrace/vm/verify"
)

// Programs from the code generator must pass our verifier, and the
// kernel must agree with it.

type beginEnv struct{}

func (beginEnv) Contexts(s *lang.ProbeSpec) ([]*types.Context, error) {
	return []*types.Context{{Provider: "begin", Name: "BEGIN", Kind: types.ProgRawTracepoint}}, nil
}

var at = lang.Pos{File: "t.gt", Line: 1, Col: 1}

func id(n string) lang.Expr  { return &lang.Ident{At: at, Name: n} }
func num(v uint64) lang.Expr { return &lang.IntLit{At: at, Val: v} }
func str(s string) lang.Expr { return &lang.StrLit{At: at, Val: s} }
func v(n string) *lang.Var   { return &lang.Var{At: at, Name: n} }
func call(f string, a ...lang.Expr) lang.Expr {
	return &lang.Call{At: at, Fun: f, Args: a}
}
func m(n string, keys ...lang.Expr) *lang.MapExpr { return &lang.MapExpr{At: at, Name: n, Keys: keys} }
func bin(op string, x, y lang.Expr) lang.Expr     { return &lang.Binary{At: at, Op: op, X: x, Y: y} }
func set(l lang.Expr, op string, r lang.Expr) lang.Stmt {
	return &lang.AssignStmt{At: at, Lhs: l, Op: op, Rhs: r}
}
func do(x lang.Expr) lang.Stmt         { return &lang.ExprStmt{X: x} }
func block(s ...lang.Stmt) *lang.Block { return &lang.Block{At: at, Stmts: s} }

func begin(stmts ...lang.Stmt) *lang.File {
	return &lang.File{Name: "t.gt", Probes: []*lang.Probe{{At: at, Specs: []*lang.ProbeSpec{{At: at, Raw: "BEGIN"}}, Body: block(stmts...)}}}
}

// manyIfs sets n variables each under its own condition and sums them:
// 2^n paths, which only pruning keeps small.
func manyIfs(n int) *lang.File {
	var stmts []lang.Stmt
	var sum lang.Expr = num(0)
	for i := 0; i < n; i++ {
		name := "$v" + string(rune('a'+i))
		stmts = append(stmts,
			set(v(name), "=", num(0)),
			&lang.IfStmt{At: at, Cond: bin(">", id("rand"), num(uint64(1000*i))), Then: block(set(v(name), "=", num(uint64(i+1))))},
		)
		sum = bin("+", sum, v(name))
	}
	stmts = append(stmts, set(m("@sum"), "=", sum))
	return begin(stmts...)
}

var scripts = map[string]*lang.File{
	"many_ifs": manyIfs(20),
	"printf_count_max_exit": begin(
		do(call("printf", str("hello %d %s %s\n"), num(42), str("world"), id("comm"))),
		set(m("@", id("comm")), "=", call("count")),
		set(m("@m"), "=", call("max", id("pid"))),
		&lang.IfStmt{At: at, Cond: bin("&&", bin(">", id("pid"), num(1)), bin("==", id("comm"), str("x"))), Then: block(do(call("exit")))},
	),
	"hist":  begin(set(m("@h"), "=", call("hist", id("pid")))),
	"lhist": begin(set(m("@l"), "=", call("lhist", id("pid"), num(0), num(100), num(10)))),
	"stats": begin(set(m("@s", id("tid")), "=", call("stats", id("pid")))),
	"avg":   begin(set(m("@a"), "=", call("avg", id("pid")))),
	"min":   begin(set(m("@n"), "=", call("min", id("pid")))),
	"sum":   begin(set(m("@sum", id("comm")), "=", call("sum", id("pid")))),
	"count_by_comm_pid": begin(
		set(m("@c", id("comm"), id("pid")), "=", call("count")),
		do(call("delete", m("@c", id("comm"), id("pid")))),
		do(call("clear", m("@c"))),
	),
	"string_compare": begin(
		&lang.IfStmt{At: at, Cond: bin("==", id("comm"), str("bash")), Then: block(
			do(call("printf", str("%s\n"), id("comm"))),
		)},
	),
	"ternary_and_unroll": begin(
		set(v("$x"), "=", &lang.Ternary{Cond: bin(">", id("pid"), num(100)), Then: num(1), Else: num(2)}),
		&lang.UnrollStmt{At: at, Count: num(4), Body: block(set(v("$x"), "+=", v("$x")))},
		set(m("@x"), "=", v("$x")),
	),
	"for_range": begin(
		&lang.ForStmt{At: at, Var: v("$i"), Lo: num(0), Hi: num(20), Body: block(
			set(m("@r", v("$i")), "=", bin("*", v("$i"), v("$i"))),
		)},
	),
	"while_loop": begin(
		set(v("$i"), "=", num(0)),
		&lang.WhileStmt{At: at, Cond: bin("<", v("$i"), num(10)), Body: block(
			set(m("@x", v("$i")), "=", v("$i")),
			set(v("$i"), "+=", num(1)),
		)},
		do(call("print", m("@x"))),
	),
	"for_over_map": begin(
		set(m("@x", num(1)), "=", num(2)),
		&lang.ForStmt{At: at, Var: v("$kv"), Map: m("@x"), Body: block(
			do(call("printf", str("%d %d\n"), &lang.Field{At: at, X: v("$kv"), Name: "0"}, &lang.Field{At: at, X: v("$kv"), Name: "1"})),
		)},
	),
	"maps_and_strings": begin(
		set(m("@c", id("comm"), id("pid")), "=", call("count")),
		set(v("$s"), "=", str("abc")),
		&lang.IfStmt{At: at, Cond: bin("==", id("comm"), v("$s")), Then: block(
			do(call("delete", m("@c", id("comm"), id("pid")))),
		)},
		set(m("@t"), "=", id("nsecs")),
		do(call("clear", m("@c"))),
	),
}

func TestCodegenPrograms(t *testing.T) {
	kernel := os.Geteuid() == 0
	if kernel {
		if err := rlimit.RemoveMemlock(); err != nil {
			kernel = false
		}
	}
	if !kernel && os.Getenv("CI") == "true" {
		t.Error("kernel part cannot run in CI: not root")
	}
	agree, total := 0, 0
	for name, f := range scripts {
		t.Run(name, func(t *testing.T) {
			info, err := types.Check(f, beginEnv{}, types.Config{})
			if err != nil {
				t.Fatalf("does not type-check: %v", lang.Format(err, nil))
			}
			prog, err := codegen.Compile(f, info, codegen.Target{NumCPU: 2})
			if err != nil {
				t.Fatalf("does not compile: %v", lang.Format(err, nil))
			}
			for _, pp := range prog.Probes {
				ps := prog.Spec.Programs[pp.Prog]
				got := verify.Program(ps.Instructions, ps.Type, prog.Spec.Maps, verify.Options{NumCPU: runtime.NumCPU()})
				var ve *verify.Error
				if got != nil && !errors.As(got, &ve) {
					t.Fatalf("%s: %v", pp.Prog, got)
				}
				if !kernel {
					if got != nil {
						t.Errorf("%s: rejected: %v\n  state: %s\n%v", pp.Prog, got, ve.Detail, ps.Instructions)
					}
					continue
				}
				coll, err := ebpf.NewCollectionWithOptions(&ebpf.CollectionSpec{Maps: prog.Spec.Maps, Programs: map[string]*ebpf.ProgramSpec{pp.Prog: ps}}, ebpf.CollectionOptions{})
				kok := err == nil
				if coll != nil {
					coll.Close()
				}
				total++
				switch {
				case kok == (got == nil):
					agree++
					if got != nil {
						t.Errorf("%s: the code generator's program is wrong: ours %v; cilium/kernel: %v\n%v", pp.Prog, got, err, ps.Instructions)
					}
				default:
					t.Errorf("%s: kernel accept=%v (%v), ours %v\n  state: %s\n%v", pp.Prog, kok, err, got, detail(ve), ps.Instructions)
				}
			}
		})
	}
	if kernel {
		t.Logf("agreement with kernel on generated programs: %d/%d", agree, total)
	}
}

func detail(e *verify.Error) string {
	if e == nil {
		return ""
	}
	return e.Detail
}
