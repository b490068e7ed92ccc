package model

import "sort"

// Profile holds what differs between libraries and versions: [OpenSSL30],
// [OpenSSL32], [WolfSSL55] and [BoringSSL]. Numbers first; then named behaviour switches, whose zero
// value is OpenSSL 3.0's behaviour. Each switch says which function reads
// it; profile_wolfssl.go and profile_boringssl.go give each one's source
// in wolfSSL 5.5.4 and BoringSSL and its rules, and profile_rules.go, for every field in which a profile departs
// from OpenSSL 3.0, the rules of docs/spec.md it adds and those it
// replaces (Profile.Divergences, Status, Differs).
type Profile struct {
	Name string
	// DefaultTimeout is the session timeout of a new SSL_CTX and of a session
	// whose SSL_CTX timeout is 0 (OpenSSL: 7200 s; its docs say 300 s).
	DefaultTimeout int64
	// DefaultCacheSize is SSL_SESSION_CACHE_MAX_SIZE_DEFAULT.
	DefaultCacheSize int64
	// DefaultNumTickets is how many TLS 1.3 tickets a server sends after a
	// full handshake.
	DefaultNumTickets int64
	// TicketHintCap caps the TLS 1.3 ticket_lifetime_hint (one week).
	TicketHintCap int64
	// AutoFlushMask: the cache is flushed when the handshake counter ANDed
	// with the mask equals the mask (every 256th handshake for 0xff); 0
	// never (wolfSSL). Under ImmutableSessions (BoringSSL) it is the number
	// of cache adds between flushes (255). Read in updateCache and
	// boringUpdate.
	AutoFlushMask int64
	// StartTime is the virtual clock's value in a new universe.
	StartTime int64

	// DefaultTicketHint is the TLS 1.3 ticket_lifetime_hint of an SSL_CTX
	// whose timeout was never set (wolfSSL: 300 s; OpenSSL derives the hint
	// from the session timeout instead and leaves this 0).
	DefaultTicketHint int64
	// TicketKeyLifetime is how long a ticket encryption key decrypts after
	// it was made (wolfSSL: one hour; 0: keys never expire).
	TicketKeyLifetime int64
	// SessionsPerRow bounds what the model claims about a session cache
	// whose placement it cannot know (wolfSSL: SESSIONS_PER_ROW, 3): a new
	// entry may evict one that saw this many insertions minus one after it
	// (see cacheCertain). Read in wolfInsert.
	SessionsPerRow int64
	// ClockLimit is the latest virtual time the model claims to know the
	// library's behaviour at (wolfSSL keeps seconds in 32 bits; 0: none).
	// Read in Check.
	ClockLimit int64
	// SetTimeoutBadArg is what SSL_SESSION_set_timeout returns for a
	// negative timeout (OpenSSL 0; wolfSSL BAD_FUNC_ARG, -173). Read in apply.
	SetTimeoutBadArg int64

	// SSLOwnsSession: SSL_new gives the SSL a session object of its own,
	// so get0 is never NULL and handshakes fill that object in place.
	// Read in apply (SSL_new) and checkHandshake.
	SSLOwnsSession bool
	// ClearRenewsUnfinished: SSL_clear frees and replaces the SSL's session
	// unless a handshake completed, keeps it otherwise, never judges it, and
	// leaves SSL_session_reused as it was. Read in sslClear.
	ClearRenewsUnfinished bool
	// SetSessionCopies: SSL_set_session copies the session into the SSL's
	// own object, takes no reference, fails on NULL and on a session of the
	// other side, and makes SSL_session_reused 1 at once. Read in setSession.
	SetSessionCopies bool
	// TicketUpdatesInPlace: a TLS 1.3 client stores each ticket it reads in
	// its own session object instead of a new copy. Read in clientTicket.
	TicketUpdatesInPlace bool
	// NoBadSessionRule: neither SSL_free nor SSL_clear nor a fatal alert
	// takes a session out of the cache or marks it not resumable. Read in
	// badSessionRule.
	NoBadSessionRule bool
	// RemoveCBOnDestroy: SSL_free hands the SSL's session to the SSL_CTX's
	// remove callback just before destroying it, unless a cache took over
	// its ex_data. Read in sslFree.
	RemoveCBOnDestroy bool
	// ShutdownOneRecord: a reading SSL_shutdown processes one record per
	// call and returns 0 until the peer's close_notify, then 1, after which
	// the SSL is cleared; after a fatal error it returns -1. Read in
	// shutdown.
	ShutdownOneRecord bool
	// ShutdownOptionBits: SSL_set_quiet_shutdown only sets, a quiet
	// SSL_shutdown clears the SSL, SSL_set_shutdown writes the bits
	// SSL_shutdown itself reads, and a fatal alert read keeps the session
	// and sets no flag (wolfssl_shutdown.go). Read in shutdownCall,
	// shutdown, readAlert and Check.
	ShutdownOptionBits bool
	// ShutdownStatesOnlyAdd: SSL_set_shutdown only ever sets a shutdown
	// state to close_notify, never back (boringssl_shutdown.go). Read in
	// shutdownCall and Check.
	ShutdownStatesOnlyAdd bool
	// SharedCopyCache: the server session cache is one process-wide table
	// of copies shared by every SSL_CTX; it holds no references, caches
	// only server sessions by itself, and SSL_CTX_add_session copies into
	// it. Handshakes follow wolfSSL's message flow. Read in apply
	// (handshake, SSL_CTX_add_session) and in Check.
	SharedCopyCache bool
	// RemoveOnlyExpires: SSL_CTX_remove_session returns 0 and only zeroes
	// the timeout of its argument and of the matching cache entry. Read in
	// apply.
	RemoveOnlyExpires bool
	// FlushIsStub: SSL_CTX_flush_sessions does nothing. Read in apply.
	FlushIsStub bool
	// StatsAreStubs: SSL_CTX_sess_number and the hit, miss, timeout and
	// cache-full counters always return 0. Read in ctxStats.
	StatsAreStubs bool
	// FixedCacheSize: SSL_CTX_sess_set_cache_size changes nothing and
	// returns DefaultCacheSize. Read in apply.
	FixedCacheSize bool
	// TimeoutSetsTicketHint: SSL_CTX_set_timeout also sets the TLS 1.3
	// ticket lifetime hint, and a timeout of 0 stores the default. Read in
	// apply.
	TimeoutSetsTicketHint bool
	// Lacks holds the calls the library does not have; Check refuses them
	// as unmodelled.
	Lacks CallSet
	// Unmodelled holds calls the library has whose behaviour there the
	// profile does not model (yet); Check refuses them as unmodelled.
	Unmodelled CallSet
	// Unchecked holds calls the library has but whose behaviour there the
	// model does not follow yet (nothing has compared it with the
	// library); Check refuses them as unmodelled.
	Unchecked CallSet
	// LacksOptions holds the SSL_OP_* bits the library does not have;
	// Check refuses the options calls that name them.
	LacksOptions Options
	// SidCtxOnSetSession: SSL_set_session, not the server, compares session
	// id contexts; a session records its SSL's context only when it has 1
	// to 31 bytes; SSL_SESSION_set1_id_context is a stub (returns 0). Read
	// in wolfSidCtx.
	SidCtxOnSetSession bool
	// CacheModeSticky: SSL_CTX_set_session_cache_mode returns 1 and only
	// ever sets flags, part of which SSL_new copies into the SSL; Check
	// leaves the call out.
	CacheModeSticky bool
	// NumTicketsAtUse: a TLS 1.3 server sends as many tickets as its
	// SSL_CTX's num_tickets says at the time (SSL_new copies nothing).
	// Read in ticketsToSend.
	NumTicketsAtUse bool

	// PSKTimeout is the timeout of a new TLS 1.3 session when it differs
	// from the SSL_CTX timeout (BoringSSL's session_psk_dhe_timeout, 2
	// days; 0: the SSL_CTX timeout, as in OpenSSL). Read in
	// boringNewSession.
	PSKTimeout int64
	// AuthTimeout is how long a TLS 1.3 session can be renewed by
	// resumption (BoringSSL's auth_timeout, 7 days). Read in
	// boringNewSession.
	AuthTimeout int64
	// TicketKeyRotation is how long a ticket key stays current (BoringSSL:
	// 2 days; it then decrypts for as long again as the previous key).
	// Read in boringRotate.
	TicketKeyRotation int64
	// ImmutableSessions: sessions never change once established. An SSL
	// keeps the session to offer apart from the established one, tickets
	// and resumptions make new objects, clients never cache, nothing marks
	// a session not resumable, and the cache list keeps insertion order
	// (BoringSSL). Read in apply and Check, which hand most calls to
	// boringssl_*.go.
	ImmutableSessions bool
	// ShutdownInInitSucceeds: SSL_shutdown returns 1 before a handshake
	// completed. Read in shutdown.
	ShutdownInInitSucceeds bool
	// DecodeKeepsZeroTimes: d2i_SSL_SESSION keeps an encoded time and
	// timeout of 0 as they are, where OpenSSL gives the time of the
	// decoding and 3 seconds (BoringSSL). Read in roundTrip.
	DecodeKeepsZeroTimes bool
	// SidCtxAfterExpiry: a server compares a cached session's id context
	// only after its lookup has removed the session for its expiry, so an
	// expired session of another context leaves the cache (BoringSSL).
	// Read in boringServerHello12.
	SidCtxAfterExpiry bool
	// SwitchSidCtxAlways: SSL_set_SSL_CTX gives the SSL the new SSL_CTX's
	// session id context whatever it had, one set with
	// SSL_set_session_id_context included, where OpenSSL keeps a context
	// the SSL set itself (BoringSSL: the context lives in the SSL's copy of
	// its SSL_CTX's certificate settings, which the call replaces). Read in
	// switchCtx.
	SwitchSidCtxAlways bool
	// ServernameBeforeLookup: the servername callback runs before the
	// server looks up the offered session and makes a new one, so both see
	// the session id context of the SSL_CTX it switched to
	// (BORING-SNICB-BEFORE-LOOKUP), where OpenSSL runs it after
	// (SNICB-AFTER-LOOKUP). Read in clientHello.
	ServernameBeforeLookup bool
	// SwitchMovesSSL: an SSL has one SSL_CTX, which SSL_set_SSL_CTX
	// replaces: callbacks, cache lookups and ticket keys follow the new
	// one, the SSL holds a reference on it only, and its session id
	// context becomes the new one's; what the SSL copied at SSL_new (the
	// timeout, num_tickets, whether its cache is off) stays (wolfSSL).
	// Read in switchCtx, useCtx and sslFree.
	SwitchMovesSSL bool
	// StepsInPlace: a handshake in steps fills the SSLs' own sessions
	// (with SharedCopyCache: wolfHello, wolfFinish): at client_hello the
	// server decides whether it resumes, copying what it resumes into its
	// session, and everything else waits for handshake_finish; half way,
	// SSL_get_shutdown reads 3 and SSL_clear renews the session, as before
	// a handshake (wolfSSL). Read in step, wolfGetShutdown and wolfClear.
	StepsInPlace bool
	// CountersAreStubs: the hit, miss, timeout and cache-full counters
	// always return 0, while SSL_CTX_sess_number is real. Read in ctxStats.
	CountersAreStubs bool

	// TicketAgeFloorsAtZero: a TLS 1.3 client counts the age of a session
	// whose time lies in the future as 0 and offers its ticket, where
	// OpenSSL 3.0's unsigned age wraps and leaves it out (OpenSSL 3.2+).
	// Read in clientOffersTicket.
	TicketAgeFloorsAtZero bool
	// SNIAcceptStays: a switch by the servername callback leaves the
	// handshake's sess_accept on the SSL_CTX current before the callback;
	// only sess_accept_good counts on the new one (OpenSSL 3.2+). Read in
	// servername.
	SNIAcceptStays bool
	// CloseNotifyStaysCurrent: a TLS 1.3 close_notify an SSL has read stays
	// its current record, so a read after SSL_set_shutdown cleared
	// SSL_RECEIVED_SHUTDOWN reads it again (OpenSSL 3.2+); Check leaves
	// such a clearing out. Read in Check.
	CloseNotifyStaysCurrent bool
}

// LeavesOut reports whether Check refuses every call of kind k under p, as
// unmodelled: a call the library lacks, or one whose behaviour there the
// model does not follow. Coverage does not expect such a call to be made.
func (p Profile) LeavesOut(k Kind) bool {
	return p.Lacks.Has(k) || p.Unmodelled.Has(k) || p.Unchecked.Has(k) || (k == CtxSetCacheMode && p.CacheModeSticky)
}

// OpenSSL30 is what Debian's OpenSSL 3.0 does (ssl/ssl_sess.c,
// ssl/ssl_lib.c and ssl/statem at 3.0.16+; checked against 3.0.19, and
// against 3.0.15 and 3.1.7 built from their tags: docs/findings.md).
func OpenSSL30() Profile {
	return Profile{
		Name:              "openssl-3.0",
		DefaultTimeout:    7200,
		DefaultCacheSize:  1024 * 20,
		DefaultNumTickets: 2,
		TicketHintCap:     7 * 24 * 3600,
		AutoFlushMask:     0xff,
		StartTime:         1_700_000_000,
	}
}

// Profiles returns every known profile by name.
func Profiles() map[string]Profile {
	out := map[string]Profile{}
	for _, p := range []Profile{OpenSSL30(), OpenSSL32(), WolfSSL55(), BoringSSL()} {
		out[p.Name] = p
	}
	return out
}

// ProfileNames returns the known profile names, sorted.
func ProfileNames() []string {
	var names []string
	for n := range Profiles() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
