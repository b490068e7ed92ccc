package model

import "slices"

// The boringssl profile's session cache (profile_boringssl.go): an SSL_CTX's
// hash table keyed by session id and its list in order of insertion, the
// cache update at the end of a handshake, expiry, and the ticket keys.

// boringValid is ssl_session_is_time_valid: time <= now < time + timeout
// (BORING-EXPIRY).
func (st *stepper) boringValid(r sessRef) bool {
	st.mark(RuleBoringExpiry)
	o := st.obj(r)
	return st.now >= o.time && o.timeout > st.now-o.time
}

// boringRebase is ssl_session_rebase_time: the session's time becomes now
// and its timeouts shrink by the time gone, down to 0; a session from the
// future gets time now and no time left (BORING-TLS13-TIMEOUTS).
func (st *stepper) boringRebase(o *sessObj) {
	if o.time > st.now {
		o.time, o.timeout, o.auth = st.now, 0, 0
		return
	}
	d := st.now - o.time
	o.time, o.timeout, o.auth = st.now, max(o.timeout-d, 0), max(o.auth-d, 0)
}

// boringRenew is ssl_session_renew_timeout with the SSL_CTX's
// session_psk_dhe_timeout: rebased, then raised to PSKTimeout unless it is
// longer already, but never past what remains of auth_timeout.
func (st *stepper) boringRenew(o *sessObj) {
	st.mark(RuleBoringTLS13Timeouts)
	st.boringRebase(o)
	if o.timeout > st.prof.PSKTimeout {
		return
	}
	o.timeout = min(st.prof.PSKTimeout, o.auth)
}

// boringFind returns the object ctx's cache holds under id (the hash table
// compares ids alone: BORING-CACHE-LIST), or 0.
func (st *stepper) boringFind(ctx Handle, id int64) sessRef {
	for _, r := range st.ctx(ctx).list {
		if st.obj(r).id == id {
			return r
		}
	}
	return 0
}

// boringAdd is SSL_CTX_add_session and add_session_locked: the cache takes
// a reference; the object already cached changes nothing and gives 0; an
// object of the same id is replaced; the new entry goes to the head and,
// while the cache holds more than its size, the tail leaves
// (BORING-EVICT-N). The object replaced is dropped last. It returns 1 for a
// new entry.
func (st *stepper) boringAdd(ctx Handle, r sessRef) int64 {
	outer := st.rule
	defer st.leave(outer)
	st.mark(RuleBoringCacheList)
	st.mark(RuleRefCacheHolds)
	st.retain(r)
	old := st.boringFind(ctx, st.obj(r).id)
	if old == r {
		st.because(RuleBoringCacheList)
		st.concerns(r)
		st.release(r)
		st.returns(RuleBoringCacheList)
		return 0
	}
	decided := RuleCacheAddNew
	if old != 0 {
		st.because(RuleCacheAddReplace)
		decided = RuleCacheAddReplace
		st.concerns(old)
		st.noEvent(old, EvRemove, ctx)
		st.unlink(ctx, old)
	}
	st.because(outer)
	c := st.ctx(ctx)
	c.list = slices.Insert(c.list, 0, r)
	st.obj(r).owner = ctx
	st.mark(RuleSeedOneCTX)
	if c.size > 0 {
		for c := st.ctx(ctx); int64(len(c.list)) > c.size; c = st.ctx(ctx) {
			st.because(RuleBoringEvictN)
			st.concernsCtx(ctx)
			victim := c.list[len(c.list)-1]
			if st.obj(victim).id == 0 {
				st.because(RuleEvictEmptyIDStuck)
				st.concerns(victim)
				break
			}
			st.boringDrop(ctx, victim)
		}
	} else {
		st.mark(RuleEvictUnlimited)
	}
	if old != 0 {
		st.because(RuleCacheAddReplace)
		st.release(old)
	}
	st.returns(decided)
	return 1
}

// boringDrop takes cached session r out of ctx's cache: remove_cb, then
// the cache's reference goes. It is not marked (BORING-REMOVE-EXACT).
func (st *stepper) boringDrop(ctx Handle, r sessRef) {
	st.mark(RuleBoringRemoveExact)
	st.concerns(r)
	st.unlink(ctx, r)
	if st.ctx(ctx).cfg.RemoveCB {
		st.emit(EvRemove, r, ctx)
	}
	st.release(r)
}

// boringRemove is SSL_CTX_remove_session (BORING-REMOVE-EXACT): only the
// very object cached under r's id leaves.
func (st *stepper) boringRemove(ctx Handle, r sessRef) int64 {
	st.because(RuleBoringRemoveExact)
	st.returns(RuleBoringRemoveExact)
	o := st.obj(r)
	if o.id == 0 {
		st.because(RuleRemoveEmptyID)
		st.returns(RuleRemoveEmptyID)
	}
	if o.id == 0 || st.boringFind(ctx, o.id) != r {
		st.concerns(r)
		st.noEvent(r, EvRemove, ctx)
		return 0
	}
	st.boringDrop(ctx, r)
	return 1
}

// boringFlush is SSL_CTX_flush_sessions(ctx, t) (BORING-FLUSH-UNORDERED,
// BORING-EXPIRY): every session that expired at t (all for t = 0) gets its
// remove_cb and is freed, in the order of the hash table. That order
// follows the random session ids, so when two of them would raise events
// the outcome is not the model's to know (unsure); otherwise the order
// does not show.
func (st *stepper) boringFlush(ctx Handle, t int64) {
	defer st.leave(st.enter(RuleBoringFlushUnordered))
	st.mark(RuleBoringExpiry)
	c := st.ctx(ctx)
	var gone []sessRef
	shown := 0
	for _, r := range c.list {
		o := st.obj(r)
		if t != 0 && t <= o.time+o.timeout {
			st.noEvent(r, EvRemove, ctx)
			continue
		}
		gone = append(gone, r)
		if c.cfg.RemoveCB || (o.refs == 1 && o.handle != 0) {
			shown++
		}
	}
	if shown > 1 {
		st.unsure = "BoringSSL flushes in the order of its hash table, which follows random session ids, and two of the sessions flushed raise events"
	}
	for _, r := range gone {
		st.boringDrop(ctx, r)
	}
}

// boringUpdate is ssl_update_cache at the end of a handshake that
// established a new session on SSL h: nothing unless that session is
// resumable and the mode has the side's bit; a server then adds it to its
// cache (unless NO_INTERNAL_STORE) and counts the add toward the automatic
// flush (BORING-AUTO-FLUSH-255), a client never does
// (BORING-CLIENT-NO-CACHE); then new_session_cb.
func (st *stepper) boringUpdate(h Handle) {
	l := st.ssl(h)
	r := l.sess
	c := st.ctx(l.ctx)
	bit := CacheServer
	if l.client {
		bit = CacheClient
	}
	if !st.obj(r).resumable() {
		st.mark(RuleAutoNeedsID)
		st.noEvent(r, EvNewSession, l.ctx)
		return
	}
	if c.mode&bit == 0 {
		if c.cfg.NewCB != NewCBNone {
			defer st.leave(st.enter(RuleCBNewNeedsMode))
		}
		st.noEvent(r, EvNewSession, l.ctx)
		return
	}
	flush := false
	switch {
	case l.client:
		st.mark(RuleBoringClientNoCache)
		st.concerns(r)
	case c.mode&CacheNoInternalStore != 0:
		st.mark(RuleCBNewNoStore)
		st.concerns(r)
	default:
		st.boringAdd(l.ctx, r)
		c = st.ctx(l.ctx)
		if c.mode&CacheNoAutoClear != 0 {
			st.mark(RuleAutoNoAutoClear)
			break
		}
		c.sinceFlush++
		if c.sinceFlush >= st.prof.AutoFlushMask {
			flush, c.sinceFlush = true, 0
		}
	}
	if flush {
		prev := st.enter(RuleBoringAutoFlush255)
		st.boringFlush(l.ctx, st.now)
		st.leave(prev)
	}
	if st.ctx(l.ctx).cfg.NewCB != NewCBNone {
		st.mark(RuleSeedNewcbEstablished)
		st.retain(r)
		st.emit(EvNewSession, r, l.ctx)
		if st.ctx(l.ctx).cfg.NewCB == NewCBReturn1 {
			st.mark(RuleCBNewRet1)
			st.obj(r).appRefs++
		} else {
			st.mark(RuleCBNewRet0)
			st.release(r)
		}
	}
}

// boringRotate is ssl_ctx_rotate_ticket_encryption_key, run whenever a
// server SSL_CTX encrypts or decrypts a ticket (BORING-TICKET-KEYS): keys[0]
// is the current key and keys[1] the previous one; exp is when each is
// next rotated (the current) or dropped (the previous).
func (st *stepper) boringRotate(ctx Handle) {
	st.mark(RuleBoringTicketKeys)
	k := &st.ctx(ctx).keys
	if k[0].gen == 0 || k[0].exp <= st.now {
		gen := k[0].gen + 1
		if k[0].gen != 0 {
			k[0].exp += st.prof.TicketKeyRotation
			k[1] = k[0]
		}
		k[0] = ticketKey{gen: gen, exp: st.now + st.prof.TicketKeyRotation}
	}
	if k[1].gen != 0 && k[1].exp <= st.now {
		k[1] = ticketKey{}
	}
}

// boringDecrypts reports whether SSL_CTX ctx opens ticket t of version v,
// after rotating its keys: it made t, with its current or previous key.
func (st *stepper) boringDecrypts(ctx Handle, t int32, v Version) bool {
	st.boringRotate(ctx)
	tk := st.tickets[t-1]
	k := st.ctx(ctx).keys
	return tk.issuer == ctx && tk.version == v && (tk.gen == k[0].gen || tk.gen == k[1].gen)
}
