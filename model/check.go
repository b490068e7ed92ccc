package model

// maxValue bounds times, timeouts and sizes the model accepts, so that
// time+timeout never overflows (OpenSSL 3.0 flags overflow and never expires
// such sessions; the model leaves that corner out).
const maxValue = 1 << 40

// resetConn explains why I/O after SSL_set_session on a used connection is
// left out: SSL_set_ssl_method frees the record layer state, and what the
// next read or write does then is an accident of the implementation.
const resetConn = "the connection lost its record layer to SSL_set_session after the handshake (SSL_set_ssl_method)"

// Check reports whether op is legal and modelled in the current state,
// without changing it: nil, a [*Violation], or an error wrapping
// [ErrUnmodelled].
func (s *State) Check(op Op) error {
	if err := s.check(op); err != nil {
		return err
	}
	switch {
	case s.prof.Lacks.Has(op.Kind): // profile switch (wolfSSL: W17, W18)
		return unmodelled(op, "%s has no %s", s.prof.Name, op.Kind)
	case s.prof.Unmodelled.Has(op.Kind): // profile switch (wolfSSL: W19; BoringSSL: B16)
		return unmodelled(op, "the %s profile does not model %s (docs/findings.md says what differs)", s.prof.Name, op.Kind)
	case s.prof.Unchecked.Has(op.Kind): // profile switch (wolfSSL, BoringSSL: the session id context calls)
		return unmodelled(op, "what %s does for %s is not checked yet", s.prof.Name, op.Kind)
	case op.Kind == CtxSetCacheMode && s.prof.CacheModeSticky: // profile switch (wolfSSL: W18)
		return unmodelled(op, "%s's SSL_CTX_set_session_cache_mode returns 1 and only ever sets flags, part of which SSL_new copies into each SSL", s.prof.Name)
	case optionsCall(op.Kind) && Options(op.Arg)&s.prof.LacksOptions != 0: // profile switch (wolfSSL: W18)
		return unmodelled(op, "%s has no %s", s.prof.Name, Options(op.Arg)&s.prof.LacksOptions)
	case op.Kind == Tick && s.prof.ClockLimit > 0 && s.now+op.Arg > s.prof.ClockLimit: // profile switch
		return unmodelled(op, "%s keeps time in 32 bits; the model stops at %d", s.prof.Name, s.prof.ClockLimit)
	case s.prof.SharedCopyCache: // profile switch (wolfSSL: WOLF-EVICT-UNKNOWN and the other refusals of wolfCheck)
		return s.wolfCheck(op)
	case s.prof.ImmutableSessions: // profile switch (BoringSSL: BORING-SET-AFTER-HANDSHAKE-ABORTS, BORING-FLUSH-UNORDERED)
		return s.boringCheck(op)
	}
	return s.checkByTrial(op)
}

// optionsCall reports whether k sets or clears options.
func optionsCall(k Kind) bool {
	return k == CtxSetOptions || k == CtxClearOptions || k == SetOptions || k == ClearOptions
}

// check is Check for what every profile shares: first the handles, as
// the call table says each field is used, then what each call needs
// beyond live objects.
func (s *State) check(op Op) error {
	if op.Kind <= KindInvalid || op.Kind >= kindCount {
		return unmodelled(op, "unknown call")
	}
	if err := s.checkHandles(op); err != nil {
		return err
	}
	if err := s.checkInFlight(op); err != nil {
		return err
	}
	switch op.Kind {
	case CtxNew:
		c := op.Config
		if c.Side > Server || c.CacheMode&^CacheModeMask != 0 || c.CacheSize < -1 || c.CacheSize > maxValue ||
			c.Timeout < 0 || c.Timeout > maxValue || c.NumTickets < -1 || c.NumTickets > 16 || c.NewCB > NewCBReturn1 {
			return unmodelled(op, "configuration outside the modelled range")
		}
		if c.GetCB > GetCBFresh0 || (c.GetCB != GetCBNone && !c.GetCB.Fresh() && c.NewCB != NewCBReturn1) {
			return unmodelled(op, "an external cache of pointers (get_cb=0, get_cb=1) is modelled with new_cb=1 only, which fills it")
		}
		if c.GetCB.Fresh() && c.NewCB != NewCBReturn0 {
			return unmodelled(op, "an external cache of bytes (get_cb=d2i0, get_cb=d2i1) is modelled with new_cb=0 only, which serializes the session and keeps no reference")
		}
		if c.GetCB != GetCBNone && !s.prof.ExternalCache() {
			return unmodelled(op, "%s: the external cache (get_session_cb) is modelled for OpenSSL 3.0 only", s.prof.Name)
		}
	case CtxSetCacheMode:
		if op.Arg&^int64(CacheModeMask) != 0 {
			return unmodelled(op, "cache mode 0x%x has bits outside the modelled ones (SSL_SESS_CACHE_UPDATE_TIME, unknown bits)", op.Arg)
		}
	case CtxSetOptions, CtxClearOptions, SetOptions, ClearOptions:
		if op.Arg&^int64(OptionsMask) != 0 {
			return unmodelled(op, "options 0x%x outside the ones the protocol carries (SSL_OP_NO_TICKET, SSL_OP_NO_ANTI_REPLAY)", op.Arg)
		}
	case SetSSLCtx:
		// docs/spec.md, "Changing context": a server SSL before its
		// handshake, a server SSL_CTX.
		switch l := s.ssl(op.SSL); {
		case l.client:
			return unmodelled(op, "SSL_set_SSL_CTX is modelled on server SSLs only")
		case l.phase != phaseBefore:
			return unmodelled(op, "SSL_set_SSL_CTX is modelled before the handshake only (after SSL_new or SSL_clear)")
		case s.ctx(op.Ctx).cfg.Side != Server:
			return unmodelled(op, "SSL_set_SSL_CTX is modelled with a server SSL_CTX only")
		}
	case CtxSetServernameCtx:
		return s.checkServername(op)
	case CtxSetSidCtx, SetSidCtx, SessSetSidCtx:
		if op.Arg < 0 || op.Arg >= int64(sidCtxCount) {
			return unmodelled(op, "session id context %d outside 0..%d (docs/protocol.md §3)", op.Arg, sidCtxCount-1)
		}
	case CtxSetNumTickets, SetNumTickets:
		if op.Arg < 0 || op.Arg > 16 {
			return unmodelled(op, "num_tickets %d outside 0..16", op.Arg)
		}
	case CtxSetTimeout, SetCacheSize, Flush:
		if op.Arg < 0 || op.Arg > maxValue {
			return unmodelled(op, "argument %d outside 0..2^40", op.Arg)
		}
	case Shutdown:
		if l := s.ssl(op.SSL); l.phase == phaseReset {
			return unmodelled(op, resetConn)
		} else if l.sent && !l.recv && l.sess == 0 && len(l.pending) > 0 {
			return unmodelled(op, "reading a ticket on an SSL whose session was set to NULL")
		} else if l.sent && (l.recv || l.quiet) && l.phase == phaseEstablished && len(l.pending) > 0 && !s.prof.ShutdownOneRecord {
			// The harness hands an SSL that has sent close_notify every
			// record queued for it before the call (docs/protocol.md); this
			// call returns without reading them, and the model does not
			// follow tickets left unread in the SSL's input (wolfSSL's
			// profile does, wolfssl_conn.go).
			return unmodelled(op, "SSL_shutdown with both shutdown flags set (or quiet) returns without reading the tickets the harness delivers to it: tickets left unread in the SSL's input are not followed")
		}
	case FatalAlert:
		if l := s.ssl(op.SSL); l.phase == phaseReset {
			return unmodelled(op, resetConn)
		} else if (l.phase != phaseEstablished && l.phase != phaseHello) || l.recv {
			return unmodelled(op, "a fatal error is modelled only on an established connection that has not read close_notify, or half way through a handshake")
		}
	case CtxSetMaxEarlyData, SetMaxEarlyData:
		if op.Arg < 0 || op.Arg > 1<<20 {
			return unmodelled(op, "max_early_data %d outside 0..2^20", op.Arg)
		}
	case SetQuietShutdown:
		if op.Arg != 0 && op.Arg != 1 {
			return unmodelled(op, "quiet shutdown mode %d is not 0 or 1", op.Arg)
		}
	case SetShutdown:
		if op.Arg&^(SentShutdown|ReceivedShutdown) != 0 {
			return unmodelled(op, "shutdown flags 0x%x outside SSL_SENT_SHUTDOWN|SSL_RECEIVED_SHUTDOWN", op.Arg)
		}
		if l := s.ssl(op.SSL); s.prof.CloseNotifyStaysCurrent && l.recv && op.Arg&ReceivedShutdown == 0 && l.version == TLS13 {
			// profile switch (OpenSSL 3.2+: O3)
			return unmodelled(op, "%s keeps a TLS 1.3 close_notify it has read as the current record: once SSL_RECEIVED_SHUTDOWN is cleared, the next read reads it again (docs/findings.md O3)", s.prof.Name)
		}
	case ReadAlert:
		return s.checkReadAlert(op)
	case ReadTicket:
		if l := s.ssl(op.SSL); l.recv && len(l.pending) > 0 {
			return unmodelled(op, "SSL_read returns 0 at once once SSL_RECEIVED_SHUTDOWN is set, leaving the ticket record unread in the SSL's input")
		} else if l.phase == phaseReset {
			return unmodelled(op, resetConn)
		} else if !l.client || l.phase != phaseEstablished {
			return unmodelled(op, "tickets are read only by an established client")
		} else if l.sess == 0 && len(l.pending) > 0 {
			// OpenSSL would duplicate a NULL session here.
			return unmodelled(op, "reading a ticket on an SSL whose session was set to NULL")
		}
	case Handshake, ClientHello:
		if err := s.checkHandshake(op); err != nil {
			return err
		}
		return s.checkServernameTarget(op)
	case HandshakeFinish:
		return s.checkFinish(op)
	case SetSession:
		return s.checkSetSession(op)
	case SessFree:
		if o := s.obj(s.named[op.Sess-1]); o.appRefs == 0 {
			return violation(RuleUBOverRelease, op, "the application holds no reference to %s (refcount %d, all owned by the library)", SessName(op.Sess), o.refs)
		}
	case SetTime, SetTimeout:
		if op.Arg > maxValue || (op.Kind == SetTime && op.Arg < 0) {
			return unmodelled(op, "argument %d outside the modelled range", op.Arg)
		}
	case AddSession:
		if owner := s.obj(s.named[op.Sess-1]).owner; owner != 0 && owner != op.Ctx {
			return violation(RuleUBCrossContext, op, "%s sits in the cache of %s", SessName(op.Sess), CtxName(owner))
		}
	case CopySessionID:
		return s.checkCopySessionID(op)
	case Tick:
		if op.Arg < 0 || op.Arg > 1<<32 {
			return unmodelled(op, "time moves forward by 0..2^32 seconds")
		}
	}
	return nil
}

// checkHandles checks every handle field of op as the call table says it
// is used: a new object takes the next free handle, a used one must be
// live, and only a field that accepts NULL may be 0.
func (s *State) checkHandles(op Op) error {
	c := calls[op.Kind]
	switch c.Ctx {
	case Makes:
		if op.Ctx != s.NextCtx() {
			return violation(RuleUBBadHandle, op, "the new SSL_CTX must be %s", CtxName(s.NextCtx()))
		}
	case Takes:
		if err := s.needCtx(op, op.Ctx); err != nil {
			return err
		}
	}
	switch c.SSL {
	case Makes:
		if op.SSL != s.NextSSL() {
			return violation(RuleUBBadHandle, op, "the new SSL must be %s", SSLName(s.NextSSL()))
		}
	case Takes:
		if err := s.needSSL(op, op.SSL); err != nil {
			return err
		}
	}
	if c.Peer == Takes {
		if err := s.needSSL(op, op.Peer); err != nil {
			return err
		}
	}
	switch {
	case c.Sess == Takes, c.Sess == TakesOrNull && op.Sess != 0:
		if err := s.needSess(op, op.Sess); err != nil {
			return err
		}
	}
	return nil
}

// checkSetSession: SSL_set_session is modelled on clients, and must not
// free its argument before it takes its reference.
func (s *State) checkSetSession(op Op) error {
	if !s.ssl(op.SSL).client {
		return unmodelled(op, "SSL_set_session is modelled on client SSLs only")
	}
	if op.Sess == 0 {
		return nil
	}
	// SSL_set_session applies the bad-session rule to the old session
	// before it takes its reference to the new one: when that removal
	// frees the new session (same id, held only by the cache), the call
	// itself uses a freed pointer.
	if l := s.ssl(op.SSL); l.sess == 0 || l.sent || (l.phase != phaseEstablished && l.phase != phaseReset) || s.prof.ImmutableSessions {
		return nil
	}
	if !tryOn(s, Op{}, func(trial *stepper) bool {
		trial.clearBadSession(op.SSL, badRules{RuleSetBadOld, RuleSetBadOld, RuleSetBadOld, RuleSetBadOld})
		return trial.obj(s.named[op.Sess-1]).alive
	}) {
		return violation(RuleUBDanglingSession, op, "removing the old session from the cache frees %s before SSL_set_session takes its reference", SessName(op.Sess))
	}
	return nil
}

// checkCopySessionID: SSL_copy_session_id is modelled between two
// different client SSLs. It gives the target its source's method, which
// is a client method only if the source is a client, and it sets the
// session as SSL_set_session does, which is modelled on clients only. The
// source holds a reference to the session it gives, so the bad-session
// rule on the target's old session cannot free it.
func (s *State) checkCopySessionID(op Op) error {
	switch {
	case op.SSL == op.Peer:
		return unmodelled(op, "SSL_copy_session_id is modelled between two different SSLs")
	case !s.ssl(op.SSL).client || !s.ssl(op.Peer).client:
		return unmodelled(op, "SSL_copy_session_id is modelled between client SSLs only (the target takes the source's method)")
	}
	return nil
}

func (s *State) checkHandshake(op Op) error {
	c, p := s.ssl(op.SSL), s.ssl(op.Peer)
	switch {
	case Version(op.Arg) != TLS12 && Version(op.Arg) != TLS13:
		return unmodelled(op, "versions are TLS1_2 and TLS1_3")
	case !c.client || p.client:
		return unmodelled(op, "the first SSL must be a client and the second a server")
	case c.phase != phaseBefore || p.phase != phaseBefore:
		return unmodelled(op, "both SSLs must be new or SSL_clear'ed (renegotiation is not modelled)")
	case p.sess != 0 && Version(op.Arg) == TLS13 && !s.prof.SSLOwnsSession && !s.prof.ImmutableSessions:
		// OpenSSL changed what a TLS 1.3 server does with a session left
		// over from SSL_clear in 2025 (PR #27584); the model stays out.
		// A wolfSSL server always holds its own session
		// (WOLF-SSL-OWNS-SESSION), which the handshake fills in place.
		return unmodelled(op, "a TLS 1.3 server SSL that still holds a session")
	case c.method != VersionNone && c.method != Version(op.Arg):
		// Only SSL_copy_session_id leaves a new or cleared SSL with a
		// version-specific method; the handshake then fails.
		return unmodelled(op, "the client's method allows only %s (SSL_copy_session_id gave it its source's)", c.method)
	case c.sess != 0 && s.obj(c.sess).sidCtx != c.sidCtx && !s.prof.SidCtxOnSetSession:
		// tls_process_server_hello fails the handshake (illegal_parameter,
		// "attempt to reuse session in different context") when the server
		// resumes a session whose context is not the client SSL's; the
		// model does not follow failed handshakes.
		return unmodelled(op, "the client's session has another session id context than the client SSL: a resumption would fail the handshake")
	case Version(op.Arg) == TLS12 && !s.prof.SharedCopyCache && !s.prof.ImmutableSessions && s.renewsUnencodable(c, p):
		return unmodelled(op, "the server would renew the ticket of a session whose time or timeout is 0, which OpenSSL 3.0 cannot encode: the handshake fails with an internal error alert")
	}
	return nil
}

// renewsUnencodable reports whether a TLS 1.2 handshake of client c with
// server p resumes, by session id, a cached session (in its internal cache
// or its external one) whose time or timeout is 0 while the client asked
// for a ticket (an empty ticket extension), so that the server must encode
// the session into a new ticket.
// construct_stateless_ticket encodes the session, decodes it and encodes
// the copy again; d2i_SSL_SESSION turns a time of 0 into now and a timeout
// of 0 into 3, so the copy encodes longer than the original and OpenSSL
// 3.0 fails with "internal error" (statem_srvr.c, ssl_asn1.c). The model
// does not follow failed handshakes, so it stays out.
func (s *State) renewsUnencodable(c, p *sslObj) bool {
	sctx := s.ctx(p.ctx)
	if c.sess == 0 || c.options&OptNoTicket != 0 || p.options&OptNoTicket != 0 {
		return false
	}
	o := s.obj(c.sess)
	if o.version != TLS12 || !o.resumable() || o.ticket != 0 || o.id == 0 {
		return false
	}
	unencodable := func(f *sessObj) bool { return !timedOut(s.now, f) && (f.time == 0 || f.timeout == 0) }
	if sctx.mode&CacheNoInternalLookup == 0 {
		for _, r := range sctx.list {
			if f := s.obj(r); f.version == TLS12 && f.id == o.id {
				return unencodable(f)
			}
		}
	}
	// Not found inside: get_session_cb answers from the external cache
	// (CB-EXT-STORE), with the same object.
	if i := sctx.storeIndex(o.id); sctx.hasStore() && i >= 0 && sctx.store[i].sess != 0 {
		if f := s.obj(s.named[sctx.store[i].sess-1]); f.version == TLS12 {
			return unencodable(f)
		}
	}
	return false
}

func (s *State) needCtx(op Op, h Handle) error {
	if h < 1 || int(h) > len(s.ctxs) {
		return violation(RuleUBBadHandle, op, "%s was never created", CtxName(h))
	}
	if !s.ctx(h).appHeld {
		return violation(RuleUBDanglingCTX, op, "%s was freed", CtxName(h))
	}
	return nil
}

func (s *State) needSSL(op Op, h Handle) error {
	if h < 1 || int(h) > len(s.ssls) {
		return violation(RuleUBBadHandle, op, "%s was never created", SSLName(h))
	}
	if !s.ssl(h).alive {
		return violation(RuleUBDanglingSSL, op, "%s was freed", SSLName(h))
	}
	return nil
}

func (s *State) needSess(op Op, h Handle) error {
	if h == 0 {
		return violation(RuleUBNULLSession, op, "the session pointer is NULL")
	}
	if h < 1 || int(h) > len(s.named) {
		return violation(RuleUBBadHandle, op, "%s was never returned to the application", SessName(h))
	}
	if !s.obj(s.named[h-1]).alive {
		return violation(RuleUBDanglingSession, op, "%s was destroyed: the pointer dangles", SessName(h))
	}
	return nil
}

// checkByTrial is the part of Check that only running the call shows: an
// external cache's callbacks that free or hand over a reference the store
// no longer owns, or return a destroyed session, and a TLS 1.2 server
// resuming a session made half way through a handshake (UB-RESUME-HALF-WAY).
// The call is tried on a copy of the state when it could meet either.
func (s *State) checkByTrial(op Op) error {
	if !s.storesMayRun(op) && !s.mayResumeHalfWay(op) {
		return nil
	}
	if v := tryOn(s, op, func(trial *stepper) *Violation { trial.apply(op); return trial.violation }); v != nil {
		return v
	}
	return nil
}
