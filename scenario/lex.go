package scenario

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// tokKind is the class of a token.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tSep            // a newline or ';': the end of a statement
	tIdent          // a name: [A-Za-z_][A-Za-z0-9_]*
	tInt            // a decimal or 0x hexadecimal number
	tAssign         // =
	tLParen         // (
	tRParen         // )
	tComma          // ,
	tPipe           // |
	tPlus           // +
	tMinus          // -
)

type token struct {
	kind tokKind
	text string
	pos  Pos
	val  int64 // the value of a tInt
}

// describe names a token for "expected X, found Y" messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tSep:
		if t.text == ";" {
			return "';'"
		}
		return "end of line"
	case tIdent:
		return "name " + t.text
	case tInt:
		return "number " + t.text
	}
	return "'" + t.text + "'"
}

// lex splits src into tokens. Problems (a stray character, a malformed or
// oversized number) go to errs and the character is skipped, so lexing
// always ends, with a tEOF token.
func lex(src []byte, errs *errSink) []token {
	var toks []token
	line, col := 1, 1
	i := 0
	// advance moves past n bytes of one character.
	advance := func(n int) {
		i += n
		col++
	}
	for i < len(src) {
		c := src[i]
		start := Pos{line, col}
		switch {
		case c == '\n':
			toks = append(toks, token{kind: tSep, text: "\n", pos: start})
			i++
			line, col = line+1, 1
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			advance(1)
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				_, n := utf8.DecodeRune(src[i:])
				advance(n)
			}
		case isIdentStart(c):
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, text: string(src[i:j]), pos: start})
			col += j - i
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			text := string(src[i:j])
			col += j - i
			i = j
			v, err := parseNumber(text)
			if err != nil {
				errs.add(start, "%v", err)
				continue
			}
			toks = append(toks, token{kind: tInt, text: text, pos: start, val: v})
		default:
			if kind, ok := punct(c); ok {
				toks = append(toks, token{kind: kind, text: string(c), pos: start})
				advance(1)
				continue
			}
			r, n := utf8.DecodeRune(src[i:])
			switch {
			case r == utf8.RuneError && n <= 1:
				errs.add(start, "invalid UTF-8 byte 0x%02x", src[i])
			case r < 0x20 || r == 0x7f:
				errs.add(start, "unexpected control character %U", r)
			default:
				errs.add(start, "unexpected character %q", r)
			}
			advance(n)
		}
	}
	return append(toks, token{kind: tEOF, pos: Pos{line, col}})
}

// punct maps a one-character token to its kind.
func punct(c byte) (tokKind, bool) {
	switch c {
	case ';':
		return tSep, true
	case '=':
		return tAssign, true
	case '(':
		return tLParen, true
	case ')':
		return tRParen, true
	case ',':
		return tComma, true
	case '|':
		return tPipe, true
	case '+':
		return tPlus, true
	case '-':
		return tMinus, true
	}
	return tEOF, false
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// parseNumber reads a decimal or 0x-prefixed hexadecimal number that fits
// an int64.
func parseNumber(text string) (int64, error) {
	digits, base := text, 10
	if len(text) > 2 && (text[1] == 'x' || text[1] == 'X') && text[0] == '0' {
		digits, base = text[2:], 16
	}
	v, err := strconv.ParseInt(digits, base, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("number %s is too large (the limit is %d)", text, int64(1<<63-1))
		}
		return 0, fmt.Errorf("malformed number %s", text)
	}
	return v, nil
}
