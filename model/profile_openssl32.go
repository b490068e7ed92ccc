package model

// This file is the openssl-3.2 profile: OpenSSL 3.2 and later, checked
// against 3.2.3 and 3.3.2 built from their release tags, through
// shim/openssl (whose hello names this profile when the libssl it runs
// with is 3.2 or later). OpenSSL 3.1.7 behaves as openssl-3.0 on every
// sequence the checks drew. Three things changed in 3.2, each told as a
// finding O1-O3 of docs/findings.md and, for the first two, as rules of
// docs/spec.md ("OpenSSL 3.2 profile"):
//
//   - O1: session times became OSSL_TIME (ssl/ssl_sess.c, crypto/time.c),
//     and a client computes a ticket's age with ossl_time_subtract, which
//     stops at 0: a session whose time lies in the future is offered
//     (extensions_clnt.c tls_construct_ctos_psk), where 3.0's unsigned
//     age wraps and leaves it out. OSSL32-TICKET-AGE-FLOOR.
//   - O2: final_server_name (statem/extensions.c) reads the SSL's SSL_CTX
//     into a local before it calls the servername callback, and moves
//     sess_accept only when that SSL_CTX is not the session_ctx: a switch
//     by the callback no longer moves it. OSSL32-SNICB-ACCEPT-STAYS.
//   - O3: the record layer of 3.2 (record/rec_layer_s3.c
//     ssl3_read_bytes) releases a warning alert's record only below
//     TLS 1.3, so a TLS 1.3 close_notify stays the current record after it
//     set SSL_RECEIVED_SHUTDOWN; once SSL_set_shutdown clears that flag,
//     the next read reads the same close_notify again and nothing after it.
//     Check leaves such a clearing out (CloseNotifyStaysCurrent).

// OpenSSL32 is what OpenSSL 3.2 and later do: OpenSSL 3.0's rules with the
// three differences above.
func OpenSSL32() Profile {
	p := OpenSSL30()
	p.Name = "openssl-3.2"
	p.TicketAgeFloorsAtZero = true   // O1, OSSL32-TICKET-AGE-FLOOR
	p.SNIAcceptStays = true          // O2, OSSL32-SNICB-ACCEPT-STAYS
	p.CloseNotifyStaysCurrent = true // O3, left out
	return p
}
