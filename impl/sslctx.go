package impl

import "context"

// This file holds SSL_set_SSL_CTX. A connection keeps the SSL_CTX it was
// made from (Conn.ctx, OpenSSL's session_ctx) for its sessions, lookups,
// counters of hits and misses, and callbacks; SSL_set_SSL_CTX installs
// another one (Conn.cur), which takes the accept counters, lends the
// connection its session id context, and decides whether a TLS 1.2
// server sends an empty session id.

// current is the connection's current SSL_CTX (SSL_get_SSL_CTX).
func (conn *Conn) current() *Ctx {
	if conn.cur != nil {
		return conn.cur
	}
	return conn.ctx
}

// SetSSLCtx makes c the connection's current SSL_CTX (SSL_set_SSL_CTX)
// and returns it. The connection's context follows c's if it was the old
// SSL_CTX's. The connection holds a reference on c and drops the one on
// the SSL_CTX it replaces, unless that is the one it was made from.
func (conn *Conn) SetSSLCtx(call context.Context, c *Ctx) *Ctx {
	old, f := conn.current(), conn.faults()
	if old == c {
		return c
	}
	if conn.sidCtx == old.SidCtx() && f.choose(SwitchSidCtxFollows, conn, true) {
		conn.sidCtx = c.SidCtx()
	}
	if !f.choose(SwitchKeepsSessionCtx, conn, true) {
		// The new SSL_CTX becomes the session context as well.
		c.refs.Add(1)
		conn.ctx, conn.cur = c, nil
		old.release(call)
		return c
	}
	holds := f.choose(SwitchHoldsCurrent, conn, true)
	if c == conn.ctx {
		conn.cur = nil // its reference is the one SSL_new took
	} else {
		if holds {
			c.refs.Add(1)
		}
		conn.cur = c
	}
	if holds && old != conn.ctx {
		old.release(call)
	}
	return c
}

// acceptCtx is the SSL_CTX whose sess_accept and sess_accept_good a
// server connection's handshake moves: its current one.
func (conn *Conn) acceptCtx() *Ctx {
	if conn.cur != nil && !conn.faults().choose(SwitchAcceptOnCurrent, conn, true) {
		return conn.ctx
	}
	return conn.current()
}

// idModeCtx is the SSL_CTX whose cache mode decides whether a server sends
// an empty session id: its current one (tls_construct_server_hello reads
// s->ctx), while the cache update reads the session context's.
func (conn *Conn) idModeCtx() *Ctx {
	if conn.cur != nil && conn.faults().choose(SwitchIDModeCurrent, conn, true) {
		return conn.cur
	}
	return nil
}
