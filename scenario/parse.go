package scenario

import (
	"strings"
)

// argForm is the shape of one written argument, before its meaning is known.
type argForm uint8

const (
	formName   argForm = iota // a name: a variable, a handle name, NULL or a keyword
	formInt                   // N or -N
	formNow                   // now, now+N or now-N
	formOption                // name=value|value..., an option of SSL_CTX_new
	formFlags                 // A|B|..., names or numbers joined by '|' (a mode or options)
)

// rawArg is one argument as written.
type rawArg struct {
	pos    Pos
	form   argForm
	name   string  // formName: the name; formOption: the option's name
	val    int64   // formInt: the value; formNow: the offset
	text   string  // the argument as written, normalised
	values []token // formOption, formFlags: the terms joined by '|'
}

// rawStmt is one statement as written.
type rawStmt struct {
	pos  Pos    // where the statement starts (after a step number)
	bind *token // the variable before '=', if any
	call token  // the function name
	args []rawArg
}

// text renders the statement in normal form.
func (s rawStmt) text() string {
	var b strings.Builder
	if s.bind != nil {
		b.WriteString(s.bind.text + " = ")
	}
	b.WriteString(s.call.text + "(")
	for i, a := range s.args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.text)
	}
	b.WriteString(")")
	return b.String()
}

// parser turns tokens into statements. On a problem it records it and
// skips to the next statement, so one parse reports several problems.
type parser struct {
	toks []token
	i    int
	errs *errSink
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// expect consumes a token of kind k or records "expected what, found ...".
func (p *parser) expect(k tokKind, what string) (token, bool) {
	t := p.peek()
	if t.kind != k {
		p.errs.add(t.pos, "expected %s, found %s", what, t.describe())
		return t, false
	}
	return p.next(), true
}

// script parses every statement.
func (p *parser) script() []rawStmt {
	var out []rawStmt
	for !p.errs.full() {
		for p.peek().kind == tSep {
			p.next()
		}
		if p.peek().kind == tEOF {
			break
		}
		s, ok := p.stmt()
		if ok {
			t := p.peek()
			if t.kind == tSep || t.kind == tEOF {
				out = append(out, s)
				continue
			}
			p.errs.add(t.pos, "expected end of statement (a newline or ';') after ')', found %s", t.describe())
		}
		p.skipStmt()
	}
	return out
}

// skipStmt moves past the rest of a statement that has a problem.
func (p *parser) skipStmt() {
	for k := p.peek().kind; k != tSep && k != tEOF; k = p.peek().kind {
		p.next()
	}
}

// stmt parses [N] [name =] call(args).
func (p *parser) stmt() (rawStmt, bool) {
	if p.peek().kind == tInt && p.toks[p.i+1].kind == tIdent {
		p.next() // a step number, as in the engines' reproducers
	}
	var s rawStmt
	first, ok := p.expect(tIdent, "a call such as SSL_new(...) or a variable to bind")
	if !ok {
		return s, false
	}
	s.pos = first.pos
	s.call = first
	if p.peek().kind == tAssign {
		p.next()
		bind := first
		s.bind = &bind
		if s.call, ok = p.expect(tIdent, "a call after '='"); !ok {
			return s, false
		}
	}
	if _, ok := p.expect(tLParen, "'(' after "+s.call.text); !ok {
		return s, false
	}
	if p.peek().kind == tRParen {
		p.next()
		return s, true
	}
	for {
		a, ok := p.arg()
		if !ok {
			return s, false
		}
		s.args = append(s.args, a)
		t := p.next()
		switch t.kind {
		case tComma:
			continue
		case tRParen:
			return s, true
		}
		p.errs.add(t.pos, "expected ',' or ')' after an argument, found %s", t.describe())
		return s, false
	}
}

// arg parses one argument: name, N, -N, now+N, now-N or option=value.
func (p *parser) arg() (rawArg, bool) {
	t := p.next()
	a := rawArg{pos: t.pos, text: t.text}
	if (t.kind == tInt || (t.kind == tIdent && t.text != "now")) && p.peek().kind == tPipe {
		return p.flags(t)
	}
	switch t.kind {
	case tInt:
		a.form, a.val = formInt, t.val
		return a, true
	case tMinus:
		n, ok := p.expect(tInt, "a number after '-'")
		if !ok {
			return a, false
		}
		a.form, a.val, a.text = formInt, -n.val, "-"+n.text
		return a, true
	case tIdent:
	default:
		p.errs.add(t.pos, "expected an argument (a name, a number or now), found %s", t.describe())
		return a, false
	}
	a.form, a.name = formName, t.text
	switch p.peek().kind {
	case tPlus, tMinus:
		op := p.next()
		if t.text != "now" {
			p.errs.add(op.pos, "expected ',' or ')' after %s, found '%s' (only now takes an offset: now+N, now-N)", t.text, op.text)
			return a, false
		}
		n, ok := p.expect(tInt, "a number after now"+op.text)
		if !ok {
			return a, false
		}
		a.form, a.val, a.text = formNow, n.val, "now"+op.text+n.text
		if op.kind == tMinus {
			a.val = -n.val
		}
		return a, true
	case tAssign:
		p.next()
		a.form = formOption
		var parts []string
		for {
			v := p.next()
			if v.kind != tIdent && v.kind != tInt {
				p.errs.add(v.pos, "expected a value for option %s, found %s", t.text, v.describe())
				return a, false
			}
			a.values = append(a.values, v)
			parts = append(parts, v.text)
			if p.peek().kind != tPipe {
				break
			}
			p.next()
		}
		a.text = t.text + "=" + strings.Join(parts, "|")
		return a, true
	}
	if t.text == "now" {
		a.form = formNow
	}
	return a, true
}

// flags parses A|B|... from its first term t: names or numbers.
func (p *parser) flags(t token) (rawArg, bool) {
	a := rawArg{pos: t.pos, form: formFlags, values: []token{t}}
	parts := []string{t.text}
	for p.peek().kind == tPipe {
		p.next()
		v := p.next()
		if v.kind != tIdent && v.kind != tInt {
			p.errs.add(v.pos, "expected a name or a number after '|', found %s", v.describe())
			return a, false
		}
		a.values = append(a.values, v)
		parts = append(parts, v.text)
	}
	a.text = strings.Join(parts, "|")
	return a, true
}
