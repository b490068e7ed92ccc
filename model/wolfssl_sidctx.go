package model

// The wolfssl-5.5 profile's session id contexts (profile_wolfssl.go, W21):
// the context is compared by SSL_set_session, never by a handshake, and a
// session records its SSL's context only when it has 1 to 31 bytes. All
// three functions follow Profile.SidCtxOnSetSession; under OpenSSL's value
// a session records any context and SSL_set_session compares nothing.

// wolfRecordable reports whether AddSession copies context c into the
// session it records (ssl.c: 0 < sessionCtxSz < ID_LEN).
func (st *stepper) wolfRecordable(c SidCtx) bool {
	return !st.prof.SidCtxOnSetSession || (c.Len() > 0 && c.Len() < MaxSidCtxLen)
}

// wolfRecordSidCtx is AddSession's part in WOLF-SIDCTX-RECORDED: the SSL's
// own session takes the SSL's context when it is recordable; otherwise it
// keeps its own.
func (st *stepper) wolfRecordSidCtx(h Handle) {
	st.mark(RuleWolfSidctxRecorded)
	l := st.ssl(h)
	if st.wolfRecordable(l.sidCtx) {
		o := st.obj(l.sess)
		o.sidCtx, o.sidUnknown = l.sidCtx, false
	}
}

// wolfTicketSidCtx: a TLS 1.3 server that decrypts a ticket copies the
// cache entry under the ticket's id, if any, into its own session
// (DoClientTicket -> wolfSSL_GetSession), context included. Whether the
// entry is still there depends on placement; the context it gives shows
// only if no ticket sent afterwards records the server SSL's own.
func (st *stepper) wolfTicketSidCtx(s Handle) {
	if st.prof.SidCtxOnSetSession && !st.wolfRecordable(st.ssl(s).sidCtx) {
		st.obj(st.ssl(s).sess).sidUnknown = true
	}
}

// wolfSidCtxMatches is wolfSSL_SetSession's comparison
// (WOLF-SIDCTX-SET-SESSION), made after the session was copied into the
// SSL's own: an SSL with a non-empty context refuses a copy whose context
// is not the same bytes (a 32-byte context, which no session records,
// refuses every session). The refusal leaves the copy in place and the
// SSL's resumption state as it was.
func (st *stepper) wolfSidCtxMatches(h Handle) bool {
	l := st.ssl(h)
	if !st.prof.SidCtxOnSetSession || l.sidCtx == SidCtxEmpty {
		return true
	}
	st.mark(RuleWolfSidctxSetSession)
	o := st.obj(l.sess)
	if o.sidUnknown {
		st.unsure = "the session may hold the session id context of a wolfSSL cache entry (its place depends on random ids)"
	}
	if o.sidCtx == l.sidCtx && l.sidCtx.Len() < MaxSidCtxLen {
		return true
	}
	st.because(RuleWolfSidctxSetSession)
	if l.phase == phaseEstablished {
		st.unsure = "SSL_set_session refused for its session id context on an established connection, whose session it replaced"
	}
	st.returns(RuleWolfSidctxSetSession)
	return false
}
