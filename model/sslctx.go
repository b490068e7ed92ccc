package model

// This file is the family of SSL_set_SSL_CTX on a server SSL before its
// handshake. OpenSSL keeps two SSL_CTXs per SSL: the session_ctx, the one
// SSL_new was given, which the model's sslObj.ctx names and which keeps the
// SSL's sessions, lookups and callbacks (SWITCH-SESSION-CTX); and the
// current one, which SSL_set_SSL_CTX replaces (sslObj.cur, 0 while it is
// the session_ctx). Only the accept counters, the session id context and
// the server's choice of an empty session id follow the current one.

// curCtx is SSL h's current SSL_CTX (s->ctx).
func (st *stepper) curCtx(h Handle) Handle {
	if l := st.ssl(h); l.cur != 0 {
		return l.cur
	}
	return st.ssl(h).ctx
}

// switchCtx is SSL_set_SSL_CTX(ssl, ctx): it returns 1, the new SSL_CTX.
func (st *stepper) switchCtx(op Op) int64 {
	st.because(RuleSwitchSessionCTX)
	st.returns(RuleSwitchSessionCTX)
	old := st.curCtx(op.SSL)
	if old == op.Ctx {
		return 1
	}
	l, n, o := st.ssl(op.SSL), st.ctx(op.Ctx), st.ctx(old)
	// The context follows the new SSL_CTX only if it was the old one's
	// (BoringSSL: always).
	st.because(st.or(RuleSwitchSidctx, RuleBoringSwitchSidctx))
	st.concernsCtx(op.Ctx)
	if l.sidCtx == o.sidCtx || st.prof.SwitchSidCtxAlways {
		l.sidCtx = n.sidCtx
	}
	// A reference on the new SSL_CTX, then the old one's goes.
	defer st.leave(st.enter(RuleSwitchCTXRef))
	n.sslRefs++
	if op.Ctx == l.ctx {
		l.cur = 0
	} else {
		l.cur = op.Ctx
	}
	st.releaseCurrent(old, l.ctx)
	return 1
}

// releaseCurrent drops an SSL's reference on its current SSL_CTX cur when
// that is not its session_ctx sessCtx, whose reference the SSL keeps (or
// drops itself, in SSL_free). An SSL_CTX the application freed goes then.
func (st *stepper) releaseCurrent(cur, sessCtx Handle) {
	if cur == sessCtx {
		return
	}
	defer st.leave(st.enter(RuleSwitchCTXRef))
	st.ctx(cur).sslRefs--
	st.maybeDestroyCtx(cur)
}

// acceptCtx is the SSL_CTX whose accept counters server SSL s moves: its
// current one (SWITCH-ACCEPT), which is its session_ctx unless
// SSL_set_SSL_CTX changed it.
func (st *stepper) acceptCtx(s Handle) Handle {
	if st.ssl(s).cur != 0 {
		st.mark(RuleSwitchAccept)
		st.mark(RuleSwitchSessionCTX)
	}
	return st.curCtx(s)
}
