package model

import "slices"

// handshake drives a client SSL c and a server SSL s through one complete
// handshake at version v, in the order the messages flow, so that events
// come out in the order a real library raises them. It is the two steps of
// a handshake in steps (flight.go) run back to back.
func (st *stepper) handshake(c, s Handle, v Version) {
	st.clientHello(c, s, v)
	st.handshakeFinish(c, s)
}

// clientHello is a handshake's first flights: the client writes its
// ClientHello, and the server reads it, decides whether it resumes, and
// writes its first flight (for an abbreviated TLS 1.2 handshake with a
// ticket renewal, its NewSessionTicket too). Both SSLs are then in
// phaseHello until handshakeFinish.
func (st *stepper) clientHello(c, s Handle, v Version) {
	st.startHandshake(c, s)
	cl, sv := st.ssl(c), st.ssl(s)
	// The first SSL_do_handshake of each side calls SSL_clear
	// (state_machine), which puts back the SSL_CTX's generic method: a
	// method SSL_copy_session_id brought lasts only until a handshake
	// starts (MATCH-SSL-VERSION).
	if cl.method != VersionNone || sv.method != VersionNone {
		st.mark(RuleMatchSSLVersion)
	}
	cl.method, sv.method = VersionNone, VersionNone
	// ssl_set_client_hello_version: the client's version is the highest
	// it allows, which the harness pins to v, until the ServerHello
	// (MATCH-SSL-VERSION).
	cl.hello = v
	// The first SSL_do_handshake calls SSL_clear, which sets the shutdown
	// flags back to 0: flags set before the handshake do not last.
	if cl.sent || cl.recv || sv.sent || sv.recv {
		st.mark(RuleShutSetFlags)
	}
	cl.sent, cl.recv, sv.sent, sv.recv = false, false, false, false

	// Client: ClientHello. A session is offered only if it is resumable and
	// of this version; otherwise the client starts a fresh one.
	if r := cl.sess; r == 0 || st.obj(r).version != v || !st.obj(r).resumable() {
		st.because(RuleTimeNew) // the client starts a new session
		if r != 0 {
			st.because(RuleSetMissRelease)
			st.concerns(r)
		}
		st.replaceSession(c, v)
		st.obj(st.ssl(c).sess).blank = true // its cipher comes with the ServerHello
	}
	offer := st.ssl(c).sess // the session the ClientHello carries

	if st.prof.ServernameBeforeLookup { // profile switch (BoringSSL: B20)
		st.servername(s)
	}

	var hit, ticketExpected bool
	if v == TLS12 {
		hit, ticketExpected = st.serverHello12(s, offer, !st.noTicket(c))
	} else {
		hit = st.serverHello13(s, offer)
	}
	// serverHello's verdict is current: it names what the handshake did.
	verdict := st.rule
	if !hit {
		switch {
		case v == TLS13:
			st.because(RuleHS13ServerTickets) // the id comes with each ticket
			st.replaceSession(s, v)
		case ticketExpected:
			st.because(RuleHS12StatelessEmptyID)
			st.replaceSession(s, v)
		default:
			st.because(RuleHS12IDCached)
			st.replaceSession(s, v)
			st.obj(st.ssl(s).sess).id = st.freshID()
		}
		// The servername callback runs after the lookup and the new
		// session (SNICB-AFTER-LOOKUP), before the ServerHello.
		st.servernameAfter(s)
		// A server without SSL_SESS_CACHE_SERVER sends an empty session id.
		if st.ssl(s).cur != 0 {
			st.mark(RuleSwitchIDMode)
		}
		if st.ctx(st.curCtx(s)).mode&CacheServer == 0 {
			st.because(RuleHS12NoServerMode)
			st.obj(st.ssl(s).sess).id = 0
		}
		// A TLS 1.2 server's new session has no cipher before the
		// handshake ends, so i2d_SSL_SESSION encodes nothing of it; a TLS
		// 1.3 one has its cipher at once (both seen on OpenSSL 3.0.19).
		st.obj(st.ssl(s).sess).blank = v == TLS12
	} else {
		st.servernameAfter(s)
	}
	cl, sv = st.ssl(c), st.ssl(s)
	// The server has chosen its version and whether it resumed
	// (SSL_session_reused is 1 on it from here); the client learns both
	// from the ServerHello, in handshakeFinish.
	sv.hit, sv.version, sv.method = hit, v, v
	cl.version = v
	cl.phase, sv.phase = phaseHello, phaseHello
	cl.peer, sv.peer = s, c
	sv.hsExpect, sv.hsVerdict, sv.hsServer = ticketExpected, verdict, st.rule
	if hit && v == TLS12 && ticketExpected {
		// Abbreviated TLS 1.2: the renewed ticket travels in the server's
		// first flight (ServerHello, NewSessionTicket, Finished).
		st.because(RuleHS12EmptyTicketHit)
		t := st.issueTicket(s, TLS12)
		st.ssl(c).hsTicket = t
	}
	st.because(verdict)
}

// handshakeFinish is the rest of the handshake clientHello began between
// client c and server s: the client reads the server's flight and
// finishes, the server finishes, and a TLS 1.3 server writes its tickets.
func (st *stepper) handshakeFinish(c, s Handle) {
	cl, sv := st.ssl(c), st.ssl(s)
	cctx, sctx := cl.ctx, sv.ctx
	v, hit, ticketExpected := sv.version, sv.hit, sv.hsExpect
	verdict, serverRule, flightTicket := sv.hsVerdict, sv.hsServer, cl.hsTicket
	cl.hsTicket, sv.hsExpect, sv.hsVerdict, sv.hsServer = 0, false, 0, 0

	// Client: ServerHello. Not resumed: an offered session with an id is a
	// miss and is replaced; in TLS 1.2 the client keeps the server's id.
	if !hit {
		if cs := st.ssl(c).sess; st.obj(cs).id != 0 {
			st.because(RuleCntMisses)
			if v == TLS12 {
				st.because(RuleHS12Miss)
			}
			st.concerns(cs)
			st.ctx(cctx).misses++
			st.because(RuleSetMissRelease)
			st.replaceSession(c, v)
		}
		st.because(serverRule)
		o := st.obj(st.ssl(c).sess)
		o.version = v
		if v == TLS12 {
			o.id, o.origin = st.obj(st.ssl(s).sess).id, sctx
		} else {
			st.because(RuleSeedTLS13NotResumable)
			st.concerns(st.ssl(c).sess)
		}
	} else {
		st.because(verdict)
		st.concerns(st.ssl(c).sess)
	}
	st.because(RuleReusedReportsHit)
	cl, sv = st.ssl(c), st.ssl(s)
	st.obj(cl.sess).blank, st.obj(sv.sess).blank = false, false
	cl.hit = hit
	cl.phase, sv.phase = phaseEstablished, phaseEstablished
	cl.method, cl.hello = v, VersionNone // the ServerHello picked the method

	switch {
	case v == TLS13:
		// The client finishes first; the server then finishes and writes
		// its tickets, which wait until the client reads them.
		st.mark(RuleHS13EventOrder)
		st.finishClient(c, verdict)
		st.count(RuleCntAcceptGood, &st.ctx(st.acceptCtx(s)).acceptGood)
		st.serverTickets13(s, c)
	case hit:
		// Abbreviated TLS 1.2: the server's flight (ServerHello, any
		// NewSessionTicket, Finished) comes first, so the client completes
		// first.
		st.mark(RuleHS12EventOrder)
		if ticketExpected {
			st.because(RuleHS12EmptyTicketHit)
			st.clientTicket(c, flightTicket)
		}
		st.finishClient(c, RuleHS12NoUpdateOnHit)
		st.finishServer12(s, RuleHS12NoUpdateOnHit)
	default:
		st.mark(RuleHS12EventOrder)
		var t int32
		if ticketExpected {
			t = st.issueTicket(s, TLS12)
		}
		st.finishServer12(s, serverRule)
		if t != 0 {
			st.clientTicket(c, t)
		}
		st.finishClient(c, serverRule)
	}
	st.because(verdict)
}

// serverHello12 is the server's side of ssl_get_prev_session for TLS 1.2:
// a ticket if both sides use them, else a cache lookup by session id.
// It reports whether the session is resumed and whether a new ticket will be
// issued, and leaves the rule of its verdict current.
func (st *stepper) serverHello12(s Handle, offer sessRef, clientTickets bool) (hit, ticketExpected bool) {
	sctx := st.ssl(s).ctx
	o := st.obj(offer)
	offerTicket, offerID := o.ticket, o.id
	var found sessRef
	tryCache := true
	if clientTickets && !st.noTicket(s) {
		switch {
		case offerTicket == 0:
			ticketExpected = true // an empty ticket extension asks for one
		case st.decrypts(sctx, offerTicket, TLS12):
			st.because(RuleHS12ResumeTicket)
			tryCache = false
			found = st.fromTicket(offerTicket, offerID)
		default:
			st.because(RuleHS12ForeignTicket)
			tryCache = false
			ticketExpected = true
		}
	}
	if tryCache && offerID != 0 {
		found = st.lookup(sctx, TLS12, offerID)
	}
	if found == 0 {
		if tryCache {
			st.because(RuleHS12Miss)
		}
		return false, ticketExpected
	}
	if st.obj(found).version == TLS12 && st.sidCtxRefuses(s, found) {
		st.release(found)
		return false, ticketExpected || !tryCache
	}
	if st.obj(found).version != TLS12 || timedOut(st.now, st.obj(found)) {
		st.because(RuleHS12Miss)
		if st.obj(found).version == TLS12 {
			st.because(RuleHS12ExpiredTicket)
			if tryCache {
				st.because(RuleHS12ExpiredID)
			}
			st.mark(RuleCntTimeouts)
			st.ctx(sctx).timeouts++
			if tryCache {
				st.removeSession(sctx, found, RuleHS12ExpiredID, RuleHS12ExpiredID)
			}
		}
		st.concerns(found)
		st.release(found)
		if !tryCache {
			ticketExpected = true
		}
		return false, ticketExpected
	}
	if st.obj(found).blank {
		// A server's session taken half way through its handshake and
		// cached by the application has no cipher, which OpenSSL's server
		// reads as soon as it resumes.
		st.ub(RuleUBResumeHalfWay, "%s was made half way through a handshake that has not finished: it has no cipher, and the server resuming it reads one",
			SessName(st.obj(found).handle))
	}
	st.because(RuleHS12ResumeTicket)
	if tryCache {
		st.because(RuleHS12ResumeID)
	}
	st.mark(RuleCntHits)
	st.mark(RuleTimeTLS12ResumeKeeps)
	st.concerns(found)
	st.ctx(sctx).hits++
	sv := st.ssl(s)
	old := sv.sess
	sv.sess = found
	if old != 0 {
		st.release(old)
	}
	// An empty ticket extension still asks for a ticket: a session resumed
	// by id is renewed with one.
	return true, ticketExpected
}

// mayResumeHalfWay reports whether op runs a server's ClientHello while
// some cache holds a session made half way through a handshake.
func (s *State) mayResumeHalfWay(op Op) bool {
	return (op.Kind == Handshake || op.Kind == ClientHello) &&
		slices.ContainsFunc(s.objs, func(o sessObj) bool { return o.alive && o.blank && o.owner != 0 })
}

// serverHello13 is the server's side of the TLS 1.3 pre_shared_key
// extension and ssl_get_prev_session: a stateless ticket is decrypted by the
// SSL_CTX that issued it; a stateful one (SSL_OP_NO_TICKET) is a session id
// looked up in the cache, which keeps its entry. The server holds what it
// found (the cached object itself for a stateful ticket, a rebuilt one for a
// stateless ticket) until its first ticket. The rule of its verdict is
// current after it.
func (st *stepper) serverHello13(s Handle, offer sessRef) bool {
	sctx := st.ssl(s).ctx
	t := st.obj(offer).ticket
	st.because(RuleHS13ServerTickets) // a full handshake, unless a ticket resumes
	if t == 0 {
		return false
	}
	if !st.clientOffersTicket(offer) {
		st.because(st.or(RuleTktHintSlack, RuleOssl32TicketAgeFloor))
		st.concerns(offer)
		return false
	}
	tk := st.tickets[t-1]
	var found sessRef
	switch {
	case st.statefulTickets13(s) && tk.stateful:
		found = st.lookup(sctx, TLS13, tk.id)
		if found == 0 {
			st.because(RuleHS13StatefulMiss)
		} else if st.antiReplay(s) {
			// tls_parse_ctos_psk: the ticket is used up before its age
			// is checked, whether or not the client sends early data.
			st.because(RuleHS13AntiReplaySingleUse)
			st.concerns(found)
			if st.removeSession(sctx, found, RuleHS13AntiReplaySingleUse, RuleHS13AntiReplaySingleUse) == 0 {
				// A session the cache does not hold (get_session_cb's
				// under NO_INTERNAL_STORE) cannot be used up: the ticket
				// is refused and the lookup's reference dropped.
				st.because(RuleHS13AntiReplaySingleUse)
				st.release(found)
				found = 0
			}
		} else {
			st.mark(RuleSeedTLS13Once) // the server does not enforce single use
		}
	case st.statefulTickets13(s):
		st.because(RuleHS13ForeignTicket)
	case st.decrypts(sctx, t, TLS13):
		found = st.fromTicket(t, tk.id)
	default:
		st.because(RuleHS13ForeignTicket)
	}
	if found == 0 {
		st.concerns(offer)
		return false
	}
	st.because(RuleHS13Resume)
	st.concerns(found)
	// tls_parse_ctos_psk installs the session it found at once, with the
	// lookup's reference: for a stateful ticket the cached object itself
	// (no copy), which the server holds until its first ticket copies it.
	sv := st.ssl(s)
	if old := sv.sess; old != 0 {
		sv.sess = 0
		st.release(old)
	}
	if st.sidCtxRefuses(s, found) {
		st.concerns(offer)
		st.release(found)
		return false
	}
	if timedOut(st.now, st.obj(found)) {
		st.because(RuleHS13Expired)
		st.mark(RuleCntTimeouts)
		st.concerns(offer)
		st.ctx(sctx).timeouts++
		st.release(found)
		return false
	}
	st.mark(RuleCntHits)
	st.ctx(sctx).hits++
	st.ssl(s).sess = found
	return true
}

// clientOffersTicket: a TLS 1.3 client leaves out a ticket older than its
// lifetime hint (with one second of slack: the age is rounded down).
func (st *stepper) clientOffersTicket(offer sessRef) bool {
	o := st.obj(offer)
	age := st.now - o.time
	if age < 0 {
		if !st.prof.TicketAgeFloorsAtZero { // profile switch (OpenSSL 3.2+: O1)
			return false // unsigned arithmetic in C: a huge age
		}
		st.mark(RuleOssl32TicketAgeFloor)
		age = 0
	}
	if age > 0 {
		age--
	}
	return o.hint >= age
}

// decrypts reports whether SSL_CTX ctx can open stateless ticket t.
func (st *stepper) decrypts(ctx Handle, t int32, v Version) bool {
	tk := st.tickets[t-1]
	return !tk.stateful && tk.issuer == ctx && tk.version == v
}

// fromTicket rebuilds the session a stateless ticket describes, as a new
// object the application never sees.
func (st *stepper) fromTicket(t int32, id int64) sessRef {
	tk := st.tickets[t-1]
	st.objs = append(st.objs, sessObj{alive: true, refs: 1, version: tk.version, id: id, time: tk.time, timeout: tk.timeout, sidCtx: tk.sidCtx})
	return sessRef(len(st.objs))
}

// issueTicket records a NewSessionTicket describing s's current session.
// Its lifetime hint is the session timeout, capped at a week in TLS 1.3 and
// left out (0) for a resumed TLS 1.2 session (create_ticket_prequel).
func (st *stepper) issueTicket(s Handle, v Version) int32 {
	sv := st.ssl(s)
	o := st.obj(sv.sess)
	hint := o.timeout
	switch {
	case v == TLS13:
		hint = min(hint, st.prof.TicketHintCap)
	case sv.hit:
		hint = 0
	}
	if v == TLS13 {
		st.mark(RuleTktHintCap)
	}
	st.tickets = append(st.tickets, ticket{issuer: sv.ctx, stateful: v == TLS13 && st.statefulTickets13(s),
		version: v, id: o.id, time: o.time, timeout: o.timeout, hint: hint, sidCtx: o.sidCtx})
	return int32(len(st.tickets))
}

// serverTickets13 writes a TLS 1.3 server's tickets: num_tickets after a
// full handshake, at most one after a resumption. Each ticket after the
// first (and every ticket after a resumption) goes with a fresh copy of the
// session, which gets a new id and time and is offered to the cache.
func (st *stepper) serverTickets13(s, c Handle) {
	defer st.leave(st.enter(RuleHS13ServerTickets))
	n := st.ticketsToSend(s)
	hit := st.ssl(s).hit
	if hit && n > 1 {
		n = 1
	}
	if n == 0 {
		st.because(RuleHS13ServerNoTickets)
		st.concerns(st.ssl(s).sess)
	}
	for i := int64(0); i < n; i++ {
		st.because(RuleHS13ServerTickets)
		if i > 0 || hit {
			st.mark(RuleHS13ServerLastTicket)
			sv := st.ssl(s)
			old := sv.sess
			if st.obj(old).notResumable {
				// The session this server resumed was removed meanwhile
				// (an overlapping handshake's fatal error): dup clears
				// not_resumable, so the copy is cached all the same.
				st.because(RuleStepOverlapCopyResumable)
				st.concerns(old)
			}
			sv.sess = st.dup(old)
			st.release(old)
		}
		o := st.obj(st.ssl(s).sess)
		o.id = st.freshID()
		st.because(RuleTimeTLS13ServerTicket)
		o.time = st.now
		st.because(RuleHS13ServerTickets)
		t := st.issueTicket(s, TLS13)
		cl := st.ssl(c)
		cl.pending = append(cl.pending, t)
		st.because(RuleHS13ServerCache)
		st.updateCache(s, CacheServer)
	}
}

// finishServer12 is the end of a TLS 1.2 server handshake; why is the rule
// its cache update follows.
func (st *stepper) finishServer12(s Handle, why Rule) {
	defer st.leave(st.enter(why))
	st.updateCache(s, CacheServer)
	st.count(RuleCntAcceptGood, &st.ctx(st.acceptCtx(s)).acceptGood)
}

// finishClient is the end of a client handshake; why is the rule a TLS 1.2
// cache update follows. In TLS 1.3 a client cache drops the session it just
// used: tickets are for one use.
func (st *stepper) finishClient(c Handle, why Rule) {
	defer st.leave(st.enter(why))
	cl := st.ssl(c)
	cctx := st.ctx(cl.ctx)
	if cl.version == TLS13 {
		if cctx.mode&CacheClient != 0 {
			st.because(RuleHS13ClientSingleUse)
			st.mark(RuleSeedTLS13Once)
			st.removeSession(cl.ctx, cl.sess, RuleHS13ClientSingleUse, RuleHS13ClientSingleUse)
		}
	} else {
		st.updateCache(c, CacheClient)
	}
	if cl.hit {
		st.because(RuleCntHits)
		cctx.hits++
	}
	st.count(RuleCntConnectGood, &cctx.connectGood)
}
