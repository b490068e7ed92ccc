package model

// This file is the family of shutdown variants: quiet shutdown, the
// shutdown flags an application sets or reads itself, and a fatal alert
// read from the peer. The flags are sslObj.sent (SSL_SENT_SHUTDOWN) and
// sslObj.recv (SSL_RECEIVED_SHUTDOWN): everything that protects a session
// reads the flag, not whether close_notify really left.

// Shutdown flags, as SSL_set_shutdown takes them and SSL_get_shutdown
// returns them.
const (
	SentShutdown     = 1 // SSL_SENT_SHUTDOWN
	ReceivedShutdown = 2 // SSL_RECEIVED_SHUTDOWN
)

// shutdownCall applies SSL_set_quiet_shutdown, SSL_set_shutdown and
// SSL_get_shutdown.
func (st *stepper) shutdownCall(op Op) int64 {
	if st.prof.ShutdownOptionBits && op.Kind != GetShutdown { // profile switch (wolfSSL: W25, W26)
		return st.wolfShutdownSetting(op)
	}
	if st.prof.ShutdownStatesOnlyAdd && op.Kind == SetShutdown { // profile switch (BoringSSL: B21)
		return st.boringSetShutdown(op)
	}
	l := st.ssl(op.SSL)
	switch op.Kind {
	case SetQuietShutdown:
		st.because(RuleShutQuiet)
		l.quiet = op.Arg != 0
	case SetShutdown:
		st.because(RuleShutSetFlags)
		l.sent = op.Arg&SentShutdown != 0
		l.recv = op.Arg&ReceivedShutdown != 0
	case GetShutdown:
		if st.prof.ShutdownOneRecord { // profile switch (wolfSSL: W22)
			return st.wolfGetShutdown(op.SSL)
		}
		st.because(RuleShutGetFlags)
		return st.shutdownFlags(op.SSL)
	}
	return 0
}

// shutdownFlags is what SSL_get_shutdown returns for h.
func (st *stepper) shutdownFlags(h Handle) int64 {
	l := st.ssl(h)
	var f int64
	if l.sent {
		f |= SentShutdown
	}
	if l.recv {
		f |= ReceivedShutdown
	}
	return f
}

// quietShutdown is SSL_shutdown on an established SSL whose quiet_shutdown
// is set: it sends nothing, sets both flags and returns 1 (ssl3_shutdown).
func (st *stepper) quietShutdown(h Handle) int64 {
	st.because(RuleShutQuiet)
	l := st.ssl(h)
	l.sent, l.recv = true, true
	return 1
}

// readAlert: h's peer fails as fatalAlert says and sends a fatal alert,
// which h reads. A TLS 1.3 client first processes the tickets that arrived
// before it. Reading the alert takes h's session out of the cache whatever
// h's own flags (ssl3_read_bytes calls SSL_CTX_remove_session), sets
// SSL_RECEIVED_SHUTDOWN, and leaves h in init.
func (st *stepper) readAlert(h Handle) {
	if st.prof.ShutdownOptionBits { // profile switch (wolfSSL: W27)
		st.wolfReadAlert(h)
		return
	}
	l := st.ssl(h)
	p := l.peer
	if st.prof.ImmutableSessions { // profile switch (BoringSSL)
		st.boringAlert(p)
	} else {
		st.fatalAlert(p)
	}
	defer st.leave(st.enter(RuleAlertReceivedRemoves))
	for len(st.ssl(h).pending) > 0 {
		st.because(RuleShutTLS13ReadsTickets)
		l := st.ssl(h)
		t := l.pending[0]
		l.pending = l.pending[1:]
		st.clientTicket(h, t)
	}
	st.because(RuleAlertReceivedRemoves)
	l = st.ssl(h)
	if l.sess != 0 {
		st.concerns(l.sess)
		st.removeSession(l.ctx, l.sess, RuleAlertReceivedRemoves, RuleAlertReceivedRemoves)
	}
	l = st.ssl(h)
	l.recv = true
	st.disconnect(h)
	l.phase, l.pending = phaseFailed, nil
}

// checkReadAlert is what read_alert needs: an established SSL connected to
// a peer that can fail as fatal_alert needs and still sends its alert, and
// nothing in the SSL's way to read it.
func (s *State) checkReadAlert(op Op) error {
	l := s.ssl(op.SSL)
	switch {
	case l.phase == phaseReset:
		return unmodelled(op, resetConn)
	case l.phase != phaseEstablished || l.peer == 0:
		return unmodelled(op, "an alert is read only by an established SSL whose peer is still connected")
	case l.recv:
		return unmodelled(op, "SSL_read returns 0 at once once SSL_RECEIVED_SHUTDOWN is set: the alert is never read")
	case l.peerClosed:
		return unmodelled(op, "the peer's close_notify waits first: SSL_read stops at it")
	case l.sess == 0 && len(l.pending) > 0:
		return unmodelled(op, "reading a ticket on an SSL whose session was set to NULL")
	}
	p := s.ssl(l.peer)
	switch {
	case p.phase == phaseReset:
		return unmodelled(op, resetConn)
	case p.phase != phaseEstablished || p.recv:
		return unmodelled(op, "a fatal error is modelled only on an established connection that has not read close_notify")
	case p.sent:
		return unmodelled(op, "a peer that has set SSL_SENT_SHUTDOWN sends no fatal alert (ALERT-AFTER-CLOSE-NOTIFY)")
	}
	return nil
}
