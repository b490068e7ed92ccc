package impl

import "github.com/sesslife/sesslife/model"

// This file holds the settings an application changes after creation: an
// SSL_CTX's cache mode, which every connection reads at use, and the
// options and num_tickets that NewConn copies into each connection, whose
// handshakes read their own copy.

// SetSessionCacheMode sets the cache mode and returns the old one
// (SSL_CTX_set_session_cache_mode).
func (c *Ctx) SetSessionCacheMode(m model.CacheMode) model.CacheMode {
	return model.CacheMode(c.mode.Swap(uint32(m)))
}

// Options returns the options new connections copy (SSL_CTX_get_options).
func (c *Ctx) Options() model.Options { return model.Options(c.options.Load()) }

// SetOptions sets (set) or clears the bits of o and returns the options
// that result (SSL_CTX_set_options, SSL_CTX_clear_options). Connections
// made before keep theirs.
func (c *Ctx) SetOptions(o model.Options, set bool) model.Options {
	for {
		old := c.options.Load()
		n := uint64(changeOptions(model.Options(old), o, set))
		if c.options.CompareAndSwap(old, n) {
			return optionsResult(c.env.faults, c, model.Options(old), model.Options(n))
		}
	}
}

// SetNumTickets sets how many TLS 1.3 tickets new connections send after a
// full handshake (SSL_CTX_set_num_tickets, which returns 1).
func (c *Ctx) SetNumTickets(n int64) { c.numTickets.Store(n) }

// Options returns the connection's own options (SSL_get_options).
func (conn *Conn) Options() model.Options { return conn.options }

// SetOptions sets (set) or clears the bits of o in the connection's own
// options and returns the options that result (SSL_set_options,
// SSL_clear_options).
func (conn *Conn) SetOptions(o model.Options, set bool) model.Options {
	old := conn.options
	conn.options = changeOptions(old, o, set)
	return optionsResult(conn.faults(), conn, old, conn.options)
}

// SetNumTickets sets how many TLS 1.3 tickets the connection sends after a
// full handshake as a server (SSL_set_num_tickets, which returns 1).
func (conn *Conn) SetNumTickets(n int64) { conn.numTickets = n }

func changeOptions(opts, o model.Options, set bool) model.Options {
	if set {
		return opts | o
	}
	return opts &^ o
}

// optionsResult is what an options call returns: the options after it.
func optionsResult(f *Faults, on any, old, n model.Options) model.Options {
	if !f.choose(OptionsReturnNew, on, true) {
		return old
	}
	return n
}

// noTicket reports whether the connection's handshakes leave tickets out
// (SSL_OP_NO_TICKET in its own options).
func (conn *Conn) noTicket() bool {
	opts := conn.options
	if !conn.faults().choose(HandshakeReadsSSLOptions, conn, true) {
		opts = conn.ctx.Options()
	}
	return opts&model.OptNoTicket != 0
}

// ticketsToSend is how many TLS 1.3 tickets the connection sends as a
// server after a full handshake: its own num_tickets.
func (conn *Conn) ticketsToSend() int64 {
	if !conn.faults().choose(ServerSendsSSLCount, conn, true) {
		return conn.ctx.numTickets.Load()
	}
	return conn.numTickets
}

// cacheMode is the cache mode the connection's cache decisions follow: its
// SSL_CTX's, read at use.
func (conn *Conn) cacheMode() model.CacheMode {
	if !conn.faults().choose(ModeReadAtUse, conn, true) {
		return conn.modeAtNew
	}
	return conn.ctx.Mode()
}
