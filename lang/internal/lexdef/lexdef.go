// Package lexdef defines the tokens of gotrace scripts: the rules of
// participle's stateful lexer, state by state. It is the one definition
// of the lexer. lang does not run it: lang/lexer_gen.go is the code
// participle's generator writes from it (go generate in lang, by
// lang/genlexer.go), and lang's tests check that the two read every
// script alike.
//
// The lexer is stateful because bpftrace's syntax is. Outside any block
// (state Root) an attach point such as `uprobe:/bin/bash:readline` or
// `kprobe:vfs_*` is one token (Spec: it may hold '/', '*' and ':'), and a
// '/' opens a predicate. In a predicate (Pred) a '/' closes it unless it
// is nested in parentheses or brackets (Nest), where it divides. Inside
// braces (Body) '/' is division. Each state's operator rule has a name of
// its own (RootOp, Op, PredOp, NestOp) so that the grammar can tell the
// '/' that divides from the one that ends a predicate.
//
// The patterns are written so that participle's generated matcher, which
// does not backtrack into a repetition or an alternation it has left,
// matches what the regexp does: no alternative is a prefix of a later one
// that the rest of the pattern could need, and no pattern begins with an
// assertion about the text before the token (the generated lexer sees
// that text, the regexp lexer does not).
package lexdef

import "github.com/alecthomas/participle/v2/lexer"

// The rules of a state are tried in order and the first that matches
// makes the token. Rules whose tokens begin with different characters
// may come in any order; the order below tries the frequent and cheap
// ones first: white space, comments, the state's own rules, operators,
// then the words and literals. Where first characters are shared the
// order decides: a comment before the '/' operator, an attach point
// (Spec) before the '*' and '?' operators, keywords and type names
// before identifiers, so that `if` or `uint32` is never an identifier.

var (
	space   = lexer.Rule{Name: "Whitespace", Pattern: `[ \t\r\n]+`}
	comment = lexer.Rule{Name: "Comment", Pattern: `//[^\n]*|/\*(?:[^*]|\*+[^*/])*\*+/`}
)

// wordRules are the words and literals of every state.
var wordRules = []lexer.Rule{
	{Name: "Keyword", Pattern: `(?:if|else|while|unroll|for|break|continue|return|true|false|struct|union|enum)\b`},
	{Name: "TypeKw", Pattern: `(?:u?int(?:8|16|32|64)|[su](?:8|16|32|64)|bool|char|void)\b`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "PosParam", Pattern: `\$(?:[0-9]+|#)`},
	{Name: "Var", Pattern: `\$[A-Za-z_][A-Za-z0-9_]*`},
	{Name: "Map", Pattern: `@[A-Za-z0-9_]*`},
	{Name: "Int", Pattern: `(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|[0-9][0-9_]*(?:[eE][0-9]+)?)(?:ns|us|ms|s|m|h|d|[uU][lL]{0,2}|[lL]{1,2}[uU]?)?`},
	// a string may hold raw newlines, as bpftrace's may (a one-liner
	// built with echo gets them from its \n)
	{Name: "String", Pattern: `"(?:\\.|[^"\\])*"`},
}

// Operators, longest first. slashOps adds division; the predicate state
// leaves it out because there '/' ends the predicate.
const (
	baseOps  = `\+\+|--|->|\.\.|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*%&|^]=|[-+*%&|^!~<>=?:.,;]`
	slashOps = `/=?`
)

// rules is a state's rule list: white space and comments, the state's
// own rules, its operators, then the words and literals.
func rules(own []lexer.Rule, ops lexer.Rule) []lexer.Rule {
	out := []lexer.Rule{space, comment}
	out = append(out, own...)
	out = append(out, ops)
	return append(out, wordRules...)
}

var (
	rootState = rules([]lexer.Rule{
		{Name: "Shebang", Pattern: `#![^\n]*`},
		{Name: "Preproc", Pattern: `#[ \t]*[a-z]+[^\n]*`},
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Body")},
		{Name: "Slash", Pattern: `/`, Action: lexer.Push("Pred")},
		// An attach point: BEGIN/END, a word followed by ':'-separated
		// parts, which may hold paths with '/' and quoted text (with
		// backslash escapes: test:"\"probe1\"", bash:"f"+0), or
		// anything with a positional parameter in its first part
		// (`$1`, `BEG$1`, `$1:f`), which the parameter's value completes.
		// Other words without a ':' are lexed as identifiers (config,
		// macro, let, ...).
		{Name: "Spec", Pattern: `(?:BEGIN|END|begin|end)\b|[A-Za-z0-9_*?.+\-\[\]!]*\$[0-9]+[A-Za-z0-9_*?.+\-\[\]!$]*(?::(?:"(?:\\.|[^"\\\n])*"|[A-Za-z0-9_*?.+\-\[\]!/@~<>$=])*)*|[A-Za-z_*?][A-Za-z0-9_*?.+\-\[\]!]*(?::(?:"(?:\\.|[^"\\\n])*"|[A-Za-z0-9_*?.+\-\[\]!/@~<>$=])*)+`},
	}, lexer.Rule{Name: "RootOp", Pattern: baseOps + `|[()\[\]]`})
	bodyState = rules([]lexer.Rule{
		{Name: "LBrace", Pattern: `\{`, Action: lexer.Push("Body")},
		{Name: "RBrace", Pattern: `\}`, Action: lexer.Pop()},
	}, lexer.Rule{Name: "Op", Pattern: slashOps + `|` + baseOps + `|[()\[\]]`})
	predState = rules([]lexer.Rule{
		{Name: "Slash", Pattern: `/`, Action: lexer.Pop()},
		{Name: "LParen", Pattern: `[(\[]`, Action: lexer.Push("Nest")},
	}, lexer.Rule{Name: "PredOp", Pattern: baseOps})
	nestState = rules([]lexer.Rule{
		{Name: "LParen", Pattern: `[(\[]`, Action: lexer.Push("Nest")},
		{Name: "RParen", Pattern: `[)\]]`, Action: lexer.Pop()},
	}, lexer.Rule{Name: "NestOp", Pattern: slashOps + `|` + baseOps})
)

// Rules are the states of the script lexer; a script starts in Root.
func Rules() lexer.Rules {
	return lexer.Rules{"Root": rootState, "Body": bodyState, "Pred": predState, "Nest": nestState}
}

// ExprRules lex a lone expression (a #define's value, a line of the
// REPL) as the inside of a block: Root is Body, except that a '}' with
// no '{' before it stays in the state it is in (lang starts the generated
// lexer in Body and does the same).
func ExprRules() lexer.Rules {
	root := append([]lexer.Rule(nil), bodyState...)
	for i, r := range root {
		if r.Name == "RBrace" {
			root[i].Action = nil
		}
	}
	return lexer.Rules{"Root": root, "Body": bodyState, "Pred": predState, "Nest": nestState}
}
