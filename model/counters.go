package model

// This file is the family of cheap observations: the handshake counters of
// an SSL_CTX (SSL_CTX_sess_connect and the rest), which the harness also
// reads after every call (Observation), and SSL_has_matching_session_id.

// count adds one to an SSL_CTX counter under rule r, the counter's own
// rule, so that a target that counts otherwise is named by it.
func (st *stepper) count(r Rule, n *int64) {
	prev := st.enter(r)
	*n++
	st.leave(prev)
}

// startHandshake counts the handshake client c and server s start, each on
// its own SSL_CTX (tls_setup_handshake: the client first, since its
// ClientHello comes first).
func (st *stepper) startHandshake(c, s Handle) {
	st.count(RuleCntConnect, &st.ctx(st.ssl(c).ctx).connect)
	st.count(RuleCntAccept, &st.ctx(st.acceptCtx(s)).accept)
}

// hasMatching is SSL_has_matching_session_id given the id of session r: 1
// when the cache of SSL h's SSL_CTX holds a session under (the SSL's
// protocol version, that id), whatever object it is.
func (st *stepper) hasMatching(h Handle, r sessRef) int64 {
	defer st.leave(st.enter(RuleMatchKey))
	l := st.ssl(h)
	v := st.wireVersion(h)
	st.because(RuleMatchKey)
	st.concernsCtx(l.ctx)
	st.returns(RuleMatchKey)
	if st.find(l.ctx, v, st.obj(r).id) == 0 {
		return 0
	}
	return 1
}

// wireVersion is the SSL's protocol version (SSL_version): the version of
// its method, which a handshake pins to the negotiated one and SSL_clear
// and SSL_set_session put back to the SSL_CTX's generic method, whose
// version reads as the highest it knows, TLS 1.3 (tls1_clear).
func (st *stepper) wireVersion(h Handle) Version {
	st.because(RuleMatchSSLVersion)
	l := st.ssl(h)
	if l.method != VersionNone {
		return l.method
	}
	if l.hello != VersionNone {
		return l.hello
	}
	return TLS13
}
