package impl

import (
	"context"

	"github.com/sesslife/sesslife/model"
)

// AddSession puts s into the cache (SSL_CTX_add_session). It reports false
// when s was already there (it is only re-sorted). Another session with the
// same id leaves quietly (no remove_cb, still resumable). A new entry may
// first evict the sessions that expire soonest: a cache of size N >= 2
// keeps at most N-1 sessions, because the hash table already counts s when
// the eviction loop compares. Eviction runs remove_cb and may destroy
// sessions with the lock held.
//
// Adding a session that another SSL_CTX caches corrupts both caches in
// OpenSSL (undefined behaviour); here it panics before changing anything.
func (c *Ctx) AddSession(call context.Context, s *Session) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if owner := s.currentOwner(); owner != nil && owner != c {
		panic("impl: SSL_CTX_add_session: the session is cached in another SSL_CTX")
	}
	f := c.env.faults
	s.UpRef() // the cache's reference, given back if s is already cached
	old := c.cache.byKey[keyOf(s)]
	if old == s {
		c.link(s)
		s.release(call)
		return f.choose(AddExistingResult, c, false)
	}
	if old != nil {
		c.unlink(old)
		if !f.choose(ReplaceIsQuiet, c, true) {
			c.removed(call, old)
		}
		old.release(call)
	}
	if size := c.size.Load(); size > 0 && f.choose(EvictsUnderOneLock, c, true) {
		// The tail goes first: it expires soonest.
		for c.countForEviction() >= size && c.cache.tail != nil {
			if !c.removeLocked(call, f.pick(EvictionVictim, Cache{c}, c.cache.tail)) {
				break // an empty id: the cache grows past its size
			}
			c.cacheFull.Add(1)
		}
	} else if size > 0 {
		c.evictSplit(call, size)
	}
	if f.choose(LinksUnderOneLock, c, true) {
		c.link(s)
	} else {
		c.linkStale(s)
	}
	f.reach(NewEntryCached, s)
	return true
}

// countForEviction is the count the eviction loop compares with the cache
// size: the cached sessions plus the one being added, which the hash table
// already holds in OpenSSL.
func (c *Ctx) countForEviction() int64 {
	return c.env.faults.amount(EvictionCount, c, int64(len(c.cache.byKey))+1)
}

// removed is what a removal does to the session itself: it is marked not
// resumable and remove_cb runs.
func (c *Ctx) removed(call context.Context, s *Session) {
	s.notResumable.Store(true)
	if c.onRemove != nil {
		c.onRemove(call, c, s)
	}
}

// RemoveSession takes the session with s's id out of the cache
// (SSL_CTX_remove_session) and reports whether one was there. Unless s has
// an empty id, s is marked not resumable and remove_cb runs even when
// nothing was cached; remove_cb runs after the lock is released, then the
// cache's reference is dropped.
func (c *Ctx) RemoveSession(call context.Context, s *Session) bool {
	f := c.env.faults
	if s.id.Len() == 0 {
		if !f.choose(RemoveIgnoresEmptyID, c, true) {
			c.removed(call, s)
		}
		return false
	}
	c.mu.Lock()
	found := f.pick(RemoveFinds, s, c.cache.byKey[keyOf(s)])
	if found == nil && !f.choose(RemoveHandlesUncached, c, true) {
		c.mu.Unlock()
		return false
	}
	if found != nil {
		c.unlink(found)
		if f.choose(RemoveCountsCacheFull, c, false) {
			c.cacheFull.Add(1)
		}
	}
	s.notResumable.Store(true)
	c.mu.Unlock()
	if c.onRemove != nil {
		c.onRemove(call, c, s)
	}
	if found == nil {
		return false
	}
	found.release(call)
	return true
}

// removeLocked is RemoveSession for a caller holding the lock (eviction):
// remove_cb and the release happen inside the lock.
func (c *Ctx) removeLocked(call context.Context, s *Session) bool {
	if s.id.Len() == 0 && c.env.faults.choose(EvictionRefusesEmptyID, c, true) {
		return false
	}
	found := c.cache.byKey[keyOf(s)]
	if found != nil {
		c.unlink(found)
	}
	c.removed(call, s)
	if found == nil {
		return false
	}
	found.release(call)
	return true
}

// FlushSessions removes the sessions that have expired at time t, every
// session when t is 0 (SSL_CTX_flush_sessions). It walks from the tail and
// stops at the first session still valid. remove_cb runs inside the lock;
// the sessions are released after it is dropped, in the order they left.
func (c *Ctx) FlushSessions(call context.Context, t int64) {
	f := c.env.faults
	t = f.amount(FlushTime, c.env, t)
	if !f.choose(FlushUnlinksBeforeRelease, c, true) {
		c.flushReleasingEarly(call, t)
		return
	}
	var gone []*Session
	c.mu.Lock()
	for s := c.cache.tail; s != nil; s = c.cache.tail {
		if t != 0 && !s.expiredAt(t) {
			break
		}
		c.unlink(s)
		c.removed(call, s)
		if t != 0 && f.choose(FlushCountsTimeout, c, false) {
			c.timeouts.Add(1)
		}
		if !f.choose(FlushReleasesAfterWalk, c, true) {
			s.release(call)
			continue
		}
		gone = append(gone, s)
	}
	c.mu.Unlock()
	for _, s := range gone {
		s.release(call)
	}
}

// lookup is lookup_sess_in_cache on a server: the cached session with that
// key, with a reference for the caller, or nil (a miss is counted); then,
// if it found nothing, the external cache's get_session_cb.
func (c *Ctx) lookup(call context.Context, conn *Conn, v model.Version, id SessionID) *Session {
	if c.Mode()&model.CacheNoInternalLookup != 0 {
		if c.env.faults.choose(MissCountedWithoutLookup, c, false) {
			c.misses.Add(1)
		}
		if !c.env.faults.choose(GetCBAskedWithoutLookup, c, true) {
			return nil
		}
		return c.askGetCB(call, conn, id)
	}
	c.mu.Lock()
	s := c.cache.byKey[cacheKey{v, id}]
	if s != nil {
		s.UpRef() // under the lock, so no other goroutine can free it first
	}
	c.mu.Unlock()
	if s == nil {
		c.misses.Add(1)
		return c.askGetCB(call, conn, id)
	} else if c.env.faults.choose(CbHitsCountsInternal, c, false) {
		c.cbHits.Add(1)
	}
	return s
}

// askGetCB is the external cache's half of lookup_sess_in_cache: the
// session get_session_cb returns gains a reference for the caller (its own,
// or the callback's with *copy = 0), counts in sess_cb_hits, and is added
// to the internal cache unless the mode has NO_INTERNAL_STORE.
func (c *Ctx) askGetCB(call context.Context, conn *Conn, id SessionID) *Session {
	if c.onGet == nil {
		return nil
	}
	f := c.env.faults
	s, copy := c.onGet(call, conn, id)
	if s == nil {
		return nil
	}
	if s.notResumable.Load() && f.choose(GetCBIgnoresNotResumable, c, true) {
		// OpenSSL 3.0.14 and later: ignored, and what *copy = 0 handed
		// over is freed.
		if !copy {
			s.release(call)
		}
		return nil
	}
	c.cbHits.Add(1)
	if copy && f.choose(GetCBCopyTakesRef, c, true) || !copy && f.choose(GetCBNoCopyTakesRef, c, false) {
		s.UpRef()
	}
	if c.Mode()&model.CacheNoInternalStore == 0 || !f.choose(GetCBReadsNoStore, c, true) {
		c.AddSession(call, s)
	}
	return s
}

// updateCache is ssl_update_cache: conn has a session to offer the cache
// (the end of a TLS 1.2 handshake, or one TLS 1.3 ticket). side is
// CacheClient or CacheServer. The session may be added to the internal
// cache and handed to new_session_cb; every 256th handshake flushes the
// cache.
func (conn *Conn) updateCache(call context.Context, side model.CacheMode) {
	s, c, f := conn.sess, conn.ctx, conn.ctx.env.faults
	if s.id.Len() == 0 || s.notResumable.Load() {
		return
	}
	tls13 := conn.version == model.TLS13
	mode := conn.cacheMode()
	if mode&side != 0 && (!conn.hit || tls13 || f.choose(NewCBOnTLS12Resumption, c, false)) {
		// A TLS 1.3 server with stateless tickets keeps nothing, unless the
		// application watches removals or uses stateful tickets.
		if mode&model.CacheNoInternalStore == 0 && (!tls13 || conn.client || c.onRemove != nil || conn.statefulTickets13() ||
			f.choose(TLS13ServerCachesStateless, c, false)) {
			c.AddSession(call, s)
		}
		f.reach(BeforeNewSessionCB, conn)
		if c.onNew != nil {
			s.UpRef()
			if keep := c.onNew(call, conn, s); !f.choose(NewCBTakesReference, c, keep) {
				s.release(call)
			}
		}
	}
	if mode&model.CacheNoAutoClear == 0 && mode&side == side {
		counter := &c.acceptGood
		if side == model.CacheClient {
			counter = &c.connectGood
		}
		mask := c.env.Profile().AutoFlushMask
		if n := f.amount(AutoFlushCount, c, counter.Load()); n&mask == mask {
			c.FlushSessions(call, c.env.Now())
		}
	}
}
