package model

// This file is what a handshake in steps adds to the one-step handshake
// (handshake.go clientHello, handshakeFinish): which calls an SSL between
// the two steps may take, and what ends a handshake half way.

// StepCalls are the calls of a handshake in steps. Every shim offers
// them; the wolfSSL and BoringSSL profiles model them their own way
// (wolfssl_flight.go, W28; boringssl_handshake.go boringHello, B22).
var StepCalls = CallsOf(ClientHello, HandshakeFinish)

// midHandshakeCalls are the calls modelled on an SSL between client_hello
// and handshake_finish: the ones that end the handshake (SSL_free,
// SSL_clear, a fatal error), finish it, or only read.
var midHandshakeCalls = CallsOf(SSLFree, SSLClear, FatalAlert, HandshakeFinish, Get0, Get1, SessionReused, GetShutdown)

// checkInFlight refuses, as unmodelled, a call on an SSL in the middle of
// a handshake in steps that is not one of midHandshakeCalls: what settings,
// I/O or a new session do to a half-done handshake is not followed.
func (s *State) checkInFlight(op Op) error {
	c := calls[op.Kind]
	for _, h := range [...]Handle{op.SSL, op.Peer} {
		if h == 0 || (h == op.SSL && c.SSL != Takes) || (h == op.Peer && c.Peer != Takes) {
			continue
		}
		if s.ssl(h).phase == phaseHello && !midHandshakeCalls.Has(op.Kind) {
			return unmodelled(op, "%s is in the middle of a handshake (client_hello without handshake_finish); only SSL_free, SSL_clear, fatal_alert, handshake_finish and the reading calls are modelled there", SSLName(h))
		}
	}
	if c.Sess == Takes && op.Sess != 0 && midHandshakeSessCalls.Has(op.Kind) {
		r := s.named[op.Sess-1]
		for i := range s.ssls {
			if l := &s.ssls[i]; l.alive && l.phase == phaseHello && l.sess == r {
				return unmodelled(op, "%s is held by %s, half way through a handshake: adding, removing or changing it there is not followed", SessName(op.Sess), SSLName(Handle(i+1)))
			}
		}
	}
	return nil
}

// midHandshakeSessCalls are the calls refused on a session an SSL half way
// through a handshake holds: the rest of the handshake would cache, copy or
// renumber a session the application changed under it.
var midHandshakeSessCalls = CallsOf(AddSession, RemoveSession, SetTime, SetTimeout, SessSetSidCtx)

// checkFinish: handshake_finish needs the client and the server of one
// handshake client_hello began, both still in it.
func (s *State) checkFinish(op Op) error {
	c, p := s.ssl(op.SSL), s.ssl(op.Peer)
	switch {
	case !c.client || p.client:
		return unmodelled(op, "the first SSL must be a client and the second a server")
	case c.phase != phaseHello || p.phase != phaseHello || c.peer != op.Peer || p.peer != op.SSL:
		return unmodelled(op, "%s and %s are not the two ends of one handshake begun by client_hello and still under way", SSLName(op.SSL), SSLName(op.Peer))
	case !s.prof.ImmutableSessions && p.version == TLS12 && p.hsExpect && !p.hit && p.sess != 0 && (s.obj(p.sess).time == 0 || s.obj(p.sess).timeout == 0):
		return unmodelled(op, "the server would issue a ticket for a session whose time or timeout is 0, which OpenSSL 3.0 cannot encode")
	}
	return nil
}

// dropFlight forgets what SSL h kept of a handshake in steps: the
// handshake has ended (SSL_free, SSL_clear, a fatal error).
func (st *stepper) dropFlight(h Handle) {
	l := st.ssl(h)
	l.hsExpect, l.hsTicket, l.hsVerdict, l.hsServer = false, 0, 0, 0
}
