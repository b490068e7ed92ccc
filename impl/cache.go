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
	s.UpRef() // the cache's reference, given back if s is already cached
	old := c.cache.byKey[keyOf(s)]
	if old == s {
		c.link(s)
		s.release(call)
		return c.env.mut(MutAddSameReturns1)
	}
	if old != nil {
		c.unlink(old)
		if c.env.mut(MutAddReplaceCallsRemoveCB) {
			c.markRemoved(call, old)
		}
		old.release(call)
	}
	if size := c.size.Load(); size > 0 && !c.env.mut(MutEvictSplitLock) {
		// Count s as the hash table already would.
		for c.countForEviction() >= size && c.cache.tail != nil {
			victim := c.cache.tail
			if c.env.mut(MutEvictOldest) {
				victim = c.oldestLocked()
			}
			if !c.removeLocked(call, victim) {
				if c.env.mut(MutEvictEmptyID) {
					c.unlink(victim)
					victim.release(call)
					c.cacheFull.Add(1)
					continue
				}
				break
			}
			c.cacheFull.Add(1)
		}
	} else if size > 0 {
		c.evictSplit(call, size)
	}
	if c.env.mut(MutListStalePlace) {
		c.linkStale(s)
	} else {
		c.link(s)
	}
	if c.env.mut(MutCacheDoubleRef) {
		s.UpRef()
	}
	return true
}

// RemoveSession takes the session with s's id out of the cache
// (SSL_CTX_remove_session) and reports whether one was there. Unless s has
// an empty id, s is marked not resumable and remove_cb runs even when
// nothing was cached; remove_cb runs after the lock is released, then the
// cache's reference is dropped.
func (c *Ctx) RemoveSession(call context.Context, s *Session) bool {
	if s.id.Len() == 0 {
		if c.env.mut(MutRemoveEmptyIDMarks) {
			c.markRemoved(call, s)
		}
		return false
	}
	c.mu.Lock()
	found := c.cache.byKey[keyOf(s)]
	if found != s && c.env.mut(MutRemoveByObject) {
		found = nil
	}
	if found == nil && c.env.mut(MutRemoveUncachedNoCB) {
		c.mu.Unlock()
		return false
	}
	if found != nil {
		c.unlink(found)
		if c.env.mut(MutCountCacheFullOnRemove) {
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
	if s.id.Len() == 0 {
		return false
	}
	found := c.cache.byKey[keyOf(s)]
	if found != nil {
		c.unlink(found)
	}
	s.notResumable.Store(true)
	if c.onRemove != nil {
		c.onRemove(call, c, s)
	}
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
	if c.env.mut(MutFlushReleaseEarly) {
		c.flushReleasingEarly(call, t)
		return
	}
	var gone []*Session
	if t == 0 && c.env.mut(MutFlushZeroKeeps) {
		t = c.env.Now()
	}
	c.mu.Lock()
	for s := c.cache.tail; s != nil; s = c.cache.tail {
		if t != 0 && !s.expiredAt(t) && !(c.env.mut(MutFlushInclusive) && s.currentExpiry() == t) {
			break
		}
		c.unlink(s)
		s.notResumable.Store(true)
		if c.onRemove != nil {
			c.onRemove(call, c, s)
		}
		if t != 0 && c.env.mut(MutCountTimeoutOnFlush) {
			c.timeouts.Add(1)
		}
		if c.env.mut(MutFlushFreeInterleaved) {
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
// key, with a reference for the caller, or nil (a miss is counted).
func (c *Ctx) lookup(v model.Version, id SessionID) *Session {
	if c.mode&model.CacheNoInternalLookup != 0 {
		if c.env.mut(MutCountMissWithoutLookup) {
			c.misses.Add(1)
		}
		return nil
	}
	c.mu.Lock()
	s := c.cache.byKey[cacheKey{v, id}]
	if s != nil {
		s.UpRef() // under the lock, so no other goroutine can free it first
	}
	c.mu.Unlock()
	if s == nil {
		c.misses.Add(1)
	}
	return s
}

// updateCache is ssl_update_cache: conn has a session to offer the cache
// (the end of a TLS 1.2 handshake, or one TLS 1.3 ticket). side is
// CacheClient or CacheServer. The session may be added to the internal
// cache and handed to new_session_cb; every 256th handshake flushes the
// cache.
func (conn *Conn) updateCache(call context.Context, side model.CacheMode) {
	s, c := conn.sess, conn.ctx
	if s.id.Len() == 0 || s.notResumable.Load() {
		return
	}
	tls13 := conn.version == model.TLS13
	if c.mode&side != 0 && (!conn.hit || tls13 || c.env.mut(MutNewCBOnTLS12Hit)) {
		// A TLS 1.3 server with stateless tickets keeps nothing, unless the
		// application watches removals or uses stateful tickets.
		if c.mode&model.CacheNoInternalStore == 0 && (!tls13 || conn.client || c.onRemove != nil || c.cfg.NoTicket ||
			c.env.mut(MutTLS13ServerAlwaysCaches)) {
			c.AddSession(call, s)
		}
		c.env.yield()
		if c.onNew != nil {
			s.UpRef()
			if keep := c.onNew(call, conn, s); keep == c.env.mut(MutNewCBOwnershipInverted) {
				s.release(call)
			}
		}
	}
	if c.mode&model.CacheNoAutoClear == 0 && c.mode&side == side {
		counter := &c.acceptGood
		if side == model.CacheClient {
			counter = &c.connectGood
		}
		mask := c.env.Profile().AutoFlushMask
		n := counter.Load()
		if c.env.mut(MutAutoFlushOffByOne) {
			n++
		}
		if n&mask == mask {
			c.FlushSessions(call, c.env.Now())
		}
	}
}
