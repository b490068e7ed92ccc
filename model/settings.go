package model

// This file is the family of settings changed after creation: the session
// cache mode of an SSL_CTX, the options of an SSL_CTX or an SSL, and how
// many TLS 1.3 tickets they send. The mode is read from the SSL_CTX at
// each use; options and num_tickets are copied into each SSL by SSL_new,
// and the handshake reads the SSL's own through noTicket and
// ticketsToSend.

// setting applies one of the calls that change a setting.
func (st *stepper) setting(op Op) int64 {
	switch op.Kind {
	case CtxSetCacheMode:
		st.because(RuleCfgCacheMode)
		c := st.ctx(op.Ctx)
		old := c.mode
		c.mode = CacheMode(op.Arg)
		st.concernsCtx(op.Ctx)
		return int64(old)
	case CtxSetOptions, CtxClearOptions:
		st.because(RuleCfgOptionsReturn)
		c := st.ctx(op.Ctx)
		c.options = changeOptions(c.options, Options(op.Arg), op.Kind == CtxSetOptions)
		return int64(c.options & OptionsMask)
	case SetOptions, ClearOptions:
		st.because(RuleCfgOptionsReturn)
		l := st.ssl(op.SSL)
		l.options = changeOptions(l.options, Options(op.Arg), op.Kind == SetOptions)
		return int64(l.options & OptionsMask)
	case CtxSetNumTickets:
		st.because(st.or(RuleCfgNumTickets, RuleBoringNumTickets))
		st.ctx(op.Ctx).numTickets = op.Arg
	case SetNumTickets:
		st.because(RuleCfgNumTickets)
		st.ssl(op.SSL).numTickets = op.Arg
	}
	return 1
}

// changeOptions sets (set) or clears the bits of o in opts.
func changeOptions(opts, o Options, set bool) Options {
	if set {
		return opts | o
	}
	return opts &^ o
}

// noTicket reports whether SSL h has SSL_OP_NO_TICKET among its own
// options, which SSL_new copied from its SSL_CTX.
func (st *stepper) noTicket(h Handle) bool {
	st.mark(RuleCfgOptionsCopied)
	return st.ssl(h).options&OptNoTicket != 0
}

// ticketsToSend is how many TLS 1.3 tickets server SSL h sends after a
// full handshake: its own num_tickets, which SSL_new copied from its
// SSL_CTX.
func (st *stepper) ticketsToSend(h Handle) int64 {
	if st.prof.NumTicketsAtUse { // profile switch (BoringSSL: B15)
		st.mark(RuleBoringNumTickets)
		return st.ctx(st.ssl(h).ctx).numTickets
	}
	st.mark(RuleCfgNumTickets)
	return st.ssl(h).numTickets
}
