package mutants

// entry is one row of the catalogue.
type entry struct {
	name, rule, does string
	concurrent       bool
}

// table is the catalogue, by Mutant value (from 1); rule is the rule id as
// docs/spec.md writes it.
var table = [...]entry{
	Get0TakesRef - 1:                 {name: "get0-takes-ref", rule: "SEED-GET0-NOREF", does: "SSL_get0_session takes a reference"},
	Get1NoRef - 1:                    {name: "get1-no-ref", rule: "SEED-GET1-REF", does: "SSL_get1_session takes no reference"},
	ResumableBeforeTicket - 1:        {name: "resumable-before-ticket", rule: "SEED-TLS13-NOT-RESUMABLE", does: "a TLS 1.3 session is resumable before any ticket arrives"},
	TLS13FirstTicketWins - 1:         {name: "tls13-first-ticket-wins", rule: "SEED-TLS13-LAST-WINS", does: "a TLS 1.3 client keeps the first ticket's session and ignores later tickets"},
	CacheDoubleRef - 1:               {name: "cache-double-ref", rule: "REF-CACHE-HOLDS", does: "the cache takes two references for a new entry (hash and list) and drops one"},
	FreeUncleanKeeps - 1:             {name: "free-unclean-keeps", rule: "FREE-BAD-REMOVES", does: "SSL_free without SSL_shutdown keeps the session cached and resumable"},
	FreeBeforeEstablishedRemoves - 1: {name: "free-before-established-removes", rule: "FREE-ONLY-ESTABLISHED", does: "the bad-session rule also removes the session of an SSL that is not established"},
	ClearGoodDrops - 1:               {name: "clear-good-drops", rule: "CLEAR-GOOD-KEEPS", does: "SSL_clear drops the session even after a clean shutdown"},
	ClearKeepsReused - 1:             {name: "clear-keeps-reused", rule: "CLEAR-RESETS-REUSED", does: "SSL_clear leaves SSL_session_reused at 1"},
	SetSessionSkipsBadRule - 1:       {name: "set-session-skips-bad-rule", rule: "SET-BAD-OLD", does: "SSL_set_session replaces the old session without the bad-session rule"},
	ShutdownFirstReturns1 - 1:        {name: "shutdown-first-returns-1", rule: "SHUT-FIRST-SENDS", does: "the first SSL_shutdown returns 1 instead of 0"},
	AlertAfterCloseNotifyRemoves - 1: {name: "alert-after-close-notify-removes", rule: "ALERT-AFTER-CLOSE-NOTIFY", does: "a fatal alert removes the session even after close_notify was sent"},
	ExpiredIDStaysCached - 1:         {name: "expired-id-stays-cached", rule: "HS12-EXPIRED-ID", does: "an expired session found by id stays in the cache"},
	TLS12StatelessGetsID - 1:         {name: "tls12-stateless-gets-id", rule: "HS12-STATELESS-EMPTY-ID", does: "a TLS 1.2 server issuing a ticket still gives its session an id"},
	TLS13ClientReusesTicket - 1:      {name: "tls13-client-reuses-ticket", rule: "HS13-CLIENT-SINGLE-USE", does: "a TLS 1.3 client with CLIENT caching keeps the session it resumed"},
	TLS13ServerAlwaysCaches - 1:      {name: "tls13-server-always-caches", rule: "HS13-SERVER-CACHE", does: "a TLS 1.3 server caches ticket sessions without remove_cb or SSL_OP_NO_TICKET"},
	TicketHintNoSlack - 1:            {name: "ticket-hint-no-slack", rule: "TKT-HINT-SLACK", does: "a TLS 1.3 client drops a ticket as soon as its age exceeds the hint (no second of slack)"},
	AddSameReturns1 - 1:              {name: "add-same-returns-1", rule: "CACHE-ADD-SAME", does: "adding the session that is already cached returns 1"},
	AddReplaceCallsRemoveCB - 1:      {name: "add-replace-calls-remove-cb", rule: "CACHE-ADD-REPLACE", does: "an add that replaces a same-id session calls remove_cb and marks it not resumable"},
	EvictOldest - 1:                  {name: "evict-oldest", rule: "EVICT-TAIL", does: "eviction removes the oldest session (smallest time) instead of the soonest to expire"},
	CapacityN - 1:                    {name: "capacity-n", rule: "EVICT-N-1", does: "a cache of size N holds N sessions instead of N-1"},
	EvictEmptyID - 1:                 {name: "evict-empty-id", rule: "EVICT-EMPTY-ID-STUCK", does: "eviction removes a tail with an empty id instead of stopping"},
	RemoveUncachedNoCB - 1:           {name: "remove-uncached-no-cb", rule: "REMOVE-UNCACHED", does: "SSL_CTX_remove_session of an uncached session neither marks it nor calls remove_cb"},
	RemoveByObject - 1:               {name: "remove-by-object", rule: "REMOVE-BY-KEY", does: "SSL_CTX_remove_session removes only the very object, not whatever is cached under its id"},
	RemoveEmptyIDMarks - 1:           {name: "remove-empty-id-marks", rule: "REMOVE-EMPTY-ID", does: "SSL_CTX_remove_session marks a session with an empty id and calls remove_cb"},
	FlushInclusive - 1:               {name: "flush-inclusive", rule: "FLUSH-STRICT", does: "a flush at t removes sessions with t >= time+timeout"},
	FlushZeroKeeps - 1:               {name: "flush-zero-keeps", rule: "FLUSH-ZERO", does: "a flush with t=0 removes only expired sessions"},
	FlushFreeInterleaved - 1:         {name: "flush-free-interleaved", rule: "FLUSH-TAIL-WALK", does: "a flush frees each session right after its remove_cb instead of after all callbacks"},
	AutoFlushOffByOne - 1:            {name: "autoflush-off-by-one", rule: "AUTO-EVERY-256", does: "the automatic flush fires one handshake early (the 255th instead of the 256th)"},
	CountClientHitMissing - 1:        {name: "count-client-hit-missing", rule: "CNT-HITS", does: "a client does not count a hit for a resumed handshake"},
	CountMissWithoutLookup - 1:       {name: "count-miss-without-lookup", rule: "CNT-MISS-NO-LOOKUP", does: "a server with NO_INTERNAL_LOOKUP still counts a miss"},
	CountTimeoutOnFlush - 1:          {name: "count-timeout-on-flush", rule: "CNT-TIMEOUTS", does: "a flush counts every expired session it removes as a timeout"},
	CountCacheFullOnRemove - 1:       {name: "count-cache-full-on-remove", rule: "CNT-CACHE-FULL", does: "SSL_CTX_remove_session of a cached session counts as cache full"},
	CountNumberResumableOnly - 1:     {name: "count-number-resumable-only", rule: "CNT-NUMBER", does: "SSL_CTX_sess_number leaves out cached sessions that are not resumable"},
	SetTimeNoResort - 1:              {name: "set-time-no-resort", rule: "TIME-RESORT", does: "SSL_SESSION_set_time and set_timeout leave a cached session where it was in the list"},
	NewCBOwnershipInverted - 1:       {name: "newcb-ownership-inverted", rule: "CB-NEW-RET1", does: "the library keeps new_session_cb's reference when it returns 1 and gives it away on 0"},
	NewCBOnTLS12Hit - 1:              {name: "newcb-on-tls12-hit", rule: "CB-NEW-NOT-ON-HIT12", does: "a resumed TLS 1.2 handshake calls new_session_cb (and re-adds the session)"},
	DefaultTimeout300 - 1:            {name: "default-timeout-300", rule: "DEF-TIMEOUT-7200", does: "the default session timeout is the documented 300 s instead of 7200 s"},
	ConnectNotCounted - 1:            {name: "connect-not-counted", rule: "CNT-CONNECT", does: "a client does not count the handshakes it starts in SSL_CTX_sess_connect"},
	ConnectGoodSkipsResumed - 1:      {name: "connect-good-skips-resumed", rule: "CNT-CONNECT-GOOD", does: "SSL_CTX_sess_connect_good leaves out resumed handshakes"},
	AcceptOnClientCtx - 1:            {name: "accept-on-client-ctx", rule: "CNT-ACCEPT", does: "SSL_CTX_sess_accept counts on the client's SSL_CTX instead of the server's"},
	AcceptGoodSkipsTLS13 - 1:         {name: "accept-good-skips-tls13", rule: "CNT-ACCEPT-GOOD", does: "a TLS 1.3 server does not count its completed handshake in SSL_CTX_sess_accept_good"},
	CbHitsCountInternal - 1:          {name: "cb-hits-count-internal", rule: "CNT-CB-HITS", does: "SSL_CTX_sess_cb_hits counts the internal cache's hits too"},
	MatchIgnoresVersion - 1:          {name: "match-ignores-version", rule: "MATCH-KEY", does: "SSL_has_matching_session_id finds a session of any version with that id"},
	MatchKeepsVersionAfterClear - 1:  {name: "match-keeps-version-after-clear", rule: "MATCH-SSL-VERSION", does: "SSL_clear leaves the SSL's version at the one of its last handshake"},
	RefcountUnsynced - 1:             {name: "refcount-unsynced", rule: "CONC-REFCOUNT", does: "SSL_SESSION_up_ref and SSL_SESSION_free read the count, yield, and write it back: concurrent updates are lost", concurrent: true},
	EvictSplitLock - 1:               {name: "evict-split-lock", rule: "CONC-CACHE-ADD", does: "SSL_CTX_add_session counts what to evict, drops the lock, and evicts that many later", concurrent: true},
	ListStalePlace - 1:               {name: "list-stale-place", rule: "CONC-CACHE-ADD", does: "SSL_CTX_add_session finds the session's place in the expiry list, drops the lock, and links it there later", concurrent: true},
	FlushReleaseEarly - 1:            {name: "flush-release-early", rule: "CONC-FLUSH", does: "SSL_CTX_flush_sessions drops each session's cache reference before unlinking it, outside the lock", concurrent: true},
	SetTimeStaleOwner - 1:            {name: "settime-stale-owner", rule: "CONC-SET-TIME", does: "SSL_SESSION_set_time re-links the session into the SSL_CTX it saw before locking it, even if the session left meanwhile (OpenSSL 3.0's code)", concurrent: true},
	SetTimeUnlocked - 1:              {name: "settime-unlocked", rule: "CONC-SET-TIME", does: "SSL_SESSION_set_time writes an uncached session's time without any lock, racing with SSL_CTX_add_session (OpenSSL 3.0's code)", concurrent: true},
}
