package model

// This file is the wolfssl-5.5 profile: what Debian's wolfSSL 5.5.4
// (libwolfssl-dev 5.5.4-2+deb12u3, configured --enable-distro: OPENSSL_ALL,
// HAVE_EX_DATA, HAVE_EXT_CACHE, NO_SESSION_CACHE_REF, WOLFSSL_TICKET_HAVE_ID,
// WOLFSSL_FORCE_CACHE_ON_TICKET, WOLFSSL_ERROR_CODE_OPENSSL, default cache
// of 11 rows of 3) does behind its OpenSSL compatibility layer. Sources are
// wolfSSL 5.5.4 src/ssl.c, src/internal.c, src/tls13.c and src/tls.c; every
// rule was checked against the library through shim/wolfssl.
//
// wolfSSL's design differs from OpenSSL's at the root. Each WOLFSSL owns one
// WOLFSSL_SESSION from wolfSSL_new to wolfSSL_free (InitSSL ->
// wolfSSL_NewSession), which handshakes, tickets and wolfSSL_SetSession
// fill in place; get0 returns it and get1 adds a reference to it. The
// server session cache is one static table per process (SessionCache:
// SESSION_ROWS rows of SESSIONS_PER_ROW copies, placed by a hash of the
// random session id), shared by every SSL_CTX, holding copies rather than
// references. Its entries are real WOLFSSL_SESSION objects the application
// can meet in a remove callback; the model keeps them as session objects
// marked row.
//
// Because entries are placed by random ids, which entry a new one evicts is
// unknowable. The model claims only what holds whatever the placement
// (cacheCertain). A call whose outcome depends on more is ErrUnmodelled:
// the stepper records why in unsure, and Check runs each call on a copy
// first (wolfCheck).
//
// The profile's rules are the WOLF rules of docs/spec.md ("wolfSSL 5.5
// profile"), applied by wolfssl_conn.go (the SSL and its own session),
// wolfssl_cache.go (the shared cache) and wolfssl_handshake.go, and by the
// profile-switch branches of step.go, conn.go and check.go; the OpenSSL
// rules each switch replaces are listed once, in profile_rules.go. The
// comments below name each switch's finding (docs/findings.md) and rules.

// WolfSSL55 is what Debian's wolfSSL 5.5.4 does through its OpenSSL
// compatibility layer.
func WolfSSL55() Profile {
	return Profile{
		Name: "wolfssl-5.5",
		// WOLFSSL_SESSION_TIMEOUT (internal.h); SSL_CTX_set_timeout(ctx, 0)
		// also stores it (wolfSSL_CTX_set_timeout). W7, WOLF-CTX-DEFAULTS.
		DefaultTimeout: 500,
		// wolfSSL_CTX_sess_set_cache_size returns SESSIONS_PER_ROW *
		// SESSION_ROWS whatever it is given. W7, WOLF-CTX-DEFAULTS.
		DefaultCacheSize: 3 * 11,
		// InitSSL_Ctx: maxTicketTls13 = 1. W15, WOLF-CTX-DEFAULTS.
		DefaultNumTickets: 1,
		TicketHintCap:     7 * 24 * 3600,
		StartTime:         1_700_000_000,
		// The table is never flushed. W7, WOLF-FLUSH-STUB.
		AutoFlushMask: 0,
		// InitSSL_Ctx: ticketHint = SESSION_TICKET_HINT_DEFAULT. W11,
		// WOLF-CTX-DEFAULTS.
		DefaultTicketHint: 300,
		// WOLFSSL_TICKET_KEY_LIFETIME (DefTicketEncCb). W11,
		// WOLF-TICKET-KEYS.
		TicketKeyLifetime: 3600,
		SessionsPerRow:    3, // W8, WOLF-EVICT-UNKNOWN
		// LowResTimer is a word32 of seconds; time+timeout must not wrap.
		ClockLimit: 3_000_000_000,
		// wolfSSL_SSL_SESSION_set_timeout: BAD_FUNC_ARG for t < 0. W17,
		// WOLF-SESSION-SET-TIMEOUT.
		SetTimeoutBadArg: -173,

		// internal.c InitSSL: ssl->session = wolfSSL_NewSession(heap). W1,
		// WOLF-SSL-OWNS-SESSION.
		SSLOwnsSession: true,
		// ssl.c wolfSSL_clear: frees and renews ssl->session only when
		// !handShakeDone; does not reset options.resuming. W10,
		// WOLF-CLEAR-RENEWS-UNFINISHED, WOLF-REUSED-STICKY.
		ClearRenewsUnfinished: true,
		// ssl.c wolfSSL_set_session -> wolfSSL_SetSession: NULL fails,
		// side mismatch fails, wolfSSL_DupSession into ssl->session, and
		// options.resuming = 1 unless expired (then still 1 returned:
		// WOLFSSL_ERROR_CODE_OPENSSL). W2 and W13, WOLF-SET-SESSION-*,
		// WOLF-REUSED-STICKY.
		SetSessionCopies: true,
		// tls13.c DoTls13NewSessionTicket: SetTicket and the lifetime go
		// into ssl->session, then AddSession(ssl). W3, WOLF-TICKET-IN-PLACE.
		TicketUpdatesInPlace: true,
		// No ssl_clear_bad_session counterpart anywhere in wolfSSL 5.5.4.
		// W4, WOLF-NO-BAD-SESSION.
		NoBadSessionRule: true,
		// internal.c SSL_ResourceFree -> wolfSSL_FreeSession(ssl->ctx, s):
		// rem_sess_cb(ctx, s) before the free when s->ownExData. W5,
		// WOLF-REMOVECB-ON-FREE.
		RemoveCBOnDestroy: true,
		// ssl.c wolfSSL_shutdown: ProcessReply once per call,
		// WOLFSSL_SHUTDOWN_NOT_DONE (0 with WOLFSSL_ERROR_CODE_OPENSSL),
		// wolfSSL_clear after the peer's close_notify. W9, WOLF-SHUT-*.
		ShutdownOneRecord: true,
		// ssl.c wolfSSL_set_quiet_shutdown, wolfSSL_set_shutdown,
		// wolfSSL_shutdown; internal.c DoAlert. W25-W27, WOLF-SHUT-QUIET,
		// WOLF-SHUT-SET-FLAGS, WOLF-ALERT-RECEIVED-KEEPS.
		ShutdownOptionBits: true,
		// ssl.c SessionCache, AddSessionToCache, wolfSSL_CTX_add_session
		// ("Session cache is global"). W8, W14-W17: WOLF-SHARED-CACHE,
		// WOLF-CTX-FREE, WOLF-ADD-SESSION-COPIES, WOLF-CACHE-MODE,
		// WOLF-CACHE-OFF, WOLF-CACHE-NULL-CTX-REMOVE-CB, WOLF-HS12-*,
		// WOLF-HS13-*.
		SharedCopyCache: true,
		// ssl.c wolfSSL_SSL_CTX_remove_session ("Don't remove session just
		// timeout session"). W6, WOLF-REMOVE-EXPIRES.
		RemoveOnlyExpires: true,
		// ssl.c wolfSSL_flush_sessions: "static table now, no flushing
		// needed". W7, WOLF-FLUSH-STUB.
		FlushIsStub: true,
		// ssl.c wolfSSL_CTX_sess_number (no WOLFSSL_SESSION_STATS) and the
		// wolfSSL_CTX_sess_hits/misses/timeouts/cache_full stubs. W7,
		// WOLF-STATS-STUBS.
		StatsAreStubs: true,
		// ssl.c wolfSSL_CTX_sess_set_cache_size. W7, WOLF-CACHE-SIZE-FIXED.
		FixedCacheSize: true,
		// ssl.c wolfSSL_CTX_set_timeout -> wolfSSL_CTX_set_TicketHint. W11,
		// WOLF-TIMEOUT-SETS-HINT.
		TimeoutSetsTicketHint: true,
		// No wolfSSL_SESSION_set_time in 5.5.4, and no SSL_SESSION_set_time
		// macro in wolfssl/openssl/ssl.h; no SSL_has_matching_session_id
		// and no SSL_set_num_tickets either. W17, W18,
		// WOLF-SESSION-SET-TIMEOUT.
		// max_early_data: Debian builds without WOLFSSL_EARLY_DATA (options.h;
		// no symbol in libwolfssl.so.35), so the calls are not declared.
		Lacks: CallsOf(SetTime, HasMatchingSessionID, SetNumTickets, CopySessionID, CtxSetMaxEarlyData,
			SetMaxEarlyData),
		// wolfSSL has i2d_SSL_SESSION, d2i_SSL_SESSION, SSL_SESSION_dup and
		// SSL_SESSION_new, and no SSL_copy_session_id (no function, no
		// macro). The three are not modelled here: a decoded session keeps
		// a timeout of 0 (W19), and what the encoding carries of the
		// fields the profile follows (the side, the alternative id, when
		// the ticket was read) is not known yet.
		// The servername callback that switches SSL_CTX is not compared
		// with wolfSSL yet (docs/findings.md W24).
		Unmodelled: CallsOf(RoundTrip, SessDup, SessNew, CtxSetServernameCtx),
		// ssl.c wolfSSL_SetSession compares the SSL's context with the
		// copied session's; AddSession records it for 1..31 bytes;
		// SSL_SESSION_set1_id_context is WOLFSSL_STUB. W21,
		// WOLF-SIDCTX-SET-SESSION, WOLF-SIDCTX-RECORDED.
		SidCtxOnSetSession: true,
		// ssl.c wolfSSL_set_SSL_CTX replaces ssl->ctx (a reference on the
		// new one, wolfSSL_CTX_free on the old) and copies the new one's
		// session id context; AddSession, AddSessionToCache,
		// wolfSSL_GetSessionFromCache, SSL_ResourceFree and the ticket
		// code read ssl->ctx at use. W23, WOLF-SWITCH-MOVES-SSL.
		SwitchMovesSSL: true,
		// DoClientHello/HandleTlsResumption and DoTls13ClientHello/
		// DoPreSharedKeys fill the server's own session at the
		// ClientHello; handShakeState stays NULL_STATE and handShakeDone
		// 0 until the handshake completes (wolfSSL_get_shutdown,
		// wolfSSL_clear). W28, WOLF-STEP-IN-PLACE.
		StepsInPlace: true,
		// wolfssl/ssl.h has no SSL_OP_NO_ANTI_REPLAY. W18.
		LacksOptions: OptNoAntiReplay,
		// ssl.c wolfSSL_CTX_set_session_cache_mode: WOLFSSL_SUCCESS, sets
		// sessionCacheOff and the other flags, never clears them;
		// InitSSL copies sessionCacheOff into the SSL. W18.
		CacheModeSticky: true,
	}
}

// nullCtxOnWire says whether the shim protocol carries a remove_cb event
// whose SSL_CTX is NULL (ctx 0), which wolfSSL raises when it overwrites a
// cache entry (AddSessionToCache). Until target/subprocess accepts it, the
// model produces the event but calls that raise it are unmodelled.
const nullCtxOnWire = false

// maxTicketAgeDiff is how far (seconds) the client's view of a TLS 1.3
// ticket's age may differ from the server's, plus wolfSSL's one second of
// slack (tls13.c DoPreSharedKeys, MAX_TICKET_AGE_DIFF 10).
const maxTicketAgeDiff = 11

// wolfCheck narrows Check to what the model knows of wolfSSL, after the
// checks every profile shares.
func (s *State) wolfCheck(op Op) error {
	if err := s.wolfShutdownCheck(op); err != nil {
		return err
	}
	switch op.Kind {
	case Handshake, ClientHello:
		if s.ssl(op.SSL).used || s.ssl(op.Peer).used {
			return unmodelled(op, "wolfSSL_clear leaves a used WOLFSSL half reset (version, timeout, resumption); a second handshake can fail or hang")
		}
	case Shutdown:
		if l := s.ssl(op.SSL); l.phase == phaseBefore && l.used {
			return unmodelled(op, "SSL_shutdown on a used WOLFSSL back in its initial state (wolfSSL_clear after a handshake, or a fatal error half way through one)")
		}
	case SetTimeout:
		if op.Arg > 1<<30 {
			return unmodelled(op, "wolfSSL keeps timeouts in 32 bits; the model stops at 2^30")
		}
	case CtxSetTimeout:
		if op.Arg > s.prof.TicketHintCap {
			return unmodelled(op, "a ticket lifetime hint over a week makes wolfSSL clients fail (SERVER_HINT_ERROR)")
		}
	case CtxNew:
		if op.Config.Timeout > s.prof.TicketHintCap {
			return unmodelled(op, "a ticket lifetime hint over a week makes wolfSSL clients fail (SERVER_HINT_ERROR)")
		}
	case SetSSLCtx:
		// InitSSL copied the first SSL_CTX's sessionCacheOff into the SSL
		// (SslSessionCacheOff reads the copy), while the other mode bits
		// are read from ssl->ctx at use: the model follows SSL_CTXs of
		// one cache mode (W23).
		if l := s.ssl(op.SSL); s.ctx(op.Ctx).mode != s.ctx(l.ctx).mode {
			return unmodelled(op, "wolfSSL_set_SSL_CTX to an SSL_CTX of another cache mode (the SSL keeps the first one's sessionCacheOff, reads the rest at use)")
		}
	case AddSession:
		if s.obj(s.named[op.Sess-1]).row {
			return unmodelled(op, "adding one of wolfSSL's cache entries to the cache")
		}
	}
	if unsure := tryOn(s, Op{}, func(trial *stepper) string { trial.apply(op); return trial.unsure }); unsure != "" {
		return unmodelled(op, "%s", unsure)
	}
	return nil
}
