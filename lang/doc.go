// Package lang reads gotrace scripts: it turns the text of a script (a
// one-liner, a .gt or .bt file, a line of the REPL) into the syntax tree of
// ast.go, a *File in which every node knows its position, or into errors
// that point at the script. lang/types checks the tree; every later pass
// works on it.
//
// # From text to tree
//
// Parse(name, src) goes through these steps:
//
//  1. #if, #ifdef, #ifndef, #elif, #else and #endif are resolved on the
//     text (cpp.go). The lines they drop are blanked, not removed, so the
//     positions of what remains do not move.
//  2. The lexer splits the text into tokens (lexer.go).
//  3. participle's grammar reads the items of the script: imports, config,
//     map declarations, macros, struct, union and enum definitions, and
//     probes with their attach points (grammar.go).
//  4. The bodies of probes and macros, predicates, and the expressions
//     the items hold are read by a hand-written parser (parser.go).
//  5. Steps 3 and 4 make a parse tree, the g-prefixed structs of
//     grammar.go, that follows the text as written. The converter
//     (parse.go, scope.go) turns it into the syntax tree: it resolves
//     scopes (each let-declared variable gets a Scope number), expands
//     macros and #define constants, folds chains of binary operators,
//     and reports what the grammar lets through but the language does
//     not (a missing ';' between statements, assignment to something that
//     is not a variable or a map).
//
// Imported files (imports.go) go through steps 1 to 4 and join the
// script's parse trees before step 5, so that macros and constants are
// known wherever they are used. ParseExpr reads a lone expression with
// steps 2, 4 and 5.
//
// # The lexer
//
// The lexer is participle's stateful lexer, as code: internal/lexdef
// defines its rules, and lexer_gen.go is what `participle gen lexer`
// writes from them (go generate runs genlexer.go; TestGeneratedLexer and
// FuzzLexer check that the generated lexer and participle's regexp lexer
// read every example and test script, and random text, alike). It has
// states because bpftrace's syntax needs them: outside blocks an attach
// point such as uprobe:/bin/bash:readline is one token, a '/' there opens
// a predicate, and inside a predicate a '/' closes it unless it is nested
// in parentheses, where it divides, as it does in blocks.
//
// The lexer leaves out comments and white space, and gives the body of
// each probe and macro to participle as one token, which the hand-written
// parser lexes when it reads the body: participle keeps every token it is
// given in a list it grows a quarter at a time, and the bodies are most of
// a script.
//
// # The grammar of items
//
// grammar.go's structs are participle's grammar, read with no lookahead
// (UseLookahead(0)): every item is told by its first token, so an
// alternative that has taken a token is the one, and an error in it is
// reported where it is found. Where a choice needs more than one token
// (a struct defined inside a struct; a trailing comma in an enum) the
// grammar looks further ahead explicitly. participle calls the Parse
// methods of gBlock and gExpr (participle.Parseable) for bodies and
// expressions. Struct, union and enum definitions are grammars of their
// own (gCDefRule, gEnumRule), which gCDef's and gEnumDef's Parse methods
// read from the file's lexer: they are most of what participle takes to
// build, and only scripts that define a type build them.
//
// # The parser of blocks and expressions
//
// parser.go is recursive descent with one token of lookahead, and a few
// more where the syntax needs them: whether '(' begins a cast or a
// parenthesis, whether a call's argument is a type or an expression,
// whether a name is called. It makes the tree the earlier participle
// grammar of the whole language made, whose alternatives were tried in
// order: where that grammar would have gone back to try another
// alternative, the parser looks ahead to take the one that succeeds.
//
// Binary operators are read by precedence climbing: an operand, then as
// long as the next token is a binary operator of the precedence asked for
// or higher, the operator and its right operand, read with the precedence
// one higher (so operators of a level are left-associative). The levels,
// lowest first:
//
//	||
//	&&
//	|
//	^
//	&
//	== !=
//	< <= > >=
//	<< >>
//	+ -
//	* / %
//
// then the prefix operators (- + ! ~ * & ++ --) and casts, the postfix
// operators (.f ->f [i] ++ --), and the primaries. ?: is below them all,
// and right-associative. The operators of one level make one list in the
// parse tree, so a sum of any number of terms is not a deep tree to read,
// and the converter folds the list left to right into Binary nodes.
//
// Nesting is bounded: blocks, parentheses, brackets, call arguments,
// prefix operators, casts, the branches of ?:, else-if chains and chains
// of postfix operators each take a level, and a script that goes deeper
// than maxNesting (4096) levels gets a syntax error at the token that
// goes past the limit ("nested too deeply"). The parser's recursion, and
// the recursion of every pass over the tree, is bounded with it.
//
// # Positions
//
// Every token has a position: a 1-based line, a 1-based column counted in
// runes, and a byte offset. Every node has a position too (Node.Pos),
// where it begins in the text; the nodes of operators keep the operator's
// position as well (the At of Binary, Unary, AssignStmt, Field and
// Index), which is where errors about the operation point, and a Call
// records where its closing parenthesis ends. Pos names the file as the
// user knows it ("stdin" for -e programs, the import path for imported
// files). The value of a #define is parsed where it stands, so its
// positions point into the #define line wherever the constant is used.
//
// # Errors
//
// Every error is a *Error, or an ErrorList of them, with a position;
// Format prints them as the command line shows them:
//
//	stdin:1:14: error: syntax error: unexpected ";"
//	BEGIN { @x = ; }
//	             ^
//
// A syntax error is reported at the token where the script stops making
// sense ("unexpected X", "unexpected end of input"), a lexical one at the
// character that begins no token ("unexpected character", "unterminated
// string"); parsing stops at the first. The converter's errors are
// collected, so a script with several gets them all.
//
// The front end is linear in the size of the script; bench_test.go
// measures it.
package lang
