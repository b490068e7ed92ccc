package impl

import "github.com/sesslife/sesslife/model"

// ticket is a NewSessionTicket as the client stores it: opaque bytes it can
// only send back. A stateless ticket seals the session state with the
// issuing SSL_CTX's key (here: the key's name next to the plain state, no
// cryptography); a stateful one (TLS 1.3 with SSL_OP_NO_TICKET) is just the
// id of a session the server keeps in its cache.
type ticket struct {
	version  model.Version
	stateful bool
	keyName  uint64       // stateless: the key that sealed it
	sealed   sessionState // stateless: the session it describes
	id       SessionID    // stateful: the cached session it names
	lifetime int64        // ticket_lifetime_hint, sent in the clear (capped at a week by the client in TLS 1.3)
	nonce    int          // TLS 1.3: the ticket_nonce, its place among the tickets of its handshake (from 0)
}

// sessionState is what a stateless ticket carries: enough to rebuild the
// session.
type sessionState struct {
	version       model.Version
	id            SessionID
	time, timeout int64
	sidCtx        model.SidCtx
}

// issueTicket makes a ticket for conn's current session, as a server at
// version v writes one.
func (conn *Conn) issueTicket(v model.Version) *ticket {
	s, c := conn.sess, conn.ctx
	t, timeout := s.times()
	if v == model.TLS13 && conn.statefulTickets13() {
		return &ticket{version: v, stateful: true, id: s.id, lifetime: timeout}
	}
	lifetime := timeout
	if v == model.TLS12 && conn.hit {
		lifetime = 0 // a TLS 1.2 ticket renewing a resumed session carries no hint
	}
	return &ticket{version: v, keyName: c.keyName, lifetime: lifetime,
		sealed: sessionState{version: v, id: s.id, time: t, timeout: timeout, sidCtx: s.IDContext()}}
}

// open decrypts a stateless ticket for a handshake at version v: only the
// SSL_CTX that sealed it can, and only for the version it was sealed for.
// The rebuilt session has one reference and the id the caller gives it.
func (c *Ctx) open(t *ticket, v model.Version, id SessionID) *Session {
	if t.stateful || t.sealed.version != v || (t.keyName != c.keyName && c.env.faults.choose(TicketNeedsItsKey, c, true)) {
		return nil
	}
	s := c.env.newSession(v, t.sealed.timeout)
	s.id, s.time = id, t.sealed.time
	s.sidCtx.Store(uint32(t.sealed.sidCtx))
	return s
}
