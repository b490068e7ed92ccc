package model

// Step applies op. On success it returns the call's result and the state has
// moved on; on error (see [State.Check]) nothing changed.
func (s *State) Step(op Op) (Result, error) {
	if err := s.Check(op); err != nil {
		return Result{}, err
	}
	st := stepper{State: s, op: op}
	ret := st.apply(op)
	s.fired = st.fired
	return Result{Ret: ret, Events: st.events}, nil
}

// stepper carries the events of the call being applied, and why the
// outcome is beyond what the model can know, if it is (set by wolfSSL's
// process-wide cache, whose placement depends on random session ids; see
// cacheCertain).
type stepper struct {
	*State
	events []Event
	unsure string
	// The rules of the call (trace.go): the one being applied now, the one
	// behind the return value, and every one applied; trace is set only by
	// Explain.
	rule  Rule
	ret   Rule
	fired RuleSet
	trace *tracer
	// op is the call being applied, and violation the first undefined
	// behaviour that only applying it shows: an external cache's callbacks
	// (extcache.go), a resumption of a half-way session (handshake.go).
	// Check finds it on a trial copy (checkByTrial).
	op        Op
	violation *Violation
}

func (st *stepper) apply(op Op) int64 {
	switch op.Kind {
	case CtxNew:
		st.because(st.or(RuleDefCTXEmpty, RuleWolfCTXDefaults))
		st.ctxNew(op.Config)
		if st.prof.ImmutableSessions && op.Config.Timeout != 0 { // profile switch (BoringSSL)
			st.mark(RuleBoringCTXTimeout)
			st.ctxs[len(st.ctxs)-1].timeout = st.boringCtxTimeout(op.Config.Timeout)
		}
	case CtxFree:
		st.because(st.or(RuleFreeCTXLastSSL, RuleWolfCTXFree))
		c := st.ctx(op.Ctx)
		c.appHeld = false
		st.maybeDestroyCtx(op.Ctx)
	case SSLNew:
		st.because(st.or(RuleSeedGetNULL, RuleWolfSSLOwnsSession))
		c := st.ctx(op.Ctx)
		c.sslRefs++
		st.mark(RuleCfgOptionsCopied)
		st.ssls = append(st.ssls, sslObj{ctx: op.Ctx, client: c.cfg.Side == Client, alive: true,
			options: c.options, numTickets: c.numTickets, maxEarly: c.maxEarly, sidCtx: c.sidCtx})
		st.mark(RuleSidctxCopied)
		if st.prof.SSLOwnsSession { // profile switch (wolfSSL)
			st.wolfOwnSession(op.SSL)
		}
	case SSLFree:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.boringFree(op.SSL)
			break
		}
		st.sslFree(op.SSL)
	case SSLClear:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.boringClear(op.SSL)
			return 1
		}
		st.sslClear(op.SSL)
		return 1
	case Shutdown:
		return st.shutdown(op.SSL)
	case FatalAlert:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.boringAlert(op.SSL)
			break
		}
		st.fatalAlert(op.SSL)
	case Handshake:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.boringHandshake(op.SSL, op.Peer, Version(op.Arg))
			return 1
		}
		if st.prof.SharedCopyCache { // profile switch (wolfSSL)
			st.wolfHandshake(op.SSL, op.Peer, Version(op.Arg))
			return 1
		}
		st.handshake(op.SSL, op.Peer, Version(op.Arg))
		return 1
	case ClientHello:
		if st.prof.StepsInPlace { // profile switch (wolfSSL: W28)
			st.wolfClientHello(op.SSL, op.Peer, Version(op.Arg))
			return 1
		}
		if st.prof.ImmutableSessions { // profile switch (BoringSSL: B22)
			st.because(RuleBoringStepNewSession)
			st.boringHello(op.SSL, op.Peer, Version(op.Arg))
			return 1
		}
		st.mark(RuleStepServerDecides)
		st.clientHello(op.SSL, op.Peer, Version(op.Arg))
		return 1
	case HandshakeFinish:
		if st.prof.StepsInPlace { // profile switch (wolfSSL: W28)
			st.wolfHandshakeFinish(op.SSL, op.Peer)
			return 1
		}
		if st.prof.ImmutableSessions { // profile switch (BoringSSL: B22)
			st.because(RuleBoringStepNewSession)
			st.boringFinish(op.SSL, op.Peer, st.ssl(op.SSL).version)
			return 1
		}
		st.mark(RuleStepServerDecides)
		st.handshakeFinish(op.SSL, op.Peer)
		return 1
	case ReadTicket:
		l := st.ssl(op.SSL)
		st.because(st.or(RuleTkt13Pending, RuleBoringHS13ServerStateless))
		if len(l.pending) == 0 {
			if l.version == TLS12 {
				st.because(RuleTkt12InHandshake)
			}
			return 0
		}
		if st.prof.ImmutableSessions { // profile switch (BoringSSL): one record holds every ticket
			st.returns(RuleBoringHS13ServerStateless)
			st.because(RuleBoringTicketsToCallback) // the SSL's session stays
			pending := l.pending
			l.pending = nil
			for _, t := range pending {
				st.clientTicket(op.SSL, t)
			}
			return 1
		}
		t := l.pending[0]
		l.pending = l.pending[1:]
		// Profile switch (wolfSSL): SSL_read's WANT_READ stays in
		// ssl->error, which a later SSL_shutdown reports (wolfShutdown,
		// WOLF-SHUT-WANT-READ).
		l.wantRead = st.prof.ShutdownOneRecord
		if l.wantRead {
			st.mark(RuleWolfShutWantRead)
		}
		st.clientTicket(op.SSL, t)
		return 1
	case Get0, Get1:
		if op.Kind == Get1 {
			st.because(RuleSeedGet1Ref)
		} else {
			st.because(RuleSeedGet0Noref)
		}
		r := st.ssl(op.SSL).sess
		if r == 0 {
			st.because(RuleSeedGetNULL)
			return 0
		}
		if st.obj(r).handle != 0 {
			st.mark(RuleGetSameObject)
		}
		if op.Kind == Get1 {
			st.retain(r)
			st.obj(r).appRefs++
		}
		return int64(st.name(r))
	case UpRef:
		st.because(RuleRefUpref)
		r := st.named[op.Sess-1]
		if st.obj(r).row {
			st.because(RuleWolfCacheNULLCTXRemoveCB)
			return 0 // a wolfSSL cache entry is not reference counted
		}
		st.retain(r)
		st.obj(r).appRefs++
		return 1
	case SessFree:
		st.because(RuleRefDestroyAtZero)
		r := st.named[op.Sess-1]
		st.obj(r).appRefs--
		if st.prof.RemoveCBOnDestroy && st.obj(r).refs == 1 { // profile switch (wolfSSL)
			// wolfSSL_SESSION_free calls no remove callback.
			prev := st.enter(RuleWolfRemovecbOnFree)
			st.noEvent(r, EvRemove, 0)
			st.leave(prev)
		}
		st.release(r)
	case SetSession:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			return st.boringSetSession(op.SSL, op.Sess)
		}
		return st.setSession(op.SSL, op.Sess)
	case SessionReused:
		st.because(st.or(RuleReusedReportsHit, RuleWolfReusedSticky))
		return b2i(st.ssl(op.SSL).hit)
	case IsResumable:
		st.because(RuleResumableWhen)
		return b2i(st.obj(st.named[op.Sess-1]).resumable())
	case SetTime:
		st.because(st.or(RuleTimeSetters, RuleBoringSessionSetters))
		r := st.named[op.Sess-1]
		st.obj(r).time = op.Arg
		if st.prof.ImmutableSessions { // profile switch (BoringSSL): the list does not move
			st.mark(RuleBoringCacheList)
			st.concerns(r)
			return op.Arg
		}
		st.resort(r)
		return op.Arg
	case SetTimeout:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL): a uint32_t, both timeouts
			st.because(RuleBoringSessionSetters)
			st.mark(RuleBoringCacheList)
			o := st.obj(st.named[op.Sess-1])
			o.timeout = int64(uint32(op.Arg))
			o.auth = o.timeout
			return 1
		}
		st.because(st.or(RuleTimeSetters, RuleWolfSessionSetTimeout))
		if op.Arg < 0 {
			return st.prof.SetTimeoutBadArg
		}
		r := st.named[op.Sess-1]
		st.obj(r).timeout = op.Arg
		st.resort(r)
		return 1
	case GetTime:
		st.because(RuleTimeGetters)
		return st.obj(st.named[op.Sess-1]).time
	case GetTimeout:
		st.because(RuleTimeGetters)
		return st.obj(st.named[op.Sess-1]).timeout
	case CtxSetTimeout:
		st.because(st.or(RuleTimeCTXSet, RuleWolfTimeoutSetsHint))
		c := st.ctx(op.Ctx)
		old := c.timeout
		if c.cfg.Timeout == 0 && old == st.prof.DefaultTimeout {
			st.returns(st.or(RuleDefTimeout7200, RuleWolfCTXDefaults, RuleBoringCTXTimeout)) // most likely still the default
		}
		c.timeout = op.Arg
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.because(RuleBoringCTXTimeout)
			c.timeout = st.boringCtxTimeout(op.Arg)
		}
		if st.prof.TimeoutSetsTicketHint { // profile switch (wolfSSL)
			c.timeout, c.hint = st.wolfTimeouts(op.Arg)
		}
		return old
	case SetCacheSize:
		st.because(st.or(RuleCacheSizeSet, RuleWolfCacheSizeFixed))
		c := st.ctx(op.Ctx)
		if st.prof.FixedCacheSize { // profile switch (wolfSSL)
			return st.prof.DefaultCacheSize
		}
		old := c.size
		if c.cfg.CacheSize < 0 && old == st.prof.DefaultCacheSize {
			st.returns(st.or(RuleDefCacheSize20480, RuleWolfCTXDefaults)) // most likely still the default
		}
		c.size = op.Arg
		return old
	case AddSession:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.because(RuleCacheAddNew)
			return st.boringAdd(op.Ctx, st.named[op.Sess-1])
		}
		if st.prof.SharedCopyCache { // profile switch (wolfSSL)
			return st.wolfAddSession(op.Ctx, st.named[op.Sess-1])
		}
		st.because(RuleCacheAddNew)
		return st.addSession(op.Ctx, st.named[op.Sess-1])
	case RemoveSession:
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			return st.boringRemove(op.Ctx, st.named[op.Sess-1])
		}
		if st.prof.RemoveOnlyExpires { // profile switch (wolfSSL)
			return st.wolfRemoveSession(op.Ctx, st.named[op.Sess-1])
		}
		return st.removeSession(op.Ctx, st.named[op.Sess-1], RuleRemoveCached, RuleRemoveUncached)
	case Flush:
		if st.prof.FlushIsStub { // profile switch (wolfSSL: a no-op)
			st.because(RuleWolfFlushStub)
			st.concernsCtx(op.Ctx)
			break
		}
		if st.prof.ImmutableSessions { // profile switch (BoringSSL)
			st.because(RuleBoringFlushUnordered)
			if op.Arg == 0 {
				st.because(RuleFlushZero)
			}
			st.boringFlush(op.Ctx, op.Arg)
			break
		}
		st.because(RuleFlushStrict)
		if op.Arg == 0 {
			st.because(RuleFlushZero)
		}
		st.flush(op.Ctx, op.Arg)
	case SessNumber:
		st.because(st.or(RuleCntNumber, RuleWolfStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).number
	case SessHits:
		st.because(st.or(RuleCntHits, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).hits
	case SessMisses:
		st.because(st.or(RuleCntMisses, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).misses
	case SessTimeouts:
		st.because(st.or(RuleCntTimeouts, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).timeouts
	case SessCacheFull:
		st.because(st.or(RuleCntCacheFull, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).cacheFull
	case Tick:
		st.because(RuleDefClock)
		st.now += op.Arg
	case SessConnect:
		st.because(st.or(RuleCntConnect, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).connect
	case SessConnectGood:
		st.because(st.or(RuleCntConnectGood, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).connectGood
	case SessAccept:
		st.because(st.or(RuleCntAccept, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).accept
	case SessAcceptGood:
		st.because(st.or(RuleCntAcceptGood, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).acceptGood
	case SessCbHits:
		st.because(st.or(RuleCntCBHits, RuleWolfStatsStubs, RuleBoringStatsStubs))
		return st.ctxStats(st.ctx(op.Ctx)).cb
	case HasMatchingSessionID:
		return st.hasMatching(op.SSL, st.named[op.Sess-1])
	case RoundTrip:
		return st.roundTrip(op.Sess)
	case SessDup:
		return st.sessDup(op.Sess)
	case SessNew:
		return st.sessNew()
	case CopySessionID:
		return st.copySessionID(op.SSL, op.Peer)
	case CtxSetCacheMode, CtxSetOptions, CtxClearOptions, SetOptions, ClearOptions, CtxSetNumTickets, SetNumTickets:
		return st.setting(op)
	case CtxSetMaxEarlyData, SetMaxEarlyData:
		return st.setMaxEarly(op)
	case SetQuietShutdown, SetShutdown, GetShutdown:
		return st.shutdownCall(op)
	case ReadAlert:
		st.readAlert(op.SSL)
	case CtxSetSidCtx, SetSidCtx, SessSetSidCtx:
		return st.setSidCtx(op)
	case SetSSLCtx:
		return st.switchCtx(op)
	case CtxSetServernameCtx:
		st.setServername(op)
	}
	return 0
}

// name returns r's handle, naming it now if the application has not seen it.
func (st *stepper) name(r sessRef) Handle {
	o := st.obj(r)
	if o.handle == 0 {
		st.named = append(st.named, r)
		o.handle = Handle(len(st.named))
		if st.trace != nil {
			st.trace.named = append(st.trace.named, o.handle)
		}
		st.mark(RuleNameOrder)
		st.mark(RuleNameNoReuse)
	}
	return o.handle
}

func (st *stepper) emit(k EventKind, r sessRef, ctx Handle) {
	st.events = append(st.events, Event{Kind: k, Sess: st.name(r), Ctx: ctx})
}

func (st *stepper) retain(r sessRef) { st.obj(r).refs++ }

// release drops one reference; at zero the object is destroyed, which the
// application sees only for a session it has been shown.
func (st *stepper) release(r sessRef) {
	o := st.obj(r)
	if st.skew.ref == r {
		// A trial of RefSuspects: this release drops no reference, or two.
		d := st.skew.delta
		st.skew = refSkew{}
		if d > 0 {
			return
		}
		o.refs--
	}
	o.refs--
	if o.refs > 0 {
		return
	}
	o.alive = false
	st.mark(RuleRefDestroyAtZero)
	if o.handle != 0 {
		st.events = append(st.events, Event{Kind: EvDestroyed, Sess: o.handle})
	} else {
		st.mark(RuleNameSilentDestroy)
	}
}

// newSession makes a session the way ssl_get_new_session does: time now,
// timeout from the SSL_CTX (its 0 meaning the default), one reference.
func (st *stepper) newSession(ctx Handle, v Version) sessRef {
	defer st.leave(st.enter(RuleTimeNew))
	timeout := st.ctx(ctx).timeout
	if timeout == 0 {
		st.because(RuleTimeCTXZero)
		timeout = st.prof.DefaultTimeout
	}
	if st.ctx(ctx).cfg.Side == Client {
		st.mark(RuleTktClientTimeout)
	}
	var origin Handle
	if st.ctx(ctx).cfg.Side == Server {
		origin = ctx
	}
	st.objs = append(st.objs, sessObj{alive: true, refs: 1, version: v, time: st.now, timeout: timeout, origin: origin})
	return sessRef(len(st.objs))
}

// dup copies a session as ssl_session_dup does for the library's own use:
// not cached, not resumable-flagged, one reference, unseen.
func (st *stepper) dup(r sessRef) sessRef {
	o := *st.obj(r)
	o.alive, o.refs, o.appRefs, o.handle, o.owner, o.notResumable = true, 1, 0, 0, 0, false
	st.objs = append(st.objs, o)
	return sessRef(len(st.objs))
}

func (st *stepper) freshID() int64 {
	st.nextID++
	return st.nextID
}

// replaceSession gives SSL h a new session made by ssl_get_new_session: the
// new object exists first, then the old one is released.
func (st *stepper) replaceSession(h Handle, v Version) {
	l := st.ssl(h)
	n := st.newSession(l.ctx, v)
	// The context is this rule's change, so a wrong one is named by it
	// (the object itself is the caller's rule's).
	prev := st.enter(RuleSidctxNewSession)
	st.obj(n).sidCtx = l.sidCtx
	st.leave(prev)
	if old := l.sess; old != 0 {
		l.sess = 0
		st.release(old)
	}
	st.ssl(h).sess = n
}

func (st *stepper) ctxNew(cfg CtxConfig) {
	c := ctxObj{cfg: cfg, mode: cfg.CacheMode, size: cfg.CacheSize, timeout: cfg.Timeout,
		numTickets: cfg.NumTickets, appHeld: true, alive: true}
	if cfg.NoTicket {
		c.options = OptNoTicket
	}
	if cfg.DefaultMode {
		st.mark(st.or(RuleDefModeServer, RuleWolfCTXDefaults))
		c.mode = CacheServer
	}
	if cfg.CacheSize < 0 {
		st.mark(st.or(RuleDefCacheSize20480, RuleWolfCTXDefaults))
		c.size = st.prof.DefaultCacheSize
	}
	if cfg.Timeout == 0 {
		st.mark(st.or(RuleDefTimeout7200, RuleWolfCTXDefaults, RuleBoringCTXTimeout))
		c.timeout = st.prof.DefaultTimeout
	}
	if cfg.NumTickets < 0 {
		st.mark(st.or(RuleDefNumTickets2, RuleWolfCTXDefaults))
		c.numTickets = st.prof.DefaultNumTickets
	}
	c.hint = st.prof.DefaultTicketHint
	if cfg.Timeout != 0 {
		c.hint = cfg.Timeout
	}
	st.ctxs = append(st.ctxs, c)
}

// maybeDestroyCtx frees an SSL_CTX once neither the application nor any SSL
// holds it: SSL_CTX_free flushes the whole cache first.
func (st *stepper) maybeDestroyCtx(h Handle) {
	c := st.ctx(h)
	if c.appHeld || c.sslRefs > 0 || !c.alive {
		return
	}
	if st.prof.SharedCopyCache { // profile switch (wolfSSL): the process-wide cache stays
		defer st.leave(st.enter(RuleWolfCTXFree))
		st.concernsCtx(h)
		c.alive = false
		return
	}
	defer st.leave(st.enter(RuleFlushCTXFree))
	if st.prof.ImmutableSessions { // profile switch (BoringSSL)
		st.boringFlush(h, 0)
		st.ctx(h).alive = false
		return
	}
	st.flush(h, 0)
	st.storeClose(h)
	st.ctx(h).alive = false
}
