package model

// The wolfssl-5.5 profile's handshakes in steps (W24): client_hello and
// handshake_finish on wolfSSL. wolfSSL fills each SSL's own session in
// place (WOLF-SSL-OWNS-SESSION), so what the server decides at the
// ClientHello changes no session the application can name apart from the
// SSL's own; the model runs the whole of wolfHandshake at handshake_finish
// and, at client_hello, only checks on a copy that the handshake it begins
// is one the model follows. What a WOLFSSL half way through a handshake
// does when it is freed, cleared or fails is not followed (wolfMidCheck).

// wolfClientHello is client_hello under the wolfssl-5.5 profile: both SSLs
// are used and half way (phaseHello), each other's peer; the version waits
// in the client's version (as in clientHello) until handshake_finish. A handshake the model
// could not follow in one step is not begun (unsure).
func (st *stepper) wolfClientHello(c, s Handle, v Version) {
	st.because(RuleStepServerDecides)
	trial := stepper{State: st.Clone()}
	trial.wolfHandshake(c, s, v)
	if trial.unsure != "" {
		st.unsure = trial.unsure
	}
	hit := st.wolfHello(c, s, v)
	cl, sv := st.ssl(c), st.ssl(s)
	// The server decides at the ClientHello: wolfSSL_session_reused
	// (options.resuming) is 1 on it from there (HandleTlsResumption,
	// DoPreSharedKeys); the client's stays as SSL_set_session left it
	// until the ServerHello.
	sv.hit, sv.hsVerdict = hit, st.rule
	cl.used, sv.used = true, true
	cl.phase, sv.phase = phaseHello, phaseHello
	cl.peer, sv.peer = s, c
	cl.version = v
}

// wolfHandshakeFinish is handshake_finish under the wolfssl-5.5 profile:
// the rest of the handshake client_hello began (wolfFinish).
func (st *stepper) wolfHandshakeFinish(c, s Handle) {
	st.because(RuleStepServerDecides)
	sv := st.ssl(s)
	v, hit, verdict := st.ssl(c).version, sv.hit, sv.hsVerdict
	sv.hsVerdict = 0
	st.wolfFinish(c, s, v, hit, verdict)
}

// wolfMidCheck refuses, as unmodelled, the calls on a WOLFSSL half way
// through a handshake in steps that the model does not follow there.
func (s *State) wolfMidCheck(op Op) error {
	switch op.Kind {
	case SSLFree, SSLClear, FatalAlert, SessionReused, GetShutdown:
		if s.ssl(op.SSL).phase != phaseHello {
			return nil
		}
		return unmodelled(op, "%s is half way through a handshake on wolfSSL, where the model follows only handshake_finish and SSL_get0_session/SSL_get1_session", SSLName(op.SSL))
	}
	return nil
}
