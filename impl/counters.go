package impl

import "github.com/sesslife/sesslife/model"

// This file holds the cheap observations that are not a Ctx's cache:
// counting the handshakes each side starts, and
// SSL_has_matching_session_id.

// countStart counts the handshake a client starts with server, each on its
// own SSL_CTX (tls_setup_handshake).
func (conn *Conn) countStart(server *Conn) {
	f := conn.faults()
	if f.choose(ClientCountsConnect, conn.ctx, true) {
		conn.ctx.connect.Add(1)
	}
	if f.choose(AcceptCountedOnServer, server.ctx, true) {
		server.acceptCtx().accept.Add(1)
	} else {
		conn.ctx.accept.Add(1)
	}
}

// Version returns the connection's protocol version (SSL_version): the
// version of its method, which a handshake pins to the one negotiated and
// Clear and SetSession put back to the SSL_CTX's generic method, whose
// version reads as the highest it knows, TLS 1.3.
func (conn *Conn) Version() model.Version {
	if conn.method != model.VersionNone {
		return conn.method
	}
	return conn.genericVersion()
}

// HasMatchingSessionID reports whether the connection's SSL_CTX caches a
// session under the connection's protocol version and id
// (SSL_has_matching_session_id).
func (conn *Conn) HasMatchingSessionID(id SessionID) bool {
	c := conn.ctx
	c.mu.Lock()
	defer c.mu.Unlock()
	if !conn.faults().choose(MatchComparesVersion, conn, true) {
		return c.cache.byKey[cacheKey{model.TLS12, id}] != nil || c.cache.byKey[cacheKey{model.TLS13, id}] != nil
	}
	return c.cache.byKey[cacheKey{conn.Version(), id}] != nil
}
