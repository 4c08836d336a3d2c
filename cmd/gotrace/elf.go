package main

import (
	"errors"

	"github.com/gotrace/gotrace/codegen"
)

// writeELF is --emit-elf: not written yet (see errNoELF).
func writeELF(path string, prog *codegen.Program) error { return errNoELF }

var errNoELF = errors.New("--emit-elf: gotrace does not write ELF objects yet; --aot FILE writes a program that runs the script anywhere, and -d asm prints the instructions")
