package impl

import "context"

// The steps below are not the reference's: each is one of the cache's
// critical sections split in two, selected only by a fault at the choice
// point it names (see Faults). They are here because only this package can
// take a cache's lock. Each gives other goroutines a chance to run in its
// window, at a step point, so that the interleaving that exposes it can be
// made common rather than rare.

// evictSplit is the eviction of AddSession decided under one lock
// acquisition and done under another (EvictsUnderOneLock): how many
// sessions to evict is counted first, the lock is dropped, and that many
// are evicted later from whatever the cache holds then. c.mu is held on
// entry and on return.
func (c *Ctx) evictSplit(call context.Context, size int64) {
	n := min(c.countForEviction()-size+1, int64(len(c.cache.byKey)))
	c.mu.Unlock()
	c.env.faults.reach(EvictSplitWindow, c)
	c.mu.Lock()
	for ; n > 0 && c.cache.tail != nil; n-- {
		if !c.removeLocked(call, c.cache.tail) {
			break
		}
		c.cacheFull.Add(1)
	}
}

// linkStale links s where the list said it belonged before the lock was
// dropped and taken again (LinksUnderOneLock): sessions linked or re-timed
// meanwhile leave the list out of order. c.mu is held on entry and return.
func (c *Ctx) linkStale(s *Session) {
	at := c.cache.head
	e := s.currentExpiry()
	for at != nil && e < at.currentExpiry() {
		at = at.next
	}
	c.mu.Unlock()
	c.env.faults.reach(LinkSplitWindow, c)
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
// (FlushUnlinksBeforeRelease): a removal or another flush in that window
// drops the same reference again.
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
		c.env.faults.reach(FlushSplitWindow, c)
		c.mu.Lock()
		if s.currentOwner() == c { // else someone else took it out meanwhile
			c.unlink(s)
			c.removed(call, s)
		}
		c.mu.Unlock()
	}
}
