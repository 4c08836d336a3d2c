package codegen

import (
	"strconv"
	"strings"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/lang/types"
)

// Map reads a probe's filter already made.
//
// A filter that tests a map and a body that reads it again
// (`/@start[tid]/ { @ns = hist(nsecs - @start[tid]); }`) would look the
// map up twice. When the body runs, every read the filter made without
// a short circuit around it has been made: the reads in the operands of
// its top-level &&s, and in the left operand of any other && or ||
// (not in their right, nor in the branches of ?:). The body reuses
// such a value instead of calling bpf_map_lookup_elem again, until a
// statement that may change the map:
//
//   - a read is reused only with the same map and the same key, and only
//     for keys that cannot change during one run of the program (pid,
//     tid, cpu, uid, gid, cgroup, integer constants) and values held in
//     a register (not per-CPU aggregations, strings or records);
//   - before each statement that writes the map (an assignment, ++ or
//     --, taking its address, delete(), clear(), zero()), its reads are
//     forgotten; a call of anything but a builtin, or a loop (whose
//     body may become a function of its own, bpf_loop's callback),
//     forgets every read.
//
// Another CPU may change the map between the filter and the body, as it
// may between any two reads; for the keys above, which name the running
// thread, its process or its CPU, only code running there does.

// mapWriters are the builtins that change the map they are given.
var mapWriters = map[types.Builtin]bool{types.BuiltinDelete: true, types.BuiltinClear: true, types.BuiltinZero: true}

// mapReads are the reads of one probe's filter the body may reuse.
type mapReads struct {
	// eager are the filter's reads made whenever the body runs.
	eager map[*lang.MapExpr]bool
	// vals are the values read, by map and key (readKey).
	vals map[string]val
}

// stableKeyBuiltins are the builtins whose value, as a map key, cannot
// change during one run of a program.
var stableKeyBuiltins = map[types.Builtin]bool{
	types.BuiltinPid: true, types.BuiltinTid: true, types.BuiltinCPU: true,
	types.BuiltinUid: true, types.BuiltinGid: true, types.BuiltinCgroup: true,
}

// startMapReads prepares the reads of filter pred for reuse.
func (f *fn) startMapReads(pred lang.Expr) {
	r := &mapReads{eager: map[*lang.MapExpr]bool{}, vals: map[string]val{}}
	// top: e is the filter or an operand of its top-level &&s, all of
	// which ran when the body runs; below, the right of && and || may
	// not have run.
	var eager func(e lang.Expr, top bool)
	eager = func(e lang.Expr, top bool) {
		switch e := e.(type) {
		case *lang.Paren:
			eager(e.X, top)
		case *lang.Binary:
			switch {
			case e.Op == "&&" && top:
				eager(e.X, true)
				eager(e.Y, true)
			case e.Op == "&&" || e.Op == "||":
				eager(e.X, false)
			default:
				eager(e.X, false)
				eager(e.Y, false)
			}
		case *lang.Unary:
			if e.Op == "!" || e.Op == "-" || e.Op == "~" {
				eager(e.X, false)
			}
		case *lang.Cast:
			eager(e.X, false)
		case *lang.MapExpr:
			r.eager[e] = true
		}
	}
	eager(pred, true)
	if len(r.eager) > 0 {
		f.reads = r
	}
}

// readKey names the value of m's read, or "" where it cannot be reused.
func (f *fn) readKey(m *lang.MapExpr) string {
	var b strings.Builder
	b.WriteString(m.Name)
	for _, k := range m.Keys {
		b.WriteByte(',')
		switch k := k.(type) {
		case *lang.IntLit:
			b.WriteString(strconv.FormatUint(k.Val, 10))
		case *lang.Ident:
			if !stableKeyBuiltins[f.c.info.Builtins.Of(k)] {
				return ""
			}
			b.WriteString(k.Name)
		default:
			return ""
		}
	}
	return b.String()
}

// reusedRead returns the value of a read of m the filter made, if any.
func (f *fn) reusedRead(m *lang.MapExpr) (val, bool) {
	if f.reads == nil {
		return val{}, false
	}
	v, ok := f.reads.vals[f.readKey(m)]
	if !ok {
		return val{}, false
	}
	d := f.newReg()
	f.emit(&inst{op: opMov, dst: d, a: v.r})
	return val{t: v.t, r: d}, true
}

// keepRead remembers the value v of the filter's read m.
func (f *fn) keepRead(m *lang.MapExpr, v val) {
	if f.reads == nil || !f.reads.eager[m] || v.m != nil {
		return
	}
	if k := f.readKey(m); k != "" {
		f.reads.vals[k] = v
	}
}

// forgetReads drops the reads statement s may change (see the top of
// this file).
func (f *fn) forgetReads(s lang.Stmt) {
	r := f.reads
	if r == nil || len(r.vals) == 0 {
		return
	}
	switch s.(type) {
	case *lang.WhileStmt, *lang.ForStmt:
		clear(r.vals)
		return
	}
	forget := func(name string) {
		for k := range r.vals {
			if k == name || strings.HasPrefix(k, name+",") {
				delete(r.vals, k)
			}
		}
	}
	lang.Inspect(s, func(n lang.Node) bool {
		switch n := n.(type) {
		case *lang.AssignStmt:
			if m, ok := n.Lhs.(*lang.MapExpr); ok {
				forget(m.Name)
			}
		case *lang.Unary:
			if m, ok := n.X.(*lang.MapExpr); ok && (n.Op == "++" || n.Op == "--" || n.Op == "&") {
				forget(m.Name)
			}
		case *lang.Call:
			b, builtin := f.c.info.Builtins.Get(n)
			if !builtin {
				clear(r.vals)
				return false
			}
			if mapWriters[b] {
				for _, a := range n.Args {
					if m, ok := a.(*lang.MapExpr); ok {
						forget(m.Name)
					}
				}
			}
		}
		return true
	})
}
