package model

// This file is the family of early data settings: max_early_data on an
// SSL_CTX or an SSL, and what it does to a TLS 1.3 server's tickets with
// anti-replay on (SSL_OP_NO_ANTI_REPLAY clear). The model never sends early
// data: the rules hold without it (tls_parse_ctos_psk and
// tls_construct_new_session_ticket read only the setting).

// setMaxEarly applies SSL_CTX_set_max_early_data and
// SSL_set_max_early_data: each sets the value and returns 1. SSL_new
// copies the SSL_CTX's into the SSL, and the SSL's own decides its
// handshakes.
func (st *stepper) setMaxEarly(op Op) int64 {
	st.because(RuleCfgMaxEarlyData)
	if op.Kind == CtxSetMaxEarlyData {
		st.ctx(op.Ctx).maxEarly = op.Arg
	} else {
		st.ssl(op.SSL).maxEarly = op.Arg
	}
	return 1
}

// antiReplay reports whether server SSL h guards against replay: its own
// max_early_data is above 0 and SSL_OP_NO_ANTI_REPLAY is clear.
func (st *stepper) antiReplay(h Handle) bool {
	l := st.ssl(h)
	on := l.maxEarly > 0 && l.options&OptNoAntiReplay == 0
	if l.maxEarly > 0 {
		st.mark(RuleCfgMaxEarlyData)
	}
	return on
}

// statefulTickets13 reports whether server SSL h's TLS 1.3 tickets are
// stateful (a session id looked up in its cache): with SSL_OP_NO_TICKET,
// or with anti-replay on (HS13-ANTI-REPLAY-STATEFUL).
func (st *stepper) statefulTickets13(h Handle) bool {
	if st.noTicket(h) {
		return true
	}
	if st.antiReplay(h) {
		st.mark(RuleHS13AntiReplayStateful)
		return true
	}
	return false
}
