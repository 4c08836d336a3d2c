//go:build ignore

// genlexer writes lexer_gen.go, the lexer participle's code generator
// makes from the definition in internal/lexdef. It needs participle's
// command, of the participle version go.mod names:
//
//	go install github.com/alecthomas/participle/v2/cmd/participle@v2.1.4
//
// (or `go install .` in cmd/participle of a checkout of that tag).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"os"
	"os/exec"

	"github.com/gotrace/gotrace/lang/internal/lexdef"
)

func main() {
	def, err := json.Marshal(lexdef.Rules())
	if err != nil {
		fail(err)
	}
	cmd := exec.Command("participle", "gen", "lexer", "lang", "--name", "script")
	cmd.Stdin = bytes.NewReader(def)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("participle gen lexer: %v (is participle installed? see genlexer.go)", err))
	}
	src, err := format.Source(out)
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile("lexer_gen.go", src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genlexer:", err)
	os.Exit(1)
}
