package scenario

import (
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// binding is what the checker knows of a variable: the type of object it
// names and where it was first bound.
type binding struct {
	typ ArgType
	pos Pos
}

// checker resolves names and checks every call's arguments, statement by
// statement, in source order.
type checker struct {
	errs  *errSink
	bound map[string]binding // variables bound so far
	first map[string]Pos     // where each variable is first bound anywhere
	// failed holds variables whose binding call is unknown: their uses are
	// not reported again.
	failed map[string]bool
}

func newChecker(errs *errSink, raw []rawStmt) *checker {
	c := &checker{errs: errs, bound: map[string]binding{}, first: map[string]Pos{}, failed: map[string]bool{}}
	for _, s := range raw {
		if s.bind != nil {
			if _, ok := c.first[s.bind.text]; !ok {
				c.first[s.bind.text] = s.bind.pos
			}
		}
	}
	return c
}

// stmt checks one statement and binds its variable.
func (c *checker) stmt(r rawStmt) (Stmt, bool) {
	s := Stmt{Pos: r.pos, Text: r.text()}
	k, ok := model.ParseKind(r.call.text)
	if !ok {
		c.errs.add(r.call.pos, "unknown call %s%s", r.call.text, suggest(r.call.text))
		if r.bind != nil {
			c.failed[r.bind.text] = true
		}
		return s, false
	}
	s.Kind = k
	good := true
	if k == model.CtxNew {
		s.Config, good = c.ctxConfig(r)
	} else {
		s.Args, good = c.args(r, k)
	}
	if r.bind != nil {
		if !c.bind(r, k) {
			return s, false
		}
		s.Bind = r.bind.text
	}
	return s, good
}

// bind records the variable of a binding statement.
func (c *checker) bind(r rawStmt, k model.Kind) bool {
	name, pos := r.bind.text, r.bind.pos
	t := binds(k)
	switch {
	case t == 0:
		c.errs.add(pos, "%s returns nothing that can be bound to %s (only SSL_CTX_new, SSL_new, SSL_get0_session and SSL_get1_session do)", k, name)
		return false
	case name == "NULL" || name == "now" || name == "TLS1_2" || name == "TLS1_3":
		c.errs.add(pos, "%s is a keyword and cannot be bound", name)
		return false
	}
	if _, ok := model.ParseKind(name); ok {
		c.errs.add(pos, "%s is the name of a call and cannot be bound", name)
		return false
	}
	// A name of the form ctxN, sslN or sessN is that handle's name: binding
	// it to another object would hide the real one and mislabel it in every
	// printed line. The type is checked here, the number when the call has
	// run (runner.bind).
	if ht, ok := handleForm(name); ok {
		if ht != t {
			c.errs.add(pos, "%s reads as the handle name of %s and cannot be bound to %s", name, ht, t)
			return false
		}
		if _, _, ok := handleName(name); !ok {
			c.errs.add(pos, "%s has the form of a handle name but names no handle (handle numbers start at 1, without leading zeros); choose another name", name)
			return false
		}
	}
	if b, ok := c.bound[name]; ok {
		if b.typ != t {
			c.errs.add(pos, "cannot bind %s to %s: it names %s (bound at %s)", name, t, b.typ, b.pos)
			return false
		}
		return true
	}
	c.bound[name] = binding{typ: t, pos: pos}
	return true
}

// args checks the arguments of any call but SSL_CTX_new against its
// signature.
func (c *checker) args(r rawStmt, k model.Kind) ([]Arg, bool) {
	sig := signature(k)
	if len(r.args) != len(sig) {
		pos := r.call.pos
		if len(r.args) > len(sig) {
			pos = r.args[len(sig)].pos
		}
		c.errs.add(pos, "%s takes %s, found %d argument%s", k, describeSig(sig), len(r.args), plural(len(r.args)))
		return nil, false
	}
	out := make([]Arg, len(sig))
	good := true
	for i, want := range sig {
		a, ok := c.arg(r.args[i], want, k, i+1)
		out[i] = a
		good = good && ok
	}
	return out, good
}

func describeSig(sig []ArgType) string {
	if len(sig) == 0 {
		return "no arguments"
	}
	parts := make([]string, len(sig))
	for i, t := range sig {
		parts[i] = t.String()
	}
	return fmt.Sprintf("%d argument%s (%s)", len(sig), plural(len(sig)), strings.Join(parts, ", "))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// arg resolves argument n of call k, which must be of type want.
func (c *checker) arg(r rawArg, want ArgType, k model.Kind, n int) (Arg, bool) {
	a := Arg{Pos: r.pos, Type: want}
	bad := func(found string) (Arg, bool) {
		c.errs.add(r.pos, "argument %d of %s must be %s, found %s", n, k, want, found)
		return a, false
	}
	if r.form == formOption {
		c.errs.add(r.pos, "%s takes no options, found %s", k, r.text)
		return a, false
	}
	switch want {
	case ArgInt:
		switch r.form {
		case formInt:
			a.Int = r.val
			return a, true
		case formNow:
			a.Now, a.Int = true, r.val
			return a, true
		}
		return bad(c.describe(r))
	case ArgMode, ArgOptions:
		return c.bits(r, a, want, k, n)
	case ArgVersion:
		if r.form == formName {
			switch r.name {
			case "TLS1_2":
				a.Version = model.TLS12
				return a, true
			case "TLS1_3":
				a.Version = model.TLS13
				return a, true
			}
		}
		return bad(c.describe(r))
	}
	// An object.
	if r.form != formName {
		return bad(c.describe(r))
	}
	if r.name == "NULL" {
		return a, true
	}
	if b, ok := c.bound[r.name]; ok {
		if b.typ != want {
			return bad(c.describe(r))
		}
		a.Var = r.name
		return a, true
	}
	if t, h, ok := handleName(r.name); ok {
		if t != want {
			return bad(c.describe(r))
		}
		a.Handle = h
		return a, true
	}
	if c.failed[r.name] {
		return a, false
	}
	if p, ok := c.first[r.name]; ok {
		c.errs.add(r.pos, "%s is used before it is bound (at %s)", r.name, p)
		return a, false
	}
	if _, ok := model.ParseKind(r.name); ok {
		c.errs.add(r.pos, "argument %d of %s must be %s, found the call name %s (calls do not nest: bind the result to a variable first)", n, k, want, r.name)
		return a, false
	}
	c.errs.add(r.pos, "unknown name %s: bind it first (%s = %s(...)) or write a handle name such as %s1",
		r.name, r.name, creator(want), handlePrefix(want))
	return a, false
}

// bits reads a mode or options argument: a number 0 or more, a name, or
// names and numbers joined by '|'.
func (c *checker) bits(r rawArg, a Arg, want ArgType, k model.Kind, n int) (Arg, bool) {
	terms := r.values
	switch r.form {
	case formInt:
		if r.val < 0 {
			c.errs.add(r.pos, "argument %d of %s must be %s, found %s", n, k, want, c.describe(r))
			return a, false
		}
		a.Int = r.val
		return a, true
	case formName:
		terms = []token{{kind: tIdent, text: r.name, pos: r.pos}}
	case formFlags:
	default:
		c.errs.add(r.pos, "argument %d of %s must be %s, found %s", n, k, want, c.describe(r))
		return a, false
	}
	for _, v := range terms {
		if v.kind == tInt {
			a.Int |= v.val
			continue
		}
		var bits int64
		ok := false
		if want == ArgMode {
			var m model.CacheMode
			m, ok = modeBits(strings.TrimPrefix(v.text, "SSL_SESS_CACHE_"))
			bits = int64(m)
		} else {
			var o model.Options
			o, ok = optionBits(v.text)
			bits = int64(o)
		}
		if !ok {
			c.errs.add(v.pos, "argument %d of %s: unknown %s %s (known: %s)", n, k, map[ArgType]string{ArgMode: "cache mode", ArgOptions: "option"}[want],
				v.text, map[ArgType]string{ArgMode: knownModes, ArgOptions: knownOptionBits}[want])
			return a, false
		}
		a.Int |= bits
	}
	return a, true
}

// creator names the call that makes an object of type t.
func creator(t ArgType) string {
	switch t {
	case ArgCtx:
		return model.CtxNew.String()
	case ArgSSL:
		return model.SSLNew.String()
	}
	return model.Get1.String()
}

// describe says what an argument is, for "found ..." messages.
func (c *checker) describe(r rawArg) string {
	switch r.form {
	case formInt:
		return "number " + r.text
	case formNow:
		return r.text + " (a time)"
	case formOption:
		return "option " + r.text
	case formFlags:
		return "flags " + r.text
	}
	switch r.name {
	case "NULL":
		return "NULL"
	case "TLS1_2", "TLS1_3":
		return "the version " + r.name
	}
	if b, ok := c.bound[r.name]; ok {
		return fmt.Sprintf("%s, %s (bound at %s)", r.name, b.typ, b.pos)
	}
	if t, _, ok := handleName(r.name); ok {
		return fmt.Sprintf("%s, %s", r.name, t)
	}
	return "name " + r.name
}

// suggest proposes a known call for a misspelt one.
func suggest(name string) string {
	for _, k := range model.Kinds() {
		if strings.EqualFold(k.String(), name) || strings.EqualFold(k.String(), "SSL_"+name) {
			return " (did you mean " + k.String() + "?)"
		}
	}
	if strings.EqualFold(name, "SSL_get_session") {
		return " (did you mean SSL_get_session?)"
	}
	return ""
}
