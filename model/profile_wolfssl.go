package model

// This file is the wolfssl-5.5 profile: what Debian's wolfSSL 5.5.4
// (libwolfssl-dev 5.5.4-2+deb12u3, configured --enable-distro: OPENSSL_ALL,
// HAVE_EX_DATA, HAVE_EXT_CACHE, NO_SESSION_CACHE_REF, WOLFSSL_TICKET_HAVE_ID,
// WOLFSSL_FORCE_CACHE_ON_TICKET, WOLFSSL_ERROR_CODE_OPENSSL, default cache
// of 11 rows of 3) does behind its OpenSSL compatibility layer. Sources are
// wolfSSL 5.5.4 src/ssl.c, src/internal.c, src/tls13.c and src/tls.c; every
// rule was checked against the library through shim/wolfssl.
//
// wolfSSL's design differs from OpenSSL's at the root. Each WOLFSSL owns one
// WOLFSSL_SESSION from wolfSSL_new to wolfSSL_free (InitSSL ->
// wolfSSL_NewSession), which handshakes, tickets and wolfSSL_SetSession
// fill in place; get0 returns it and get1 adds a reference to it. The
// server session cache is one static table per process (SessionCache:
// SESSION_ROWS rows of SESSIONS_PER_ROW copies, placed by a hash of the
// random session id), shared by every SSL_CTX, holding copies rather than
// references. Its entries are real WOLFSSL_SESSION objects the application
// can meet in a remove callback; the model keeps them as session objects
// marked row.
//
// Because entries are placed by random ids, which entry a new one evicts is
// unknowable. The model claims only what holds whatever the placement
// (cacheCertain). A call whose outcome depends on more is ErrUnmodelled:
// the stepper records why in unsure, and Check runs each call on a copy
// first (wolfCheck).

// WolfSSL55 is what Debian's wolfSSL 5.5.4 does through its OpenSSL
// compatibility layer.
func WolfSSL55() Profile {
	return Profile{
		Name: "wolfssl-5.5",
		// WOLFSSL_SESSION_TIMEOUT (internal.h); SSL_CTX_set_timeout(ctx, 0)
		// also stores it (wolfSSL_CTX_set_timeout).
		DefaultTimeout: 500,
		// wolfSSL_CTX_sess_set_cache_size returns SESSIONS_PER_ROW *
		// SESSION_ROWS whatever it is given.
		DefaultCacheSize: 3 * 11,
		// InitSSL_Ctx: maxTicketTls13 = 1.
		DefaultNumTickets: 1,
		TicketHintCap:     7 * 24 * 3600,
		StartTime:         1_700_000_000,
		// InitSSL_Ctx: ticketHint = SESSION_TICKET_HINT_DEFAULT.
		DefaultTicketHint: 300,
		// WOLFSSL_TICKET_KEY_LIFETIME (DefTicketEncCb).
		TicketKeyLifetime: 3600,
		SessionsPerRow:    3,
		// LowResTimer is a word32 of seconds; time+timeout must not wrap.
		ClockLimit: 3_000_000_000,
		// wolfSSL_SSL_SESSION_set_timeout: BAD_FUNC_ARG for t < 0.
		SetTimeoutBadArg: -173,

		// internal.c InitSSL: ssl->session = wolfSSL_NewSession(heap).
		SSLOwnsSession: true,
		// ssl.c wolfSSL_clear: frees and renews ssl->session only when
		// !handShakeDone; does not reset options.resuming.
		ClearRenewsUnfinished: true,
		// ssl.c wolfSSL_set_session -> wolfSSL_SetSession: NULL fails,
		// side mismatch fails, wolfSSL_DupSession into ssl->session, and
		// options.resuming = 1 unless expired (then still 1 returned:
		// WOLFSSL_ERROR_CODE_OPENSSL).
		SetSessionCopies: true,
		// tls13.c DoTls13NewSessionTicket: SetTicket and the lifetime go
		// into ssl->session, then AddSession(ssl).
		TicketUpdatesInPlace: true,
		// No ssl_clear_bad_session counterpart anywhere in wolfSSL 5.5.4.
		NoBadSessionRule: true,
		// internal.c SSL_ResourceFree -> wolfSSL_FreeSession(ssl->ctx, s):
		// rem_sess_cb(ctx, s) before the free when s->ownExData.
		RemoveCBOnDestroy: true,
		// ssl.c wolfSSL_shutdown: ProcessReply once per call,
		// WOLFSSL_SHUTDOWN_NOT_DONE (0 with WOLFSSL_ERROR_CODE_OPENSSL),
		// wolfSSL_clear after the peer's close_notify.
		ShutdownOneRecord: true,
		// ssl.c SessionCache, AddSessionToCache, wolfSSL_CTX_add_session
		// ("Session cache is global").
		SharedCopyCache: true,
		// ssl.c wolfSSL_SSL_CTX_remove_session ("Don't remove session just
		// timeout session").
		RemoveOnlyExpires: true,
		// ssl.c wolfSSL_flush_sessions: "static table now, no flushing
		// needed".
		FlushIsStub: true,
		// ssl.c wolfSSL_CTX_sess_number (no WOLFSSL_SESSION_STATS) and the
		// wolfSSL_CTX_sess_hits/misses/timeouts/cache_full stubs.
		StatsAreStubs: true,
		// ssl.c wolfSSL_CTX_sess_set_cache_size.
		FixedCacheSize: true,
		// ssl.c wolfSSL_CTX_set_timeout -> wolfSSL_CTX_set_TicketHint.
		TimeoutSetsTicketHint: true,
		// No wolfSSL_SESSION_set_time in 5.5.4, and no SSL_SESSION_set_time
		// macro in wolfssl/openssl/ssl.h.
		NoSessionSetTime: true,
	}
}

// nullCtxOnWire says whether the shim protocol carries a remove_cb event
// whose SSL_CTX is NULL (ctx 0), which wolfSSL raises when it overwrites a
// cache entry (AddSessionToCache). Until target/subprocess accepts it, the
// model produces the event but calls that raise it are unmodelled.
const nullCtxOnWire = false

// maxTicketAgeDiff is how far (seconds) the client's view of a TLS 1.3
// ticket's age may differ from the server's, plus wolfSSL's one second of
// slack (tls13.c DoPreSharedKeys, MAX_TICKET_AGE_DIFF 10).
const maxTicketAgeDiff = 11

// wolfNewSession makes a zeroed session as wolfSSL_NewSession does: no id,
// no ticket, time and timeout 0, side 0 (which is WOLFSSL_SERVER_END), and
// its own ex_data.
func (st *stepper) wolfNewSession() sessRef {
	st.objs = append(st.objs, sessObj{alive: true, refs: 1, side: Server, ownEx: true})
	return sessRef(len(st.objs))
}

// wolfOwnSession gives a new SSL its session and ssl->timeout, which
// InitSSL copies from the SSL_CTX once.
func (st *stepper) wolfOwnSession(h Handle) {
	n := st.wolfNewSession()
	l := st.ssl(h)
	l.sess, l.timeout = n, st.ctx(l.ctx).timeout
}

// wolfCopy is wolfSSL_DupSession: every field after heap (side, times, id,
// version, ticket); not the reference count, the alternative id or the
// ex_data ownership.
func (st *stepper) wolfCopy(dst, src sessRef) {
	d, s := st.obj(dst), st.obj(src)
	d.side, d.time, d.timeout, d.id, d.version, d.ticket, d.seen, d.hint =
		s.side, s.time, s.timeout, s.id, s.version, s.ticket, s.seen, s.hint
}

// wolfKey is the id a session is cached under: the alternative id if it
// has one, else its session id (0: none, and nothing can be cached).
func (st *stepper) wolfKey(r sessRef) int64 {
	if o := st.obj(r); o.alt != 0 {
		return o.alt
	}
	return st.obj(r).id
}

// wolfFreeSession is wolfSSL_FreeSession(ssl->ctx, s) from SSL_free: the
// last reference calls the remove callback first if s still owns its
// ex_data.
func (st *stepper) wolfFreeSession(r sessRef, ctx Handle) {
	if o := st.obj(r); o.refs == 1 && o.ownEx && st.ctx(ctx).cfg.RemoveCB {
		st.emit(EvRemove, r, ctx)
	}
	st.release(r)
}

// wolfClear is wolfSSL_clear: before a completed handshake the session is
// freed (wolfSSL_SESSION_free: no remove callback) and replaced by a new
// one; after one it stays. The connection ends; options.resuming stays.
func (st *stepper) wolfClear(h Handle) {
	l := st.ssl(h)
	if l.phase == phaseBefore {
		old := l.sess
		l.sess = st.wolfNewSession()
		st.release(old)
	} else {
		l.used = true
	}
	st.disconnect(h)
	l = st.ssl(h)
	l.phase, l.sent, l.recv, l.version = phaseBefore, false, false, VersionNone
	l.pending, l.buffered, l.closeBuffered = nil, nil, false
}

// wolfShutdown is one wolfSSL_shutdown. The first call sends close_notify
// (even before a handshake) and returns 0. Later calls deliver what is
// queued and process one record: a ticket or nothing (0, or -1 once an
// SSL_read left WANT_READ in ssl->error), or the peer's close_notify (1,
// after which wolfSSL_clear leaves the SSL as if no handshake had
// completed). After a fatal error every call returns -1.
func (st *stepper) wolfShutdown(h Handle) int64 {
	l := st.ssl(h)
	switch {
	case l.phase == phaseFailed:
		return -1
	case !l.sent:
		// SendAlert's result goes into ssl->error, clearing it.
		l.sent, l.used, l.wantRead = true, true, false
		if l.peer != 0 {
			st.ssl(l.peer).peerClosed = true
		}
		return 0
	}
	l.buffered, l.pending = append(l.buffered, l.pending...), nil
	if l.peerClosed {
		l.closeBuffered, l.peerClosed = true, false
	}
	// Short of close_notify the result is WOLFSSL_SHUTDOWN_NOT_DONE, or
	// WOLFSSL_FATAL_ERROR when ssl->error still holds an earlier SSL_read's
	// WANT_READ.
	notDone := int64(0)
	if l.wantRead {
		notDone = -1
	}
	if len(l.buffered) > 0 {
		t := l.buffered[0]
		l.buffered = l.buffered[1:]
		st.clientTicket(h, t)
		return notDone
	}
	if !l.closeBuffered {
		return notDone
	}
	l.closeBuffered = false
	l.phase, l.sent, l.recv = phaseBefore, false, false
	return 1
}

// wolfSetSession is wolfSSL_SetSession: NULL, a session of the other side
// (a session that never finished a handshake has side 0, a server's) and
// the SSL's own session fail with 0. Otherwise the session is copied into
// the SSL's own, with its alternative id, and, unless the copy has expired,
// options.resuming becomes 1 and ssl->version the session's; 1 is returned
// either way. On an established
// connection the copy also rewrites its version and cipher suite: further
// I/O there is not modelled (phaseReset).
func (st *stepper) wolfSetSession(h, sess Handle) int64 {
	if sess == 0 {
		return 0
	}
	l := st.ssl(h)
	r := st.named[sess-1]
	want := Server
	if l.client {
		want = Client
	}
	if st.obj(r).side != want || r == l.sess {
		return 0
	}
	st.wolfCopy(l.sess, r)
	if alt := st.obj(r).alt; alt != 0 {
		st.obj(l.sess).alt = alt
	}
	if own := st.obj(l.sess); st.now < own.time+own.timeout {
		l.hit, l.pinned = true, own.version
		// options.tls1_3 is set for a TLS 1.3 session and never cleared.
		l.pinned13 = l.pinned13 || own.version == TLS13
	}
	if l.phase == phaseEstablished {
		// The copy also rewrote ssl->version and the cipher suite under a
		// live connection; what its I/O does next is left out.
		l.phase = phaseReset
	}
	return 1
}

// wolfClientTicket is DoTls13NewSessionTicket: the ticket, an id taken
// from its last bytes and its lifetime (as both the session's and the
// SSL's timeout) go into the SSL's own session, then AddSession runs.
func (st *stepper) wolfClientTicket(h Handle, t int32) {
	l := st.ssl(h)
	o := st.obj(l.sess)
	tk := st.tickets[t-1]
	o.ticket, o.id, o.timeout, o.seen = t, st.freshID(), tk.hint, st.now
	l.timeout = tk.hint
	st.wolfUpdate(h, 0)
}

// wolfTimeouts is what wolfSSL_CTX_set_timeout(ctx, t) stores: the timeout
// and the ticket lifetime hint, 0 meaning their defaults.
func (st *stepper) wolfTimeouts(t int64) (timeout, hint int64) {
	if t == 0 {
		return st.prof.DefaultTimeout, st.prof.DefaultTicketHint
	}
	return t, t
}

// wolfUpdate is AddSession(ssl) at the end of a handshake or for a ticket:
// unless a server's cache is off (mode OFF and no ticket) or a TLS 1.2
// ServerHello carried no id (id12 0), the session gets
// time now, the SSL's timeout, its side and version (and a TLS 1.2 id from
// the hello, id12), a server's is copied into the cache unless
// NO_INTERNAL_STORE, and new_session_cb runs.
func (st *stepper) wolfUpdate(h Handle, id12 int64) {
	l := st.ssl(h)
	r := l.sess
	o := st.obj(r)
	c := st.ctx(l.ctx)
	side := Server
	if l.client {
		side = Client
	}
	if side == Server && c.mode == CacheOff && o.ticket == 0 {
		return // SslSessionCacheOff
	}
	if l.version == TLS12 && id12 == 0 {
		return // no session id in the ServerHello: haveSessionId is 0
	}
	if o.alt == 0 && id12 != 0 {
		o.id = id12
	}
	o.timeout, o.side, o.time, o.version = l.timeout, side, st.now, l.version
	key := st.wolfKey(r)
	if key == 0 && side == Client {
		o.alt = st.freshID()
		key = o.alt
	}
	if side == Server && c.mode&CacheNoInternalStore == 0 {
		st.wolfInsert(l.ctx, r, key, Server)
	}
	if c.cfg.NewCB != NewCBNone {
		st.retain(r)
		st.emit(EvNewSession, r, l.ctx)
		if c.cfg.NewCB == NewCBReturn1 {
			st.obj(r).appRefs++
		} else {
			st.release(r)
		}
	}
}

// cacheCertain reports whether cache entry r is certainly still cached. A
// new entry takes the slot its row's next-index points at, and every
// insertion into a row, overwrites included (AddSessionToCache), moves that
// index on; so an entry can be evicted only by a new entry placed after at
// least SessionsPerRow-1 insertions that followed it. Rows are unknown, so
// every insertion counts (inserts), and such entries are marked in doubt.
func (st *stepper) cacheCertain(r sessRef) bool { return !st.obj(r).doubt }

// wolfInsert is AddSessionToCache(ctx, src, key, side): an entry with the
// same key and side is overwritten, else the next slot of the key's row is
// taken. A slot whose entry owns its ex_data calls the remove callback with
// a NULL SSL_CTX (the event's ctx 0) before it is overwritten. The copy
// takes the key as its id, and the ex_data ownership when ctx has a remove
// callback. It reports whether anything was cached (not for an empty key).
func (st *stepper) wolfInsert(ctx Handle, src sessRef, key int64, side Side) bool {
	if key == 0 {
		return false
	}
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
			o.doubt = true
		}
		st.objs = append(st.objs, sessObj{alive: true, refs: 1, row: true, seq: st.inserts})
		slot = sessRef(len(st.objs))
		st.rows = append(st.rows, slot)
	}
	st.inserts++
	if st.obj(slot).ownEx {
		if !nullCtxOnWire {
			st.unsure = "wolfSSL calls remove_cb with a NULL SSL_CTX here, which sesslife-shim/1 cannot carry yet"
		}
		st.emit(EvRemove, slot, 0)
		st.obj(slot).ownEx = false
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

// wolfAddSession is wolfSSL_CTX_add_session: the session is copied into the
// cache under its key and side; 0 for a session without an id.
func (st *stepper) wolfAddSession(ctx Handle, r sessRef) int64 {
	if !st.wolfInsert(ctx, r, st.wolfKey(r), st.obj(r).side) {
		return 0
	}
	return 1
}

// wolfRemoveSession is wolfSSL_SSL_CTX_remove_session: unless ctx has
// NO_INTERNAL_STORE, the session's timeout and that of the entry with its
// key and ctx's side become 0 (which makes both expired), and finding the
// entry gives the session its ex_data back; then the remove callback runs.
// It always returns 0.
func (st *stepper) wolfRemoveSession(ctx Handle, r sessRef) int64 {
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

// wolfTicketKey picks the key DefTicketEncCb encrypts a ticket with (the
// first one is made on first use): one that still decrypts past the
// ticket's lifetime hint, else a replaced expired one
// (TicketEncCbCtx_ChooseKey). ok is false when neither is
// possible (BAD_STATE_E: the ticket is not made).
func (st *stepper) wolfTicketKey(ctx Handle) (slot int8, gen int32, ok bool) {
	c := st.ctx(ctx)
	k, end := &c.keys, st.now+c.hint
	if k[0].exp == 0 { // TicketEncCbCtx_Setup: the first key, at first use
		k[0].gen++
		k[0].exp = st.now + st.prof.TicketKeyLifetime
	}
	switch {
	case k[0].exp > end:
		return 0, k[0].gen, true
	case k[1].exp > end:
		return 1, k[1].gen, true
	case k[0].exp >= end:
		return 0, k[0].gen, true
	case k[1].exp >= end:
		return 1, k[1].gen, true
	}
	for i := range k {
		if k[i].exp < st.now {
			k[i].gen++
			k[i].exp = st.now + st.prof.TicketKeyLifetime
			return int8(i), k[i].gen, true
		}
	}
	return 0, 0, false
}

// wolfDecrypts reports whether SSL_CTX ctx can open TLS 1.3 ticket t: it
// made it, with a key it has not replaced since and that has not expired.
func (st *stepper) wolfDecrypts(ctx Handle, t int32) bool {
	tk := st.tickets[t-1]
	k := st.ctx(ctx).keys[tk.slot]
	return tk.issuer == ctx && tk.version == TLS13 && k.gen == tk.gen && k.exp > st.now
}

// wolfHandshake drives client c and server s through one handshake in
// wolfSSL's message flow. Both SSLs' own sessions are filled in place.
func (st *stepper) wolfHandshake(c, s Handle, v Version) {
	cl, sv := st.ssl(c), st.ssl(s)
	cl.used, sv.used = true, true
	co := st.obj(cl.sess)
	// A resuming client checks its session's version only in the TLS 1.3
	// hello (SendTls13ClientHello: VERSION_ERROR or a downgrade); a TLS
	// 1.2 hello sends the id, if any. ssl->version as the last
	// SSL_set_session left it, and a sticky options.tls1_3, pick the hello.
	if (cl.hit && co.version != v && (v == TLS13 || co.id != 0)) ||
		(cl.pinned != VersionNone && cl.pinned != v) || (cl.pinned13 && v != TLS13) {
		st.unsure = "a client whose session or SSL_set_session-pinned version is the other TLS version (wolfSSL downgrades or fails)"
	}
	hit := false
	if v == TLS12 {
		if !cl.hit && co.id != 0 {
			// A copied session that had expired left ssl->version at TLS
			// 1.3, so the hello is SendTls13ClientHello's, whose legacy
			// session id is the copy's: a server that resumes it breaks the
			// handshake ("Out of order message").
			st.unsure = "a client holding an expired copied session offers its id without resuming (wolfSSL's handshake may fail)"
		}
		// The client offers its session's id only when resuming.
		if cl.hit && co.id != 0 {
			hit = st.wolfResume12(s, co.id)
		}
	} else {
		// The TLS 1.3 legacy_session_id echoes the client's id, always.
		st.obj(sv.sess).id = co.id
		if cl.hit && co.ticket != 0 {
			hit = st.wolfResume13(s, cl.sess)
		}
	}
	cl, sv = st.ssl(c), st.ssl(s)
	cl.hit, sv.hit = hit, hit
	cl.version, sv.version = v, v
	cl.phase, sv.phase = phaseEstablished, phaseEstablished
	cl.peer, sv.peer = s, c
	switch {
	case v == TLS13:
		st.wolfTickets13(s, c)
	case !hit:
		// A full TLS 1.2 handshake: the server's new id, none when its
		// cache is off (SendServerHello); the client's AddSession runs
		// before the server's.
		var id int64
		if st.ctx(st.ssl(s).ctx).mode != CacheOff {
			id = st.freshID()
		}
		st.wolfUpdate(c, id)
		st.wolfUpdate(s, id)
	}
}

// wolfResume12 is the server's side of a TLS 1.2 resumption by id
// (HandleTlsResumption): a cache lookup unless the cache is off or
// NO_INTERNAL_LOOKUP; an entry of the same version that has not expired
// (now < time+timeout) is copied into the server's session (which gives up
// its ex_data to the cache), which then resumes if now <= its time plus the
// server SSL's timeout. The copy stays even when it does not.
func (st *stepper) wolfResume12(s Handle, id int64) bool {
	sv := st.ssl(s)
	if m := st.ctx(sv.ctx).mode; m == CacheOff || m&CacheNoInternalLookup != 0 {
		return false
	}
	r := st.wolfLookup(id)
	if r == 0 {
		return false
	}
	if o := st.obj(r); o.version != TLS12 || st.now >= o.time+o.timeout {
		return false
	}
	st.wolfCopy(sv.sess, r)
	st.obj(sv.sess).ownEx = false // "Session cache owns external data"
	return st.now <= st.obj(sv.sess).time+sv.timeout
}

// wolfResume13 is the server's side of a TLS 1.3 ticket (DoPreSharedKeys,
// DoClientTicket): a ticket it can decrypt gives the server's session the
// ticket's id as alternative id, then resumes unless the ticket is older
// than the server SSL's timeout or a week, or the client read it more than
// maxTicketAgeDiff seconds after it was made. offer is the client's
// session.
func (st *stepper) wolfResume13(s Handle, offer sessRef) bool {
	sv := st.ssl(s)
	t := st.obj(offer).ticket
	if !st.wolfDecrypts(sv.ctx, t) {
		return false
	}
	tk := st.tickets[t-1]
	st.obj(sv.sess).alt = tk.id
	if st.ctx(sv.ctx).numTickets == 0 {
		// DoClientTicket also copies the cache entry under that id into
		// the server's session; a ticket sent afterwards overwrites what
		// shows of it, but without one it stays.
		st.unsure = "a TLS 1.3 server that sends no ticket keeps what it copied from wolfSSL's cache"
	}
	age := st.now - tk.time
	seen := st.obj(offer).seen - tk.time
	return age <= sv.timeout && age <= st.prof.TicketHintCap && seen >= -1 && seen <= maxTicketAgeDiff
}

// wolfTickets13 writes a TLS 1.3 server's tickets: num_tickets after a full
// handshake, at most one after a resumption. Each is made from the server's
// own session (its id is the alternative id, else the echoed id, else a new
// alternative id), stored in it, and followed by AddSession.
func (st *stepper) wolfTickets13(s, c Handle) {
	sv := st.ssl(s)
	n := st.ctx(sv.ctx).numTickets
	if sv.hit && n > 1 {
		n = 1
	}
	for i := int64(0); i < n; i++ {
		sv = st.ssl(s)
		o := st.obj(sv.sess)
		id := st.wolfKey(sv.sess)
		if id == 0 {
			o.alt = st.freshID()
			id = o.alt
		}
		slot, gen, ok := st.wolfTicketKey(sv.ctx)
		if !ok {
			st.unsure = "no ticket key can outlive the ticket lifetime hint (wolfSSL BAD_STATE_E)"
			return
		}
		st.tickets = append(st.tickets, ticket{issuer: sv.ctx, version: TLS13, id: id, time: st.now,
			hint: st.ctx(sv.ctx).hint, slot: slot, gen: gen})
		t := int32(len(st.tickets))
		o.ticket = t
		st.wolfUpdate(s, 0)
		cl := st.ssl(c)
		cl.pending = append(cl.pending, t)
	}
}

// wolfCheck narrows Check to what the model knows of wolfSSL, after the
// checks every profile shares.
func (s *State) wolfCheck(op Op) error {
	switch op.Kind {
	case Handshake:
		if s.ssl(op.SSL).used || s.ssl(op.Peer).used {
			return unmodelled(op, "wolfSSL_clear leaves a used WOLFSSL half reset (version, timeout, resumption); a second handshake can fail or hang")
		}
	case Shutdown:
		if l := s.ssl(op.SSL); l.phase == phaseBefore && l.used {
			return unmodelled(op, "SSL_shutdown on a WOLFSSL that wolfSSL_clear reset after a handshake")
		}
	case SetTimeout:
		if op.Arg > 1<<30 {
			return unmodelled(op, "wolfSSL keeps timeouts in 32 bits; the model stops at 2^30")
		}
	case CtxSetTimeout:
		if op.Arg > s.prof.TicketHintCap {
			return unmodelled(op, "a ticket lifetime hint over a week makes wolfSSL clients fail (SERVER_HINT_ERROR)")
		}
	case CtxNew:
		if op.Config.Timeout > s.prof.TicketHintCap {
			return unmodelled(op, "a ticket lifetime hint over a week makes wolfSSL clients fail (SERVER_HINT_ERROR)")
		}
	case AddSession:
		if s.obj(s.named[op.Sess-1]).row {
			return unmodelled(op, "adding one of wolfSSL's cache entries to the cache")
		}
	}
	trial := stepper{State: s.Clone()}
	trial.apply(op)
	if trial.unsure != "" {
		return unmodelled(op, "%s", trial.unsure)
	}
	return nil
}
