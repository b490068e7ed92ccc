package trace

import "github.com/sesslife/sesslife/model"

// session is one SSL_SESSION object as the checker follows it: from its
// birth (the recorder's ex_data "new" callback) to its death (the "free"
// callback). An address can hold several sessions one after another.
type session struct {
	id      int
	ptr     uint64
	dead    bool
	seen    bool // handed to the application at least once
	appRefs int
	takes   []take
	history []step
	// What the checker learnt that makes the session not resumable.
	singleUse    *step // a TLS 1.3 client resumed it with CLIENT caching
	ticketless13 bool  // a full TLS 1.3 client handshake's session, before any ticket
	removed      *step // remove_cb or SSL_CTX_remove_session on it
}

// take is one reference the application gained: how, where, and by which
// rule it must give it back.
type take struct {
	seq  uint64
	how  string
	rule model.Rule
	site uint32
	// inGetCB is the seq of the get_session_cb the reference was taken in,
	// and getCopy1 says that callback returned it with *copy = 1.
	inGetCB  uint64
	getCopy1 bool
}

// step is one line of a session's history.
type step struct {
	Seq  uint64
	Tid  int
	What string
	site uint32
}

// conn is what the checker knows of one SSL.
type conn struct {
	ctx     uint64
	offered *session
	offerOK bool // the offered session was resumable when set
}

// open is a call or callback being executed on a thread.
type open struct {
	rec *Record
}

// proc is the checker's state for one stream (process image).
type proc struct {
	s        *Stream
	sessions map[uint64]*session // address -> the session there now
	lastSeen map[uint64]*session // address -> the session last handed to the application there
	conns    map[uint64]*conn
	stacks   map[int][]open
}

func newProc(s *Stream) *proc {
	return &proc{s: s, sessions: map[uint64]*session{}, lastSeen: map[uint64]*session{},
		conns: map[uint64]*conn{}, stacks: map[int][]open{}}
}

// fork gives a child stream a copy of p's state: the child starts with the
// parent's objects and references, which then evolve apart.
func (p *proc) fork(child *Stream) *proc {
	c := newProc(child)
	copies := map[*session]*session{}
	dup := func(s *session) *session {
		if s == nil {
			return nil
		}
		if d, ok := copies[s]; ok {
			return d
		}
		d := *s
		d.takes = append([]take(nil), s.takes...)
		d.history = append([]step(nil), s.history...)
		copies[s] = &d
		return &d
	}
	for k, v := range p.sessions {
		c.sessions[k] = dup(v)
	}
	for k, v := range p.lastSeen {
		c.lastSeen[k] = dup(v)
	}
	for k, v := range p.conns {
		cv := *v
		cv.offered = dup(v.offered)
		c.conns[k] = &cv
	}
	return c
}

// inside returns the innermost call or callback open on thread tid.
func (p *proc) inside(tid int) *Record {
	st := p.stacks[tid]
	if len(st) == 0 {
		return nil
	}
	return st[len(st)-1].rec
}

// insideGetCB returns the get_session_cb open on thread tid, if any.
func (p *proc) insideGetCB(tid int) *Record {
	st := p.stacks[tid]
	for i := len(st) - 1; i >= 0; i-- {
		if st[i].rec.Kind == "cb" && st[i].rec.CB == "get" {
			return st[i].rec
		}
	}
	return nil
}
