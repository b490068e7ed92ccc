package scenario

import (
	"fmt"
	"strings"
)

// Pos is a place in a script: 1-based line and column (in characters).
type Pos struct {
	Line, Col int
}

// String renders the position as LINE:COL.
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Error is one problem found in a script, at a place.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

// Error renders the problem as FILE:LINE:COL: message.
func (e *Error) Error() string { return fmt.Sprintf("%s:%s: %s", e.File, e.Pos, e.Msg) }

// ErrorList is every problem [Parse] found, in source order.
type ErrorList []*Error

// Error renders one problem per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// maxErrors bounds how many problems one parse reports: after that many the
// rest is noise caused by the first ones.
const maxErrors = 10

// errSink collects problems up to maxErrors.
type errSink struct {
	file string
	list ErrorList
}

func (s *errSink) add(p Pos, format string, args ...any) {
	if len(s.list) < maxErrors {
		s.list = append(s.list, &Error{File: s.file, Pos: p, Msg: fmt.Sprintf(format, args...)})
	}
}

func (s *errSink) full() bool { return len(s.list) >= maxErrors }

func (s *errSink) err() error {
	if len(s.list) == 0 {
		return nil
	}
	return s.list
}
