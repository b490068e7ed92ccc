package impl

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/sesslife/sesslife/model"
)

// SessionID is a session id: empty, or the 32 bytes a server makes.
type SessionID struct {
	b [32]byte
	n uint8
}

// Len returns the id's length: 0 or 32.
func (id SessionID) Len() int { return int(id.n) }

// Bytes returns a copy of the id.
func (id SessionID) Bytes() []byte { return append([]byte(nil), id.b[:id.n]...) }

// Session is an SSL_SESSION: the state a connection can be resumed from,
// shared by reference counting between connections, SSL_CTX caches and the
// application.
//
// Version, id, ticket and hint are written only while the session is private
// to the connection building it (OpenSSL's rule: a session that may sit in a
// cache is immutable; the library copies it instead of changing it), so they
// are read without locks. Time and timeout can be changed by the
// application at any time and are guarded by mu; the cache links by the
// owning SSL_CTX's lock.
type Session struct {
	env  *Env
	refs atomic.Int32

	version model.Version
	id      SessionID
	ticket  *ticket // the NewSessionTicket a client received, nil if none
	hint    int64   // ticket_lifetime_hint of that ticket (seconds)

	notResumable atomic.Bool
	// noCipher: made half way through a handshake in steps, which has
	// not given it a cipher yet; i2d_SSL_SESSION encodes nothing.
	noCipher atomic.Bool
	sidCtx   atomic.Uint32 // a model.SidCtx (SSL_SESSION_set1_id_context may change it while cached)

	mu      sync.Mutex // guards time, timeout and owner
	time    int64
	timeout int64
	owner   *Ctx // the SSL_CTX whose cache holds the session; also written under owner.mu

	prev, next *Session // neighbours in owner's expiry list, guarded by owner.mu
}

// newSession makes a session with one reference (the caller's), created now.
func (e *Env) newSession(v model.Version, timeout int64) *Session {
	s := &Session{env: e, version: v, time: e.Now(), timeout: timeout}
	s.refs.Store(1)
	e.live.Add(1)
	return s
}

// dup copies s for the library's own use, as ssl_session_dup does: one
// reference, in no cache, resumable flag cleared.
func (s *Session) dup() *Session {
	t, timeout := s.times()
	d := &Session{env: s.env, version: s.version, id: s.id, ticket: s.ticket, hint: s.hint,
		time: t, timeout: timeout}
	d.refs.Store(1)
	d.sidCtx.Store(s.sidCtx.Load())
	d.noCipher.Store(s.noCipher.Load())
	s.env.live.Add(1)
	return d
}

// UpRef takes one more reference (SSL_SESSION_up_ref). Taking a reference
// to a destroyed session is a use after free: it panics.
func (s *Session) UpRef() {
	if s.env.faults.addRef(&s.refs, 1) <= 1 {
		panic("impl: SSL_SESSION_up_ref: the session was already destroyed (use after free)")
	}
}

// Free drops one reference (SSL_SESSION_free). The last one destroys the
// session, which runs the universe's destruction hook. A nil session is
// ignored. Dropping a reference that does not exist panics: it is a
// double free.
func (s *Session) Free(call context.Context) {
	if s != nil {
		s.release(call)
	}
}

func (s *Session) release(call context.Context) {
	n := s.env.faults.addRef(&s.refs, -1)
	if n > 0 {
		return
	}
	if n < 0 {
		panic("impl: SSL_SESSION_free: reference count below zero (double free)")
	}
	s.env.live.Add(-1)
	if s.env.onDestroy != nil {
		s.env.onDestroy(call, s)
	}
}

// RefCount returns the current number of references, for tests and
// debugging; it can be stale as soon as it returns.
func (s *Session) RefCount() int32 { return s.refs.Load() }

// Version returns the protocol version the session was made for.
func (s *Session) Version() model.Version { return s.version }

// ID returns the session id (empty for a TLS 1.3 handshake session, a TLS
// 1.2 server session issuing a stateless ticket, or a server without a
// server-side cache).
func (s *Session) ID() SessionID { return s.id }

// HasTicket reports whether a client session holds a ticket
// (SSL_SESSION_has_ticket).
func (s *Session) HasTicket() bool { return s.ticket != nil }

// TicketLifetimeHint returns the lifetime hint of the session's ticket, in
// seconds (SSL_SESSION_get_ticket_lifetime_hint).
func (s *Session) TicketLifetimeHint() int64 { return s.hint }

// IsResumable reports whether a client could offer the session
// (SSL_SESSION_is_resumable): it has an id or a ticket and was not removed
// from a cache.
func (s *Session) IsResumable() bool {
	return !s.notResumable.Load() && s.env.faults.choose(HasResumptionState, s, s.id.n > 0 || s.ticket != nil)
}

// Time returns the creation time (SSL_SESSION_get_time).
func (s *Session) Time() int64 {
	t, _ := s.times()
	return t
}

// Timeout returns the lifetime in seconds (SSL_SESSION_get_timeout).
func (s *Session) Timeout() int64 {
	_, timeout := s.times()
	return timeout
}

func (s *Session) times() (t, timeout int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.time, s.timeout
}

// expiry is calc_timeout; the caller holds s.mu or owns s privately.
func (s *Session) expiry() int64 { return s.time + s.timeout }

// expiredAt reports whether the session has timed out at time t: expiry is
// strict (sess_timedout: t > time + timeout).
func (s *Session) expiredAt(t int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return t > s.expiry()
}

// SetTime sets the creation time (SSL_SESSION_set_time, which returns its
// argument). A cached session moves to its new place in the expiry order.
func (s *Session) SetTime(t int64) {
	s.setTimes(func() { s.time = t })
}

// SetTimeout sets the lifetime (SSL_SESSION_set_timeout). A negative value
// is refused (false), as OpenSSL 3.0 does; a cached session moves to its new
// place in the expiry order.
func (s *Session) SetTimeout(t int64) bool {
	if t < 0 {
		return false
	}
	s.setTimes(func() { s.timeout = t })
	return true
}

// setTimes applies set while no cache can be reading s's expiry: under the
// owner's lock (taken before s.mu, the library's lock order) when s is
// cached, re-sorting it there afterwards. The owner is re-read under both
// locks because another goroutine may cache or uncache s meanwhile.
func (s *Session) setTimes(set func()) {
	f := s.env.faults
	for {
		mu := f.lock(SetTimeLocksSession, s, &s.mu)
		mu.Lock()
		owner := s.owner
		if owner == nil || !f.choose(SetTimeResorts, s, true) {
			f.reach(SetTimeWrites, s)
			set()
			mu.Unlock()
			return
		}
		mu.Unlock()
		f.reach(SetTimeLocksOwner, s)
		owner.mu.Lock()
		s.mu.Lock()
		if s.owner != owner && f.choose(SetTimeRechecksOwner, s, true) {
			s.mu.Unlock()
			owner.mu.Unlock()
			continue
		}
		set()
		s.mu.Unlock()
		owner.link(s)
		owner.mu.Unlock()
		return
	}
}
