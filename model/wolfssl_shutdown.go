package model

// The shutdown variants under the wolfssl-5.5 profile (switch
// ShutdownOptionBits; W25-W27 of docs/findings.md): SSL_set_quiet_shutdown,
// SSL_set_shutdown and a fatal alert read from the peer. wolfSSL has no
// shutdown flags of its own: SSL_set_shutdown writes options.sentNotify and
// options.closeNotify, the bits wolfSSL_shutdown itself reads, which the
// model keeps as sslObj.sent and sslObj.recv.

// wolfShutdownSetting is wolfSSL_set_quiet_shutdown, which only ever sets
// options.quietShutdown (WOLF-SHUT-QUIET), and wolfSSL_set_shutdown, which
// writes both bits (WOLF-SHUT-SET-FLAGS).
func (st *stepper) wolfShutdownSetting(op Op) int64 {
	l := st.ssl(op.SSL)
	if op.Kind == SetQuietShutdown {
		st.because(RuleWolfShutQuiet)
		l.quiet = l.quiet || op.Arg != 0
		return 0
	}
	st.because(RuleWolfShutSetFlags)
	l.sent = op.Arg&SentShutdown != 0
	l.recv = op.Arg&ReceivedShutdown != 0
	return 0
}

// wolfShutdownBits is the part of wolfSSL_shutdown that the bits decide,
// with ok false where the call goes on as WOLF-SHUT-* say (wolfShutdown).
// quietShutdown comes first: 1, nothing sent, then wolfSSL_clear. Then,
// unless the connection failed: close_notify not yet sent but the peer's
// marked as read sends it and completes (1, wolfSSL_clear); both bits set
// leave the result at WOLFSSL_FATAL_ERROR, since neither the sending nor
// the reading branch runs.
func (st *stepper) wolfShutdownBits(h Handle) (ret int64, ok bool) {
	l := st.ssl(h)
	switch {
	case l.quiet:
		st.because(RuleWolfShutQuiet)
		st.wolfShutdownClears(h)
		return 1, true
	case l.phase == phaseFailed || !l.recv:
		return 0, false
	case !l.sent:
		st.because(RuleWolfShutSetFlags)
		l.sent, l.used, l.wantRead = true, true, false
		if l.peer != 0 {
			st.ssl(l.peer).peerClosed = true
		}
		st.wolfShutdownClears(h)
		return 1, true
	default:
		st.because(RuleWolfShutSetFlags)
		return -1, true
	}
}

// wolfShutdownClears is the wolfSSL_clear that ends a successful
// wolfSSL_shutdown (WOLF-CLEAR-RENEWS-UNFINISHED): before a completed
// handshake the session is renewed, after one it stays; the SSL goes back
// to the initial state. The connection itself stays (the shim keeps its
// transport), as after WOLF-SHUT-DONE-CLEARS.
func (st *stepper) wolfShutdownClears(h Handle) {
	defer st.leave(st.enter(RuleWolfClearRenewsUnfinished))
	l := st.ssl(h)
	if l.phase == phaseBefore {
		st.wolfRenewSession(h)
	} else {
		st.concerns(l.sess)
	}
	l = st.ssl(h)
	l.used = true
	if l.hit {
		st.mark(RuleWolfReusedSticky)
	}
	l.phase, l.sent, l.recv = phaseBefore, false, false
}

// wolfReadAlert is read_alert under the wolfssl-5.5 profile
// (WOLF-ALERT-RECEIVED-KEEPS): the peer fails as fatal_alert says (nothing
// judges its session, WOLF-NO-BAD-SESSION); h's SSL_read processes the
// tickets that came first, then DoAlert marks the connection closed
// (options.isClosed) and nothing else: the session stays cached and no
// shutdown bit changes.
func (st *stepper) wolfReadAlert(h Handle) {
	st.fatalAlert(st.ssl(h).peer)
	defer st.leave(st.enter(RuleWolfAlertReceivedKeeps))
	l := st.ssl(h)
	queued := append(l.buffered, l.pending...)
	l.buffered, l.pending = nil, nil
	for _, t := range queued {
		st.because(RuleShutTLS13ReadsTickets)
		st.clientTicket(h, t)
	}
	st.because(RuleWolfAlertReceivedKeeps)
	l = st.ssl(h)
	if l.sess != 0 {
		st.concerns(l.sess)
		st.noEvent(l.sess, EvRemove, st.useCtx(h))
	}
	st.disconnect(h)
	l = st.ssl(h)
	l.phase, l.pending, l.buffered, l.closeBuffered = phaseFailed, nil, nil, false
}

// wolfShutdownCheck is what the model leaves out of the shutdown variants
// under the wolfssl-5.5 profile.
func (s *State) wolfShutdownCheck(op Op) error {
	switch op.Kind {
	case Handshake, ClientHello:
		// wolfSSL_connect and wolfSSL_accept neither clear nor read the
		// two bits: a handshake after SSL_set_shutdown is not followed.
		if a, b := s.ssl(op.SSL), s.ssl(op.Peer); a.sent || a.recv || b.sent || b.recv {
			return unmodelled(op, "a wolfSSL handshake keeps the sentNotify and closeNotify bits that SSL_set_shutdown set before it")
		}
	case ReadAlert:
		if s.ssl(op.SSL).closeBuffered {
			return unmodelled(op, "the peer's close_notify waits in the SSL's input: SSL_read stops at it")
		}
	}
	return nil
}
