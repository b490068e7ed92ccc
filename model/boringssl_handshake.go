package model

// The boringssl profile's handshakes (profile_boringssl.go), in BoringSSL's
// message flow: the client drops an unusable session, the server resumes
// by ticket or (TLS 1.2) by a lookup, both establish their sessions, and a
// TLS 1.3 server writes stateless tickets. Events come out in the order
// the shim's lockstep raises them: the client's first flight, the
// server's, the client's answer, the server's end, the client's end.

// boringNewSession is ssl_get_new_session on SSL h at version v: time
// now, the side, and the timeouts of h's SSL_CTX (TLS 1.2) or of TLS 1.3
// (BORING-TLS13-TIMEOUTS); no id yet.
func (st *stepper) boringNewSession(h Handle, v Version) sessRef {
	defer st.leave(st.enter(RuleBoringCTXTimeout))
	l := st.ssl(h)
	o := sessObj{alive: true, refs: 1, version: v, time: st.now, side: Server, sidCtx: l.sidCtx}
	st.mark(RuleSidctxNewSession)
	if l.client {
		o.side = Client
	} else {
		o.origin = l.ctx
	}
	if v == TLS13 {
		st.because(RuleBoringTLS13Timeouts)
		o.timeout, o.auth = st.prof.PSKTimeout, st.prof.AuthTimeout
	} else {
		o.timeout = st.ctx(l.ctx).timeout
		o.auth = o.timeout
	}
	st.objs = append(st.objs, o)
	return sessRef(len(st.objs))
}

// boringDropOffered releases what SSL h was to offer (ssl_set_session(ssl,
// NULL)) under rule why.
func (st *stepper) boringDropOffered(h Handle, why Rule) {
	l := st.ssl(h)
	if r := l.sess; r != 0 {
		st.because(why)
		st.concerns(r)
		l.sess = 0
		st.release(r)
	}
}

// boringHandshake drives client c and server s through one handshake at
// version v. Both SSLs are in "before", so sess is what each was given.
// The rule of the verdict is current at the end.
func (st *stepper) boringHandshake(c, s Handle, v Version) {
	st.boringHello(c, s, v)
	st.boringFinish(c, s, v)
}

// boringHello is what a handshake does up to the server's first flight:
// the client's do_start_connect and the server's decision (do_select_session
// for TLS 1.2, do_select_session of tls13_server.cc for TLS 1.3). The
// server then holds, as SSL_get_session shows, the session it resumes or
// the new one it makes (hs->new_session, not resumable until the handshake
// completes); the verdict waits in its hit, hsExpect, hsVerdict and
// hsServer for boringFinish.
func (st *stepper) boringHello(c, s Handle, v Version) {
	// do_start_connect: a session the client cannot use is dropped.
	if r := st.ssl(c).sess; r != 0 {
		o := st.obj(r)
		if o.side == Server || o.version != v || !o.resumable() || !st.boringValid(r) {
			st.boringDropOffered(c, RuleBoringClientDropsUnusable)
		}
	}
	st.mark(RuleBoringSessionSplit)
	if st.prof.ServernameBeforeLookup { // profile switch (BoringSSL: B20)
		st.servername(s)
	}
	var n sessRef
	if v == TLS12 {
		n = st.boringHello12(c, s)
	} else {
		n = st.boringHello13(c, s)
	}
	rule := st.rule
	st.boringHalfWay(c, 0)
	st.boringHalfWay(s, n)
	cl, sv := st.ssl(c), st.ssl(s)
	cl.phase, sv.phase = phaseHello, phaseHello
	cl.peer, sv.peer = s, c
	cl.version, sv.version = v, v
	st.because(rule)
}

// boringHalfWay puts SSL h half way through a handshake: as after one, conf
// is ssl->session and sess what SSL_get_session shows, each with its own
// reference: hs->new_session n when the handshake made one (ssl->session
// stays as it was), else ssl->session itself.
func (st *stepper) boringHalfWay(h Handle, n sessRef) {
	l := st.ssl(h)
	l.conf = l.sess
	if n != 0 {
		l.sess = n
	} else if l.sess != 0 {
		st.retain(l.sess)
	}
}

// boringResume undoes boringHalfWay on SSL h for the rest of the
// handshake: sess is ssl->session again, and the new session (0 if none)
// is returned with the reference hs->new_session held.
func (st *stepper) boringResume(h Handle) sessRef {
	l := st.ssl(h)
	shown, conf := l.sess, l.conf
	l.sess, l.conf = conf, 0
	if shown == conf {
		if shown != 0 {
			st.release(shown)
		}
		return 0
	}
	return shown
}

// boringFinish is the rest of the handshake boringHello began.
func (st *stepper) boringFinish(c, s Handle, v Version) {
	sv := st.ssl(s)
	hit, expect, verdict, serverRule := sv.hit, sv.hsExpect, sv.hsVerdict, sv.hsServer
	sv.hsExpect, sv.hsVerdict, sv.hsServer = false, 0, 0
	st.boringResume(c)
	n := st.boringResume(s)
	if v == TLS12 {
		st.boringFinish12(c, s, n, hit, expect, verdict, serverRule)
	} else {
		st.boringFinish13(c, s, n, hit, verdict)
	}
}

// connect marks c and s established at version v, peers of each other,
// with est as each one's established session and the session each was
// given kept as conf.
func (st *stepper) connect(c, s Handle, v Version, hit bool, cEst, sEst sessRef) {
	st.because(RuleReusedReportsHit)
	for _, x := range []struct {
		h, peer Handle
		est     sessRef
	}{{c, s, cEst}, {s, c, sEst}} {
		l := st.ssl(x.h)
		l.conf, l.sess = l.sess, x.est
		l.hit, l.version, l.phase, l.peer = hit, v, phaseEstablished, x.peer
	}
}

// boringHandshake12 is a TLS 1.2 handshake: the server resumes by ticket or
// by id (boringServerHello12), else both make new sessions; a full
// handshake ends on the server first, with its cache update, then on the
// client.
func (st *stepper) boringHello12(c, s Handle) sessRef {
	found, ticketExpected := st.boringServerHello12(s, st.ssl(c).sess, !st.noTicket(c))
	verdict, serverRule := st.rule, st.rule
	var n sessRef
	if found == 0 {
		// A full handshake. The server's new session gets an id only when
		// it issues no ticket and its mode has SERVER.
		n = st.boringNewSession(s, TLS12)
		switch {
		case ticketExpected:
			st.because(RuleHS12StatelessEmptyID)
		case st.boringIDMode(s)&CacheServer == 0:
			st.because(RuleHS12NoServerMode)
		default:
			st.because(RuleHS12IDCached)
			st.obj(n).id = st.freshID()
		}
		serverRule = st.rule
		st.obj(n).notResumable = true // until do_finish_server_handshake
	}
	sv := st.ssl(s)
	sv.hit, sv.hsExpect, sv.hsVerdict, sv.hsServer = found != 0, ticketExpected, verdict, serverRule
	st.because(verdict)
	return n
}

// boringFinish12 is the rest of a TLS 1.2 handshake boringHello12 began.
func (st *stepper) boringFinish12(c, s Handle, n sessRef, hit, ticketExpected bool, verdict, serverRule Rule) {
	cl := st.ssl(c)
	offer := cl.sess
	if hit {
		found := st.ssl(s).sess
		// The server holds found as ssl->session and, once finished, as its
		// established session too; so does the client with its offer. No
		// ticket, no cache update (BORING-HS12-NO-RENEW, HS12-NO-UPDATE-ON-HIT).
		st.mark(RuleHS12EventOrder)
		st.mark(RuleHS12NoUpdateOnHit)
		st.mark(RuleCBNewNotOnHit12)
		st.mark(RuleTimeTLS12ResumeKeeps)
		st.concerns(offer)
		st.retain(offer)
		st.retain(found)
		st.connect(c, s, TLS12, true, offer, found)
		st.because(verdict)
		return
	}
	// A full handshake: the server's new session becomes its established
	// one, resumable from now.
	st.obj(n).notResumable = false
	st.because(serverRule)
	// The client reads the ServerHello: what it offered goes
	// (SET-MISS-RELEASE) and its new session takes the server's id.
	st.boringDropOffered(c, RuleSetMissRelease)
	st.because(serverRule)
	cn := st.boringNewSession(c, TLS12)
	st.obj(cn).id = st.obj(n).id
	st.obj(cn).origin = st.ssl(s).ctx
	var t int32
	if ticketExpected {
		// do_send_server_finished measures the timeout from the ticket.
		st.boringRebase(st.obj(n))
		st.boringRotate(st.ssl(s).ctx)
		t = st.boringIssue(s, n, TLS12)
	}
	// The server finishes first: its session is established and offered
	// to its cache.
	st.mark(RuleHS12EventOrder)
	st.connect(c, s, TLS12, false, 0, n)
	st.ssl(c).sess = cn
	st.because(serverRule)
	st.boringUpdate(s)
	if t != 0 {
		st.because(RuleHS12StatelessEmptyID)
		o := st.obj(cn)
		o.ticket, o.id, o.hint = t, st.freshID(), st.tickets[t-1].hint
	}
	st.because(serverRule)
	st.boringUpdate(c)
	st.because(verdict)
}

// boringServerHello12 is ssl_get_prev_session and the checks of
// do_select_parameters on server s for the client's offer: a ticket when
// both sides use them and the client has one, else a lookup by the id the
// client sent. It returns the session the server resumes (with a
// reference for ssl->session, which lets go of what it held) or 0, and
// whether a full handshake issues a ticket; the rule of the verdict is
// current after it.
func (st *stepper) boringServerHello12(s Handle, offer sessRef, clientTickets bool) (sessRef, bool) {
	sctx := st.ssl(s).ctx
	tickets := clientTickets && !st.noTicket(s)
	st.because(RuleBoringResumeServerOnly)
	var found sessRef
	switch {
	case offer == 0:
	case tickets && st.obj(offer).ticket != 0:
		t := st.obj(offer).ticket
		if !st.boringDecrypts(sctx, t, TLS12) {
			st.because(RuleHS12ForeignTicket)
			break
		}
		st.because(RuleHS12ResumeTicket)
		tk := st.tickets[t-1]
		st.objs = append(st.objs, sessObj{alive: true, refs: 1, version: TLS12, id: st.obj(offer).id, time: tk.time,
			timeout: tk.timeout, auth: tk.auth, side: Server, origin: sctx, sidCtx: tk.sidCtx})
		found = sessRef(len(st.objs))
	case st.obj(offer).ticket != 0:
		// A ticket session without the ticket extension offers a random
		// id, which no cache holds.
	case st.ctx(sctx).mode&CacheNoInternalLookup != 0:
		st.because(RuleBoringResumeServerOnly)
	default:
		st.because(RuleBoringResumeServerOnly)
		if found = st.boringFind(sctx, st.obj(offer).id); found != 0 {
			st.retain(found)
			if !st.prof.SidCtxAfterExpiry && st.boringSidCtxRefuses(s, st.obj(found).sidCtx) {
				// Profile switch off: OpenSSL's order, the context first.
				st.concerns(found)
				st.release(found)
				found = 0
			} else if !st.boringValid(found) {
				st.because(RuleBoringExpiry)
				if st.obj(found).sidCtx != st.ssl(s).sidCtx {
					// Removed whatever its context: the context
					// would have been compared next.
					st.because(RuleBoringSidctxAfterExpiry)
				}
				st.concerns(found)
				st.boringDrop(sctx, found)
				st.release(found)
				found = 0
			}
		}
	}
	if found != 0 {
		if o := st.obj(found); o.side != Server || o.version != TLS12 || !st.boringValid(found) {
			st.because(RuleBoringResumeServerOnly)
			st.concerns(found)
			st.release(found)
			found = 0
		} else if st.boringSidCtxRefuses(s, o.sidCtx) {
			st.concerns(found)
			st.release(found)
			found = 0
		}
	}
	if found == 0 {
		st.boringDropOffered(s, RuleBoringSessionSplit) // ssl_set_session(ssl, nullptr)
		return 0, tickets
	}
	if st.rule == RuleBoringResumeServerOnly {
		st.because(RuleHS12ResumeID)
	}
	st.mark(RuleBoringHS12NoRenew)
	st.concerns(found)
	if old := st.ssl(s).sess; old != 0 {
		st.ssl(s).sess = 0
		st.release(old)
	}
	st.ssl(s).sess = found
	return found, false
}

// boringIssue makes the ticket server s sends for session n at version v,
// with the current key of its SSL_CTX: the session as it is now, and its
// timeout as the lifetime hint.
func (st *stepper) boringIssue(s Handle, n sessRef, v Version) int32 {
	sctx := st.ssl(s).ctx
	o := st.obj(n)
	st.tickets = append(st.tickets, ticket{issuer: sctx, version: v, time: o.time, timeout: o.timeout, auth: o.auth,
		hint: o.timeout, gen: st.ctx(sctx).keys[0].gen, sidCtx: o.sidCtx})
	return int32(len(st.tickets))
}

// boringHandshake13 is a TLS 1.3 handshake (BORING-HS13-RESUME,
// BORING-HS13-SERVER-STATELESS): the server resumes when it decrypts the
// ticket offered; both sides establish new sessions that carry no id or
// ticket; the client finishes first, then the server writes its tickets,
// which wait for the client.
func (st *stepper) boringHello13(c, s Handle) sessRef {
	cl, sv := st.ssl(c), st.ssl(s)
	sctx := sv.ctx
	offer := cl.sess
	st.because(RuleBoringHS13ServerStateless)
	var tk *ticket
	if offer != 0 && st.obj(offer).ticket != 0 && !st.noTicket(s) {
		t := st.obj(offer).ticket
		if st.boringDecrypts(sctx, t, TLS13) {
			x := st.tickets[t-1]
			// The session inside the ticket: a server's TLS 1.3 session.
			if st.now >= x.time && x.timeout > st.now-x.time && !st.boringSidCtxRefuses(s, x.sidCtx) {
				tk = &x
			}
			st.mark(RuleBoringExpiry)
		}
	}
	var n sessRef
	if tk != nil {
		st.because(RuleBoringHS13Resume)
		st.objs = append(st.objs, sessObj{alive: true, refs: 1, version: TLS13, time: tk.time, timeout: tk.timeout,
			auth: tk.auth, side: Server, origin: sctx, sidCtx: tk.sidCtx})
		n = sessRef(len(st.objs))
		st.boringRenew(st.obj(n))
	} else {
		// ssl_get_new_session lets go of what the server held.
		st.boringDropOffered(s, RuleBoringHS13ServerStateless)
		n = st.boringNewSession(s, TLS13)
	}
	st.obj(n).notResumable = true // until do_finish_server_handshake
	sv = st.ssl(s)
	sv.hit, sv.hsVerdict = tk != nil, st.rule
	return n
}

// boringFinish13 is the rest of a TLS 1.3 handshake boringHello13 began:
// the client reads the ServerHello, finishes first, and the server writes
// its tickets.
func (st *stepper) boringFinish13(c, s Handle, n sessRef, resumed bool, verdict Rule) {
	offer := st.ssl(c).sess
	st.obj(n).notResumable = false
	// The client reads the ServerHello and lets go of what it offered.
	var cn sessRef
	if resumed {
		o := *st.obj(offer)
		cn = st.newCopy(sessObj{version: TLS13, time: o.time, timeout: o.timeout, auth: o.auth, side: Client, sidCtx: o.sidCtx})
		st.boringRenew(st.obj(cn))
		st.boringDropOffered(c, RuleBoringHS13Resume)
	} else {
		st.boringDropOffered(c, RuleSetMissRelease)
		cn = st.boringNewSession(c, TLS13)
	}
	st.because(verdict)
	if !resumed {
		st.because(RuleSeedTLS13NotResumable)
	}
	st.concerns(cn)
	st.connect(c, s, TLS13, resumed, cn, n)
	st.boringUpdate(c)
	st.boringTickets13(s, c)
	st.because(verdict)
}

// newCopy adds a session object with o's version, times, side and id,
// alive with one reference and unseen.
func (st *stepper) newCopy(o sessObj) sessRef {
	st.objs = append(st.objs, sessObj{alive: true, refs: 1, version: o.version, time: o.time, timeout: o.timeout,
		auth: o.auth, side: o.side, id: o.id, origin: o.origin, sidCtx: o.sidCtx})
	return sessRef(len(st.objs))
}

// boringTickets13 is add_new_session_tickets and the end of server s's
// handshake: num_tickets tickets after every handshake (none with
// SSL_OP_NO_TICKET), then a cache update that does nothing, since the
// server's session is not resumable. The tickets travel in one record.
func (st *stepper) boringTickets13(s, c Handle) {
	defer st.leave(st.enter(RuleBoringHS13ServerStateless))
	sv := st.ssl(s)
	n := st.ticketsToSend(s)
	if st.noTicket(s) {
		n = 0
	}
	if n == 0 {
		st.because(RuleHS13ServerNoTickets)
	}
	st.concerns(sv.sess)
	if !st.noTicket(s) {
		// add_new_session_tickets returns before it rebases when
		// SSL_OP_NO_TICKET is set.
		st.boringRebase(st.obj(sv.sess))
	}
	for i := int64(0); i < n; i++ {
		st.mark(RuleTimeTLS13ServerTicket)
		st.boringRotate(sv.ctx)
		t := st.boringIssue(s, sv.sess, TLS13)
		cl := st.ssl(c)
		cl.pending = append(cl.pending, t)
	}
	st.boringUpdate(s)
}

// boringSidCtxRefuses reports whether server s refuses to resume a session
// whose id context is c: ssl_session_is_resumable compares the contexts
// once the lookup has dropped an expired session (ssl_lookup_session), so
// the refused session stays where it was (BORING-SIDCTX-AFTER-EXPIRY).
func (st *stepper) boringSidCtxRefuses(s Handle, c SidCtx) bool {
	if c == st.ssl(s).sidCtx {
		return false
	}
	st.because(RuleSidctxMismatch)
	st.mark(RuleBoringSidctxAfterExpiry)
	return true
}

// boringIDMode is the cache mode that decides whether a TLS 1.2 server
// gives its new session an id: that of its current SSL_CTX, ssl->ctx, not
// its session_ctx (handshake_server.cc do_select_parameters), as in
// OpenSSL (SWITCH-ID-MODE).
func (st *stepper) boringIDMode(s Handle) CacheMode {
	if st.ssl(s).cur != 0 {
		st.mark(RuleSwitchIDMode)
	}
	return st.ctx(st.curCtx(s)).mode
}
