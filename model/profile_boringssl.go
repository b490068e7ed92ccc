package model

// This file is the boringssl profile: what Debian 12's android-libboringssl
// 13.0.0+r24 (Android 13's copy of BoringSSL) does. Its public headers are
// those of google/boringssl at 1530333b25589ee4d4d52b10e78ee55dd82f6dcd
// (2022-05-24; BORINGSSL_API_VERSION 17), whose ssl/ssl_session.cc,
// ssl_lib.cc, handshake_client.cc, handshake_server.cc, tls13_client.cc,
// tls13_server.cc and extensions.cc are the sources cited below; every
// rule was checked against the library through shim/boringssl.
//
// BoringSSL's design differs from OpenSSL's in one idea: a session never
// changes once it is established. An SSL keeps the session it was given
// (ssl->session, which it offers) apart from the one its handshake
// established (s3->established_session, which SSL_get_session returns
// after the handshake); a ticket, a resumption or a renewal makes a new
// object rather than changing one. Clients never use the internal cache,
// TLS 1.3 servers never cache (their tickets are stateless), and nothing
// marks a session not resumable once it is established: the bad-session
// rule, single use and the marks of removals are gone. The cache list
// keeps insertion order, and a flush walks the hash table, whose order
// follows the random session ids.
//
// The profile's rules are the BORING rules of docs/spec.md ("BoringSSL
// profile"), applied by boringssl_conn.go (the SSL and its two sessions),
// boringssl_cache.go (the cache, ticket keys, expiry) and
// boringssl_handshake.go, and by the profile-switch branches of step.go,
// conn.go and check.go; the OpenSSL rules each switch replaces are listed
// once, in profile_rules.go. The comments below name each switch's finding
// (docs/findings.md) and rules.

// BoringSSL is what Debian 12's android-libboringssl 13.0.0+r24 does.
func BoringSSL() Profile {
	return Profile{
		Name: "boringssl",
		// ssl.h SSL_DEFAULT_SESSION_TIMEOUT, SSL_SESSION_CACHE_MAX_SIZE_DEFAULT;
		// internal.h ssl_ctx_st: num_tickets = 2, session_cache_mode =
		// SSL_SESS_CACHE_SERVER. As OpenSSL's.
		DefaultTimeout:    7200,
		DefaultCacheSize:  1024 * 20,
		DefaultNumTickets: 2,
		TicketHintCap:     7 * 24 * 3600,
		StartTime:         1_700_000_000,
		// ssl_update_cache: handshakes_since_cache_flush >= 255. B13,
		// BORING-AUTO-FLUSH-255.
		AutoFlushMask: 0xff,
		// ssl.h SSL_DEFAULT_SESSION_PSK_DHE_TIMEOUT (2 days) and
		// SSL_DEFAULT_SESSION_AUTH_TIMEOUT (7 days). B9,
		// BORING-TLS13-TIMEOUTS.
		PSKTimeout:  2 * 24 * 3600,
		AuthTimeout: 7 * 24 * 3600,
		// ssl.h SSL_DEFAULT_TICKET_KEY_ROTATION_INTERVAL (2 days). B10,
		// BORING-TICKET-KEYS.
		TicketKeyRotation: 2 * 24 * 3600,

		// ssl_session.cc SSL_get_session, SSL_set_session, ssl_update_cache,
		// remove_session, add_session_locked, SSL_CTX_flush_sessions;
		// ssl_lib.cc SSL_clear; handshake_client.cc, handshake_server.cc,
		// tls13_client.cc, tls13_server.cc. B1-B8, B10-B12: BORING-SESSION-SPLIT,
		// BORING-CLEAR, BORING-NO-BAD-SESSION, BORING-SET-AFTER-HANDSHAKE-ABORTS,
		// BORING-CLIENT-DROPS-UNUSABLE, BORING-EXPIRY, BORING-RESUME-SERVER-ONLY,
		// BORING-HS12-NO-RENEW, BORING-HS13-*, BORING-TICKETS-TO-CALLBACK,
		// BORING-CLIENT-NO-CACHE, BORING-CTX-TIMEOUT, BORING-CACHE-LIST,
		// BORING-EVICT-N, BORING-REMOVE-EXACT, BORING-FLUSH-UNORDERED,
		// BORING-SESSION-SETTERS.
		ImmutableSessions: true,
		// ssl_lib.cc SSL_shutdown: "If we are in the middle of a handshake,
		// silently succeed." B14, BORING-SHUT-IN-INIT.
		ShutdownInInitSucceeds: true,
		// ssl_lib.cc: SSL_CTX_sess_hits, _misses, _timeouts, _cache_full,
		// _connect, _connect_good, _accept, _accept_good and _cb_hits
		// return 0. B13, BORING-STATS-STUBS.
		CountersAreStubs: true,
		// No SSL_has_matching_session_id and no SSL_set_num_tickets in
		// ssl.h; no SSL_OP_NO_ANTI_REPLAY either. B15.
		// No public SSL_SESSION_dup and no SSL_copy_session_id in ssl.h;
		// SSL_SESSION_new takes an SSL_CTX, which the call of the
		// protocol does not carry. B16. No SSL_CTX_set_max_early_data and
		// no SSL_set_max_early_data (SSL_CTX_set_early_data_enabled
		// instead).
		Lacks: CallsOf(HasMatchingSessionID, SetNumTickets, SessDup, SessNew, CopySessionID,
			CtxSetMaxEarlyData, SetMaxEarlyData),
		// BoringSSL's shutdown is two states, not two flags: ssl_lib.cc
		// SSL_set_shutdown only ever adds (B21, BORING-SHUT-SET-STATES);
		// a state set before a handshake makes it fail and a fatal error
		// leaves both states at error, which Check leaves out. Reading a
		// fatal alert removes nothing (B3), sets the read state to error
		// and leaves the SSL out of init: not modelled yet (B18).
		ShutdownStatesOnlyAdd: true,
		Unmodelled:            CallsOf(ReadAlert),
		// ssl_session.cc ssl_lookup_session removes an expired session
		// before ssl_session_is_resumable compares its id context. B17,
		// BORING-SIDCTX-AFTER-EXPIRY.
		SidCtxAfterExpiry: true,
		// ssl_lib.cc SSL_set_SSL_CTX: ssl->config->cert = ssl_cert_dup(
		// ctx->cert), which holds the session id context. B19,
		// BORING-SWITCH-SIDCTX.
		SwitchSidCtxAlways: true,
		// handshake_server.cc runs the servername callback while it
		// reads the ClientHello's extensions, before it looks up the
		// session (B20).
		ServernameBeforeLookup: true,
		//
		// ssl_asn1.cc SSL_SESSION_parse reads the time and the timeout as
		// encoded, 0 included. B16, BORING-ROUNDTRIP.
		DecodeKeepsZeroTimes: true,
		LacksOptions:         OptNoAntiReplay,
		// tls13_server.cc add_new_session_tickets reads
		// ssl->session_ctx->num_tickets at use. B15, BORING-NUM-TICKETS.
		NumTicketsAtUse: true,
	}
}

// boringCheck narrows Check to what the model knows of BoringSSL, after
// the checks every profile shares.
func (s *State) boringCheck(op Op) error {
	if err := s.boringShutdownCheck(op); err != nil {
		return err
	}
	switch op.Kind {
	case SetSession:
		if s.ssl(op.SSL).phase != phaseBefore {
			return unmodelled(op, "BoringSSL's SSL_set_session calls abort() once a handshake has begun")
		}
		return nil
	case Flush, CtxFree, SSLFree, Handshake, SetSSLCtx, ClientHello, HandshakeFinish:
		// These may flush a cache, whose order BoringSSL does not fix
		// (BORING-FLUSH-UNORDERED): try the call on a copy first.
		if unsure := tryOn(s, Op{}, func(trial *stepper) string { trial.apply(op); return trial.unsure }); unsure != "" {
			return unmodelled(op, "%s", unsure)
		}
	}
	return nil
}

// boringCtxTimeout is what SSL_CTX_set_timeout(ctx, t) stores: t as a
// uint32_t, 0 meaning 7200 (BORING-CTX-TIMEOUT).
func (st *stepper) boringCtxTimeout(t int64) int64 {
	if v := int64(uint32(t)); v != 0 {
		return v
	}
	return st.prof.DefaultTimeout
}
