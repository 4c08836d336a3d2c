// Package cc reads the C of the files a gotrace script imports
// (`import "lib.bpf.c";`): it preprocesses and parses them into the
// syntax tree of ast.go, which lang/types checks and the code generator
// compiles. There is no clang behind it.
//
// The preprocessor works on tokens. lex splits a file into preprocessing
// tokens after removing backslash-newlines, keeping for every byte its
// offset in the file as written, so that each token knows its line and
// column in the original text; comments become white space. Directives
// are carried out as the token stream is read: #include "x.h" reads the
// header (once per file: that also settles include guards, #pragma once
// and include cycles), a vmlinux.h is not read but noted, and the <...>
// headers of the BPF world are known and read as nothing.
//
// Macro expansion follows Prosser's algorithm, the one the C standard
// describes: every token carries a hide set, the names of the macros whose
// expansion produced it, and a macro name is not expanded again where it
// is hidden. A function-like macro's arguments are expanded on their own
// before they are substituted (except as operands of # and ##), the
// result is pushed back in front of the input and read again, and the
// hide set of the result is the use's, intersected with that of the
// closing parenthesis, plus the macro. Tokens from a macro body take the
// position of the macro's use; tokens of arguments keep their own.
//
// #if expressions are evaluated with intmax_t arithmetic after `defined`
// is resolved and macros are expanded; identifiers left are 0.
//
// The parser is recursive descent over the preprocessed tokens. What C
// cannot parse without knowing which identifiers name types (`(x)*y`, `x
// * y;`) is decided by scopes of typedef names and of the ordinary
// identifiers that hide them, plus the typedef names every BPF program
// may use without defining (u32, __u64, size_t, ...) and, after
// vmlinux.h, the kernel's types (Options.KernelType). A declarator is
// parsed inside out: pointers, then the name or a parenthesised inner
// declarator, then array and function suffixes; the inner declarator is
// built around a placeholder that becomes the type its suffixes make.
// Binary expressions are parsed by precedence climbing.
//
// Positions: a declaration is at its name, a statement at its first
// token, an operator expression (binary, assignment, ?:, member, index,
// postfix) at its operator, a call at the start of its function, other
// expressions at their first token.
//
// A struct, union or enum defined with a tag in a declaration gives a
// TagDecl first; the declared names then refer to it by name, so the
// definition is seen once, in order. An anonymous one has no name to be
// referred to by: its body stays in the declared types (declarators of
// one declaration share it), and it gets a TagDecl only when it declares
// nothing else (`enum { A, B };`). A struct type's Name is "struct " plus
// its tag, so "struct " when anonymous (Type.Tag splits it).
//
// An error stops the top-level declaration it is in; parsing goes on after
// the next ';' or closing '}' at the outer level, so one run reports the
// errors of several declarations.
package cc
