package runtime

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/gotrace/gotrace/lang"
	"github.com/gotrace/gotrace/probes"
)

// TestKernelLogPosition: a kernel verifier log is reduced to the failing
// instruction and mapped to the script.
func TestKernelLogPosition(t *testing.T) {
	// (Tests of the pipeline are in package runtime_test, with
	// internal/pipelinetest; this one looks inside, so it calls Compile.)
	c, err := Compile("t.gt", []byte("BEGIN {\n  @x = 1;\n}"), CompileOptions{Target: probes.NewDirTarget("../probes/testdata"), Stop: StageCompile})
	if err != nil {
		t.Fatal(err)
	}
	prog := c.Prog
	pp := prog.Probes[0]
	idx := pp.Positions.Len() - 1
	pos := insnPos(pp, idx)
	if pos.Line == 0 {
		t.Fatalf("instruction %d has no position", idx)
	}
	if !containsWord("program p0_begin: load program", pp.Prog) || containsWord("p0_beginx", pp.Prog) {
		t.Errorf("containsWord")
	}
	// A kernel rejection names the instruction in its log.
	log := []string{
		"0: R1=ctx() R10=fp0",
		fmt.Sprintf("%d: (b7) r0 = 0", idx),
		"R0 invalid mem access 'scalar'",
		"processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
	}
	err = explainLoadError(prog, fmt.Errorf("program %s: load program: %w", pp.Prog, &ebpf.VerifierError{Log: log}))
	got := lang.Format(err, []byte("BEGIN {\n  @x = 1;\n}"))
	if !strings.HasPrefix(got, pos.String()) || !strings.Contains(got, ": ERROR: the kernel rejected this: R0 invalid mem access 'scalar'") {
		t.Errorf("kernel log: %s", got)
	}
}
