package impl

import (
	"context"
	"runtime"
)

// This file holds the simulator's concurrency testing aids: yield points,
// and the code paths of the concurrent mutants (mutants.go lists them).
// Both exist for the linearizability checks (package linearizability).
//
// A call here is a few microseconds of work, far less than a scheduling
// quantum, so goroutines that call the simulator at once rarely overlap
// inside a call. With WithYields every universe gives up the processor
// between steps of a call that other calls can observe apart: between a
// handshake's server-side cache lookup and the rest of it, between a cache
// insertion and new_session_cb, and between reading a session's owner and
// locking it in set_time, so that
// other calls run in between, as they do on a loaded machine. Results do not
// change. (A yield where nothing observable happens after it, such as after
// a removal has unlocked, would only lengthen the call, which makes the
// linearizability search slower and finds nothing.)
//
// A concurrent mutant widens its own race window the same way, always, so
// that the interleaving that exposes it is common rather than rare.

// WithYields makes NewTarget's universes yield between the steps of a call
// (see above). It is a testing aid: correct results, slower calls.
func WithYields() Option {
	return func(c *targetConfig) { c.yields = true }
}

// yield gives up the processor when the universe was made WithYields.
func (e *Env) yield() {
	if e.yields {
		runtime.Gosched()
	}
}

// The mutated paths below are reached only when their mutant is enabled.

// upRefUnsynced is UpRef done as a read, a yield and a write
// (MutRefcountUnsynced): an update made in between is lost.
func (s *Session) upRefUnsynced() {
	n := s.refs.Load()
	runtime.Gosched()
	s.refs.Store(n + 1)
	if n+1 <= 1 {
		panic("impl: SSL_SESSION_up_ref: the session was already destroyed (use after free)")
	}
}

// releaseUnsynced is release done as a read, a yield and a write
// (MutRefcountUnsynced).
func (s *Session) releaseUnsynced(call context.Context) {
	n := s.refs.Load()
	runtime.Gosched()
	n--
	s.refs.Store(n)
	if n > 0 {
		return
	}
	if n < 0 {
		panic("impl: SSL_SESSION_free: reference count below zero (double free)")
	}
	s.env.live.Add(-1)
	if s.env.onDestroy != nil {
		s.env.onDestroy(call, s)
	}
}

// evictSplit is the eviction of AddSession decided under one lock
// acquisition and done under another (MutEvictSplitLock): how many sessions
// to evict is counted first, the lock is dropped, and that many are evicted
// later from whatever the cache holds then. c.mu is held on entry and on
// return.
func (c *Ctx) evictSplit(call context.Context, size int64) {
	n := min(c.countForEviction()-size+1, int64(len(c.cache.byKey)))
	c.mu.Unlock()
	runtime.Gosched()
	c.mu.Lock()
	for ; n > 0 && c.cache.tail != nil; n-- {
		if !c.removeLocked(call, c.cache.tail) {
			break
		}
		c.cacheFull.Add(1)
	}
}

// linkStale links s where the list said it belonged before the lock was
// dropped and taken again (MutListStalePlace): sessions linked or re-timed
// meanwhile leave the list out of order. c.mu is held on entry and return.
func (c *Ctx) linkStale(s *Session) {
	at := c.cache.head
	e := s.currentExpiry()
	for at != nil && e < at.currentExpiry() {
		at = at.next
	}
	c.mu.Unlock()
	runtime.Gosched()
	c.mu.Lock()
	if at != nil && at.currentOwner() != c {
		at = nil // it left the cache meanwhile: link at the tail
	}
	k := &c.cache
	k.remove(s)
	if at == s {
		at = nil
	}
	k.insertBefore(s, at)
	k.byKey[keyOf(s)] = s
	s.mu.Lock()
	s.owner = c
	s.mu.Unlock()
}

// flushReleasingEarly is FlushSessions that gives up each expired session's
// cache reference before unlinking it, with the lock dropped in between
// (MutFlushReleaseEarly): a removal or another flush in that window drops
// the same reference again.
func (c *Ctx) flushReleasingEarly(call context.Context, t int64) {
	for {
		c.mu.Lock()
		s := c.cache.tail
		if s == nil || (t != 0 && !s.expiredAt(t)) {
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		s.release(call)
		runtime.Gosched()
		c.mu.Lock()
		if s.currentOwner() == c { // else someone else took it out meanwhile
			c.unlink(s)
			s.notResumable.Store(true)
			if c.onRemove != nil {
				c.onRemove(call, c, s)
			}
		}
		c.mu.Unlock()
	}
}

// setTimesStaleOwner is setTimes that re-links the session into the SSL_CTX
// it saw before taking that SSL_CTX's lock, without checking that the
// session is still there (MutSetTimeStaleOwner), as SSL_SESSION_set_time
// does in OpenSSL 3.0: a session removed meanwhile goes back into the cache
// without the reference the cache should hold.
func (s *Session) setTimesStaleOwner(set func()) {
	owner := s.currentOwner()
	if owner == nil {
		s.mu.Lock()
		set()
		s.mu.Unlock()
		return
	}
	runtime.Gosched()
	owner.mu.Lock()
	defer owner.mu.Unlock()
	s.mu.Lock()
	set()
	s.mu.Unlock()
	owner.link(s)
}

// setTimesUnlocked is setTimes that writes the time of a session in no
// cache without any lock (MutSetTimeUnlocked), as OpenSSL 3.0 does: an
// SSL_CTX_add_session of the same session at the same time reads a time
// being written (a data race) and may sort it by the old one.
func (s *Session) setTimesUnlocked(set func()) {
	if owner := s.currentOwner(); owner != nil {
		owner.mu.Lock()
		defer owner.mu.Unlock()
		s.mu.Lock()
		set()
		s.mu.Unlock()
		owner.link(s)
		return
	}
	runtime.Gosched()
	set()
}
