package model

import (
	"hash/fnv"
	"slices"
)

// State is one universe: every SSL_CTX, SSL and SSL_SESSION ever made in
// it, and the virtual clock. The zero value is not usable; call [New].
// States are values with unshared insides after [State.Clone].
type State struct {
	prof    Profile
	now     int64
	nextID  int64 // the last session id handed out; ids are 1, 2, ...
	ctxs    []ctxObj
	ssls    []sslObj
	objs    []sessObj // every session object ever made; index+1 is its ref
	named   []int32   // session handle-1 -> object ref
	tickets []ticket  // every ticket ever issued; index+1 is its ref
	// Profile switch SharedCopyCache (wolfSSL): the process-wide cache's
	// entries, in the order they were placed, and how many insertions
	// (overwrites included) it has seen.
	rows    []sessRef
	inserts int64
	// fired holds the rules the last step applied (Fired); it is not part
	// of the universe, so Equal and Hash ignore it.
	fired RuleSet
	// differs holds the rules prof does not apply (profile_rules.go), for
	// the stepper's or; it follows from prof.
	differs RuleSet
	// skew is zero except in the trial runs of RefSuspects, which arm it
	// to make one release of one session drop no reference or two. It is
	// not part of the universe: Equal, Hash and the key leave it out,
	// since no state a checker compares ever has it set.
	skew refSkew
}

// sessRef names a session object inside the model (index+1; 0 is none).
type sessRef = int32

type phase uint8

const (
	phaseBefore      phase = iota // new, or after SSL_clear: SSL_in_before
	phaseEstablished              // handshake complete
	phaseFailed                   // a fatal error happened: SSL_in_init is true again
	// phaseReset: SSL_set_session after the handshake put back the
	// SSL_CTX's generic method (SSL_set_ssl_method), discarding the record
	// layer; the state machine still says "done", so the bad-session rule
	// applies, but the connection can no longer do I/O.
	phaseReset
	// phaseHello: client_hello has run and handshake_finish has not: the
	// client's ClientHello is out and the server's first flight waits for
	// it (SSL_in_init on both).
	phaseHello
)

type ctxObj struct {
	cfg                               CtxConfig
	mode                              CacheMode
	size                              int64
	timeout                           int64 // SSL_CTX_get_timeout; 0 means the profile default
	numTickets                        int64
	maxEarly                          int64 // SSL_CTX_set_max_early_data
	options                           Options
	sidCtx                            SidCtx // what SSL_new copies (SIDCTX-COPIED)
	appHeld                           bool   // the application has not called SSL_CTX_free
	alive                             bool   // the object exists (application or SSL references)
	sslRefs                           int32
	hits, misses, timeouts, cacheFull int64
	connectGood, acceptGood           int64
	connect, accept                   int64 // handshakes started (CNT-CONNECT, CNT-ACCEPT)
	// cbHits counts sessions an external cache's get_session_cb returned
	// (CNT-CB-HITS, CB-GET-STORES).
	cbHits int64
	// sniTo is the SSL_CTX the servername callback installed on this one
	// switches to (SSL_CTX_set_tlsext_servername_callback); 0: none
	// installed (snicb.go).
	sniTo Handle
	// store is the application's external cache when cfg.GetCB installs
	// one (CB-EXT-STORE), in the order entries were put.
	store []storeEntry
	list  []sessRef // the cache, head (expires last) to tail
	// wolfSSL (profile_wolfssl.go): the TLS 1.3 ticket lifetime hint and
	// the two ticket encryption keys.
	hint int64
	keys [2]ticketKey
	// BoringSSL (profile_boringssl.go): cache adds since the last
	// automatic flush.
	sinceFlush int64
}

// ticketKey is one of an SSL_CTX's ticket encryption keys (wolfSSL
// DefTicketEncCb): which one it is (gen counts replacements) and until when
// it decrypts.
type ticketKey struct {
	gen int32
	exp int64
}

type sslObj struct {
	ctx        Handle
	client     bool
	alive      bool
	phase      phase
	sent, recv bool // SSL_SENT_SHUTDOWN, SSL_RECEIVED_SHUTDOWN
	quiet      bool // SSL_set_quiet_shutdown (SHUT-QUIET)
	sess       sessRef
	hit        bool
	version    Version // of the last handshake
	// method is the version of the SSL's method: VersionNone for its
	// SSL_CTX's generic one (MATCH-SSL-VERSION).
	method Version
	// hello is what SSL_version reads while the method is the generic
	// one, when not the generic method's own TLS 1.3: the version a
	// client's ClientHello announced (ssl_set_client_hello_version sets it
	// to the highest the SSL allows, which the harness pins to the
	// handshake's), or that of a record read before the ServerHello
	// (ssl3_get_record answers in the peer's version). VersionNone after
	// SSL_clear and whenever the method changes (tls1_clear).
	hello Version
	// options and numTickets are the SSL's own, copied from its SSL_CTX
	// by SSL_new (SET-OPTIONS-COPIED, SET-NUM-TICKETS).
	options    Options
	numTickets int64
	maxEarly   int64 // max_early_data, copied from the SSL_CTX by SSL_new
	// sidCtx is the SSL's session id context, copied from its SSL_CTX by
	// SSL_new (SIDCTX-COPIED).
	sidCtx SidCtx
	// cur is the SSL_CTX SSL_set_SSL_CTX made current (s->ctx), holding
	// a reference; 0 while that is ctx, the session_ctx (sslctx.go).
	cur        Handle
	peer       Handle  // the other end of the last handshake
	peerClosed bool    // the peer's close_notify is waiting to be read
	pending    []int32 // tickets sent by the server, not yet read (client)
	// wolfSSL (profile_wolfssl.go): ssl->timeout, whether the SSL ever did
	// I/O (used), records SSL_shutdown delivered but did not process yet.
	// BoringSSL: used marks an SSL that failed half way through a
	// handshake, still in it (SSL_in_init) until SSL_clear.
	timeout       int64
	used          bool
	buffered      []int32
	closeBuffered bool
	wantRead      bool    // ssl->error holds WANT_READ from an SSL_read
	pinned        Version // ssl->version as SSL_set_session last set it
	pinned13      bool    // SSL_set_session ever set options.tls1_3
	// suites12: wolfSSL_clear rebuilt the cipher suites while the SSL was
	// pinned to TLS 1.2 (no TLS 1.3 suite is left; WOLF-CLEAR-RENEWS-UNFINISHED).
	suites12 bool
	// BoringSSL (profile_boringssl.go): once a handshake completed, sess
	// is the established session and conf the session the SSL was given
	// (ssl->session), each holding a reference; before, sess is the
	// latter and conf 0.
	conf sessRef
	// A handshake in steps (flight.go), between client_hello and
	// handshake_finish: the server's verdict (hsExpect: TLS 1.2, a
	// NewSessionTicket will follow; hsVerdict and hsServer, the rules of
	// its resumption decision and of its own session) and, on the client,
	// hsTicket, a TLS 1.2 ticket in the server's first flight.
	hsExpect            bool
	hsTicket            int32
	hsVerdict, hsServer Rule
}

type sessObj struct {
	alive        bool
	refs         int32
	appRefs      int32 // references the application owns
	handle       Handle
	version      Version
	id           int64 // 0: empty id
	ticket       int32 // the ticket this client session holds (ref), 0 none
	notResumable bool
	time         int64
	timeout      int64
	hint         int64  // TLS 1.3 ticket_lifetime_hint (client)
	owner        Handle // the SSL_CTX whose cache holds this object
	origin       Handle // the server SSL_CTX that made it or issued its id or ticket
	sidCtx       SidCtx // the session id context of the SSL that made it (SIDCTX-NEW-SESSION)
	// wolfSSL (profile_wolfssl.go): the session's side, its alternative id
	// (the cache key when set), whether freeing it calls remove_cb
	// (ownExData), whether it is an entry of the process-wide cache, then
	// the insertion that placed it and whether it may have been evicted
	// since, and when a client read its ticket.
	side  Side
	alt   int64
	ownEx bool
	row   bool
	seq   int64
	doubt bool
	seen  int64
	// stale: a TLS 1.3 client session whose secret a later handshake
	// replaced while it kept an older ticket (WOLF-HS13-RESUME).
	stale bool
	// sidUnknown: a wolfSSL server session that may have taken a cache
	// entry's session id context (WOLF-SIDCTX-RECORDED).
	sidUnknown bool
	// BoringSSL (profile_boringssl.go): how long a TLS 1.3 session can
	// still be renewed (auth_timeout).
	auth int64
	// blank: made half way through a handshake in steps, which has not
	// given it a cipher yet, so i2d_SSL_SESSION encodes nothing (flight.go).
	blank bool
}

// ticket is what a server put into a NewSessionTicket: enough for the
// issuing SSL_CTX to rebuild the session it describes.
type ticket struct {
	issuer   Handle
	stateful bool // SSL_OP_NO_TICKET in TLS 1.3: the ticket is a session id
	version  Version
	id       int64
	time     int64
	timeout  int64
	hint     int64 // ticket_lifetime_hint
	slot     int8  // wolfSSL: the encryption key used, and its generation
	gen      int32
	auth     int64  // BoringSSL: the session's auth_timeout
	sidCtx   SidCtx // the session's id context, sealed into a stateless ticket
}

// New returns an empty universe that follows profile p.
func New(p Profile) *State {
	return &State{prof: p, now: p.StartTime, differs: p.differing()}
}

// Profile returns the profile the universe follows.
func (s *State) Profile() Profile { return s.prof }

// Now returns the virtual clock.
func (s *State) Now() int64 { return s.now }

// NextCtx returns the handle the next CtxNew must use.
func (s *State) NextCtx() Handle { return Handle(len(s.ctxs) + 1) }

// NextSSL returns the handle the next SSLNew must use.
func (s *State) NextSSL() Handle { return Handle(len(s.ssls) + 1) }

// NamedSessions returns how many sessions have been named so far.
func (s *State) NamedSessions() int { return len(s.named) }

// Clone returns a deep copy.
func (s *State) Clone() *State {
	c := new(State)
	s.cloneInto(c)
	return c
}

// Equal reports whether two universes are in the same state.
func (s *State) Equal(o *State) bool {
	if s.prof != o.prof || s.now != o.now || s.nextID != o.nextID ||
		!slices.Equal(s.objs, o.objs) || !slices.Equal(s.named, o.named) ||
		!slices.Equal(s.tickets, o.tickets) || !slices.Equal(s.rows, o.rows) || s.inserts != o.inserts ||
		len(s.ctxs) != len(o.ctxs) || len(s.ssls) != len(o.ssls) {
		return false
	}
	for i := range s.ctxs {
		a, b := s.ctxs[i], o.ctxs[i]
		if !slices.Equal(a.list, b.list) {
			return false
		}
		a.list, b.list = nil, nil
		if !ctxEqual(&a, &b) {
			return false
		}
	}
	for i := range s.ssls {
		if !sslEqual(&s.ssls[i], &o.ssls[i]) {
			return false
		}
	}
	return true
}

func sslEqual(a, b *sslObj) bool {
	if !slices.Equal(a.pending, b.pending) || !slices.Equal(a.buffered, b.buffered) ||
		a.timeout != b.timeout || a.used != b.used || a.closeBuffered != b.closeBuffered || a.wantRead != b.wantRead ||
		a.pinned != b.pinned || a.pinned13 != b.pinned13 || a.conf != b.conf ||
		a.hsExpect != b.hsExpect || a.hsTicket != b.hsTicket || a.hsVerdict != b.hsVerdict || a.hsServer != b.hsServer {
		return false
	}
	return a.ctx == b.ctx && a.client == b.client && a.alive == b.alive && a.phase == b.phase &&
		a.sent == b.sent && a.recv == b.recv && a.sess == b.sess && a.hit == b.hit &&
		a.version == b.version && a.peer == b.peer && a.peerClosed == b.peerClosed && a.method == b.method && a.hello == b.hello &&
		a.options == b.options && a.numTickets == b.numTickets && a.quiet == b.quiet && a.maxEarly == b.maxEarly && a.sidCtx == b.sidCtx && a.cur == b.cur
}

func ctxEqual(a, b *ctxObj) bool {
	return slices.Equal(a.store, b.store) && a.cfg == b.cfg && a.mode == b.mode && a.size == b.size && a.timeout == b.timeout &&
		a.numTickets == b.numTickets && a.maxEarly == b.maxEarly && a.options == b.options && a.appHeld == b.appHeld && a.alive == b.alive && a.sslRefs == b.sslRefs &&
		a.hits == b.hits && a.misses == b.misses && a.timeouts == b.timeouts && a.cacheFull == b.cacheFull &&
		a.connectGood == b.connectGood && a.acceptGood == b.acceptGood && a.connect == b.connect && a.accept == b.accept &&
		a.cbHits == b.cbHits && a.hint == b.hint && a.keys == b.keys && a.sinceFlush == b.sinceFlush && a.sidCtx == b.sidCtx
}

// Hash returns a hash consistent with Equal.
func (s *State) Hash() uint64 {
	h := fnv.New64a()
	var buf [8]byte
	put := func(v int64) {
		for i := range buf {
			buf[i] = byte(v >> (8 * i))
		}
		h.Write(buf[:])
	}
	put(s.now)
	put(s.nextID)
	put(int64(len(s.ctxs)))
	for _, c := range s.ctxs {
		put(int64(len(c.list)))
		for _, r := range c.list {
			put(int64(r))
		}
		put(c.hits + c.misses<<8 + c.timeouts<<16 + c.cacheFull<<24 + c.connectGood<<32 + c.acceptGood<<40)
		put(c.connect + c.accept<<20 + c.cbHits<<40)
		for _, e := range c.store {
			put(int64(e.sess)<<40 ^ e.id<<1 ^ b2i(e.owned))
			put(e.bytes.time ^ e.bytes.timeout<<20 ^ int64(e.bytes.version)<<44 ^ int64(e.bytes.sidCtx)<<52)
		}
	}
	put(int64(len(s.ssls)))
	for _, l := range s.ssls {
		put(int64(l.sess)<<8 | int64(l.phase)<<4 | b2i(l.alive)<<3 | b2i(l.sent)<<2 | b2i(l.recv)<<1 | b2i(l.hit))
		put(int64(len(l.pending)))
	}
	for _, o := range s.objs {
		put(int64(o.refs)<<32 | int64(o.appRefs)<<8 | b2i(o.alive)<<1 | b2i(o.notResumable))
		put(o.time ^ o.timeout<<20 ^ int64(o.owner)<<48)
	}
	return h.Sum64()
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Observe returns what a harness can cheaply see of the universe.
func (s *State) Observe() Observation {
	// One allocation per list: the generator observes after every call.
	ob := Observation{Ctxs: make([]CtxObs, 0, len(s.ctxs)), SSLs: make([]SSLObs, 0, len(s.ssls)),
		Sessions: make([]SessObs, 0, len(s.named))}
	s.observe(&ob)
	return ob
}

// ObserveInto is [State.Observe] written into ob, whose lists' arrays it
// reuses: for a caller that observes after every call and keeps only a few
// observations at a time (a pipelined lockstep), so that observing does not
// allocate once the arrays are large enough. Nothing of ob's old content
// is kept.
func (s *State) ObserveInto(ob *Observation) {
	ob.Ctxs, ob.SSLs, ob.Sessions = ob.Ctxs[:0], ob.SSLs[:0], ob.Sessions[:0]
	if ob.Ctxs == nil {
		ob.Ctxs = make([]CtxObs, 0, len(s.ctxs))
	}
	if ob.SSLs == nil {
		ob.SSLs = make([]SSLObs, 0, len(s.ssls))
	}
	if ob.Sessions == nil {
		ob.Sessions = make([]SessObs, 0, len(s.named))
	}
	s.observe(ob)
}

// observe appends what Observe reports to ob's lists.
func (s *State) observe(ob *Observation) {
	for i, c := range s.ctxs {
		if !c.appHeld {
			continue
		}
		st := s.ctxStats(&c)
		ob.Ctxs = append(ob.Ctxs, CtxObs{Ctx: Handle(i + 1), Number: st.number,
			Hits: st.hits, Misses: st.misses, Timeouts: st.timeouts, CacheFull: st.cacheFull,
			Connect: st.connect, ConnectGood: st.connectGood, Accept: st.accept, AcceptGood: st.acceptGood,
			CbHits: st.cb})
	}
	for i, l := range s.ssls {
		if !l.alive {
			continue
		}
		o := SSLObs{SSL: Handle(i + 1), Reused: l.hit}
		if l.sess != 0 {
			o.Sess = s.obj(l.sess).handle
			if o.Sess == 0 {
				o.Sess = Unnamed
			}
		}
		ob.SSLs = append(ob.SSLs, o)
	}
	for i, r := range s.named {
		o := s.obj(r)
		if !o.alive {
			continue
		}
		sc := o.sidCtx
		if o.sidUnknown {
			sc = SidCtxUnknown
		}
		ob.Sessions = append(ob.Sessions, SessObs{Sess: Handle(i + 1), Resumable: o.resumable(),
			IDLen: idLen(o.id), Time: o.time, Timeout: o.timeout, SidCtx: sc})
	}
}

// stats is what the SSL_CTX_sess_* counters report.
type stats struct {
	number, hits, misses, timeouts, cacheFull    int64
	connect, connectGood, accept, acceptGood, cb int64
}

// ctxStats reads an SSL_CTX's counters. Profile switch StatsAreStubs:
// wolfSSL 5.5.4's SSL_CTX_sess_number and every other counter always
// return 0. Profile switch CountersAreStubs: BoringSSL's do too, but
// SSL_CTX_sess_number (BORING-STATS-STUBS).
func (s *State) ctxStats(c *ctxObj) stats {
	switch {
	case s.prof.StatsAreStubs:
		return stats{}
	case s.prof.CountersAreStubs:
		return stats{number: int64(len(c.list))}
	}
	return stats{number: int64(len(c.list)), hits: c.hits, misses: c.misses, timeouts: c.timeouts,
		cacheFull: c.cacheFull, connect: c.connect, connectGood: c.connectGood, accept: c.accept,
		acceptGood: c.acceptGood, cb: c.cbHits}
}

func idLen(id int64) int {
	if id == 0 {
		return 0
	}
	return 32
}

func (o *sessObj) resumable() bool {
	return !o.notResumable && (o.id != 0 || o.ticket != 0)
}

func (s *State) obj(r sessRef) *sessObj { return &s.objs[r-1] }
func (s *State) ctx(h Handle) *ctxObj   { return &s.ctxs[h-1] }
func (s *State) ssl(h Handle) *sslObj   { return &s.ssls[h-1] }
