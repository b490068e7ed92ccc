package model

// The wolfssl-5.5 profile's SSL objects (profile_wolfssl.go): the session
// each SSL owns, SSL_free, SSL_clear, SSL_shutdown, SSL_set_session and a
// client reading a TLS 1.3 ticket. Rules are those of docs/spec.md,
// "wolfSSL 5.5 profile", and the OpenSSL rules wolfSSL keeps.

// wolfNewSession makes a zeroed session as wolfSSL_NewSession does: no id,
// no ticket, time and timeout 0, side 0 (which is WOLFSSL_SERVER_END), and
// its own ex_data.
func (st *stepper) wolfNewSession() sessRef {
	st.objs = append(st.objs, sessObj{alive: true, refs: 1, side: Server, ownEx: true})
	return sessRef(len(st.objs))
}

// wolfOwnSession gives a new SSL its session and ssl->timeout, which
// InitSSL copies from the SSL_CTX once (WOLF-SSL-OWNS-SESSION, current).
func (st *stepper) wolfOwnSession(h Handle) {
	n := st.wolfNewSession()
	l := st.ssl(h)
	l.sess, l.timeout = n, st.ctx(l.ctx).timeout
}

// wolfCopy is wolfSSL_DupSession: every field after heap (side, times, id,
// version, ticket, the master secret and so whether it is stale, the
// session id context); not the reference count, the alternative id or the
// ex_data ownership.
func (st *stepper) wolfCopy(dst, src sessRef) {
	d, s := st.obj(dst), st.obj(src)
	d.side, d.time, d.timeout, d.id, d.version, d.ticket, d.seen, d.hint, d.stale = s.side, s.time, s.timeout,
		s.id, s.version, s.ticket, s.seen, s.hint, s.stale
	d.sidCtx, d.sidUnknown = s.sidCtx, s.sidUnknown
}

// wolfFreeSession is wolfSSL_FreeSession(ssl->ctx, s) from SSL_free: the
// last reference calls the remove callback first if s still owns its
// ex_data (WOLF-REMOVECB-ON-FREE, which also decides that no callback runs
// otherwise); the free itself follows the rule current in the caller.
func (st *stepper) wolfFreeSession(r sessRef, ctx Handle) {
	if st.ctx(ctx).cfg.RemoveCB {
		prev := st.enter(RuleWolfRemovecbOnFree)
		if o := st.obj(r); o.refs == 1 && o.ownEx {
			st.emit(EvRemove, r, ctx)
		} else {
			st.noEvent(r, EvRemove, ctx)
		}
		st.leave(prev)
	}
	st.release(r)
}

// wolfClear is wolfSSL_clear (WOLF-CLEAR-RENEWS-UNFINISHED): before a
// completed handshake the session is freed (wolfSSL_SESSION_free: no remove
// callback) and replaced by a new one; after one it stays. The connection
// ends; options.resuming stays (WOLF-REUSED-STICKY).
func (st *stepper) wolfClear(h Handle) {
	st.because(RuleWolfClearRenewsUnfinished)
	l := st.ssl(h)
	if l.phase == phaseHello && st.prof.StepsInPlace {
		// handShakeDone is 0 half way: the session is renewed as
		// before a handshake.
		st.because(RuleWolfStepInPlace)
		st.dropFlight(h)
	}
	if l.phase == phaseBefore || l.phase == phaseHello {
		st.wolfRenewSession(h)
	} else {
		st.concerns(l.sess)
		l.used = true
	}
	if l.hit {
		st.mark(RuleWolfReusedSticky)
	}
	// InitSSL_Suites rebuilds the suites from ssl->version, which
	// SSL_set_session of a TLS 1.2 session left at TLS 1.2.
	l.suites12 = l.pinned == TLS12
	st.disconnect(h)
	l = st.ssl(h)
	l.phase, l.sent, l.recv, l.version = phaseBefore, false, false, VersionNone
	l.pending, l.buffered, l.closeBuffered = nil, nil, false
	st.returns(RuleWolfClearRenewsUnfinished)
}

// wolfShutdown is one wolfSSL_shutdown. The first call sends close_notify
// (even before a handshake) and returns 0. Later calls deliver what is
// queued and process one record: a ticket or nothing (0, or -1 once an
// SSL_read left WANT_READ in ssl->error), or the peer's close_notify (1,
// after which wolfSSL_clear leaves the SSL as if no handshake had
// completed). After a fatal error every call returns -1.
func (st *stepper) wolfShutdown(h Handle) int64 {
	l := st.ssl(h)
	switch {
	case l.phase == phaseFailed:
		st.because(RuleWolfShutAfterFatal)
		return -1
	case !l.sent:
		if l.phase == phaseEstablished {
			st.because(RuleShutFirstSends)
		} else {
			st.because(RuleWolfShutBeforeHandshake)
		}
		// SendAlert's result goes into ssl->error, clearing it.
		l.sent, l.used, l.wantRead = true, true, false
		if l.peer != 0 {
			st.ssl(l.peer).peerClosed = true
		}
		return 0
	}
	st.because(RuleWolfShutOneRecord)
	l.buffered, l.pending = append(l.buffered, l.pending...), nil
	if l.peerClosed {
		l.closeBuffered, l.peerClosed = true, false
	}
	// Short of close_notify the result is WOLFSSL_SHUTDOWN_NOT_DONE, or
	// WOLFSSL_FATAL_ERROR when ssl->error still holds an earlier SSL_read's
	// WANT_READ.
	notDone, why := int64(0), RuleWolfShutOneRecord
	if l.wantRead {
		notDone, why = -1, RuleWolfShutWantRead
	}
	if len(l.buffered) > 0 {
		t := l.buffered[0]
		l.buffered = l.buffered[1:]
		st.because(RuleShutTLS13ReadsTickets)
		st.clientTicket(h, t)
		st.returns(why)
		return notDone
	}
	if !l.closeBuffered {
		st.because(why)
		return notDone
	}
	st.because(RuleWolfShutDoneClears)
	l.closeBuffered = false
	l.phase, l.sent, l.recv = phaseBefore, false, false
	return 1
}

// wolfGetShutdown is wolfSSL_get_shutdown (WOLF-SHUT-GET-FLAGS): both flags
// (3) while handShakeState is NULL_STATE, that is before a handshake and
// after wolfSSL_clear (by SSL_clear or a completed SSL_shutdown);
// otherwise SSL_SENT_SHUTDOWN once close_notify was sent.
func (st *stepper) wolfGetShutdown(h Handle) int64 {
	st.because(RuleWolfShutGetFlags)
	if p := st.ssl(h).phase; p == phaseBefore || (p == phaseHello && st.prof.StepsInPlace) {
		if p == phaseHello {
			st.mark(RuleWolfStepInPlace) // NULL_STATE until HANDSHAKE_DONE
		}
		return SentShutdown | ReceivedShutdown
	}
	return st.shutdownFlags(h)
}

// wolfSetSession is wolfSSL_SetSession: NULL, a session of the other side
// (a session that never finished a handshake has side 0, a server's) and
// the SSL's own session fail with 0 (WOLF-SET-SESSION-REFUSES). Otherwise
// the session is copied into the SSL's own, with its alternative id, and,
// unless the copy has expired, options.resuming becomes 1 and ssl->version
// the session's (WOLF-SET-SESSION-COPIES); 1 is returned either way
// (WOLF-SET-SESSION-EXPIRED). On an established connection the copy also
// rewrites its version and cipher suite: further I/O there is not modelled
// (phaseReset).
func (st *stepper) wolfSetSession(h, sess Handle) int64 {
	st.because(RuleWolfSetSessionRefuses)
	if sess == 0 {
		return 0
	}
	l := st.ssl(h)
	r := st.named[sess-1]
	want := Server
	if l.client {
		want = Client
	}
	if st.obj(r).side != want || r == l.sess {
		st.concerns(r)
		return 0
	}
	st.because(RuleWolfSetSessionCopies)
	st.concerns(r) // copied, not referenced: it does not change
	st.wolfCopy(l.sess, r)
	if alt := st.obj(r).alt; alt != 0 {
		st.obj(l.sess).alt = alt
	}
	if !st.wolfSidCtxMatches(h) {
		return 0
	}
	ret := RuleWolfSetSessionCopies
	if own := st.obj(l.sess); st.now < own.time+own.timeout {
		st.mark(RuleWolfReusedSticky)
		l.hit, l.pinned = true, own.version
		// options.tls1_3 is set for a TLS 1.3 session and never cleared.
		l.pinned13 = l.pinned13 || own.version == TLS13
	} else {
		st.because(RuleWolfSetSessionExpired)
		ret = RuleWolfSetSessionExpired
	}
	if l.phase == phaseEstablished {
		// The copy also rewrote ssl->version and the cipher suite under a
		// live connection; what its I/O does next is left out.
		st.because(RuleWolfSetSessionCopies)
		l.phase = phaseReset
	}
	st.returns(ret)
	return 1
}

// wolfClientTicket is DoTls13NewSessionTicket (WOLF-TICKET-IN-PLACE): the
// ticket, an id taken from its last bytes and its lifetime (as both the
// session's and the SSL's timeout) go into the SSL's own session, then
// AddSession runs, which stamps the time of reading. The ticket's nonce
// matches the secret again: the session is no longer stale.
func (st *stepper) wolfClientTicket(h Handle, t int32) {
	defer st.leave(st.enter(RuleWolfTicketInPlace))
	st.mark(RuleTimeTicketReceipt)
	l := st.ssl(h)
	o := st.obj(l.sess)
	tk := st.tickets[t-1]
	o.ticket, o.id, o.timeout, o.seen, o.stale = t, st.freshID(), tk.hint, st.now, false
	l.timeout = tk.hint
	st.wolfUpdate(h, 0)
}

// wolfTimeouts is what wolfSSL_CTX_set_timeout(ctx, t) stores: the timeout
// and the ticket lifetime hint, 0 meaning their defaults
// (WOLF-TIMEOUT-SETS-HINT).
func (st *stepper) wolfTimeouts(t int64) (timeout, hint int64) {
	if t == 0 {
		return st.prof.DefaultTimeout, st.prof.DefaultTicketHint
	}
	return t, t
}

// wolfRenewSession is what wolfSSL_clear does to an SSL that has not
// completed a handshake (WOLF-CLEAR-RENEWS-UNFINISHED): the SSL's session
// is freed without the remove callback and replaced by a new empty one.
func (st *stepper) wolfRenewSession(h Handle) {
	l := st.ssl(h)
	old := l.sess
	l.sess = st.wolfNewSession()
	st.noEvent(old, EvRemove, st.useCtx(h))
	st.release(old)
}
