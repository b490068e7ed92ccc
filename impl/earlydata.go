package impl

import "github.com/sesslife/sesslife/model"

// This file holds max_early_data, which NewConn copies into each
// connection, and what it does to a TLS 1.3 server's tickets with
// anti-replay on. No early data is ever sent: only the setting matters.

// SetMaxEarlyData sets the max_early_data new connections copy
// (SSL_CTX_set_max_early_data, which returns 1).
func (c *Ctx) SetMaxEarlyData(n int64) { c.maxEarly.Store(n) }

// SetMaxEarlyData sets the connection's own max_early_data
// (SSL_set_max_early_data, which returns 1).
func (conn *Conn) SetMaxEarlyData(n int64) { conn.maxEarly = n }

// antiReplay reports whether the connection, as a server, guards against
// replay: its max_early_data is above 0 and SSL_OP_NO_ANTI_REPLAY is clear.
func (conn *Conn) antiReplay() bool {
	n := conn.maxEarly
	if !conn.faults().choose(ConnReadsOwnMaxEarly, conn, true) {
		n = conn.ctx.maxEarly.Load()
	}
	return n > 0 && conn.options&model.OptNoAntiReplay == 0
}

// statefulTickets13 reports whether the connection's TLS 1.3 tickets, as
// a server, are stateful: with SSL_OP_NO_TICKET, or with anti-replay on.
func (conn *Conn) statefulTickets13() bool {
	return conn.noTicket() || (conn.antiReplay() && conn.faults().choose(AntiReplayStateful, conn, true))
}
