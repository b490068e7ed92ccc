package impl

import (
	"context"
	"fmt"
	"strings"
)

// Mutants are deliberately wrong versions of this simulator, each breaking
// one rule of docs/spec.md. They exist to show that the checking engines
// reject wrong implementations: `sesslife mutants` runs every engine against
// every mutant and prints which engines kill which (docs/mutants.md).
//
// The mechanism is one set of flags per universe. [NewTarget] with
// [WithMutant] stores the set in the [Env] before any object exists, and
// each mutated spot reads it with env.mut(M): a load and a bit test on a
// word that is zero unless a mutant is enabled. Objects made with [NewEnv]
// directly never carry mutants. To add a mutant: a constant below (keep the
// sequential and concurrent groups apart), its entry in Mutants, and an
// `if ….mut(MutX)` at the spot it breaks, nothing else.

// Mutant names one deliberately wrong behaviour.
type Mutant uint8

// Sequential mutants: each breaks one rule that a single call sequence can
// show, so the lockstep engines (rapid, gopter, the fuzz decoder) can kill it.
const (
	MutGet0TakesRef Mutant = iota + 1
	MutGet1NoRef
	MutResumableBeforeTicket
	MutTLS13FirstTicketWins
	MutCacheDoubleRef
	MutFreeUncleanKeeps
	MutFreeBeforeEstablishedRemoves
	MutClearGoodDrops
	MutClearKeepsReused
	MutSetSessionSkipsBadRule
	MutShutdownFirstReturns1
	MutAlertAfterCloseNotifyRemoves
	MutExpiredIDStaysCached
	MutTLS12StatelessGetsID
	MutTLS13ClientReusesTicket
	MutTLS13ServerAlwaysCaches
	MutTicketHintNoSlack
	MutAddSameReturns1
	MutAddReplaceCallsRemoveCB
	MutEvictOldest
	MutCapacityN
	MutEvictEmptyID
	MutRemoveUncachedNoCB
	MutRemoveByObject
	MutRemoveEmptyIDMarks
	MutFlushInclusive
	MutFlushZeroKeeps
	MutFlushFreeInterleaved
	MutAutoFlushOffByOne
	MutCountClientHitMissing
	MutCountMissWithoutLookup
	MutCountTimeoutOnFlush
	MutCountCacheFullOnRemove
	MutCountNumberResumableOnly
	MutSetTimeNoResort
	MutNewCBOwnershipInverted
	MutNewCBOnTLS12Hit
	MutDefaultTimeout300

	// Concurrent mutants break a locking or atomicity rule; a sequence run
	// on one goroutine cannot see them (the linearizability runner and the
	// race detector can). They go below this line, with Concurrent set in
	// their MutantInfo. Their code paths are in concurrency.go; each yields
	// inside its race window so that the window is hit often.
	MutRefcountUnsynced
	MutEvictSplitLock
	MutListStalePlace
	MutFlushReleaseEarly
	MutSetTimeStaleOwner
	MutSetTimeUnlocked
)

// MutantInfo describes one mutant for reports.
type MutantInfo struct {
	Mutant Mutant
	// Name is the mutant's id on command lines, e.g. "get0-takes-ref".
	Name string
	// Rule is the docs/spec.md rule id it breaks.
	Rule string
	// Does says in one line what the mutant does instead.
	Does string
	// Concurrent: only visible under concurrency (see the const groups).
	Concurrent bool
}

// Mutants returns every mutant, in declaration order. The slice is new on
// every call.
func Mutants() []MutantInfo {
	return []MutantInfo{
		{MutGet0TakesRef, "get0-takes-ref", "SEED-GET0-NOREF", "SSL_get0_session takes a reference", false},
		{MutGet1NoRef, "get1-no-ref", "SEED-GET1-REF", "SSL_get1_session takes no reference", false},
		{MutResumableBeforeTicket, "resumable-before-ticket", "SEED-TLS13-NOT-RESUMABLE",
			"a TLS 1.3 session is resumable before any ticket arrives", false},
		{MutTLS13FirstTicketWins, "tls13-first-ticket-wins", "SEED-TLS13-LAST-WINS",
			"a TLS 1.3 client keeps the first ticket's session and ignores later tickets", false},
		{MutCacheDoubleRef, "cache-double-ref", "REF-CACHE-HOLDS",
			"the cache takes two references for a new entry (hash and list) and drops one", false},
		{MutFreeUncleanKeeps, "free-unclean-keeps", "FREE-BAD-REMOVES",
			"SSL_free without SSL_shutdown keeps the session cached and resumable", false},
		{MutFreeBeforeEstablishedRemoves, "free-before-established-removes", "FREE-ONLY-ESTABLISHED",
			"the bad-session rule also removes the session of an SSL that is not established", false},
		{MutClearGoodDrops, "clear-good-drops", "CLEAR-GOOD-KEEPS",
			"SSL_clear drops the session even after a clean shutdown", false},
		{MutClearKeepsReused, "clear-keeps-reused", "CLEAR-RESETS-REUSED",
			"SSL_clear leaves SSL_session_reused at 1", false},
		{MutSetSessionSkipsBadRule, "set-session-skips-bad-rule", "SET-BAD-OLD",
			"SSL_set_session replaces the old session without the bad-session rule", false},
		{MutShutdownFirstReturns1, "shutdown-first-returns-1", "SHUT-FIRST-SENDS",
			"the first SSL_shutdown returns 1 instead of 0", false},
		{MutAlertAfterCloseNotifyRemoves, "alert-after-close-notify-removes", "ALERT-AFTER-CLOSE-NOTIFY",
			"a fatal alert removes the session even after close_notify was sent", false},
		{MutExpiredIDStaysCached, "expired-id-stays-cached", "HS12-EXPIRED-ID",
			"an expired session found by id stays in the cache", false},
		{MutTLS12StatelessGetsID, "tls12-stateless-gets-id", "HS12-STATELESS-EMPTY-ID",
			"a TLS 1.2 server issuing a ticket still gives its session an id", false},
		{MutTLS13ClientReusesTicket, "tls13-client-reuses-ticket", "HS13-CLIENT-SINGLE-USE",
			"a TLS 1.3 client with CLIENT caching keeps the session it resumed", false},
		{MutTLS13ServerAlwaysCaches, "tls13-server-always-caches", "HS13-SERVER-CACHE",
			"a TLS 1.3 server caches ticket sessions without remove_cb or SSL_OP_NO_TICKET", false},
		{MutTicketHintNoSlack, "ticket-hint-no-slack", "TKT-HINT-SLACK",
			"a TLS 1.3 client drops a ticket as soon as its age exceeds the hint (no second of slack)", false},
		{MutAddSameReturns1, "add-same-returns-1", "CACHE-ADD-SAME",
			"adding the session that is already cached returns 1", false},
		{MutAddReplaceCallsRemoveCB, "add-replace-calls-remove-cb", "CACHE-ADD-REPLACE",
			"an add that replaces a same-id session calls remove_cb and marks it not resumable", false},
		{MutEvictOldest, "evict-oldest", "EVICT-TAIL",
			"eviction removes the oldest session (smallest time) instead of the soonest to expire", false},
		{MutCapacityN, "capacity-n", "EVICT-N-1", "a cache of size N holds N sessions instead of N-1", false},
		{MutEvictEmptyID, "evict-empty-id", "EVICT-EMPTY-ID-STUCK",
			"eviction removes a tail with an empty id instead of stopping", false},
		{MutRemoveUncachedNoCB, "remove-uncached-no-cb", "REMOVE-UNCACHED",
			"SSL_CTX_remove_session of an uncached session neither marks it nor calls remove_cb", false},
		{MutRemoveByObject, "remove-by-object", "REMOVE-BY-KEY",
			"SSL_CTX_remove_session removes only the very object, not whatever is cached under its id", false},
		{MutRemoveEmptyIDMarks, "remove-empty-id-marks", "REMOVE-EMPTY-ID",
			"SSL_CTX_remove_session marks a session with an empty id and calls remove_cb", false},
		{MutFlushInclusive, "flush-inclusive", "FLUSH-STRICT", "a flush at t removes sessions with t >= time+timeout", false},
		{MutFlushZeroKeeps, "flush-zero-keeps", "FLUSH-ZERO", "a flush with t=0 removes only expired sessions", false},
		{MutFlushFreeInterleaved, "flush-free-interleaved", "FLUSH-TAIL-WALK",
			"a flush frees each session right after its remove_cb instead of after all callbacks", false},
		{MutAutoFlushOffByOne, "autoflush-off-by-one", "AUTO-EVERY-256",
			"the automatic flush fires one handshake early (the 255th instead of the 256th)", false},
		{MutCountClientHitMissing, "count-client-hit-missing", "CNT-HITS",
			"a client does not count a hit for a resumed handshake", false},
		{MutCountMissWithoutLookup, "count-miss-without-lookup", "CNT-MISS-NO-LOOKUP",
			"a server with NO_INTERNAL_LOOKUP still counts a miss", false},
		{MutCountTimeoutOnFlush, "count-timeout-on-flush", "CNT-TIMEOUTS",
			"a flush counts every expired session it removes as a timeout", false},
		{MutCountCacheFullOnRemove, "count-cache-full-on-remove", "CNT-CACHE-FULL",
			"SSL_CTX_remove_session of a cached session counts as cache full", false},
		{MutCountNumberResumableOnly, "count-number-resumable-only", "CNT-NUMBER",
			"SSL_CTX_sess_number leaves out cached sessions marked not resumable", false},
		{MutSetTimeNoResort, "set-time-no-resort", "TIME-RESORT",
			"SSL_SESSION_set_time and set_timeout leave a cached session where it was in the list", false},
		{MutNewCBOwnershipInverted, "newcb-ownership-inverted", "CB-NEW-RET1",
			"the library keeps new_session_cb's reference when it returns 1 and gives it away on 0", false},
		{MutNewCBOnTLS12Hit, "newcb-on-tls12-hit", "CB-NEW-NOT-ON-HIT12",
			"a resumed TLS 1.2 handshake calls new_session_cb (and re-adds the session)", false},
		{MutDefaultTimeout300, "default-timeout-300", "DEF-TIMEOUT-7200",
			"the default session timeout is the documented 300 s instead of 7200 s", false},
		{MutRefcountUnsynced, "refcount-unsynced", "CONC-REFCOUNT",
			"SSL_SESSION_up_ref and SSL_SESSION_free read the count, yield, and write it back: concurrent updates are lost", true},
		{MutEvictSplitLock, "evict-split-lock", "CONC-CACHE-ADD",
			"SSL_CTX_add_session counts what to evict, drops the lock, and evicts that many later", true},
		{MutListStalePlace, "list-stale-place", "CONC-CACHE-ADD",
			"SSL_CTX_add_session finds the session's place in the expiry list, drops the lock, and links it there later", true},
		{MutFlushReleaseEarly, "flush-release-early", "CONC-FLUSH",
			"SSL_CTX_flush_sessions drops each session's cache reference before unlinking it, outside the lock", true},
		{MutSetTimeStaleOwner, "settime-stale-owner", "CONC-SET-TIME",
			"SSL_SESSION_set_time re-links the session into the SSL_CTX it saw before locking it, even if the session left meanwhile (OpenSSL 3.0's code)", true},
		{MutSetTimeUnlocked, "settime-unlocked", "CONC-SET-TIME",
			"SSL_SESSION_set_time writes an uncached session's time without any lock, racing with SSL_CTX_add_session (OpenSSL 3.0's code)", true},
	}
}

// String returns the mutant's name.
func (m Mutant) String() string {
	for _, i := range Mutants() {
		if i.Mutant == m {
			return i.Name
		}
	}
	return fmt.Sprintf("Mutant(%d)", uint8(m))
}

// Info returns the mutant's description; ok is false for an unknown value.
func (m Mutant) Info() (MutantInfo, bool) {
	for _, i := range Mutants() {
		if i.Mutant == m {
			return i, true
		}
	}
	return MutantInfo{}, false
}

// ParseMutant returns the mutant with the given name.
func ParseMutant(name string) (Mutant, error) {
	var names []string
	for _, i := range Mutants() {
		if i.Name == name {
			return i.Mutant, nil
		}
		names = append(names, i.Name)
	}
	return 0, fmt.Errorf("impl: unknown mutant %q (known: %s)", name, strings.Join(names, ", "))
}

// mutantSet holds the enabled mutants, bit m for Mutant m.
type mutantSet uint64

// WithMutant makes NewTarget build a universe in which the given mutants
// are enabled. It panics on a value that names no mutant: a harness bug.
func WithMutant(ms ...Mutant) Option {
	return func(c *targetConfig) {
		for _, m := range ms {
			if _, ok := m.Info(); !ok || m >= 64 {
				panic(fmt.Sprintf("impl.WithMutant: %d names no mutant", m))
			}
			c.mutants |= 1 << m
		}
	}
}

// mut reports whether mutant m is enabled in this universe.
func (e *Env) mut(m Mutant) bool { return e.mutants&(1<<m) != 0 }

// names lists the enabled mutants, for Info().Name.
func (s mutantSet) names() []string {
	var out []string
	for _, i := range Mutants() {
		if s&(1<<i.Mutant) != 0 {
			out = append(out, i.Name)
		}
	}
	return out
}

// The helpers below exist for mutants only; the correct paths never call
// the parts that differ.

// countForEviction is the count the eviction loop compares with the cache
// size: the cached sessions plus the one being added, which the hash table
// already holds in OpenSSL (MutCapacityN forgets it).
func (c *Ctx) countForEviction() int64 {
	n := int64(len(c.cache.byKey)) + 1
	if c.env.mut(MutCapacityN) {
		n--
	}
	return n
}

// oldestLocked returns the cached session with the smallest time, the one
// nearest the tail among equals (MutEvictOldest's victim). c.mu is held.
func (c *Ctx) oldestLocked() *Session {
	victim := c.cache.tail
	for s := c.cache.tail; s != nil; s = s.prev {
		if s.Time() < victim.Time() {
			victim = s
		}
	}
	return victim
}

// markRemoved does what a removal does to the session itself: mark it not
// resumable and call remove_cb.
func (c *Ctx) markRemoved(call context.Context, s *Session) {
	s.notResumable.Store(true)
	if c.onRemove != nil {
		c.onRemove(call, c, s)
	}
}

// countResumableLocked counts the cached sessions not marked not resumable
// (MutCountNumberResumableOnly's sess_number). c.mu is held.
func (c *Ctx) countResumableLocked() int64 {
	n := int64(0)
	for _, s := range c.cache.byKey {
		if !s.notResumable.Load() {
			n++
		}
	}
	return n
}
