package impl

import (
	"context"
	"sync"

	"github.com/sesslife/sesslife/model"
)

// connState is where a connection is in its life: SSL_in_before, done, or
// failed (a fatal error makes SSL_in_init true again).
type connState uint8

const (
	stateBefore connState = iota
	stateEstablished
	stateFailed
	// stateHello: between ClientHello and HandshakeFinish (SSL_in_init).
	stateHello
)

// Conn is an SSL: one end of one connection at a time. A Conn must be used
// by one goroutine at a time, as OpenSSL requires; only Get0Session,
// Get1Session and SessionReused may be called from elsewhere meanwhile
// (SSL_get1_session takes the SSL's lock for that).
type Conn struct {
	ctx                        *Ctx
	cur                        *Ctx // what SetSSLCtx installed, holding a reference; nil: ctx (sslctx.go)
	client                     bool
	sniRan                     bool // the servername callback has had its turn in this ClientHello (snicb.go)
	state                      connState
	flight                     *flight // the handshake in steps under way, nil for none
	sentShutdown, recvShutdown bool
	quiet                      bool            // SSL_set_quiet_shutdown; SSL_clear keeps it
	version, hello             model.Version   // of the last handshake; hello: SSL_version under the generic method (version.go)
	method                     model.Version   // of the SSL's method; VersionNone: the SSL_CTX's generic one
	options                    model.Options   // copied from the SSL_CTX by NewConn
	numTickets                 int64           // copied from the SSL_CTX by NewConn
	maxEarly                   int64           // max_early_data, copied from the SSL_CTX by NewConn
	sidCtx                     model.SidCtx    // copied from the SSL_CTX by NewConn
	modeAtNew                  model.CacheMode // its SSL_CTX's mode at NewConn, read only under the fault ModeReadAtUse
	w                          *wire           // nil when not connected
	end                        int             // which end of w this is

	mu   sync.Mutex // guards writes of sess and hit, and reads from other goroutines
	sess *Session
	hit  bool
}

// Ctx returns the SSL_CTX the connection was made from.
func (conn *Conn) Ctx() *Ctx { return conn.ctx }

// IsClient reports whether this is the client end.
func (conn *Conn) IsClient() bool { return conn.client }

// faults are the universe's (see Faults); nil for the reference.
func (conn *Conn) faults() *Faults { return conn.ctx.env.faults }

// Get0Session returns the connection's session without a reference
// (SSL_get0_session): the pointer is valid only while something else holds
// the session.
func (conn *Conn) Get0Session() *Session {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.sess
}

// Get1Session returns the connection's session with a reference the caller
// must Free (SSL_get1_session), or nil.
func (conn *Conn) Get1Session() *Session {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	if conn.sess != nil && conn.faults().choose(Get1TakesRef, conn, true) {
		conn.sess.UpRef()
	}
	return conn.sess
}

// SessionReused reports whether the last handshake resumed a session
// (SSL_session_reused).
func (conn *Conn) SessionReused() bool {
	conn.mu.Lock()
	defer conn.mu.Unlock()
	return conn.hit
}

// setSession replaces the session pointer; the caller handles references.
func (conn *Conn) setSession(s *Session) {
	conn.mu.Lock()
	conn.sess = s
	conn.mu.Unlock()
}

func (conn *Conn) setHit(hit bool) {
	conn.mu.Lock()
	conn.hit = hit
	conn.mu.Unlock()
}

// SetSession makes s the session the next handshake offers
// (SSL_set_session); nil drops the current one. The old session is first
// judged by the bad-session rule.
func (conn *Conn) SetSession(call context.Context, s *Session) {
	if conn.faults().choose(SetSessionAppliesBadRule, conn, true) {
		conn.clearBadSession(call)
	}
	if s != nil {
		s.UpRef()
	}
	old := conn.sess
	conn.setSession(s)
	old.Free(call)
	conn.method, conn.hello = model.VersionNone, conn.helloKept(model.VersionNone, true) // SSL_set_ssl_method(s, ctx->method)
}

// clearBadSession is ssl_clear_bad_session: a connection that completed its
// handshake and is dropped without sending close_notify takes its session
// out of the cache (which also marks it not resumable). It reports whether
// it did.
func (conn *Conn) clearBadSession(call context.Context) bool {
	if conn.state == stateHello && conn.sess != nil && conn.faults().choose(StepAbortRemoves, conn, false) {
		conn.ctx.RemoveSession(call, conn.sess)
		return true
	}
	if conn.sess == nil || conn.sentShutdown ||
		(conn.state != stateEstablished && conn.faults().choose(BadRuleSparesUnestablished, conn, true)) {
		return false
	}
	conn.ctx.RemoveSession(call, conn.sess)
	return true
}

// Free destroys the connection (SSL_free): its session loses a reference
// (after the bad-session rule), and so does its SSL_CTX. The Conn must not
// be used afterwards; a second Free panics.
func (conn *Conn) Free(call context.Context) {
	if conn.ctx == nil {
		panic("impl: SSL_free: the connection was already freed")
	}
	conn.abandonFlight()
	if s := conn.sess; s != nil {
		if conn.faults().choose(FreeAppliesBadRule, conn, true) {
			conn.clearBadSession(call)
		}
		conn.setSession(nil)
		s.release(call)
	}
	conn.w = nil
	c, cur := conn.ctx, conn.cur
	holds := cur != nil && conn.faults().choose(SwitchHoldsCurrent, conn, true)
	conn.ctx, conn.cur = nil, nil
	c.release(call)
	if holds {
		cur.release(call) // after the session context, as SSL_free does
	}
}

// Clear readies the connection for another handshake (SSL_clear). The
// session stays, so a client can offer it again, unless the bad-session rule
// removed it.
func (conn *Conn) Clear(call context.Context) {
	conn.abandonFlight()
	if s := conn.sess; conn.clearBadSession(call) || (s != nil && !conn.faults().choose(ClearKeepsGoodSession, conn, true)) {
		conn.setSession(nil)
		s.release(call)
	}
	conn.w = nil
	conn.state, conn.sentShutdown, conn.recvShutdown = stateBefore, false, false
	conn.version, conn.hello = model.VersionNone, model.VersionNone
	if conn.faults().choose(ClearResetsMethod, conn, true) {
		conn.method = model.VersionNone
	}
	if conn.faults().choose(ClearResetsReused, conn, true) {
		conn.setHit(false)
	}
}

// Shutdown is one call of SSL_shutdown. The first sends close_notify and
// returns 0. Later calls read: a client first processes the tickets waiting
// before the peer's close_notify; it returns 1 once close_notify has
// arrived, -1 while it has not. Before a handshake or after a fatal error it
// fails with -1 (SSL_R_SHUTDOWN_WHILE_IN_INIT).
func (conn *Conn) Shutdown(call context.Context) int {
	switch {
	case conn.state != stateEstablished:
		return -1
	case conn.quiet && conn.faults().choose(QuietShutdownSilent, conn, true):
		conn.sentShutdown, conn.recvShutdown = true, true
		return 1
	case !conn.sentShutdown:
		conn.sentShutdown = true
		if conn.w != nil {
			conn.w.send(conn.end, record{})
		}
		if conn.recvShutdown { // SSL_set_shutdown set SSL_RECEIVED_SHUTDOWN alone
			return 1
		}
		return int(conn.faults().amount(FirstShutdownResult, conn, 0))
	case conn.recvShutdown:
		return 1
	}
	for conn.w != nil {
		r, ok := conn.w.next(conn.end, false)
		if !ok {
			break
		}
		if r.ticket == nil {
			conn.recvShutdown = true
			return 1
		}
		if conn.faults().choose(ShutdownReadsTickets, conn, true) {
			conn.readTicket(call, r.ticket)
		}
	}
	return -1
}

// ReadTicket lets a connected client read one NewSessionTicket that is
// waiting (what SSL_read does with one), and reports whether there was one.
// A ticket needs a session to copy: after SetSession(nil) on a connected
// client, reading one panics, as OpenSSL crashes on it.
func (conn *Conn) ReadTicket(call context.Context) bool {
	if !conn.client || conn.w == nil {
		return false
	}
	r, ok := conn.w.next(conn.end, true)
	if !ok {
		return false
	}
	conn.readTicket(call, r.ticket)
	return true
}

// FatalAlert is a fatal error on the connection (a record that fails to
// decrypt): the alert it sends takes its session out of the cache unless
// close_notify was already sent (ssl3_send_alert), and the connection is
// dead. Tickets still waiting are lost with it.
func (conn *Conn) FatalAlert(call context.Context) {
	if conn.abandonFlight() && !conn.faults().choose(StepFatalRemoves, conn, true) {
		conn.w = nil
		conn.state = stateFailed
		return
	}
	if (!conn.sentShutdown || !conn.faults().choose(AlertSparesAfterCloseNotify, conn, true)) && conn.sess != nil {
		conn.ctx.RemoveSession(call, conn.sess)
	}
	conn.w, conn.hello = nil, conn.helloAfterGarbage()
	conn.state = stateFailed
}

// replaceSession gives conn a new session as ssl_get_new_session does: the
// new object exists first, then the old one is released.
func (conn *Conn) replaceSession(call context.Context, v model.Version) {
	n := conn.ctx.env.newSession(v, conn.ctx.sessionTimeout())
	n.sidCtx.Store(uint32(conn.sessionSidCtx()))
	old := conn.sess
	conn.setSession(n)
	old.Free(call)
}

// readTicket is a client processing a NewSessionTicket. A session that may
// be cached is immutable, so the ticket goes into a copy, which gets an id
// derived from the ticket and the time of arrival; in TLS 1.3 the copy is
// offered to the cache.
func (conn *Conn) readTicket(call context.Context, t *ticket) {
	v := t.version
	if v == model.TLS13 && !conn.faults().choose(ClientTakesTicket13, t.nonce, true) {
		return
	}
	old := conn.sess
	if old == nil {
		// OpenSSL dereferences the NULL session here.
		panic("impl: a NewSessionTicket arrived on a connection whose session was set to NULL")
	}
	if v == model.TLS13 || old.id.Len() != 0 {
		n := old.dup()
		if v == model.TLS12 && conn.cacheMode()&model.CacheClient != 0 && conn.faults().choose(Ticket12RemovesOld, conn, true) {
			conn.ctx.RemoveSession(call, old)
		}
		conn.setSession(n)
		old.release(call)
	}
	s := conn.sess // private to this connection until updateCache
	s.mu.Lock()
	s.time = conn.ctx.env.Now()
	s.mu.Unlock()
	s.ticket = t
	s.hint = t.lifetime
	if capHint := conn.ctx.env.Profile().TicketHintCap; v == model.TLS13 && s.hint > capHint {
		s.hint = capHint
	}
	s.id = conn.ctx.env.newSessionID()
	s.notResumable.Store(false)
	if v == model.TLS13 {
		conn.updateCache(call, model.CacheClient)
	}
}
