package impl

import (
	"iter"
	"sync"
	"sync/atomic"
)

// Faults is the simulator's one fault-injection seam, and its only test
// hook. The simulator is a reference: it has no deliberately wrong code
// paths. A harness that wants a wrong simulator (to show that the checking
// engines reject one, say) builds it from outside with [WithFaults]: a table
// of hook functions that the simulator consults at named points, the Point
// constants below. Package impl/mutants builds the project's mutants, and
// the yielding simulator the linearizability checks use, this way.
//
// Every hook may be nil, and so may the *Faults: a point whose hook is nil
// keeps the reference behaviour, at the cost of one pointer test. Each
// point's comment says which hook consults it, what the reference passes as
// ref and what on is (the object the point is about). A hook runs on the
// goroutine of the call that reaches the point, sometimes with a lock of
// that call held (said at the point), so it may use the objects' exported
// methods only as the lock allows. Objects made with [NewEnv] directly never
// consult faults.
//
// Three points (EvictsUnderOneLock, LinksUnderOneLock,
// FlushUnlinksBeforeRelease) select a step that splits one of the cache's
// critical sections in two, the bug class the linearizability checks exist
// for. No hook can do that from outside, since only this package can take
// a cache's lock, so those steps are written here, in faults_locking.go,
// and nothing else reaches them.
type Faults struct {
	// Name says what the faults are; Info().Name becomes "impl (Name)".
	Name string
	// Choose is consulted at every choice point with the reference's
	// choice; the simulator makes the choice Choose returns.
	Choose func(at Point, on any, ref bool) bool
	// Amount is consulted at every amount point with the reference's
	// number; the simulator uses the number Amount returns.
	Amount func(at Point, on any, ref int64) int64
	// Pick is consulted at every pick point with the session the reference
	// picks (nil for none); the simulator takes the one Pick returns.
	Pick func(at Point, on any, ref *Session) *Session
	// Reach runs when a call reaches a step point. It may act on the
	// object through its exported methods, or give up the processor
	// (runtime.Gosched) so that other goroutines run right there.
	Reach func(at Point, on any)
	// AddRef, when set, replaces the atomic update of a session's
	// reference count (SSL_SESSION_up_ref, SSL_SESSION_free, and every
	// reference the library takes or drops): it adds delta to count and
	// returns the new value, as the reference's count.Add(delta) does.
	AddRef func(count *atomic.Int32, delta int32) int32
}

// WithFaults makes NewTarget build universes that consult f at the
// simulator's fault points (see [Faults]); f must not change afterwards.
// A nil f is the reference simulator.
func WithFaults(f *Faults) Option {
	return func(c *targetConfig) { c.faults = f }
}

// Point names a place in the simulator where faults are consulted.
type Point uint8

// Choice points (Faults.Choose), by the call they are in. ref is given in
// brackets: most are the reference's "true" (it does the step), the others
// are steps the reference does not take and a fault may add.
const (
	_ Point = iota

	// Get1TakesRef: SSL_get1_session takes the caller's reference [true]
	// (SEED-GET1-REF). on: the *Conn.
	Get1TakesRef
	// SetSessionAppliesBadRule: SSL_set_session first judges the old
	// session by the bad-session rule [true] (SET-BAD-OLD). on: the *Conn.
	SetSessionAppliesBadRule
	// FreeAppliesBadRule: SSL_free judges the session by the bad-session
	// rule [true] (FREE-BAD-REMOVES). on: the *Conn.
	FreeAppliesBadRule
	// BadRuleSparesUnestablished: the bad-session rule spares the session
	// of an SSL that is not established [true] (FREE-ONLY-ESTABLISHED);
	// consulted only for such an SSL. on: the *Conn.
	BadRuleSparesUnestablished
	// ClearKeepsGoodSession: SSL_clear keeps a session that the
	// bad-session rule did not remove [true] (CLEAR-GOOD-KEEPS). on: the
	// *Conn.
	ClearKeepsGoodSession
	// ClearResetsReused: SSL_clear resets SSL_session_reused [true]
	// (CLEAR-RESETS-REUSED). on: the *Conn.
	ClearResetsReused
	// AlertSparesAfterCloseNotify: a fatal alert after close_notify leaves
	// the session cached [true] (ALERT-AFTER-CLOSE-NOTIFY); consulted only
	// once close_notify was sent. on: the *Conn.
	AlertSparesAfterCloseNotify
	// ClientTakesTicket13: a TLS 1.3 client takes the NewSessionTicket it
	// reads, replacing its session [true] (SEED-TLS13-LAST-WINS). on: the
	// ticket's nonce (an int: 0 for the first ticket of a handshake).
	ClientTakesTicket13
	// HasResumptionState: a session not marked not resumable is resumable
	// if it has an id or a ticket [ref: whether it has] (RESUMABLE-WHEN,
	// SEED-TLS13-NOT-RESUMABLE). on: the *Session.
	HasResumptionState
	// SetTimeLocksSession: SSL_SESSION_set_time and set_timeout read the
	// session's owner, and write an uncached session's times, under the
	// session's lock [true] (CONC-SET-TIME). on: the *Session.
	SetTimeLocksSession
	// SetTimeResorts: setting the time or timeout of a cached session
	// moves it to its new place in the expiry list [true] (TIME-RESORT).
	// on: the *Session.
	SetTimeResorts
	// SetTimeRechecksOwner: set_time checks, once it holds the owner's
	// lock, that the session is still cached there [true]
	// (CONC-SET-TIME). on: the *Session.
	SetTimeRechecksOwner
	// TicketAgeRoundsDown: a TLS 1.3 client rounds a ticket's age down
	// before comparing it with the lifetime hint, which gives a second of
	// slack [true] (TKT-HINT-SLACK). on: the *Session.
	TicketAgeRoundsDown
	// StatelessTicketOmitsID: a TLS 1.2 server that will issue a stateless
	// ticket gives the new session no id [true] (HS12-STATELESS-EMPTY-ID).
	// on: the server's *Conn.
	StatelessTicketOmitsID
	// ExpiredIDLeavesCache: a server that finds an expired session by id
	// removes it from its cache [true] (HS12-EXPIRED-ID). on: the *Ctx.
	ExpiredIDLeavesCache
	// TLS13ClientDropsUsedSession: a TLS 1.3 client with CLIENT caching
	// removes the session it just offered from its cache [true]
	// (HS13-CLIENT-SINGLE-USE). on: the client's *Ctx.
	TLS13ClientDropsUsedSession
	// ClientCountsHit: a client counts a resumed handshake as a hit
	// [true] (CNT-HITS). on: the client's *Ctx.
	ClientCountsHit
	// AddExistingResult: what SSL_CTX_add_session returns for a session
	// already in the cache [false] (CACHE-ADD-SAME). on: the *Ctx; its
	// lock is held.
	AddExistingResult
	// ReplaceIsQuiet: a session that an add replaces (same id) leaves
	// without remove_cb and stays resumable [true] (CACHE-ADD-REPLACE).
	// on: the *Ctx; its lock is held.
	ReplaceIsQuiet
	// EvictsUnderOneLock: SSL_CTX_add_session evicts under the same lock
	// acquisition that counts the sessions [true] (CONC-CACHE-ADD); false
	// selects evictSplit (faults_locking.go). on: the *Ctx.
	EvictsUnderOneLock
	// EvictionRefusesEmptyID: eviction cannot remove a tail with an empty
	// id, and stops [true] (EVICT-EMPTY-ID-STUCK); consulted only for such
	// a tail. on: the *Ctx; its lock is held.
	EvictionRefusesEmptyID
	// LinksUnderOneLock: SSL_CTX_add_session finds a new session's place
	// in the expiry list and links it there under one lock acquisition
	// [true] (CONC-CACHE-ADD); false selects linkStale
	// (faults_locking.go). on: the *Ctx.
	LinksUnderOneLock
	// RemoveIgnoresEmptyID: SSL_CTX_remove_session does nothing for a
	// session with an empty id [true] (REMOVE-EMPTY-ID); false makes it
	// mark the session and call remove_cb. on: the *Ctx.
	RemoveIgnoresEmptyID
	// RemoveHandlesUncached: SSL_CTX_remove_session of a session not in
	// the cache still marks it not resumable and calls remove_cb [true]
	// (REMOVE-UNCACHED). on: the *Ctx; its lock is held.
	RemoveHandlesUncached
	// RemoveCountsCacheFull: SSL_CTX_remove_session of a cached session
	// counts an eviction [false] (CNT-CACHE-FULL). on: the *Ctx; its lock
	// is held.
	RemoveCountsCacheFull
	// FlushUnlinksBeforeRelease: a flush unlinks every expired session
	// under the lock before any reference is dropped [true] (CONC-FLUSH);
	// false selects flushReleasingEarly (faults_locking.go). on: the *Ctx.
	FlushUnlinksBeforeRelease
	// FlushCountsTimeout: a flush at a time (not 0) counts each session it
	// removes as a timeout [false] (CNT-TIMEOUTS). on: the *Ctx; its lock
	// is held.
	FlushCountsTimeout
	// FlushReleasesAfterWalk: a flush drops the cache's references only
	// after the walk, once every remove_cb has run [true]
	// (FLUSH-TAIL-WALK). on: the *Ctx; its lock is held.
	FlushReleasesAfterWalk
	// MissCountedWithoutLookup: a server with NO_INTERNAL_LOOKUP counts a
	// miss although it looks nothing up [false] (CNT-MISS-NO-LOOKUP). on:
	// the *Ctx.
	MissCountedWithoutLookup
	// NewCBOnTLS12Resumption: a resumed TLS 1.2 handshake offers its
	// session to the cache and new_session_cb [false]
	// (CB-NEW-NOT-ON-HIT12). on: the *Ctx.
	NewCBOnTLS12Resumption
	// TLS13ServerCachesStateless: a TLS 1.3 server with stateless tickets
	// and no remove_cb caches the sessions of its tickets [false]
	// (HS13-SERVER-CACHE). on: the *Ctx.
	TLS13ServerCachesStateless
	// NewCBTakesReference: the application keeps new_session_cb's
	// reference [ref: whether the callback returned 1] (CB-NEW-RET1). on:
	// the *Ctx.
	NewCBTakesReference
	// TicketNeedsItsKey: only the SSL_CTX whose key sealed a stateless
	// ticket opens it [true] (HS12-FOREIGN-TICKET, HS13-FOREIGN-TICKET);
	// consulted only for a ticket of another key. on: the *Ctx.
	TicketNeedsItsKey
	// EmptyTicketHitRenews: a TLS 1.2 server that resumes a session by id
	// for a client that sent an empty ticket extension still issues a
	// ticket [true] (HS12-EMPTY-TICKET-HIT). on: the *Ctx.
	EmptyTicketHitRenews
	// ExpiredTicketCountsTimeout: an expired TLS 1.2 ticket counts a
	// timeout, as an expired cached session does [true]
	// (HS12-EXPIRED-TICKET). on: the *Ctx.
	ExpiredTicketCountsTimeout
	// ExpiredTLS13Refused: an expired TLS 1.3 ticket does not resume [true]
	// (HS13-EXPIRED). on: the *Ctx.
	ExpiredTLS13Refused
	// StatefulLookupKeepsEntry: a stateful TLS 1.3 ticket found in the
	// cache stays cached [true] (HS13-RESUME). on: the *Ctx.
	StatefulLookupKeepsEntry
	// Ticket12RemovesOld: a TLS 1.2 client with CLIENT caching that gets a
	// ticket for a session with an id removes that session from its cache
	// [true] (TKT-12-DUP). on: the *Conn.
	Ticket12RemovesOld
	// ShutdownReadsTickets: a reading SSL_shutdown processes the tickets
	// that arrived before the peer's close_notify [true]
	// (SHUT-TLS13-READS-TICKETS). on: the *Conn.
	ShutdownReadsTickets

	// ClientCountsConnect: a client counts the handshake it starts in its
	// SSL_CTX's sess_connect [true] (CNT-CONNECT). on: the client's *Ctx.
	ClientCountsConnect
	// ClientCountsResumedGood: a client counts a resumed handshake it
	// completes in sess_connect_good [true] (CNT-CONNECT-GOOD); consulted
	// only for resumed ones. on: the client's *Ctx.
	ClientCountsResumedGood
	// AcceptCountedOnServer: sess_accept counts on the server's SSL_CTX
	// [true]; false counts it on the client's (CNT-ACCEPT). on: the
	// server's *Ctx.
	AcceptCountedOnServer
	// TLS13ServerCountsGood: a TLS 1.3 server counts its completed
	// handshake in sess_accept_good [true] (CNT-ACCEPT-GOOD). on: the
	// server's *Ctx.
	TLS13ServerCountsGood
	// CbHitsCountsInternal: a hit of the internal cache counts in
	// sess_cb_hits too [false] (CNT-CB-HITS). on: the *Ctx.
	CbHitsCountsInternal
	// MatchComparesVersion: SSL_has_matching_session_id looks a session up
	// by the SSL's version and the id [true]; false by the id alone, in
	// any version (MATCH-KEY). on: the *Conn.
	MatchComparesVersion
	// ClearResetsMethod: SSL_clear puts back the SSL_CTX's generic method,
	// whose version reads as TLS 1.3 [true] (MATCH-SSL-VERSION). on: the
	// *Conn.
	ClearResetsMethod
	// ModeReadAtUse: a connection's cache decisions read its SSL_CTX's
	// current cache mode [true]; false: the mode it had at SSL_new
	// (CFG-CACHE-MODE). on: the *Conn.
	ModeReadAtUse
	// OptionsReturnNew: the options calls return the options after the
	// change [true]; false: before it (CFG-OPTIONS-RETURN). on: the *Ctx
	// or the *Conn.
	OptionsReturnNew
	// HandshakeReadsSSLOptions: a handshake reads the connection's own
	// options, copied at SSL_new [true]; false: its SSL_CTX's current
	// ones (CFG-OPTIONS-COPIED). on: the *Conn.
	HandshakeReadsSSLOptions
	// ServerSendsSSLCount: a TLS 1.3 server sends as many tickets as its
	// connection's own num_tickets [true]; false: its SSL_CTX's current
	// count (CFG-NUM-TICKETS). on: the server's *Conn.
	ServerSendsSSLCount
	// ResumedTLS13Copies: a TLS 1.3 server that resumes holds a copy of
	// the session it found instead of the object itself [false]
	// (HS13-RESUME). on: the *Ctx.
	ResumedTLS13Copies
	// GetCBAskedWithoutLookup: with NO_INTERNAL_LOOKUP a server still asks
	// get_session_cb [true] (CB-GET-WHEN). on: the *Ctx.
	GetCBAskedWithoutLookup
	// GetCBCopyTakesRef: when get_session_cb leaves *copy at 1 the library
	// takes a reference of its own [true] (CB-GET-COPY1). on: the *Ctx.
	GetCBCopyTakesRef
	// GetCBNoCopyTakesRef: when get_session_cb writes 0 to *copy the
	// library takes a reference anyway [false] (CB-GET-COPY0). on: the
	// *Ctx.
	GetCBNoCopyTakesRef
	// GetCBReadsNoStore: the session get_session_cb returns is kept out of
	// the internal cache when the mode has NO_INTERNAL_STORE [true]
	// (CB-GET-STORES). on: the *Ctx.
	GetCBReadsNoStore
	// GetCBIgnoresNotResumable: a session get_session_cb returns that is
	// marked not resumable is ignored [true] (CB-GET-NOT-RESUMABLE). on:
	// the *Ctx.
	GetCBIgnoresNotResumable
	// ExtStoreFreesOnRemove: the external cache's remove_cb frees the
	// entry it takes out [true] (CB-EXT-STORE). on: the *Ctx.
	ExtStoreFreesOnRemove
	// RoundTripKeepsTicket: d2i_SSL_SESSION of i2d_SSL_SESSION's bytes
	// carries the session's ticket [true] (SER-ROUNDTRIP-NEW). on: the
	// original *Session.
	RoundTripKeepsTicket
	// RoundTripForgetsMark: the encoding leaves out the not_resumable
	// mark [true] (SER-ROUNDTRIP-FORGETS-MARK). on: the original *Session.
	RoundTripForgetsMark
	// RoundTripFixesZeroTimes: decoding turns a time of 0 into now and a
	// timeout of 0 into 3 [true] (SER-ROUNDTRIP-ZERO-TIMES). on: the
	// original *Session.
	RoundTripFixesZeroTimes
	// DupKeepsMark: SSL_SESSION_dup copies the not_resumable mark [true]
	// (SER-DUP-COPIES). on: the original *Session.
	DupKeepsMark
	// CopySessionIDTakesRef: SSL_copy_session_id takes a reference to the
	// session it gives the target [true] (SER-COPY-SESSION-ID). on: the
	// target *Conn.
	CopySessionIDTakesRef
	// QuietShutdownSilent: SSL_shutdown with quiet shutdown set sends
	// nothing and sets both flags [true] (SHUT-QUIET). on: the *Conn.
	QuietShutdownSilent
	// SetShutdownReplaces: SSL_set_shutdown replaces the flags [true];
	// false: it only adds them (SHUT-SET-FLAGS). on: the *Conn.
	SetShutdownReplaces
	// ReceivedAlertRemoves: a connection that reads its peer's fatal alert
	// takes its session out of the cache [true] (ALERT-RECEIVED-REMOVES).
	// on: the *Conn.
	ReceivedAlertRemoves
	// ConnReadsOwnMaxEarly: a handshake reads the connection's own
	// max_early_data, copied at SSL_new [true]; false: its SSL_CTX's
	// current one (CFG-MAX-EARLY-DATA). on: the *Conn.
	ConnReadsOwnMaxEarly
	// AntiReplayStateful: a TLS 1.3 server with anti-replay on makes its
	// tickets stateful [true] (HS13-ANTI-REPLAY-STATEFUL). on: the *Conn.
	AntiReplayStateful
	// AntiReplayUsesUpTicket: a server with anti-replay on takes a
	// stateful ticket it found out of its cache [true]
	// (HS13-ANTI-REPLAY-SINGLE-USE). on: the server's *Conn.
	AntiReplayUsesUpTicket
	// SidCtxLengthChecked: the session id context set calls refuse a
	// context longer than SSL_MAX_SID_CTX_LENGTH [true] (SIDCTX-TOO-LONG).
	// on: the *Ctx, *Conn or *Session.
	SidCtxLengthChecked
	// SessionSidCtxStored: SSL_SESSION_set1_id_context stores the context
	// [true] (SIDCTX-SET). on: the *Session.
	SessionSidCtxStored
	// ServerUsesSSLSidCtx: a server compares sessions with its
	// connection's own context, copied at NewConn [true]; false: its
	// SSL_CTX's current one (SIDCTX-COPIED). on: the *Conn.
	ServerUsesSSLSidCtx
	// SessionRecordsSSLSidCtx: a new session records its connection's
	// context [true]; false: the SSL_CTX's current one
	// (SIDCTX-NEW-SESSION). on: the *Conn.
	SessionRecordsSSLSidCtx
	// SidCtxCompared: a server refuses a session of another context
	// [true] (SIDCTX-MISMATCH). on: the server's *Conn.
	SidCtxCompared
	// SidCtxMismatchCountsMiss: a session refused for its context counts
	// as a miss [false] (SIDCTX-MISMATCH-UNCOUNTED). on: the *Ctx.
	SidCtxMismatchCountsMiss
	// SidCtxBeforeExpiry: a TLS 1.2 server compares the context before
	// the expiry [true]; false: after it, so an expired session of
	// another context counts as a timeout (SIDCTX-MISMATCH-UNCOUNTED).
	// on: the server's *Conn.
	SidCtxBeforeExpiry
	// StepServerDecidesAtHello: SSL_session_reused is 1 on a resuming
	// server from ClientHello on [true]; false: only after
	// HandshakeFinish (STEP-SERVER-DECIDES). on: the server's *Conn.
	StepServerDecidesAtHello
	// StepAbortRemoves: SSL_free or SSL_clear half way through a handshake
	// applies the bad-session rule as after one [false] (STEP-ABORT-KEEPS).
	// on: the *Conn.
	StepAbortRemoves
	// StepFatalRemoves: a fatal error half way through a handshake removes
	// the session [true] (STEP-FATAL-REMOVES). on: the *Conn.
	StepFatalRemoves
	// StepCopyResumable: a TLS 1.3 server's ticket copy of a session it
	// resumed is resumable even if the session was removed meanwhile
	// [true]; false: it keeps not_resumable, as OpenSSL 3.0.13's
	// ssl_session_dup did (STEP-OVERLAP-COPY-RESUMABLE). on: the server's
	// *Conn.
	StepCopyResumable
	// SwitchKeepsSessionCtx: SSL_set_SSL_CTX leaves the connection's
	// sessions, lookups and callbacks with the SSL_CTX it was made from
	// [true]; false: the new one takes them over (SWITCH-SESSION-CTX).
	// on: the *Conn.
	SwitchKeepsSessionCtx
	// SwitchAcceptOnCurrent: a switched server counts sess_accept and
	// sess_accept_good on its current SSL_CTX [true]; false: on the one it
	// was made from (SWITCH-ACCEPT). on: the server's *Conn.
	SwitchAcceptOnCurrent
	// SwitchSidCtxFollows: SSL_set_SSL_CTX gives the connection the new
	// SSL_CTX's context when it had the old one's [true] (SWITCH-SIDCTX).
	// on: the *Conn.
	SwitchSidCtxFollows
	// SwitchIDModeCurrent: whether a switched server sends an empty
	// session id follows its current SSL_CTX's cache mode [true]; false:
	// the mode of the one it was made from (SWITCH-ID-MODE). on: the
	// server's *Conn.
	SwitchIDModeCurrent
	// SwitchHoldsCurrent: the connection holds a reference on the SSL_CTX
	// SSL_set_SSL_CTX installed [true]; false: it takes none, so the
	// application's SSL_CTX_free destroys it (SWITCH-CTX-REF). on: the
	// *Conn.
	SwitchHoldsCurrent
	// CopySessionIDCopiesSidCtx: SSL_copy_session_id gives the target the
	// source's session id context [true] (SER-COPY-SESSION-ID). on: the
	// target *Conn.
	CopySessionIDCopiesSidCtx
)

// Amount points (Faults.Amount); ref is the reference's number.
const (
	// FirstShutdownResult: what the first SSL_shutdown returns [0]
	// (SHUT-FIRST-SENDS). on: the *Conn.
	FirstShutdownResult Point = iota + 128
	// GetShutdownResult: what SSL_get_shutdown returns [the flags]
	// (SHUT-GET-FLAGS). on: the *Conn.
	GetShutdownResult
	// DefaultTimeout: the lifetime of a session of an SSL_CTX without a
	// timeout of its own [the profile's default] (DEF-TIMEOUT-7200). on:
	// the *Ctx.
	DefaultTimeout
	// SessNumber: SSL_CTX_sess_number [the sessions in the cache]
	// (CNT-NUMBER). on: the Cache; its lock is held.
	SessNumber
	// EvictionCount: what the eviction loop compares with the cache size
	// [the cached sessions plus the one being added] (EVICT-N-1). on: the
	// *Ctx; its lock is held.
	EvictionCount
	// FlushTime: the time a flush removes the sessions expired at [the
	// flush's argument, the current time for the automatic flush; 0:
	// every session] (FLUSH-STRICT, FLUSH-ZERO). on: the *Env.
	FlushTime
	// AutoFlushCount: the handshake count the automatic flush tests
	// against the profile's AutoFlushMask [the SSL_CTX's count of good
	// handshakes on that side] (AUTO-EVERY-256). on: the *Ctx.
	AutoFlushCount
	// StatefulMisses: the misses a stateful TLS 1.3 ticket whose entry is
	// gone counts [1] (HS13-STATEFUL-MISS). on: the *Ctx.
	StatefulMisses
	// EmptySessionTimeout: the timeout SSL_SESSION_new gives [304]
	// (SER-NEW-EMPTY). on: the *Env.
	EmptySessionTimeout
)

// Pick points (Faults.Pick); ref is the reference's session.
const (
	// EvictionVictim: the session eviction removes [the tail, the first to
	// expire] (EVICT-TAIL). on: the Cache; its lock is held.
	EvictionVictim Point = iota + 176
	// RemoveFinds: the cached session that SSL_CTX_remove_session takes
	// out [the one cached under the session's key, or nil]
	// (REMOVE-BY-KEY). on: the *Session asked to be removed; the cache's
	// lock is held.
	RemoveFinds
)

// Step points (Faults.Reach).
const (
	// Get0Returned: SSL_get0_session (through NewTarget) has found the
	// session it returns (SEED-GET0-NOREF). on: the *Session, nil for none.
	Get0Returned Point = iota + 208
	// NewEntryCached: SSL_CTX_add_session has linked a session that was
	// not cached (REF-CACHE-HOLDS). on: the *Session; the cache's lock is
	// held.
	NewEntryCached
	// AfterServerLookup: a handshake between the server's cache lookup and
	// the rest, a window other calls can observe apart. on: the client's
	// *Conn.
	AfterServerLookup
	// BeforeNewSessionCB: an offer to the cache between the insertion and
	// new_session_cb, a window other calls can observe apart. on: the *Conn.
	BeforeNewSessionCB
	// SetTimeWrites: set_time or set_timeout is about to write an uncached
	// session's times (under the session's lock unless
	// SetTimeLocksSession chose otherwise). on: the *Session.
	SetTimeWrites
	// SetTimeLocksOwner: set_time of a cached session between reading the
	// owner and locking it, a window other calls can observe apart. on:
	// the *Session.
	SetTimeLocksOwner
	// EvictSplitWindow, LinkSplitWindow, FlushSplitWindow: inside the steps
	// that EvictsUnderOneLock, LinksUnderOneLock and
	// FlushUnlinksBeforeRelease select, with the cache's lock released.
	// on: the *Ctx.
	EvictSplitWindow
	LinkSplitWindow
	FlushSplitWindow
)

// Cache is an SSL_CTX's session cache as the hooks at SessNumber and
// EvictionVictim see it. It is valid only inside the hook, which runs with
// the cache's lock held.
type Cache struct{ c *Ctx }

// Sessions yields the cached sessions in expiry-list order from the tail
// (the first to expire) to the head.
func (k Cache) Sessions() iter.Seq[*Session] {
	return func(yield func(*Session) bool) {
		for s := k.c.cache.tail; s != nil; s = s.prev {
			if !yield(s) {
				return
			}
		}
	}
}

// The helpers below are what the simulator calls at its points: each keeps
// the reference's value when f or the hook is nil. They are small enough to
// be inlined, so a point costs the reference one pointer test.

func (f *Faults) choose(at Point, on any, ref bool) bool {
	if f == nil || f.Choose == nil {
		return ref
	}
	return f.Choose(at, on, ref)
}

func (f *Faults) amount(at Point, on any, ref int64) int64 {
	if f == nil || f.Amount == nil {
		return ref
	}
	return f.Amount(at, on, ref)
}

func (f *Faults) pick(at Point, on any, ref *Session) *Session {
	if f == nil || f.Pick == nil {
		return ref
	}
	return f.Pick(at, on, ref)
}

func (f *Faults) reach(at Point, on any) {
	if f != nil && f.Reach != nil {
		f.Reach(at, on)
	}
}

// addRef adds delta to a reference count. It is split in two so that the
// reference's path, on every reference taken or dropped, stays inlined.
func (f *Faults) addRef(count *atomic.Int32, delta int32) int32 {
	if f == nil {
		return count.Add(delta)
	}
	return f.addRefHook(count, delta)
}

//go:noinline
func (f *Faults) addRefHook(count *atomic.Int32, delta int32) int32 {
	if f.AddRef == nil {
		return count.Add(delta)
	}
	return f.AddRef(count, delta)
}

// lock returns mu, or a lock that does nothing when a fault chose to leave
// mu out at point at.
func (f *Faults) lock(at Point, on any, mu *sync.Mutex) sync.Locker {
	if f.choose(at, on, true) {
		return mu
	}
	return noLock{}
}

// noLock is the lock a fault leaves out.
type noLock struct{}

func (noLock) Lock()   {}
func (noLock) Unlock() {}
