package model

// The boringssl profile's SSL objects (profile_boringssl.go): the two
// sessions an SSL holds, SSL_free, SSL_clear, SSL_set_session, a fatal
// alert and a client reading TLS 1.3 tickets. Rules are those of
// docs/spec.md, "BoringSSL profile", and the OpenSSL rules BoringSSL keeps.

// boringOffered is ssl->session: the session SSL h was given, which it
// offers in its next handshake (BORING-SESSION-SPLIT).
func (st *stepper) boringOffered(h Handle) sessRef {
	if l := st.ssl(h); l.phase != phaseBefore {
		return l.conf
	}
	return st.ssl(h).sess
}

// boringFree is SSL_free: ~ssl_st drops the established session (with the
// handshake state), then the SSL's references to its SSL_CTX, which may
// flush and free the SSL_CTX, and only then ssl->session. Nothing judges
// the session (BORING-NO-BAD-SESSION).
func (st *stepper) boringFree(h Handle) {
	l := st.ssl(h)
	st.because(RuleFreeGoodDangles)
	if l.phase == phaseEstablished && !l.sent && l.sess != 0 {
		prev := st.enter(RuleBoringNoBadSession)
		st.concerns(l.sess)
		st.noEvent(l.sess, EvRemove, l.ctx)
		st.leave(prev)
	}
	offered := st.boringOffered(h)
	if l.phase != phaseBefore && l.sess != 0 {
		st.mark(RuleBoringSessionSplit)
		r := l.sess
		l.sess = 0
		st.release(r)
	}
	l = st.ssl(h)
	l.sess, l.conf = 0, 0
	st.disconnect(h)
	l.alive, l.pending = false, nil
	st.ctx(l.ctx).sslRefs--
	st.because(RuleFreeCTXLastSSL)
	st.maybeDestroyCtx(l.ctx)
	if l.cur != 0 { // ~ssl_st drops session_ctx, then ctx (SWITCH-CTX-REF)
		st.releaseCurrent(l.cur, l.ctx)
	}
	if offered != 0 {
		st.because(RuleFreeGoodDangles)
		st.release(offered)
	}
}

// boringClear is SSL_clear (BORING-CLEAR): the handshake state goes, with
// the established session; a client first takes a reference to that
// session and makes it ssl->session (ssl_set_session: nothing changes if
// it already is), a server keeps ssl->session as it is.
func (st *stepper) boringClear(h Handle) {
	st.because(RuleBoringClear)
	l := st.ssl(h)
	if l.phase != phaseBefore {
		if l.phase == phaseEstablished && !l.sent && l.sess != 0 {
			prev := st.enter(RuleBoringNoBadSession)
			st.concerns(l.sess)
			st.noEvent(l.sess, EvRemove, l.ctx)
			st.leave(prev)
		}
		est, conf := l.sess, l.conf
		l.sess, l.conf = conf, 0
		switch {
		case est == 0:
		case l.client:
			st.concerns(est)
			if conf != est {
				// ssl_set_session(ssl, established): a reference for
				// ssl->session, the old one (never a live other session
				// after a handshake) goes.
				st.ssl(h).sess = est
				if conf != 0 {
					st.release(conf)
				}
			} else {
				st.release(est) // ssl->session already held it
			}
		default:
			st.release(est)
		}
	}
	if l.hit {
		st.because(RuleClearResetsReused)
	}
	st.disconnect(h)
	l = st.ssl(h)
	l.phase, l.sent, l.recv, l.hit, l.version, l.pending = phaseBefore, false, false, false, VersionNone, nil
	l.used = false
	st.returns(RuleBoringClear)
}

// boringSetSession is SSL_set_session before a handshake (boringCheck
// refuses it after one): ssl_set_session, which changes nothing when the
// SSL already holds that object, else takes a reference to the new one
// and drops the old. It returns 1 (SET-TAKES-REF, SET-NULL).
func (st *stepper) boringSetSession(h, sess Handle) int64 {
	st.because(RuleSetTakesRef)
	st.mark(RuleBoringSetAfterHandshakeAborts)
	var r sessRef
	if sess != 0 {
		r = st.named[sess-1]
	} else {
		st.because(RuleSetNULL)
	}
	l := st.ssl(h)
	if old := l.sess; old != r {
		if r != 0 {
			st.retain(r)
		}
		l.sess = r
		if old != 0 {
			st.release(old)
		}
	}
	st.returns(RuleSetTakesRef)
	return 1
}

// boringAlert: a record fails to decrypt and the SSL sends a fatal alert
// (unless close_notify went first). The session stays cached and
// resumable (BORING-NO-BAD-SESSION); the connection and the tickets
// waiting are lost.
func (st *stepper) boringAlert(h Handle) {
	l := st.ssl(h)
	st.because(RuleBoringNoBadSession)
	if l.sess != 0 {
		st.concerns(l.sess)
		st.noEvent(l.sess, EvRemove, l.ctx)
	}
	half := l.phase == phaseHello
	st.disconnect(h) // the tickets waiting are lost
	l.phase, l.pending = phaseFailed, nil
	if half {
		// Still in its handshake (SSL_in_init): SSL_shutdown returns 1
		// (B22). used records it.
		l.used = true
	}
}

// boringTicket is tls13_process_new_session_ticket
// (BORING-TICKETS-TO-CALLBACK): a new session made from the established
// one, rebased to now, with the ticket, an id taken from it and its
// timeout capped by the lifetime hint, goes to new_session_cb when the
// client's mode has CLIENT and is freed unless the callback keeps it. The
// SSL's sessions do not change. Once the client has sent close_notify,
// tickets are ignored.
func (st *stepper) boringTicket(h Handle, t int32) {
	defer st.leave(st.enter(RuleBoringTicketsToCallback))
	l := st.ssl(h)
	st.concerns(l.sess)
	if l.sent {
		return // "Ignore tickets on shutdown."
	}
	st.mark(RuleTimeTicketReceipt)
	tk := st.tickets[t-1]
	o := *st.obj(l.sess)
	o.alive, o.refs, o.appRefs, o.handle, o.owner, o.notResumable = true, 1, 0, 0, 0, false
	st.boringRebase(&o)
	if o.timeout > tk.hint {
		st.mark(RuleBoringTLS13Timeouts)
		o.timeout = tk.hint
	}
	o.ticket, o.id, o.hint, o.origin, o.version = t, st.freshID(), tk.hint, tk.issuer, TLS13
	st.objs = append(st.objs, o)
	r := sessRef(len(st.objs))
	c := st.ctx(l.ctx)
	st.mark(RuleBoringClientNoCache)
	switch {
	case c.mode&CacheClient == 0:
		if c.cfg.NewCB != NewCBNone {
			prev := st.enter(RuleCBNewNeedsMode)
			st.noEvent(r, EvNewSession, l.ctx)
			st.leave(prev)
		}
	case c.cfg.NewCB != NewCBNone:
		st.mark(RuleSeedNewcbEstablished)
		st.emit(EvNewSession, r, l.ctx)
		if c.cfg.NewCB == NewCBReturn1 {
			st.mark(RuleCBNewRet1)
			st.obj(r).appRefs++
			return
		}
		st.mark(RuleCBNewRet0)
	}
	st.release(r)
}
