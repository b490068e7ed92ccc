package scenario

import "github.com/sesslife/sesslife/model"

// Script is a checked scenario: every name resolves, every call has the
// right arguments. Only run-time facts (which session a get0 returns, and
// whether it is still alive) are left to [Run].
type Script struct {
	File  string // the name used in messages
	Stmts []Stmt
}

// Stmt is one call.
type Stmt struct {
	Pos    Pos
	Text   string          // the statement in normal form
	Bind   string          // the variable the call binds, "" for none
	Kind   model.Kind      // the call
	Config model.CtxConfig // the configuration of an SSL_CTX_new
	Args   []Arg           // the arguments, in the order of model.Op.String
}

// Arg is one resolved argument.
type Arg struct {
	Pos  Pos
	Type ArgType
	// Var is the variable an object argument reads at run time; when it is
	// empty, Handle is the object (0: NULL).
	Var    string
	Handle model.Handle
	// Now marks a number relative to the clock: Int is then the offset.
	Now     bool
	Int     int64
	Version model.Version
}

// Parse reads a scenario. file names the source in messages. The error,
// when not nil, is an [ErrorList] of FILE:LINE:COL problems.
func Parse(file string, src []byte) (*Script, error) {
	errs := &errSink{file: file}
	toks := lex(src, errs)
	p := parser{toks: toks, errs: errs}
	raw := p.script()
	c := newChecker(errs, raw)
	script := &Script{File: file}
	for _, r := range raw {
		if s, ok := c.stmt(r); ok {
			script.Stmts = append(script.Stmts, s)
		}
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return script, nil
}
