package model

// The wolfssl-5.5 profile's session cache (profile_wolfssl.go): one
// process-wide table of copies shared by every SSL_CTX (WOLF-SHARED-CACHE),
// AddSession, SSL_CTX_add_session and SSL_CTX_remove_session.

// wolfKey is the id a session is cached under: the alternative id if it
// has one, else its session id (0: none, and nothing can be cached).
func (st *stepper) wolfKey(r sessRef) int64 {
	if o := st.obj(r); o.alt != 0 {
		return o.alt
	}
	return st.obj(r).id
}

// wolfUpdate is AddSession(ssl) at the end of a handshake or for a ticket:
// unless a server's cache is off (mode OFF and no ticket) or a TLS 1.2
// ServerHello carried no id (id12 0), which is WOLF-CACHE-OFF, the session
// gets time now, the SSL's timeout, its side and version (and a TLS 1.2 id
// from the hello, id12), a server's is copied into the cache unless
// NO_INTERNAL_STORE, and new_session_cb runs. What it does is the effect of
// the caller's rule, except where the cache mode decides (WOLF-CACHE-OFF,
// and WOLF-CACHE-MODE where OpenSSL would need the side's mode bit).
func (st *stepper) wolfUpdate(h Handle, id12 int64) {
	outer := st.rule
	defer st.leave(outer)
	l := st.ssl(h)
	r := l.sess
	o := st.obj(r)
	ctx := st.useCtx(h)
	c := st.ctx(ctx)
	side, bit := Server, CacheServer
	if l.client {
		side, bit = Client, CacheClient
	}
	// SslSessionCacheOff; or no session id in the ServerHello, because the
	// server's cache is off: haveSessionId is 0.
	if (side == Server && c.mode == CacheOff && o.ticket == 0) || (l.version == TLS12 && id12 == 0) {
		st.because(RuleWolfCacheOff)
		st.concerns(r)
		st.noEvent(r, EvNewSession, ctx)
		return
	}
	if o.alt == 0 && id12 != 0 {
		o.id = id12
	}
	st.wolfRecordSidCtx(h)
	o.timeout, o.side, o.time, o.version = l.timeout, side, st.now, l.version
	key := st.wolfKey(r)
	if key == 0 && side == Client {
		o.alt = st.freshID()
		key = o.alt
	}
	switch {
	case side == Server && c.mode == CacheOff:
		st.because(RuleWolfCacheOff) // a ticket is recorded all the same
	case c.mode&bit == 0:
		st.because(RuleWolfCacheMode)
	}
	if side == Server && c.mode&CacheNoInternalStore == 0 {
		st.wolfInsert(ctx, r, key, Server)
	}
	if c.cfg.NewCB != NewCBNone {
		st.mark(RuleSeedNewcbEstablished)
		if side == Server && c.mode&CacheNoInternalStore != 0 {
			st.mark(RuleCBNewNoStore)
		}
		st.retain(r)
		st.emit(EvNewSession, r, ctx)
		if c.cfg.NewCB == NewCBReturn1 {
			st.mark(RuleCBNewRet1)
			st.obj(r).appRefs++
		} else {
			st.mark(RuleCBNewRet0)
			st.release(r)
		}
	}
}

// cacheCertain reports whether cache entry r is certainly still cached. A
// new entry takes the slot its row's next-index points at, and every
// insertion into a row, overwrites included (AddSessionToCache), moves that
// index on; so an entry can be evicted only by a new entry placed after at
// least SessionsPerRow-1 insertions that followed it. Rows are unknown, so
// every insertion counts (inserts), and such entries are marked in doubt
// (WOLF-EVICT-UNKNOWN).
func (st *stepper) cacheCertain(r sessRef) bool { return !st.obj(r).doubt }

// wolfInsert is AddSessionToCache(ctx, src, key, side), under
// WOLF-SHARED-CACHE: an entry with the same key and side is overwritten,
// else the next slot of the key's row is taken. A slot whose entry owns its
// ex_data calls the remove callback with a NULL SSL_CTX (the event's ctx 0)
// before it is overwritten (WOLF-CACHE-NULL-CTX-REMOVE-CB). The copy takes
// the key as its id, and the ex_data ownership when ctx has a remove
// callback. It reports whether anything was cached (not for an empty key).
func (st *stepper) wolfInsert(ctx Handle, src sessRef, key int64, side Side) bool {
	if key == 0 {
		return false
	}
	defer st.leave(st.enter(RuleWolfSharedCache))
	var slot sessRef
	for _, r := range st.rows {
		if o := st.obj(r); o.id == key && o.side == side {
			if !st.cacheCertain(r) {
				st.unsure = "an entry with the same id may have left wolfSSL's cache (its place depends on random ids)"
			}
			slot = r
		}
	}
	if slot == 0 {
		for _, r := range st.rows {
			o := st.obj(r)
			if o.doubt || st.inserts-o.seq-1 < st.prof.SessionsPerRow-1 {
				continue
			}
			if o.ownEx || o.handle != 0 {
				st.unsure = "a new entry may evict, from wolfSSL's cache, an entry the application can observe (its place depends on random ids)"
			}
			st.mark(RuleWolfEvictUnknown)
			o.doubt = true
		}
		st.objs = append(st.objs, sessObj{alive: true, refs: 1, row: true, seq: st.inserts})
		slot = sessRef(len(st.objs))
		st.rows = append(st.rows, slot)
	}
	st.inserts++
	if st.obj(slot).ownEx {
		st.because(RuleWolfCacheNULLCTXRemoveCB)
		if !nullCtxOnWire {
			st.unsure = "wolfSSL calls remove_cb with a NULL SSL_CTX here, which sesslife-shim/1 cannot carry yet"
		}
		st.emit(EvRemove, slot, 0)
		st.obj(slot).ownEx = false
		st.because(RuleWolfSharedCache)
	}
	st.wolfCopy(slot, src)
	st.obj(slot).id = key
	if st.ctx(ctx).cfg.RemoveCB {
		st.obj(src).ownEx, st.obj(slot).ownEx = false, true
	}
	return true
}

// wolfLookup is TlsSessionCacheGetAndLock: the entry cached under key,
// whatever its side, or 0.
func (st *stepper) wolfLookup(key int64) sessRef {
	var found sessRef
	for _, r := range st.rows {
		if st.obj(r).id != key {
			continue
		}
		if !st.cacheCertain(r) {
			st.unsure = "the entry may have left wolfSSL's cache (its place depends on random ids)"
		}
		if found != 0 {
			st.unsure = "two entries of wolfSSL's cache share an id; which one a lookup finds depends on their places"
		}
		found = r
	}
	return found
}

// wolfAddSession is wolfSSL_CTX_add_session (WOLF-ADD-SESSION-COPIES): the
// session is copied into the cache under its key and side; 0 for a session
// without an id.
func (st *stepper) wolfAddSession(ctx Handle, r sessRef) int64 {
	st.because(RuleWolfAddSessionCopies)
	st.concerns(r) // copied: the session neither changes nor gains a reference
	st.returns(RuleWolfAddSessionCopies)
	if !st.wolfInsert(ctx, r, st.wolfKey(r), st.obj(r).side) {
		return 0
	}
	return 1
}

// wolfRemoveSession is wolfSSL_SSL_CTX_remove_session
// (WOLF-REMOVE-EXPIRES): unless ctx has NO_INTERNAL_STORE, the session's
// timeout and that of the entry with its key and ctx's side become 0 (which
// makes both expired), and finding the entry gives the session its ex_data
// back; then the remove callback runs. It always returns 0.
func (st *stepper) wolfRemoveSession(ctx Handle, r sessRef) int64 {
	st.because(RuleWolfRemoveExpires)
	st.concerns(r) // it stays resumable
	st.returns(RuleWolfRemoveExpires)
	c := st.ctx(ctx)
	if c.mode&CacheNoInternalStore == 0 {
		st.obj(r).timeout = 0
		key := st.wolfKey(r)
		for _, x := range st.rows {
			if o := st.obj(x); o.id == key && o.side == c.cfg.Side {
				if !st.cacheCertain(x) {
					st.unsure = "the entry may have left wolfSSL's cache (its place depends on random ids)"
				}
				o.timeout, o.ownEx = 0, false
				st.obj(r).ownEx = true
				break
			}
		}
	}
	if c.cfg.RemoveCB {
		st.emit(EvRemove, r, ctx)
	}
	return 0
}
