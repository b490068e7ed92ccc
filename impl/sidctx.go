package impl

import "github.com/sesslife/sesslife/model"

// This file holds session id contexts: an SSL_CTX's, which NewConn copies
// into each connection; a connection's, which each session it makes
// records; a session's, which a server compares with its connection's
// before it resumes the session.

// setSidCtx stores c in *dst unless it is longer than
// SSL_MAX_SID_CTX_LENGTH, and reports whether it did (what the three set
// calls return).
func setSidCtx(f *Faults, on any, store func(model.SidCtx), c model.SidCtx) bool {
	if c.Len() > model.MaxSidCtxLen && f.choose(SidCtxLengthChecked, on, true) {
		return false
	}
	store(c)
	return true
}

// SidCtx returns the session id context new connections copy.
func (c *Ctx) SidCtx() model.SidCtx { return model.SidCtx(c.sidCtx.Load()) }

// SetSessionIDContext sets the context new connections copy and reports
// whether it was short enough (SSL_CTX_set_session_id_context).
func (c *Ctx) SetSessionIDContext(sc model.SidCtx) bool {
	return setSidCtx(c.env.faults, c, func(v model.SidCtx) { c.sidCtx.Store(uint32(v)) }, sc)
}

// SetSessionIDContext sets the connection's own context and reports
// whether it was short enough (SSL_set_session_id_context).
func (conn *Conn) SetSessionIDContext(sc model.SidCtx) bool {
	return setSidCtx(conn.faults(), conn, func(v model.SidCtx) { conn.sidCtx = v }, sc)
}

// SetIDContext sets the session's context and reports whether it was
// short enough (SSL_SESSION_set1_id_context). The session may sit in a
// cache: its next lookup compares the new context.
func (s *Session) SetIDContext(sc model.SidCtx) bool {
	return setSidCtx(s.env.faults, s, func(v model.SidCtx) {
		if s.env.faults.choose(SessionSidCtxStored, s, true) {
			s.sidCtx.Store(uint32(v))
		}
	}, sc)
}

// IDContext returns the session's context.
func (s *Session) IDContext() model.SidCtx { return model.SidCtx(s.sidCtx.Load()) }

// serverSidCtx is the context a server compares sessions with: its
// connection's own, copied at NewConn.
func (conn *Conn) serverSidCtx() model.SidCtx {
	if !conn.faults().choose(ServerUsesSSLSidCtx, conn, true) {
		return conn.ctx.SidCtx()
	}
	return conn.sidCtx
}

// sessionSidCtx is the context a session the connection makes records:
// the connection's own.
func (conn *Conn) sessionSidCtx() model.SidCtx {
	if !conn.faults().choose(SessionRecordsSSLSidCtx, conn, true) {
		return conn.ctx.SidCtx()
	}
	return conn.sidCtx
}

// sidCtxRefuses reports whether the server refuses to resume found because
// its context is not the connection's. The caller drops its reference;
// nothing is counted and the session stays where it is.
func (conn *Conn) sidCtxRefuses(found *Session) bool {
	f := conn.faults()
	if !f.choose(SidCtxCompared, conn, true) || found.IDContext() == conn.serverSidCtx() {
		return false
	}
	if f.choose(SidCtxMismatchCountsMiss, conn.ctx, false) {
		conn.ctx.misses.Add(1)
	}
	return true
}
