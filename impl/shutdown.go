package impl

import "context"

// The shutdown flags of SSL_set_shutdown and SSL_get_shutdown.
const (
	sentShutdownFlag     = 1 // SSL_SENT_SHUTDOWN
	receivedShutdownFlag = 2 // SSL_RECEIVED_SHUTDOWN
)

// SetQuietShutdown sets whether SSL_shutdown sends nothing
// (SSL_set_quiet_shutdown); SSL_clear keeps the setting.
func (conn *Conn) SetQuietShutdown(on bool) { conn.quiet = on }

// SetShutdown replaces the shutdown flags (SSL_set_shutdown) and sends
// nothing. SSL_SENT_SHUTDOWN is what keeps the session at SSL_free,
// SSL_clear and a fatal alert, whether or not close_notify left.
func (conn *Conn) SetShutdown(flags int) {
	sent, recv := flags&sentShutdownFlag != 0, flags&receivedShutdownFlag != 0
	if !conn.faults().choose(SetShutdownReplaces, conn, true) {
		sent, recv = sent || conn.sentShutdown, recv || conn.recvShutdown
	}
	conn.sentShutdown, conn.recvShutdown = sent, recv
}

// GetShutdown returns the shutdown flags (SSL_get_shutdown).
func (conn *Conn) GetShutdown() int {
	f := 0
	if conn.sentShutdown {
		f |= sentShutdownFlag
	}
	if conn.recvShutdown {
		f |= receivedShutdownFlag
	}
	return int(conn.faults().amount(GetShutdownResult, conn, int64(f)))
}

// ReadAlert drives both ends: conn's peer fails as FatalAlert says, and
// its fatal alert reaches conn, which reads it after the tickets that
// arrived before it. Reading it takes conn's session out of the cache
// whatever conn's own flags (ssl3_read_bytes), sets SSL_RECEIVED_SHUTDOWN
// and kills the connection. Both connections must be owned by the caller;
// without a connected peer nothing happens.
func (conn *Conn) ReadAlert(call context.Context) {
	w := conn.w
	if w == nil {
		return
	}
	peer := w.ends[1-conn.end]
	if peer == nil || peer.w != w {
		return
	}
	peer.FatalAlert(call)
	for {
		r, ok := w.next(conn.end, true)
		if !ok {
			break
		}
		conn.readTicket(call, r.ticket)
	}
	if conn.sess != nil && conn.faults().choose(ReceivedAlertRemoves, conn, true) {
		conn.ctx.RemoveSession(call, conn.sess)
	}
	conn.recvShutdown = true
	conn.w = nil
	conn.state = stateFailed
}
