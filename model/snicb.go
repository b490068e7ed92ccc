package model

// This file is the servername callback that switches SSL_CTX
// (SSL_CTX_set_tlsext_servername_callback, docs/spec.md "The servername
// callback"): what nginx and haproxy do with SSL_set_SSL_CTX. The callback
// the model installs has one shape: it switches the SSL to the SSL_CTX the
// call named, which it holds by a plain pointer, and returns
// SSL_TLSEXT_ERR_OK. It runs while the server reads a ClientHello, after
// the session lookup and the new session (SNICB-AFTER-LOOKUP).

// checkServername is what SSL_CTX_set_tlsext_servername_callback needs: a
// server SSL_CTX, and a target that is NULL or a live server SSL_CTX of
// the application's.
func (s *State) checkServername(op Op) error {
	if s.ctx(op.Ctx).cfg.Side != Server {
		return unmodelled(op, "the servername callback is modelled on server SSL_CTXs only (a client's runs on the ServerHello)")
	}
	to := Handle(op.Arg)
	if to == 0 {
		return nil
	}
	if err := s.needCtx(op, to); err != nil {
		return err
	}
	if s.ctx(to).cfg.Side != Server {
		return unmodelled(op, "the servername callback is modelled switching to a server SSL_CTX only")
	}
	return nil
}

// checkServernameTarget refuses a handshake whose servername callback
// would switch to an SSL_CTX that no longer exists (UB-SNICB-FREED).
func (s *State) checkServernameTarget(op Op) error {
	if to := s.servernameTarget(op.Peer); to != 0 && !s.ctx(to).alive {
		return violation(RuleUBSnicbFreed, op, "the servername callback switches %s to %s, which was destroyed", SSLName(op.Peer), CtxName(to))
	}
	return nil
}

// servernameTarget is the SSL_CTX the servername callback that runs for
// server SSL h switches to: the callback of h's current SSL_CTX, else the
// one of its session_ctx (SNICB-WHICH); 0 when neither has one.
func (s *State) servernameTarget(h Handle) Handle {
	l := s.ssl(h)
	if l.cur != 0 {
		if to := s.ctx(l.cur).sniTo; to != 0 {
			return to
		}
	}
	return s.ctx(l.ctx).sniTo
}

// setServername is SSL_CTX_set_tlsext_servername_callback(ctx, cb), cb
// switching to the SSL_CTX op.Arg; 0 removes the callback. It returns
// nothing the harness reads.
func (st *stepper) setServername(op Op) {
	defer st.leave(st.enter(RuleSnicbWhich))
	st.returns(RuleSnicbWhich)
	st.concernsCtx(op.Ctx)
	st.ctx(op.Ctx).sniTo = Handle(op.Arg)
}

// servername runs the servername callback, if any, of server SSL s while
// it reads a ClientHello, after the session lookup (SNICB-AFTER-LOOKUP):
// SSL_set_SSL_CTX(s, target) as SNICB-SWITCH says.
func (st *stepper) servername(s Handle) {
	to := st.servernameTarget(s)
	if to == 0 {
		return
	}
	st.mark(RuleSnicbWhich)
	st.mark(st.or(RuleSnicbAfterLookup, RuleBoringSnicbBeforeLookup))
	old := st.curCtx(s)
	if old == to {
		return // SSL_set_SSL_CTX returns at once
	}
	defer st.leave(st.enter(st.or(RuleSnicbSwitch, RuleOssl32SnicbAcceptStays)))
	l, n, o := st.ssl(s), st.ctx(to), st.ctx(old)
	st.concernsCtx(to)
	st.concernsCtx(old)
	st.mark(st.or(RuleSwitchSidctx, RuleBoringSwitchSidctx))
	if l.sidCtx == o.sidCtx || st.prof.SwitchSidCtxAlways {
		l.sidCtx = n.sidCtx
	}
	// final_server_name moves the start of the handshake to the new
	// SSL_CTX (SWITCH-ACCEPT); OpenSSL 3.2+ decides with the SSL_CTX of
	// before the callback, so the start stays where it was counted.
	switch {
	case st.prof.ImmutableSessions: // profile switch (BoringSSL: its handshakes count no accept, B13)
	case st.prof.SNIAcceptStays: // profile switch (OpenSSL 3.2+: O2)
		st.mark(RuleOssl32SnicbAcceptStays)
	default:
		st.mark(RuleSwitchAccept)
		o.accept--
		n.accept++
	}
	st.mark(RuleSwitchCTXRef)
	st.moveCurrent(s, old, to)
}

// servernameAfter runs the servername callback where OpenSSL does, after
// the session lookup; a profile that runs it before did so already.
func (st *stepper) servernameAfter(s Handle) {
	if !st.prof.ServernameBeforeLookup {
		st.servername(s)
	}
}
