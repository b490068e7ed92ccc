package model

import "fmt"

// The views below let engines, generators and the scenario simulator look
// inside a universe (reference counts, who holds what, what each cache
// holds) without being able to change it.

// CtxView is a read-only view of one SSL_CTX.
type CtxView struct {
	Ctx        Handle
	Side       Side
	Config     CtxConfig
	AppHeld    bool // the application may still use the handle
	Alive      bool // the object exists (held by the application or an SSL)
	Mode       CacheMode
	CacheSize  int64
	Timeout    int64
	NumTickets int64
	// MaxEarlyData is the SSL_CTX's max_early_data (what SSL_new copies).
	MaxEarlyData int64
	Options      Options
	SidCtx       SidCtx // the session id context SSL_new copies
	// Cached lists the sessions in the cache from head (expires last) to
	// tail (evicted first); [Unnamed] for a session the application has not
	// been shown.
	Cached []Handle
	// CachedRefs holds the reference count of each cached session, in the
	// same order.
	CachedRefs                        []int
	Hits, Misses, Timeouts, CacheFull int64
	// Store lists the external cache's entries (CtxConfig.GetCB), in the
	// order they were put.
	Store []StoreView
}

// StoreView is one entry of an application's external cache: the session
// it keeps, and whether it still owns that reference (false once
// get_session_cb handed it over with *copy = 0).
type StoreView struct {
	Sess  Handle
	Owned bool
	// Bytes: an entry of a store of bytes (CB-EXT-SERIAL-STORE), which
	// holds no session (Sess 0) but what i2d_SSL_SESSION encoded.
	Bytes bool
}

// Phase is where an SSL's connection stands.
type Phase uint8

// The phases of a connection.
const (
	// PhaseBefore: new, or SSL_clear'ed (SSL_in_before).
	PhaseBefore Phase = Phase(phaseBefore)
	// PhaseEstablished: a handshake completed.
	PhaseEstablished Phase = Phase(phaseEstablished)
	// PhaseFailed: a fatal error happened (SSL_in_init again).
	PhaseFailed Phase = Phase(phaseFailed)
	// PhaseReset: SSL_set_session after the handshake left it unable to
	// do I/O.
	PhaseReset Phase = Phase(phaseReset)
	// PhaseHello: a handshake in steps is between client_hello and
	// handshake_finish (SSL_in_init).
	PhaseHello Phase = Phase(phaseHello)
)

// String returns "before", "established", "failed" or "reset".
func (p Phase) String() string {
	if int(p) < 4 {
		return [...]string{"before", "established", "failed", "reset"}[p]
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// SSLView is a read-only view of one SSL.
type SSLView struct {
	SSL    Handle
	Ctx    Handle
	Client bool
	Alive  bool
	// Phase is where the SSL's connection stands.
	Phase            Phase
	SentShutdown     bool
	ReceivedShutdown bool
	Sess             Handle // 0 none, Unnamed for an unseen session
	Reused           bool
	Version          Version
	Peer             Handle
	PendingTickets   int
	// Options and NumTickets are the SSL's own, which SSL_new copied from
	// its SSL_CTX.
	Options    Options
	NumTickets int64
	// Method is the version of the SSL's method: VersionNone for its
	// SSL_CTX's generic one; a fresh SSL has another only after
	// SSL_copy_session_id, and then handshakes only at that version.
	Method Version
	SidCtx SidCtx // the SSL's own session id context, copied by SSL_new
	// Cur is the SSL_CTX SSL_set_SSL_CTX made current; 0 while that is
	// Ctx, the one the SSL was made from (its session_ctx).
	Cur Handle
	// Held describes the session the SSL holds, named or not (its Sess
	// is Unnamed then); the zero SessView when it holds none.
	Held SessView
}

// SessView is a read-only view of one named session.
type SessView struct {
	Sess      Handle
	Alive     bool
	Refs      int // the reference count
	AppRefs   int // how many of them the application owns
	Owner     Handle
	Resumable bool
	IDLen     int
	HasTicket bool
	Version   Version
	Time      int64
	Timeout   int64
	// Issuer is the server SSL_CTX that made the session, or issued the
	// id or ticket it resumes with; 0 when none did.
	Issuer Handle
	// Hint is the TLS 1.3 ticket lifetime hint a client session carries.
	Hint int64
	// SidCtx is the session's id context.
	SidCtx SidCtx
}

// Ctxs returns a view of every SSL_CTX ever created, in handle order.
func (s *State) Ctxs() []CtxView { return s.AppendCtxs(make([]CtxView, 0, len(s.ctxs))) }

// AppendCtxs is Ctxs into dst's memory: it overwrites dst[:0], reusing the
// Cached and CachedRefs lists of the views it overwrites, so that a caller
// that looks at the universe before every call (the generator) allocates
// nothing once its buffers have grown.
func (s *State) AppendCtxs(dst []CtxView) []CtxView {
	dst = dst[:0]
	for i := range s.ctxs {
		c := &s.ctxs[i]
		var cached []Handle
		var refs []int
		if i < cap(dst) {
			old := dst[:i+1][i]
			cached, refs = old.Cached[:0], old.CachedRefs[:0]
		}
		v := CtxView{Ctx: Handle(i + 1), Side: c.cfg.Side, Config: c.cfg, AppHeld: c.appHeld, Alive: c.alive,
			Mode: c.mode, CacheSize: c.size, Timeout: c.timeout, NumTickets: c.numTickets, MaxEarlyData: c.maxEarly, Options: c.options,
			SidCtx: c.sidCtx,
			Hits:   c.hits, Misses: c.misses, Timeouts: c.timeouts, CacheFull: c.cacheFull}
		for _, r := range c.list {
			cached = append(cached, s.viewHandle(r))
			refs = append(refs, int(s.obj(r).refs))
		}
		if len(c.list) > 0 {
			v.Cached, v.CachedRefs = cached, refs
		}
		for _, e := range c.store {
			v.Store = append(v.Store, StoreView{Sess: e.sess, Owned: e.owned, Bytes: e.sess == 0})
		}
		dst = append(dst, v)
	}
	return dst
}

// SSLs returns a view of every SSL ever created, in handle order.
func (s *State) SSLs() []SSLView { return s.AppendSSLs(make([]SSLView, 0, len(s.ssls))) }

// AppendSSLs is SSLs into dst's memory (overwriting dst[:0]).
func (s *State) AppendSSLs(dst []SSLView) []SSLView {
	dst = dst[:0]
	for i := range s.ssls {
		l := &s.ssls[i]
		v := SSLView{SSL: Handle(i + 1), Ctx: l.ctx, Client: l.client, Alive: l.alive,
			Phase: Phase(l.phase), SentShutdown: l.sent,
			ReceivedShutdown: l.recv, Sess: s.viewHandle(l.sess), Reused: l.hit, Version: l.version,
			Peer: l.peer, PendingTickets: len(l.pending), Options: l.options, NumTickets: l.numTickets, Method: l.method,
			SidCtx: l.sidCtx, Cur: l.cur}
		if s.prof.NumTicketsAtUse { // profile switch (BoringSSL: B15): the SSL has no count of its own
			v.NumTickets = s.ctx(l.ctx).numTickets
		}
		if l.sess != 0 {
			v.Held = s.sessView(l.sess)
		}
		dst = append(dst, v)
	}
	return dst
}

// Sessions returns a view of every named session, in handle order.
func (s *State) Sessions() []SessView { return s.AppendSessions(make([]SessView, 0, len(s.named))) }

// AppendSessions is Sessions into dst's memory (overwriting dst[:0]).
func (s *State) AppendSessions(dst []SessView) []SessView {
	dst = dst[:0]
	for i, r := range s.named {
		v := s.sessView(r)
		v.Sess = Handle(i + 1) // a destroyed session may share a renamed state's tombstone (Rename)
		dst = append(dst, v)
	}
	return dst
}

// UnnamedAppRefs counts the references the application owns on live
// session objects no reply has shown yet: d2i's reference to a fresh
// object that get_session_cb returned with *copy left at 1
// (CB-GET-FRESH-COPY1), which the application keeps nowhere.
func (s *State) UnnamedAppRefs() int {
	n := 0
	for _, o := range s.objs {
		if o.alive && o.handle == 0 {
			n += int(o.appRefs)
		}
	}
	return n
}

// sessView is the view of session object r.
func (s *State) sessView(r sessRef) SessView {
	o := s.obj(r)
	return SessView{Sess: s.viewHandle(r), Alive: o.alive, Refs: int(o.refs), AppRefs: int(o.appRefs),
		Owner: o.owner, Resumable: o.resumable(), IDLen: idLen(o.id), HasTicket: o.ticket != 0,
		Version: o.version, Time: o.time, Timeout: o.timeout, Issuer: o.origin, Hint: o.hint,
		SidCtx: o.sidCtx}
}

func (s *State) viewHandle(r sessRef) Handle {
	if r == 0 {
		return 0
	}
	if h := s.obj(r).handle; h != 0 {
		return h
	}
	return Unnamed
}
