package model

// The wolfssl-5.5 profile's handshakes (profile_wolfssl.go): TLS 1.2 by
// session id through the shared cache, TLS 1.3 tickets under per-SSL_CTX
// keys, both filling the SSLs' own sessions in place.

// wolfTicketKey picks the key DefTicketEncCb encrypts a ticket with (the
// first one is made on first use): one that still decrypts past the
// ticket's lifetime hint, else a replaced expired one
// (TicketEncCbCtx_ChooseKey). ok is false when neither is
// possible (BAD_STATE_E: the ticket is not made). WOLF-TICKET-KEYS.
func (st *stepper) wolfTicketKey(ctx Handle) (slot int8, gen int32, ok bool) {
	st.mark(RuleWolfTicketKeys)
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
// made it, with a key it has not replaced since and that has not expired
// (WOLF-TICKET-KEYS).
func (st *stepper) wolfDecrypts(ctx Handle, t int32) bool {
	st.mark(RuleWolfTicketKeys)
	tk := st.tickets[t-1]
	k := st.ctx(ctx).keys[tk.slot]
	return tk.issuer == ctx && tk.version == TLS13 && k.gen == tk.gen && k.exp > st.now
}

// wolfHandshake drives client c and server s through one handshake in
// wolfSSL's message flow. Both SSLs' own sessions are filled in place. The
// rule of the verdict (WOLF-HS12-FULL or WOLF-HS12-RESUME and its
// exceptions; WOLF-HS13-TICKETS for a TLS 1.3 client that offers nothing,
// else WOLF-HS13-RESUME or WOLF-HS13-TICKET-AGE) is current at the end.
func (st *stepper) wolfHandshake(c, s Handle, v Version) {
	hit := st.wolfHello(c, s, v)
	st.wolfFinish(c, s, v, hit, st.rule)
}

// wolfHello is what the server decides at the ClientHello
// (DoClientHello, DoTls13ClientHello): whether it resumes, and the cache
// entry or ticket it copies into its own session to do so; the rule of
// the verdict is current at the end.
func (st *stepper) wolfHello(c, s Handle, v Version) bool {
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
	if cl.suites12 && v == TLS13 {
		st.unsure = "a client that SSL_clear left with TLS 1.2 cipher suites only (wolfSSL_clear -> InitSSL_Suites while pinned to TLS 1.2)"
	}
	hit := false
	if v == TLS12 {
		st.because(RuleWolfHS12Full) // unless the server resumes
		if !cl.hit && co.id != 0 {
			// WOLF-SET-SESSION-EXPIRED: a copied session that had expired
			// left ssl->version at TLS 1.3, so the hello is
			// SendTls13ClientHello's, whose legacy session id is the
			// copy's: a server that resumes it breaks the handshake ("Out
			// of order message").
			st.unsure = "a client holding a copied session it does not resume (expired, or refused for its session id context) offers its id (wolfSSL's handshake may fail)"
		}
		// The client offers its session's id only when resuming.
		if cl.hit && co.id != 0 {
			hit = st.wolfResume12(s, co.id)
		}
	} else {
		// The TLS 1.3 legacy_session_id echoes the client's id, always.
		st.because(RuleWolfHS13Tickets)
		st.obj(sv.sess).id = co.id
		if cl.hit && co.ticket != 0 {
			st.because(RuleWolfHS13Resume)
			hit = st.wolfResume13(s, cl.sess)
		}
	}
	return hit
}

// wolfFinish is the rest of the handshake wolfHello began: the client
// reads the server's flight and both finish, filling their sessions (a
// full TLS 1.2 handshake's AddSession on both sides; a TLS 1.3 server's
// tickets). verdict is the rule of the server's decision.
func (st *stepper) wolfFinish(c, s Handle, v Version, hit bool, verdict Rule) {
	cl, sv := st.ssl(c), st.ssl(s)
	if hit || v == TLS13 {
		st.concerns(cl.sess) // the client's session stays as it is
	}
	cl.hit, sv.hit = hit, hit
	cl.version, sv.version = v, v
	cl.phase, sv.phase = phaseEstablished, phaseEstablished
	cl.peer, sv.peer = s, c
	switch {
	case v == TLS13:
		// At the server's Finished the client derives the new
		// connection's resumption secret into its own session
		// (DoTls13HandShakeMsgType -> DeriveResumptionSecret), which keeps
		// any older ticket and its nonce until a new ticket arrives.
		o := st.obj(cl.sess)
		o.stale = o.ticket != 0
		st.wolfTickets13(s, c)
	case !hit:
		// A full TLS 1.2 handshake: the server's new id, none when its
		// cache is off (SendServerHello); the client's AddSession runs
		// before the server's.
		var id int64
		if st.ctx(st.useCtx(s)).mode != CacheOff {
			id = st.freshID()
		}
		st.wolfUpdate(c, id)
		st.wolfUpdate(s, id)
	default:
		// A resumed TLS 1.2 handshake records nothing on either side.
		st.mark(RuleHS12NoUpdateOnHit)
		st.mark(RuleCBNewNotOnHit12)
		st.mark(RuleTimeTLS12ResumeKeeps)
		st.noEvent(cl.sess, EvNewSession, st.useCtx(c))
		st.noEvent(sv.sess, EvNewSession, st.useCtx(s))
	}
	st.because(verdict)
}

// wolfResume12 is the server's side of a TLS 1.2 resumption by id
// (HandleTlsResumption): a cache lookup unless the cache is off or
// NO_INTERNAL_LOOKUP; an entry of the same version that has not expired
// (now < time+timeout) is copied into the server's session (which gives up
// its ex_data to the cache), which then resumes if now <= its time plus the
// server SSL's timeout (WOLF-HS12-RESUME, else WOLF-HS12-SERVER-TIMEOUT).
// The copy stays even when it does not. Without a usable entry the
// handshake is full: WOLF-HS12-FULL stays current.
func (st *stepper) wolfResume12(s Handle, id int64) bool {
	sv := st.ssl(s)
	if m := st.ctx(st.useCtx(s)).mode; m == CacheOff || m&CacheNoInternalLookup != 0 {
		if m == CacheOff {
			st.because(RuleWolfCacheOff)
		}
		return false
	}
	r := st.wolfLookup(id)
	if r == 0 {
		return false
	}
	o := st.obj(r)
	if o.version != TLS12 || st.now >= o.time+o.timeout {
		return false
	}
	// The copy takes the entry's time.
	ok := st.now <= o.time+sv.timeout
	if ok {
		st.because(RuleWolfHS12Resume)
	} else {
		st.because(RuleWolfHS12ServerTimeout)
	}
	st.wolfCopy(sv.sess, r)
	st.obj(sv.sess).ownEx = false // "Session cache owns external data"
	return ok
}

// wolfResume13 is the server's side of a TLS 1.3 ticket (DoPreSharedKeys,
// DoClientTicket), under WOLF-HS13-RESUME: a ticket it can decrypt gives the
// server's session the ticket's id as alternative id, then resumes unless
// the ticket is older than the server SSL's timeout or a week, or the
// client read it more than maxTicketAgeDiff seconds after it was made
// (WOLF-HS13-TICKET-AGE). offer is the client's session; one whose secret
// is stale would fail the binder check where it would resume: unmodelled.
func (st *stepper) wolfResume13(s Handle, offer sessRef) bool {
	sv := st.ssl(s)
	t := st.obj(offer).ticket
	if !st.wolfDecrypts(st.useCtx(s), t) {
		return false
	}
	tk := st.tickets[t-1]
	st.obj(sv.sess).alt = tk.id
	st.wolfTicketSidCtx(s)
	st.wolfTicketEntry(s, tk.id)
	if st.ticketsToSend(s) == 0 {
		// DoClientTicket also copies the cache entry under that id into
		// the server's session; a ticket sent afterwards overwrites what
		// shows of it, but without one it stays.
		st.unsure = "a TLS 1.3 server that sends no ticket keeps what it copied from wolfSSL's cache"
	}
	age := st.now - tk.time
	seen := st.obj(offer).seen - tk.time
	ok := age <= sv.timeout && age <= st.prof.TicketHintCap && seen >= -1 && seen <= maxTicketAgeDiff
	if !ok {
		st.because(RuleWolfHS13TicketAge)
	} else if st.obj(offer).stale {
		// The binder the client made from a secret that is not the
		// ticket's fails the server's check (BAD_BINDER): the handshake
		// fails, which the profile does not follow.
		st.unsure = "a TLS 1.3 client offering a ticket whose secret a later handshake replaced (wolfSSL fails the binder check, BAD_BINDER)"
	}
	return ok
}

// wolfTicketEntry is DoClientTicket's cache lookup under the decrypted
// ticket's id (wolfSSL_GetSession with altSessionID): an unexpired entry
// is copied into the server's session, and like every copy from the cache
// (wolfResume12) it leaves the ex_data to the entry, so that SSL_free of
// the server then calls no remove_cb (WOLF-REMOVECB-ON-FREE) unless a later
// insertion hands the ex_data back. The lookup also checks that the entry
// suits the SSL (CheckSessionMatch: its TLS version and session id
// context); where that is not plain the model gives up on the call rather
// than guess. wolfTicketCopy shows what else the copy changes half way.
func (st *stepper) wolfTicketEntry(s Handle, id int64) {
	r := st.wolfLookup(id)
	if r == 0 || st.now >= st.obj(r).time+st.obj(r).timeout {
		return
	}
	e, sv := st.obj(r), st.ssl(s)
	// An SSL without a session id context accepts any entry's.
	if e.version != TLS13 || (sv.sidCtx != SidCtxEmpty && (e.sidUnknown || sv.sidCtx != e.sidCtx)) {
		if st.obj(sv.sess).ownEx {
			st.unsure = "whether wolfSSL's cache lookup under a ticket's id accepts the entry (CheckSessionMatch: its TLS version and session id context) and takes the session's ex_data"
		}
		return
	}
	st.obj(sv.sess).ownEx = false // "Session cache owns external data"
}

// wolfTickets13 writes a TLS 1.3 server's tickets (WOLF-HS13-TICKETS):
// num_tickets after a full handshake, at most one after a resumption. Each
// is made from the server's own session (its id is the alternative id,
// else the echoed id, else a new alternative id), stored in it, and
// followed by AddSession (SendTls13NewSessionTicket).
func (st *stepper) wolfTickets13(s, c Handle) {
	defer st.leave(st.enter(RuleWolfHS13Tickets))
	sv := st.ssl(s)
	n := st.ticketsToSend(s)
	if sv.hit && n > 1 {
		n = 1
	}
	if n == 0 {
		st.concerns(sv.sess)
	}
	for i := int64(0); i < n; i++ {
		sv = st.ssl(s)
		o := st.obj(sv.sess)
		id := st.wolfKey(sv.sess)
		if id == 0 {
			o.alt = st.freshID()
			id = o.alt
		}
		slot, gen, ok := st.wolfTicketKey(st.useCtx(s))
		if !ok {
			st.unsure = "no ticket key can outlive the ticket lifetime hint (wolfSSL BAD_STATE_E)"
			return
		}
		st.tickets = append(st.tickets, ticket{issuer: st.useCtx(s), version: TLS13, id: id, time: st.now,
			hint: st.ctx(st.useCtx(s)).hint, slot: slot, gen: gen})
		t := int32(len(st.tickets))
		o.ticket = t
		st.mark(RuleTimeTLS13ServerTicket)
		st.wolfUpdate(s, 0)
		cl := st.ssl(c)
		cl.pending = append(cl.pending, t)
	}
}
