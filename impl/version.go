package impl

import "github.com/sesslife/sesslife/model"

// What SSL_version reads while a connection has its SSL_CTX's generic
// method (docs/spec.md MATCH-SSL-VERSION): TLS 1.3, the highest version
// the method knows, unless a ClientHello or a record read before the
// ServerHello set another. Conn.hello holds that other version; these
// helpers keep it where OpenSSL keeps s->version.

// genericVersion is the connection's version under the generic method.
func (conn *Conn) genericVersion() model.Version {
	if conn.hello != model.VersionNone {
		return conn.hello
	}
	return model.TLS13
}

// announce is ssl_set_client_hello_version: a client that writes its
// ClientHello takes the highest version it allows, which the harness pins
// to the handshake's. It returns the session the ClientHello carries.
func (conn *Conn) announce(v model.Version) *Session {
	conn.hello = v
	return conn.sess
}

// helloAfterGarbage is the version after fatal_alert's record, which is
// TLS 1.2 on the wire: a client that announced TLS 1.3 and has not read the
// ServerHello answers a record of another minor version in that version
// before it fails (ssl3_get_record, while no write key is set).
func (conn *Conn) helloAfterGarbage() model.Version {
	if conn.client && conn.method == model.VersionNone && conn.hello == model.TLS13 {
		return model.TLS12
	}
	return conn.hello
}

// helloKept is the version under the generic method after the connection
// takes method next: a connection that had the generic method and takes
// the same method object (sameSide: a client's or a server's) keeps its
// version; any other change makes the SSL anew (tls1_clear).
func (conn *Conn) helloKept(next model.Version, sameSide bool) model.Version {
	if conn.method == model.VersionNone && next == model.VersionNone && sameSide {
		return conn.hello
	}
	return model.VersionNone
}
