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
	r := st.or(RuleSwitchSessionCTX, RuleWolfSwitchMovesSSL)
	st.because(r)
	st.returns(r)
	old := st.curCtx(op.SSL)
	if old == op.Ctx {
		return 1
	}
	l, n, o := st.ssl(op.SSL), st.ctx(op.Ctx), st.ctx(old)
	// The context follows the new SSL_CTX only if it was the old one's
	// (BoringSSL and wolfSSL: always).
	st.because(st.or(RuleSwitchSidctx, RuleBoringSwitchSidctx, RuleWolfSwitchMovesSSL))
	st.concernsCtx(op.Ctx)
	if l.sidCtx == o.sidCtx || st.prof.SwitchSidCtxAlways || st.prof.SwitchMovesSSL {
		l.sidCtx = n.sidCtx
	}
	if st.prof.SwitchMovesSSL { // profile switch (wolfSSL: W23)
		st.wolfSwitch(op.SSL, old, op.Ctx)
		return 1
	}
	// A reference on the new SSL_CTX, then the old one's goes.
	defer st.leave(st.enter(RuleSwitchCTXRef))
	st.moveCurrent(op.SSL, old, op.Ctx)
	return 1
}

// moveCurrent makes to SSL h's current SSL_CTX in place of old: a
// reference on to, then old's goes (SWITCH-CTX-REF). Back to the
// session_ctx, OpenSSL's SSL holds two references on it again, as after
// SSL_new, which the model counts as the one sslRefs has held since
// (cur 0), so none is added.
func (st *stepper) moveCurrent(h, old, to Handle) {
	l := st.ssl(h)
	if to == l.ctx {
		l.cur = 0
	} else {
		st.ctx(to).sslRefs++
		l.cur = to
	}
	st.releaseCurrent(old, l.ctx)
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

// useCtx is the SSL_CTX whose callbacks, cache mode and ticket keys SSL h
// uses: its session_ctx (SWITCH-SESSION-CTX), except under a profile
// whose SSLs have one SSL_CTX, which SSL_set_SSL_CTX replaces (wolfSSL:
// WOLF-SWITCH-MOVES-SSL), where it is the current one.
func (st *stepper) useCtx(h Handle) Handle {
	if st.prof.SwitchMovesSSL {
		return st.curCtx(h)
	}
	return st.ssl(h).ctx
}

// wolfSwitch moves SSL h from SSL_CTX old to ctx, which becomes its only
// one (wolfSSL_set_SSL_CTX): a reference on ctx, then old's goes, which
// destroys an SSL_CTX the application already freed (WOLF-CTX-FREE).
func (st *stepper) wolfSwitch(h, old, ctx Handle) {
	defer st.leave(st.enter(RuleWolfSwitchMovesSSL))
	l := st.ssl(h)
	st.ctx(ctx).sslRefs++
	if ctx == l.ctx {
		l.cur = 0
	} else {
		l.cur = ctx
	}
	st.ctx(old).sslRefs--
	st.maybeDestroyCtx(old)
}
