package impl

import (
	"context"

	"github.com/sesslife/sesslife/model"
)

// This file is serialization and copies: a session encoded with
// i2d_SSL_SESSION and decoded with d2i_SSL_SESSION (one step, as the
// model's i2d_d2i: docs/spec.md, "Serialization and copies"),
// SSL_SESSION_dup, SSL_SESSION_new and SSL_copy_session_id. Each new
// session has one reference, the caller's, and sits in no cache.

// emptySessionTimeout is SSL_SESSION_new's timeout (ssl_sess.c).
const emptySessionTimeout = 60*5 + 4

// decodedTimeout replaces an encoded timeout of 0 (ssl_asn1.c d2i_SSL_SESSION).
const decodedTimeout = 3

// RoundTrip returns a new session decoded from s's encoding, or nil when s
// has no cipher (an empty session: i2d_SSL_SESSION encodes nothing). The
// encoding holds the version, the id, the ticket and its hint, the time and
// the timeout, taken now; it holds no not_resumable mark, and d2i gives a
// time of 0 the clock's time and a timeout of 0 three seconds.
func (s *Session) RoundTrip() *Session {
	if s.version == model.VersionNone || s.noCipher.Load() {
		return nil
	}
	f := s.env.faults
	t, timeout := s.times()
	d := &Session{env: s.env, version: s.version, id: s.id, time: t, timeout: timeout}
	if f.choose(RoundTripKeepsTicket, s, true) {
		d.ticket, d.hint = s.ticket, s.hint
	}
	if !f.choose(RoundTripForgetsMark, s, true) {
		d.notResumable.Store(s.notResumable.Load())
	}
	if f.choose(RoundTripFixesZeroTimes, s, true) {
		if d.time == 0 {
			d.time = s.env.Now()
		}
		if d.timeout == 0 {
			d.timeout = decodedTimeout
		}
	}
	return s.env.adopt(d.keepSidCtx(s))
}

// Dup returns a copy of s (SSL_SESSION_dup): every field, the ticket and
// the not_resumable mark included, in no cache.
func (s *Session) Dup() *Session {
	d := s.dup()
	if s.env.faults.choose(DupKeepsMark, s, true) {
		d.notResumable.Store(s.notResumable.Load())
	}
	return d
}

// NewSession returns an empty session (SSL_SESSION_new): created now,
// with a timeout of 304 seconds, no version, no id, no ticket.
func (e *Env) NewSession() *Session {
	return e.adopt(&Session{env: e, time: e.Now(), timeout: e.faults.amount(EmptySessionTimeout, e, emptySessionTimeout)})
}

// adopt gives d its one reference and counts it live.
func (e *Env) adopt(d *Session) *Session {
	d.refs.Store(1)
	e.live.Add(1)
	return d
}

// CopySessionID is SSL_copy_session_id(conn, from): SSL_set_session(conn,
// SSL_get_session(from)), then conn takes from's method (and its session
// id context). It returns 1.
func (conn *Conn) CopySessionID(call context.Context, from *Conn) int64 {
	s := from.Get0Session()
	if conn.faults().choose(SetSessionAppliesBadRule, conn, true) {
		conn.clearBadSession(call)
	}
	if s != nil && conn.faults().choose(CopySessionIDTakesRef, conn, true) {
		s.UpRef()
	}
	old := conn.sess
	conn.setSession(s)
	old.Free(call)
	conn.method, conn.hello = from.method, conn.helloKept(from.method, from.client == conn.client)
	if conn.faults().choose(CopySessionIDCopiesSidCtx, conn, true) {
		conn.sidCtx = from.sidCtx
	}
	return 1
}

// keepSidCtx gives d, decoded from s's encoding, s's session id context,
// which the encoding carries (ssl_asn1.c); it returns d.
func (d *Session) keepSidCtx(s *Session) *Session {
	d.sidCtx.Store(s.sidCtx.Load())
	return d
}
