package model

// The wolfssl-5.5 profile's handshakes in steps (W28, WOLF-STEP-IN-PLACE):
// client_hello and handshake_finish on wolfSSL, which fills each SSL's own
// session in place (WOLF-SSL-OWNS-SESSION). The server decides whether it
// resumes while it reads the ClientHello, and copies what it resumes into
// its own session there (wolfHello); everything else, the client's side
// included, waits for handshake_finish (wolfFinish). Half way, SSL_clear
// renews the session as before a handshake (wolfClear) and SSL_get_shutdown
// reads 3 (wolfGetShutdown); SSL_free and a fatal error remove nothing
// (WOLF-NO-BAD-SESSION).

// wolfClientHello is client_hello under the wolfssl-5.5 profile: the
// server's decision (wolfHello); both SSLs are then used and half way
// (phaseHello), each other's peer, and the version waits in the client's
// version (as in clientHello) until handshake_finish. A handshake the model
// could not follow to its end in one step is not begun: the whole of it is
// tried on a copy first, and its doubts (unsure) are this call's.
func (st *stepper) wolfClientHello(c, s Handle, v Version) {
	st.because(RuleWolfStepInPlace)
	trial := stepper{State: st.Clone()}
	trial.wolfHandshake(c, s, v)
	if trial.unsure != "" {
		st.unsure = trial.unsure
	}
	hit := st.wolfHello(c, s, v)
	st.wolfTicketCopy(s)
	cl, sv := st.ssl(c), st.ssl(s)
	// The server decides at the ClientHello: wolfSSL_session_reused
	// (options.resuming) is 1 on it from there (HandleTlsResumption,
	// DoPreSharedKeys); the client's stays as SSL_set_session left it
	// until the ServerHello.
	sv.hit, sv.hsVerdict = hit, st.rule
	cl.used, sv.used = true, true
	cl.phase, sv.phase = phaseHello, phaseHello
	cl.peer, sv.peer = s, c
	cl.version, sv.version = v, v
}

// wolfHandshakeFinish is handshake_finish under the wolfssl-5.5 profile:
// the rest of the handshake client_hello began (wolfFinish).
func (st *stepper) wolfHandshakeFinish(c, s Handle) {
	st.because(RuleWolfStepInPlace)
	sv := st.ssl(s)
	v, hit, verdict := st.ssl(c).version, sv.hit, sv.hsVerdict
	sv.hsVerdict = 0
	st.wolfFinish(c, s, v, hit, verdict)
}

// wolfTicketCopy is what a TLS 1.3 server that decrypted the client's
// ticket shows half way: DoClientTicket looks the ticket's id up in the
// cache (wolfSSL_GetSession with altSessionID) and copies an unexpired
// entry's time and timeout into the server's session, which the server's ticket
// overwrites in handshake_finish (wolfTickets13, wolfUpdate).
func (st *stepper) wolfTicketCopy(s Handle) {
	o := st.obj(st.ssl(s).sess)
	if o.alt == 0 {
		return
	}
	if r := st.wolfLookup(o.alt); r != 0 && st.now < st.obj(r).time+st.obj(r).timeout {
		e := st.obj(r)
		o = st.obj(st.ssl(s).sess)
		o.time, o.timeout = e.time, e.timeout
	}
}
