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
}

// resort moves a cached session to its new place after its time or timeout
// changed (SSL_SESSION_set_time/set_timeout with an owner).
func (st *stepper) resort(r sessRef) {
	if owner := st.obj(r).owner; owner != 0 {
		st.link(owner, r)
	}
}

// lookup is lookup_sess_in_cache on a server: the cached session with that
// key gains a reference for the caller; a miss is counted.
func (st *stepper) lookup(ctx Handle, v Version, id int64) sessRef {
	c := st.ctx(ctx)
	if c.mode&CacheNoInternalLookup != 0 {
		return 0
	}
	r := st.find(ctx, v, id)
	if r == 0 {
		c.misses++
		return 0
	}
	st.retain(r)
	return r
}

// addSession is SSL_CTX_add_session.
func (st *stepper) addSession(ctx Handle, r sessRef) int64 {
	st.retain(r)
	o := st.obj(r)
	old := st.find(ctx, o.version, o.id)
	if old != 0 && old != r {
		// Another object with the same id: it leaves quietly (no
		// remove_cb, still resumable) and r takes its place.
		st.unlink(ctx, old)
		st.release(old)
		old = 0
	}
	if old == r {
		st.link(ctx, r)
		st.release(r) // the cache already held its reference
		return 0
	}
	c := st.ctx(ctx)
	if c.size > 0 {
		// Evict before linking r, while the hash table already counts it:
		// a cache of size N >= 2 keeps at most N-1 sessions.
		for int64(len(c.list))+1 >= c.size && len(c.list) > 0 {
			if st.removeSession(ctx, c.list[len(c.list)-1]) == 0 {
				break
			}
			c.cacheFull++
		}
	}
	st.link(ctx, r)
	return 1
}

// removeSession is SSL_CTX_remove_session (and remove_session_lock): a
// session with an empty id is ignored; otherwise whatever the cache holds
// under its id leaves, the session is marked not resumable and remove_cb is
// called, even when nothing was cached.
func (st *stepper) removeSession(ctx Handle, r sessRef) int64 {
	o := st.obj(r)
	if o.id == 0 {
		return 0
	}
	found := st.find(ctx, o.version, o.id)
	if found != 0 {
		st.unlink(ctx, found)
	}
	o.notResumable = true
	if st.ctx(ctx).cfg.RemoveCB {
		st.emit(EvRemove, r, ctx)
	}
	if found == 0 {
		return 0
	}
	st.release(found)
	return 1
}

// flush is SSL_CTX_flush_sessions: from the tail, every session expired at
// time t (all of them for t == 0) leaves, stopping at the first that has
// not expired; remove_cb runs for each, then they are freed.
func (st *stepper) flush(ctx Handle, t int64) {
	var gone []sessRef
	for {
		c := st.ctx(ctx)
		if len(c.list) == 0 {
			break
		}
		r := c.list[len(c.list)-1]
		if t != 0 && !timedOut(t, st.obj(r)) {
			break
		}
		st.unlink(ctx, r)
		st.obj(r).notResumable = true
		if c.cfg.RemoveCB {
			st.emit(EvRemove, r, ctx)
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
		return
	}
	c := st.ctx(l.ctx)
	m := c.mode
	if m&mode != 0 && (!l.hit || l.version == TLS13) {
		if m&CacheNoInternalStore == 0 &&
			(l.version == TLS12 || l.client || c.cfg.RemoveCB || c.cfg.NoTicket) {
			st.addSession(l.ctx, l.sess)
		}
		if c.cfg.NewCB != NewCBNone {
			st.retain(l.sess)
			st.emit(EvNewSession, l.sess, l.ctx)
			if c.cfg.NewCB == NewCBReturn1 {
				st.obj(l.sess).appRefs++
			} else {
				st.release(l.sess)
			}
		}
	}
	if m&CacheNoAutoClear == 0 && m&mode == mode {
		counter := c.acceptGood
		if mode == CacheClient {
			counter = c.connectGood
		}
		if counter&st.prof.AutoFlushMask == st.prof.AutoFlushMask {
			st.flush(l.ctx, st.now)
		}
	}
}
