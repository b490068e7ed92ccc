package model

// badRules name the rules under which ssl_clear_bad_session judges a
// session, for the call that applies it (SSL_free, SSL_clear,
// SSL_set_session): removed when it takes the session out of a cache,
// uncached when it finds none to take it from, sent when close_notify
// protected the session, early when the SSL was not established.
type badRules struct{ removed, uncached, sent, early Rule }

// clearBadSession is ssl_clear_bad_session: a connection that completed a
// handshake and is dropped without having sent close_notify takes its
// session out of the cache (which also marks it not resumable). Reports
// whether it did; the rule of the verdict is current afterwards.
func (st *stepper) clearBadSession(h Handle, why badRules) bool {
	l := st.ssl(h)
	switch {
	case l.sess == 0:
		return false
	case !st.badSessionRule():
		// Profile switch NoBadSessionRule (wolfSSL): where OpenSSL would
		// take the session out of the cache, it stays cached and
		// resumable.
		if !l.sent && (l.phase == phaseEstablished || l.phase == phaseReset) {
			st.because(RuleWolfNoBadSession)
			st.concerns(l.sess)
			st.noEvent(l.sess, EvRemove, l.ctx)
		}
		return false
	case l.sent:
		st.because(why.sent)
	case l.phase != phaseEstablished && l.phase != phaseReset:
		st.because(why.early)
	default:
		st.because(why.removed)
		st.mark(RuleSeedUncleanRemove)
		st.concerns(l.sess)
		st.removeSession(l.ctx, l.sess, why.removed, why.uncached)
		return true
	}
	st.noEvent(l.sess, EvRemove, l.ctx)
	return false
}

// badSessionRule reports whether the library removes the sessions of
// connections that end badly. Profile switch NoBadSessionRule: wolfSSL 5.5.4
// never does (SSL_ResourceFree, wolfSSL_clear, SendAlert).
func (st *stepper) badSessionRule() bool { return !st.prof.NoBadSessionRule }

func (st *stepper) sslFree(h Handle) {
	l := st.ssl(h)
	st.because(RuleFreeGoodDangles)
	if st.keeps(RuleSeedUncleanFree) {
		st.mark(RuleSeedUncleanFree)
	}
	early := RuleFreeOnlyEstablished
	if l.phase == phaseHello {
		early = st.or(RuleStepAbortKeeps, RuleWolfStepInPlace)
		st.because(early)
		st.dropFlight(h)
	}
	if r := l.sess; r != 0 {
		if !st.clearBadSession(h, badRules{RuleFreeBadRemoves, RuleFreeRemoveUncached, RuleFreeShutdownKeeps, early}) {
			st.because(RuleFreeGoodDangles) // the SSL's reference goes
		}
		l.sess = 0
		if st.prof.RemoveCBOnDestroy { // profile switch (wolfSSL)
			st.wolfFreeSession(r, st.useCtx(h))
		} else {
			st.release(r)
		}
	}
	st.disconnect(h)
	l.alive, l.pending = false, nil
	if st.prof.SwitchMovesSSL && l.cur != 0 { // profile switch (wolfSSL: W23): one reference, on the current one
		defer st.leave(st.enter(RuleWolfSwitchMovesSSL))
		st.ctx(l.cur).sslRefs--
		st.maybeDestroyCtx(l.cur)
		return
	}
	c := st.ctx(l.ctx)
	c.sslRefs--
	st.because(st.or(RuleFreeCTXLastSSL, RuleWolfCTXFree))
	st.maybeDestroyCtx(l.ctx)
	if l.cur != 0 {
		st.releaseCurrent(l.cur, l.ctx)
	}
}

// sslClear is SSL_clear: the session stays unless it was bad, so a client
// can offer it on its next connection.
func (st *stepper) sslClear(h Handle) {
	if st.prof.ClearRenewsUnfinished { // profile switch (wolfSSL)
		st.wolfClear(h)
		return
	}
	l := st.ssl(h)
	st.because(RuleClearGoodKeeps)
	st.mark(RuleSeedUncleanFree)
	early := RuleClearGoodKeeps
	switch l.phase {
	case phaseFailed:
		early = RuleClearAfterFatalKeeps
	case phaseHello:
		early = RuleStepAbortKeeps
		st.because(RuleStepAbortKeeps)
		st.dropFlight(h)
	}
	if st.clearBadSession(h, badRules{RuleClearBadDrops, RuleClearBadDrops, RuleClearGoodKeeps, early}) {
		r := l.sess
		l.sess = 0
		st.release(r)
	}
	st.disconnect(h)
	if l.hit {
		st.because(RuleClearResetsReused)
	}
	l.phase, l.sent, l.recv, l.hit, l.version, l.pending = phaseBefore, false, false, false, VersionNone, nil
	l.method = VersionNone // the SSL_CTX's generic method again (MATCH-SSL-VERSION)
	l.hello = VersionNone  // tls1_clear: the generic method's own version
	st.returns(RuleClearGoodKeeps)
}

// disconnect forgets h's connection: bytes either side sends later go nowhere.
func (st *stepper) disconnect(h Handle) {
	l := st.ssl(h)
	if l.peer != 0 {
		if p := st.ssl(l.peer); p.peer == h {
			p.peer = 0
		}
	}
	l.peer, l.peerClosed = 0, false
}

// shutdown is one call of SSL_shutdown: the first sends close_notify and
// returns 0; a later one reads (a TLS 1.3 client processes the tickets
// waiting before the peer's close_notify) and returns 1 once close_notify
// has arrived, -1 while it has not. Before or after a failed handshake it
// fails with -1 (SSL_R_SHUTDOWN_WHILE_IN_INIT).
func (st *stepper) shutdown(h Handle) int64 {
	if st.prof.ShutdownOptionBits { // profile switch (wolfSSL: W25, W26)
		if ret, ok := st.wolfShutdownBits(h); ok {
			return ret
		}
	}
	if st.prof.ShutdownOneRecord { // profile switch (wolfSSL)
		return st.wolfShutdown(h)
	}
	l := st.ssl(h)
	switch {
	case (l.phase == phaseBefore || l.used) && st.prof.ShutdownInInitSucceeds: // profile switch (BoringSSL; used: B22)
		st.because(RuleBoringShutInInit)
		return 1
	case l.phase != phaseEstablished:
		st.because(st.or(RuleShutInInit, RuleBoringShutInInit))
		return -1
	case l.quiet:
		return st.quietShutdown(h)
	case !l.sent:
		st.because(RuleShutFirstSends)
		l.sent = true
		if l.peer != 0 {
			st.ssl(l.peer).peerClosed = true
		}
		if l.recv { // SSL_set_shutdown set SSL_RECEIVED_SHUTDOWN alone
			st.because(st.or(RuleShutSetFlags, RuleBoringShutSetStates))
			return 1
		}
		return 0
	case !l.recv:
		if len(l.pending) > 0 {
			st.because(st.or(RuleShutTLS13ReadsTickets, RuleBoringTicketsToCallback))
		}
		for len(st.ssl(h).pending) > 0 {
			l := st.ssl(h)
			t := l.pending[0]
			l.pending = l.pending[1:]
			st.clientTicket(h, t)
		}
		st.because(RuleShutWaitsForPeer)
		l = st.ssl(h)
		if !l.peerClosed {
			return -1
		}
		l.recv, l.peerClosed = true, false
	}
	st.because(RuleShutWaitsForPeer)
	return 1
}

// fatalAlert: a record fails to decrypt, the SSL sends a fatal alert, which
// takes its session out of the cache (ssl3_send_alert) unless close_notify
// was already sent, and the connection is dead (SSL_in_init again). Tickets
// still waiting are lost with the connection.
func (st *stepper) fatalAlert(h Handle) {
	l := st.ssl(h)
	removes, uncached := RuleAlertRemoves, RuleAlertUncached
	st.because(st.or(RuleAlertRemoves, RuleWolfNoBadSession))
	if l.phase == phaseHello {
		removes = st.or(RuleStepFatalRemoves, RuleWolfStepInPlace)
		uncached = removes
		st.because(removes)
		st.dropFlight(h)
		st.garbageBeforeServerHello(h)
	}
	switch {
	case l.sent:
		st.because(st.or(RuleAlertAfterCloseNotify, RuleWolfNoBadSession))
		if l.sess != 0 {
			st.noEvent(l.sess, EvRemove, l.ctx)
			st.concernsCtx(l.ctx) // its cache keeps the session
		}
	case l.sess != 0 && st.badSessionRule():
		st.mark(RuleSeedUncleanRemove)
		st.concerns(l.sess)
		st.removeSession(l.ctx, l.sess, removes, uncached)
	case l.sess != 0:
		// Profile switch NoBadSessionRule (wolfSSL): the session stays
		// cached and resumable.
		st.concerns(l.sess)
		st.noEvent(l.sess, EvRemove, l.ctx)
	}
	if len(l.pending) > 0 {
		st.because(RuleTkt13Pending) // the tickets are lost
	}
	half := l.phase == phaseHello
	st.disconnect(h)
	l.phase, l.pending, l.buffered, l.closeBuffered = phaseFailed, nil, nil, false
	if half && st.prof.StepsInPlace { // profile switch (wolfSSL: W28)
		// No handshake completed (handShakeDone 0, handShakeState
		// NULL_STATE): SSL_clear and SSL_get_shutdown see the SSL as
		// before a handshake; it is used, so no handshake follows.
		l.phase = phaseBefore
	}
}

// setSession is SSL_set_session: the old session is judged by the bad
// session rule, the new one gains a reference, the old one loses one. On a
// connection that completed a handshake it also resets the method, which
// leaves the connection unable to do I/O (phaseReset). It returns 1.
func (st *stepper) setSession(h Handle, sess Handle) int64 {
	if st.prof.SetSessionCopies { // profile switch (wolfSSL)
		return st.wolfSetSession(h, sess)
	}
	var r sessRef
	if sess != 0 {
		r = st.named[sess-1]
	}
	return st.setSessionRef(h, r)
}

// setSessionRef is SSL_set_session(h, r) for a session the application
// may not have seen (SSL_copy_session_id); r 0 is NULL.
func (st *stepper) setSessionRef(h Handle, r sessRef) int64 {
	st.clearBadSession(h, badRules{RuleSetBadOld, RuleSetBadOld, RuleSetBadOld, RuleSetBadOld})
	st.because(RuleSetTakesRef)
	if r != 0 {
		st.retain(r)
	} else {
		st.because(RuleSetNULL)
	}
	l := st.ssl(h)
	old := l.sess
	l.sess = r
	if old != 0 {
		st.release(old)
	}
	if l.phase == phaseEstablished {
		st.because(RuleSetResetsConnection)
		l.phase = phaseReset
	}
	if l.method != VersionNone {
		// SSL_set_ssl_method(s, ctx->method) makes the SSL anew
		// (tls1_clear); an SSL that has the generic method keeps its
		// version (MATCH-SSL-VERSION).
		l.method, l.hello = VersionNone, VersionNone
	}
	st.returns(RuleSetTakesRef)
	return 1
}

// clientTicket is a client reading a NewSessionTicket: sessions that may sit
// in a cache are immutable, so the SSL's session is replaced by a copy that
// carries the ticket and an id derived from it.
func (st *stepper) clientTicket(h Handle, t int32) {
	if st.prof.ImmutableSessions { // profile switch (BoringSSL)
		st.boringTicket(h, t)
		return
	}
	if st.prof.TicketUpdatesInPlace { // profile switch (wolfSSL)
		st.wolfClientTicket(h, t)
		return
	}
	l := st.ssl(h)
	tk := st.tickets[t-1]
	old := l.sess
	defer st.leave(st.enter(RuleHS12StatelessEmptyID)) // the client's id comes from the ticket
	if tk.version == TLS13 {
		st.because(RuleTkt13ClientDup)
		st.mark(RuleSeedTLS13LastWins)
	}
	if tk.version == TLS13 || st.obj(old).id != 0 {
		if tk.version == TLS12 {
			st.because(RuleTkt12Dup)
		}
		n := st.dup(old)
		if tk.version == TLS12 && st.ctx(l.ctx).mode&CacheClient != 0 {
			st.removeSession(l.ctx, old, RuleTkt12Dup, RuleTkt12Dup)
		}
		l.sess = n
		st.release(old)
	}
	o := st.obj(l.sess)
	o.ticket = t
	o.origin = tk.issuer
	o.hint = tk.hint
	o.id = st.freshID()
	o.notResumable = false
	st.because(RuleTimeTicketReceipt)
	o.time = st.now
	if tk.version == TLS13 {
		st.because(RuleTkt13NewcbPerTicket)
		st.updateCache(h, CacheClient)
	}
}

// garbageBeforeServerHello is fatal_alert's record (TLS 1.2 on the wire,
// docs/protocol.md) read by a client that has sent its ClientHello and not
// read the ServerHello: the record layer answers a record of another minor
// version in that version before it fails (ssl3_get_record, while no write
// key is set), so a client that announced TLS 1.3 reads as TLS 1.2 from
// then on (MATCH-SSL-VERSION).
func (st *stepper) garbageBeforeServerHello(h Handle) {
	l := st.ssl(h)
	if l.client && l.method == VersionNone && l.hello == TLS13 {
		st.mark(RuleMatchSSLVersion)
		l.hello = TLS12
	}
}
