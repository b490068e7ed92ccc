package model

import "slices"

// The session cache of an SSL_CTX is one list kept sorted by expiry time
// (time+timeout), head expiring last, as in OpenSSL 3.0. Its hash table holds
// the same sessions keyed by (protocol version, session id); the model finds
// keys by walking the list, which is the same set.

func expiry(o *sessObj) int64 { return o.time + o.timeout }

// timedOut is sess_timedout: expiry is strict, now > time + timeout.
func timedOut(now int64, o *sessObj) bool { return now > expiry(o) }

// find returns the cached object with r's key, or 0.
func (st *stepper) find(ctx Handle, version Version, id int64) sessRef {
	st.mark(RuleCacheKey)
	for _, c := range st.ctx(ctx).list {
		if o := st.obj(c); o.version == version && o.id == id {
			return c
		}
	}
	return 0
}

func (st *stepper) unlink(ctx Handle, r sessRef) {
	c := st.ctx(ctx)
	if i := slices.Index(c.list, r); i >= 0 {
		c.list = slices.Delete(c.list, i, i+1)
	}
	st.obj(r).owner = 0
}

// link is SSL_SESSION_list_add: take r out if it is in, then put it before
// the first session that expires no later than it does (so among equal
// expiry times the newest is nearest the head, and the tail is the oldest of
// the soonest to expire).
func (st *stepper) link(ctx Handle, r sessRef) {
	c := st.ctx(ctx)
	if i := slices.Index(c.list, r); i >= 0 {
		c.list = slices.Delete(c.list, i, i+1)
	}
	e := expiry(st.obj(r))
	pos := len(c.list)
	for i, x := range c.list {
		if e >= expiry(st.obj(x)) {
			pos = i
			break
		}
	}
	c.list = slices.Insert(c.list, pos, r)
	st.obj(r).owner = ctx
	st.mark(RuleCacheSorted)
	st.mark(RuleSeedOneCTX)
}

// resort moves a cached session to its new place after its time or timeout
// changed (SSL_SESSION_set_time/set_timeout with an owner).
func (st *stepper) resort(r sessRef) {
	if owner := st.obj(r).owner; owner != 0 {
		st.because(RuleTimeResort)
		st.link(owner, r)
	}
}

// lookup is lookup_sess_in_cache on a server: the cached session with that
// key gains a reference for the caller; a miss is counted.
func (st *stepper) lookup(ctx Handle, v Version, id int64) sessRef {
	c := st.ctx(ctx)
	if c.mode&CacheNoInternalLookup != 0 {
		st.because(RuleCntMissNoLookup)
	} else if r := st.find(ctx, v, id); r != 0 {
		st.retain(r)
		return r
	} else {
		st.because(RuleCntMisses)
		c.misses++
	}
	if !c.hasStore() {
		st.mark(RuleCntCBHits) // no get_session_cb to ask instead
		return 0
	}
	return st.getCB(ctx, id)
}

// addSession is SSL_CTX_add_session, from the application or from the
// library's own cache update (whose rule is current and names the new
// entry; the rules of the add itself decide the return value).
func (st *stepper) addSession(ctx Handle, r sessRef) int64 {
	outer := st.rule
	defer st.leave(outer)
	st.mark(RuleCacheAddNew)
	st.mark(RuleRefCacheHolds)
	st.retain(r)
	o := st.obj(r)
	old := st.find(ctx, o.version, o.id)
	decided := RuleCacheAddNew
	if old != 0 && old != r {
		// Another object with the same id: it leaves quietly (no
		// remove_cb, still resumable) and r takes its place.
		st.because(RuleCacheAddReplace)
		decided = RuleCacheAddReplace
		st.concerns(old)
		st.noEvent(old, EvRemove, ctx)
		st.unlink(ctx, old)
		st.release(old)
		old = 0
	}
	if old == r {
		st.because(RuleCacheAddSame)
		st.link(ctx, r)
		st.release(r) // the cache already held its reference
		st.returns(RuleCacheAddSame)
		return 0
	}
	c := st.ctx(ctx)
	if c.size > 0 {
		// Evict before linking r, while the hash table already counts it:
		// a cache of size N >= 2 keeps at most N-1 sessions.
		for int64(len(c.list))+1 >= c.size && len(c.list) > 0 {
			st.because(RuleEvictN1)
			st.concernsCtx(ctx)
			st.mark(RuleEvictTail)
			victim := c.list[len(c.list)-1]
			if st.removeSession(ctx, victim, RuleEvictEvents, RuleEvictEvents) == 0 {
				st.because(RuleEvictEmptyIDStuck)
				st.concerns(victim)
				st.concernsCtx(ctx)
				break
			}
			st.because(RuleEvictEvents)
			c.cacheFull++
			st.mark(RuleCntCacheFull)
		}
	} else {
		st.mark(RuleEvictUnlimited)
	}
	st.because(outer)
	st.link(ctx, r)
	st.returns(decided)
	return 1
}

// removeSession is SSL_CTX_remove_session (and remove_session_lock): a
// session with an empty id is ignored; otherwise whatever the cache holds
// under its id leaves, the session is marked not resumable and remove_cb is
// called, even when nothing was cached.
//
// cached is the rule it applies under (REMOVE-CACHED for the
// application's call, EVICT-EVENTS for an eviction, ...), uncached the one
// for a session nothing was cached under.
func (st *stepper) removeSession(ctx Handle, r sessRef, cached, uncached Rule) int64 {
	defer st.leave(st.enter(cached))
	o := st.obj(r)
	if o.id == 0 {
		st.because(RuleRemoveEmptyID)
		st.noEvent(r, EvRemove, ctx)
		st.returns(RuleRemoveEmptyID)
		return 0
	}
	found := st.find(ctx, o.version, o.id)
	switch {
	case found == 0:
		st.because(uncached)
	case found != r:
		st.because(RuleRemoveByKey)
	}
	st.mark(RuleCBRemoveWhen)
	st.concerns(r)
	if found != 0 {
		st.unlink(ctx, found)
	}
	o.notResumable = true
	if st.ctx(ctx).cfg.RemoveCB {
		st.removeCB(ctx, r)
	}
	if found == 0 {
		st.returns(uncached)
		return 0
	}
	st.release(found)
	st.returns(st.rule)
	return 1
}

// flush is SSL_CTX_flush_sessions: from the tail, every session expired at
// time t (all of them for t == 0) leaves, stopping at the first that has
// not expired; remove_cb runs for each, then they are freed.
func (st *stepper) flush(ctx Handle, t int64) {
	st.mark(RuleFlushTailWalk)
	st.mark(RuleFlushNotTimeouts)
	st.mark(RuleSeedFlushHeldPointer)
	var gone []sessRef
	for {
		c := st.ctx(ctx)
		if len(c.list) == 0 {
			break
		}
		r := c.list[len(c.list)-1]
		if t != 0 && !timedOut(t, st.obj(r)) {
			st.noEvent(r, EvRemove, ctx) // the first session that stays ends the walk
			break
		}
		st.unlink(ctx, r)
		st.obj(r).notResumable = true
		if c.cfg.RemoveCB {
			st.removeCB(ctx, r)
		}
		gone = append(gone, r)
	}
	for _, r := range gone {
		st.release(r)
	}
}

// updateCache is ssl_update_cache, run when a connection has a session to
// offer the cache: at the end of a TLS 1.2 handshake, and per ticket in TLS
// 1.3. It may add the session, call new_session_cb, and flush the cache
// every 256th handshake.
func (st *stepper) updateCache(h Handle, mode CacheMode) {
	l := st.ssl(h)
	o := st.obj(l.sess)
	if o.id == 0 || o.notResumable {
		st.mark(RuleAutoNeedsID)
		st.noEvent(l.sess, EvNewSession, l.ctx)
		return
	}
	c := st.ctx(l.ctx)
	m := c.mode
	switch {
	case m&mode == 0:
		if c.cfg.NewCB != NewCBNone {
			defer st.leave(st.enter(RuleCBNewNeedsMode))
		}
		st.noEvent(l.sess, EvNewSession, l.ctx)
	case l.hit && l.version != TLS13:
		defer st.leave(st.enter(RuleHS12NoUpdateOnHit))
		st.mark(RuleCBNewNotOnHit12)
		st.noEvent(l.sess, EvNewSession, l.ctx)
	default:
		switch {
		case m&CacheNoInternalStore != 0:
			st.mark(RuleCBNewNoStore)
			st.concerns(l.sess)
		case l.version == TLS12 || l.client || c.cfg.RemoveCB || st.statefulTickets13(h):
			st.addSession(l.ctx, l.sess)
		default:
			st.concerns(l.sess) // a TLS 1.3 server that caches nothing
			st.concernsCtx(l.ctx)
		}
		if c.cfg.NewCB != NewCBNone {
			st.mark(RuleSeedNewcbEstablished)
			st.retain(l.sess)
			st.emit(EvNewSession, l.sess, l.ctx)
			switch {
			case c.cfg.NewCB == NewCBReturn1 && c.hasStore():
				st.mark(RuleCBNewRet1)
				st.storePut(l.ctx, l.sess)
			case c.cfg.NewCB == NewCBReturn1:
				st.mark(RuleCBNewRet1)
				st.obj(l.sess).appRefs++
			default:
				if c.cfg.GetCB.Fresh() {
					st.storeBytes(l.ctx, l.sess)
				}
				st.mark(RuleCBNewRet0)
				st.release(l.sess)
			}
		}
	}
	if m&mode != mode {
		return
	}
	if m&CacheNoAutoClear != 0 {
		st.mark(RuleAutoNoAutoClear)
		return
	}
	counter := c.acceptGood
	if mode == CacheClient {
		counter = c.connectGood
	}
	if st.prof.AutoFlushMask != 0 && counter&st.prof.AutoFlushMask == st.prof.AutoFlushMask {
		defer st.leave(st.enter(RuleAutoEvery256))
		st.flush(l.ctx, st.now)
	}
}
