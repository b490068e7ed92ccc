package impl

import (
	"context"
	"errors"
	"fmt"

	"github.com/sesslife/sesslife/model"
)

// clientHello is what a client's first flight tells the server about
// resumption.
type clientHello struct {
	version   model.Version
	sessionID SessionID // the offered session's id
	tickets   bool      // TLS 1.2: the SessionTicket extension is present
	ticket    *ticket   // the SessionTicket contents (TLS 1.2) or PSK identity (TLS 1.3); nil for none
}

// serverHello is the server's answer.
type serverHello struct {
	resumed        bool
	ticketExpected bool // TLS 1.2: a NewSessionTicket follows (after a full handshake or a resumption by id)
	sessionID      SessionID
}

// Handshake runs one complete handshake at version v (TLS12 or TLS13)
// between a client and a server connection, both new or cleared, in memory.
// The messages flow in the order a real exchange has them, so callbacks run
// in the order a real library raises them. Both connections must be owned by
// the calling goroutine. Afterwards a TLS 1.3 client has the server's
// tickets waiting (see [Conn.ReadTicket]). An error means nothing happened.
// It is [ClientHello] and [HandshakeFinish] back to back.
func Handshake(call context.Context, client, server *Conn, v model.Version) error {
	if err := ClientHello(call, client, server, v); err != nil {
		return err
	}
	return HandshakeFinish(call, client, server)
}

// ClientHello runs the first half of a handshake at version v: the client
// writes its ClientHello, and the server reads it, decides whether it
// resumes and writes its first flight, which waits for the client (an
// abbreviated TLS 1.2 handshake's renewed ticket is in it). Both
// connections are then in the middle of the handshake until
// [HandshakeFinish], or until one is freed, cleared or fails. An error means
// nothing happened.
func ClientHello(call context.Context, client, server *Conn, v model.Version) error {
	if err := checkHandshake(client, server, v); err != nil {
		return err
	}
	client.countStart(server)
	// The first SSL_do_handshake calls SSL_clear: the shutdown flags go
	// back to 0 (SHUT-SET-FLAGS).
	client.sentShutdown, client.recvShutdown = false, false
	server.sentShutdown, server.recvShutdown = false, false
	hello := client.writeClientHello(call, v)
	reply := server.readClientHello(call, hello)
	f := &flight{client: client, server: server, version: v, reply: reply}
	// The server knows its version and whether it resumed from here on
	// (STEP-SERVER-DECIDES); the client learns both from the ServerHello.
	server.version, server.method = v, v
	if server.faults().choose(StepServerDecidesAtHello, server, true) {
		server.setHit(reply.resumed)
	}
	if reply.resumed && v == model.TLS12 && reply.ticketExpected {
		f.ticket = server.issueTicket(model.TLS12)
	}
	client.state, server.state = stateHello, stateHello
	client.flight, server.flight = f, f
	return nil
}

// HandshakeFinish runs the rest of the handshake [ClientHello] began
// between client and server: the client reads the server's flight and
// finishes, the server finishes, and a TLS 1.3 server writes its tickets.
// An error means nothing happened.
func HandshakeFinish(call context.Context, client, server *Conn) error {
	f := client.flight
	if client == nil || server == nil || f == nil || server.flight != f || f.client != client || f.server != server {
		return errors.New("impl: HandshakeFinish: the connections are not the two ends of one handshake under way")
	}
	client.flight, server.flight = nil, nil
	v, reply := f.version, f.reply
	client.faults().reach(AfterServerLookup, client)
	client.readServerHello(call, reply, v)
	client.sess.noCipher.Store(false)
	server.sess.noCipher.Store(false)
	w := &wire{}
	client.connect(w, clientEnd, v, reply.resumed)
	server.connect(w, serverEnd, v, reply.resumed)
	switch {
	case v == model.TLS13:
		// The client's Finished completes it; the server then completes and
		// writes its tickets, which wait for the client to read them.
		client.finishClient(call)
		if server.faults().choose(TLS13ServerCountsGood, server.ctx, true) {
			server.acceptCtx().acceptGood.Add(1)
		}
		server.sendTickets13(call)
	case reply.resumed:
		// Abbreviated TLS 1.2: the server's flight (ServerHello, any
		// NewSessionTicket, Finished) comes first, so the client completes
		// first.
		if f.ticket != nil {
			client.readTicket(call, f.ticket)
		}
		client.finishClient(call)
		server.finishServer12(call)
	default:
		var t *ticket
		if reply.ticketExpected {
			t = server.issueTicket(model.TLS12)
		}
		server.finishServer12(call)
		if t != nil {
			client.readTicket(call, t)
		}
		client.finishClient(call)
	}
	return nil
}

// flight is what a handshake in steps keeps between [ClientHello] and
// [HandshakeFinish]; both ends point to it.
type flight struct {
	client, server *Conn
	version        model.Version
	reply          serverHello
	ticket         *ticket // abbreviated TLS 1.2: the renewed ticket in the server's first flight
}

func checkHandshake(client, server *Conn, v model.Version) error {
	switch {
	case client == nil || server == nil:
		return errors.New("impl: Handshake: nil connection")
	case v != model.TLS12 && v != model.TLS13:
		return fmt.Errorf("impl: Handshake: version %v is not TLS1_2 or TLS1_3", v)
	case !client.client || server.client:
		return errors.New("impl: Handshake: the first connection must be a client and the second a server")
	case client.state != stateBefore || server.state != stateBefore:
		return errors.New("impl: Handshake: both connections must be new or cleared (renegotiation is not simulated)")
	case v == model.TLS13 && server.sess != nil:
		return errors.New("impl: Handshake: a TLS 1.3 server that still holds a session is not simulated")
	}
	return nil
}

// connect records the outcome of the hello exchange on one end.
func (conn *Conn) connect(w *wire, end int, v model.Version, resumed bool) {
	conn.w, conn.end = w, end
	w.ends[end] = conn
	conn.version, conn.method, conn.hello = v, v, model.VersionNone
	conn.state = stateEstablished
	conn.setHit(resumed)
}

// writeClientHello offers the connection's session if it is resumable and
// of this version; otherwise the client starts a fresh one.
func (conn *Conn) writeClientHello(call context.Context, v model.Version) clientHello {
	if s := conn.sess; s == nil || s.version != v || !s.IsResumable() {
		conn.replaceSession(call, v)
		conn.sess.noCipher.Store(true) // its cipher comes with the ServerHello
	}
	s := conn.announce(v)
	h := clientHello{version: v, sessionID: s.id}
	switch v {
	case model.TLS12:
		h.tickets = !conn.noTicket()
		if h.tickets {
			h.ticket = s.ticket
		}
	case model.TLS13:
		if s.ticket != nil && ticketFresh(s, conn.ctx.env.Now()) {
			h.ticket = s.ticket
		}
	}
	return h
}

// ticketFresh: a TLS 1.3 client leaves out a ticket older than its lifetime
// hint. The age is rounded down, which gives one second of slack; an age
// below zero is huge in C's unsigned arithmetic.
func ticketFresh(s *Session, now int64) bool {
	age := now - s.Time()
	if age < 0 {
		return false
	}
	if age > 0 && s.env.faults.choose(TicketAgeRoundsDown, s, true) {
		age--
	}
	return s.hint >= age
}

// readClientHello is the server's ClientHello processing: resume if it can,
// else start a fresh session.
func (conn *Conn) readClientHello(call context.Context, h clientHello) serverHello {
	var resumed, ticketExpected bool
	if conn.servernameEarly(call, h.version) == model.TLS12 {
		resumed, ticketExpected = conn.resume12(call, h)
	} else {
		resumed = conn.resume13(call, h)
	}
	if !resumed {
		conn.replaceSession(call, h.version)
		s := conn.servernameFresh(call) // private until the handshake ends; the servername callback has run
		// A TLS 1.2 server sends an id unless it issues a stateless
		// ticket; a TLS 1.3 session gets its id with each ticket.
		if h.version == model.TLS12 && (!ticketExpected || !conn.faults().choose(StatelessTicketOmitsID, conn, true)) {
			s.id = conn.ctx.env.newSessionID()
		}
		// Without a server-side cache the id is not sent at all.
		mode := conn.cacheMode()
		if c := conn.idModeCtx(); c != nil {
			mode = c.Mode()
		}
		if mode&model.CacheServer == 0 {
			s.id = SessionID{}
		}
		// A TLS 1.2 server session has no cipher until the handshake ends;
		// a TLS 1.3 one has its cipher at once.
		s.noCipher.Store(h.version == model.TLS12)

	}
	return serverHello{resumed: resumed && conn.servernameOnHit(call), ticketExpected: ticketExpected, sessionID: conn.sess.id}
}

// resume12 is ssl_get_prev_session for TLS 1.2: a ticket if both sides use
// them, else a cache lookup by session id. It reports whether the session
// is resumed and whether a new ticket will be issued: after an empty ticket
// extension (resumed or not), or a ticket that did not resume.
func (conn *Conn) resume12(call context.Context, h clientHello) (resumed, ticketExpected bool) {
	c := conn.ctx
	var found *Session
	byID := true
	if h.tickets && !conn.noTicket() {
		if h.ticket == nil {
			ticketExpected = true // an empty extension asks for a ticket
		} else {
			byID = false
			found = c.open(h.ticket, model.TLS12, h.sessionID)
			ticketExpected = found == nil
		}
	}
	if byID && h.sessionID.Len() != 0 {
		found = c.lookup(call, conn, model.TLS12, h.sessionID)
	}
	if found == nil {
		return false, ticketExpected
	}
	// The context is compared after the version and before the expiry.
	if found.version == model.TLS12 && c.env.faults.choose(SidCtxBeforeExpiry, conn, true) && conn.sidCtxRefuses(found) {
		found.release(call)
		return false, ticketExpected || !byID
	}
	if found.version != model.TLS12 || found.expiredAt(c.env.Now()) {
		if found.version == model.TLS12 && (byID || c.env.faults.choose(ExpiredTicketCountsTimeout, c, true)) {
			c.timeouts.Add(1)
		}
		if found.version == model.TLS12 {
			if byID && c.env.faults.choose(ExpiredIDLeavesCache, c, true) {
				c.RemoveSession(call, found)
			}
		}
		found.release(call)
		return false, ticketExpected || !byID
	}
	if !c.env.faults.choose(SidCtxBeforeExpiry, conn, true) && conn.sidCtxRefuses(found) {
		found.release(call)
		return false, ticketExpected || !byID
	}
	c.hits.Add(1)
	old := conn.sess
	conn.setSession(found)
	old.Free(call)
	// A client that sent an empty ticket extension gets a ticket even when
	// the session was resumed by id.
	return true, ticketExpected && c.env.faults.choose(EmptyTicketHitRenews, c, true)
}

// resume13 is the TLS 1.3 pre_shared_key processing: a stateless ticket is
// opened by the SSL_CTX that sealed it; a stateful one (SSL_OP_NO_TICKET) is
// an id looked up in the cache, which keeps its entry. The server holds
// what it found: the cached object itself for a stateful ticket.
func (conn *Conn) resume13(call context.Context, h clientHello) bool {
	if h.ticket == nil {
		return false
	}
	c := conn.ctx
	var found *Session
	if conn.statefulTickets13() {
		if h.ticket.stateful {
			found = c.lookup(call, conn, model.TLS13, h.ticket.id)
			if found == nil && conn.cacheMode()&model.CacheNoInternalLookup == 0 {
				// lookup counted the miss; a fault may count otherwise.
				c.misses.Add(c.env.faults.amount(StatefulMisses, c, 1) - 1)
			}
			if found != nil && !c.env.faults.choose(StatefulLookupKeepsEntry, c, true) {
				c.RemoveSession(call, found)
			}
			// With anti-replay on, the ticket is used up before its age
			// is checked, early data or not (tls_parse_ctos_psk).
			if found != nil && conn.antiReplay() && c.env.faults.choose(AntiReplayUsesUpTicket, conn, true) {
				found = c.useUp(call, found)
			}
		}
	} else {
		found = c.open(h.ticket, model.TLS13, h.ticket.sealed.id)
	}
	if found == nil {
		return false
	}
	// The server holds what it found, with the lookup's reference: for a
	// stateful ticket the cached object itself, until its first ticket
	// copies it.
	if c.env.faults.choose(ResumedTLS13Copies, c, false) {
		d := found.dup()
		found.release(call)
		found = d
	}
	if old := conn.sess; old != nil {
		conn.setSession(nil)
		old.release(call)
	}
	if conn.sidCtxRefuses(found) {
		found.release(call)
		return false
	}
	if found.expiredAt(c.env.Now()) && c.env.faults.choose(ExpiredTLS13Refused, c, true) {
		c.timeouts.Add(1)
		found.release(call)
		return false
	}
	c.hits.Add(1)
	conn.setSession(found)
	return true
}

// readServerHello is the client's ServerHello processing. Not resumed: an
// offered session with an id is a miss and is replaced; in TLS 1.2 the
// client keeps the id the server sent.
func (conn *Conn) readServerHello(call context.Context, h serverHello, v model.Version) {
	if h.resumed {
		return
	}
	if conn.sess.id.Len() != 0 {
		conn.ctx.misses.Add(1)
		conn.replaceSession(call, v)
	}
	// The session is the fresh one of this handshake: offered sessions
	// without an id are never resumable.
	s := conn.sess
	s.version = v
	if v == model.TLS12 {
		s.id = h.sessionID
	}
}

// sendTickets13 writes a TLS 1.3 server's tickets: num_tickets after a full
// handshake, at most one after a resumption. Each ticket after the first
// (and every ticket after a resumption) goes with a fresh copy of the
// session; each gets a new id and time and is offered to the cache.
func (conn *Conn) sendTickets13(call context.Context) {
	n := conn.ticketsToSend()
	if conn.hit && n > 1 {
		n = 1
	}
	for i := int64(0); i < n; i++ {
		if i > 0 || conn.hit {
			old := conn.sess
			d := old.dup()
			if old.notResumable.Load() && !conn.faults().choose(StepCopyResumable, conn, true) {
				d.notResumable.Store(true)
			}
			conn.setSession(d)
			old.release(call)
		}
		s := conn.sess // private until updateCache
		s.id = conn.ctx.env.newSessionID()
		s.mu.Lock()
		s.time = conn.ctx.env.Now()
		s.mu.Unlock()
		t := conn.issueTicket(model.TLS13)
		t.nonce = int(i)
		conn.w.send(serverEnd, record{ticket: t})
		conn.updateCache(call, model.CacheServer)
	}
}

// finishServer12 is the end of a TLS 1.2 server handshake.
func (conn *Conn) finishServer12(call context.Context) {
	conn.updateCache(call, model.CacheServer)
	conn.acceptCtx().acceptGood.Add(1)
}

// finishClient is the end of a client handshake. A TLS 1.3 client with a
// client-side cache drops the session it just used: tickets are for one use.
func (conn *Conn) finishClient(call context.Context) {
	c := conn.ctx
	if conn.version == model.TLS13 {
		if conn.cacheMode()&model.CacheClient != 0 && c.env.faults.choose(TLS13ClientDropsUsedSession, c, true) {
			c.RemoveSession(call, conn.sess)
		}
	} else {
		conn.updateCache(call, model.CacheClient)
	}
	if conn.hit && c.env.faults.choose(ClientCountsHit, c, true) {
		c.hits.Add(1)
	}
	if !conn.hit || c.env.faults.choose(ClientCountsResumedGood, c, true) {
		c.connectGood.Add(1)
	}
}

// abandonFlight ends the handshake in steps conn is in, if any: the other
// end stays in the middle of it, unable to finish (STEP-ABORT-KEEPS). It
// reports whether there was one. The state stays stateHello for the
// caller's bad-session rule, which spares a handshake under way.
func (conn *Conn) abandonFlight() bool {
	f := conn.flight
	if f == nil {
		return false
	}
	f.client.flight, f.server.flight = nil, nil
	return true
}
