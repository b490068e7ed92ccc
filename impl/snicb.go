package impl

import (
	"context"

	"github.com/sesslife/sesslife/model"
)

// This file holds the servername callback that switches SSL_CTX
// (SSL_CTX_set_tlsext_servername_callback, as nginx and haproxy use it).
// The callback has one shape: it switches the connection to the SSL_CTX
// it was installed with, which it holds by a plain pointer, and accepts
// the name. It runs once while a server reads a ClientHello, after the
// session lookup and the new session: readClientHello calls
// servernameFresh or servernameOnHit, whichever its path reaches.

// SetServernameCtx installs on c a servername callback that switches the
// connection to to; nil removes it. The callback takes no reference on
// to: a handshake that reaches it after to is destroyed is undefined
// behaviour, which the model refuses (UB-SNICB-FREED).
func (c *Ctx) SetServernameCtx(to *Ctx) { c.sniTo.Store(to) }

// servernameTarget is the SSL_CTX the callback that runs for the
// connection switches to: its current SSL_CTX's callback, else the one of
// the SSL_CTX it was made from (final_server_name); nil for none.
func (conn *Conn) servernameTarget() *Ctx {
	first, second := conn.cur, conn.ctx
	if !conn.faults().choose(SNICBCurrentFirst, conn, true) {
		first, second = conn.ctx, conn.cur
	}
	if first != nil {
		if to := first.sniTo.Load(); to != nil {
			return to
		}
	}
	if second != nil {
		return second.sniTo.Load()
	}
	return nil
}

// servername runs the connection's servername callback, once per
// ClientHello: SSL_set_SSL_CTX to its SSL_CTX, after which the handshake's
// sess_accept moves there (final_server_name).
func (conn *Conn) servername(call context.Context) {
	if conn.sniRan {
		return
	}
	conn.sniRan = true
	to := conn.servernameTarget()
	if to == nil {
		return
	}
	old := conn.current()
	if old == to {
		return
	}
	if conn.faults().choose(SNICBMovesAccept, conn, true) {
		old.accept.Add(-1)
		to.accept.Add(1)
	}
	conn.SetSSLCtx(call, to)
}

// servernameEarly begins a ClientHello's turn of the servername callback
// and returns v: the callback runs later (SNICB-AFTER-LOOKUP), unless a
// fault runs it before the lookup.
func (conn *Conn) servernameEarly(call context.Context, v model.Version) model.Version {
	conn.sniRan = false
	if !conn.faults().choose(SNICBAfterLookup, conn, true) {
		conn.servername(call)
	}
	return v
}

// servernameFresh runs the callback on a server that did not resume, once
// its new session exists, and returns that session.
func (conn *Conn) servernameFresh(call context.Context) *Session {
	conn.servername(call)
	return conn.sess
}

// servernameOnHit runs the callback on a server that resumed; it returns
// true.
func (conn *Conn) servernameOnHit(call context.Context) bool {
	conn.servername(call)
	return true
}

// applyCall is apply, with the servername call besides.
func (u *universe) applyCall(call context.Context, op model.Op) (int64, error) {
	if op.Kind != model.CtxSetServernameCtx {
		return u.apply(call, op)
	}
	c, err := u.ctx(op.Ctx)
	if err != nil {
		return 0, err
	}
	var to *Ctx
	if op.Arg != 0 {
		if to, err = u.ctx(model.Handle(op.Arg)); err != nil {
			return 0, err
		}
	}
	c.SetServernameCtx(to)
	return 0, nil
}
