// Package scenario is the scenario language of sesslife: a small C-like
// script of OpenSSL calls, one call per statement, that the simulator runs on
// the model (and, side by side, on a [target.Target]) while it shows what
// each call does to reference counts, caches and resumability, flags
// undefined behaviour with the rule it breaks, and lists leaks at the end.
//
// A script looks like this:
//
//	sctx = SSL_CTX_new(server)
//	cctx = SSL_CTX_new(client, mode=CLIENT, new_cb=1, remove_cb)
//	c = SSL_new(cctx); s = SSL_new(sctx)
//	handshake(c, s, TLS1_3)
//	p = SSL_get0_session(c)
//	SSL_free(c)
//	SSL_SESSION_is_resumable(p)      # undefined behaviour: p dangles
//
// Every call of the model is available under its C name (see
// [model.ParseKind]) with the arguments of [model.Op.String]. Variables are
// bound by SSL_CTX_new, SSL_new, SSL_get0_session and SSL_get1_session;
// the handle names ctx1, ssl2, sess3 may be used without binding them, so
// that the reproducers printed by the engines replay as they are (a leading
// step number on a line is ignored for the same reason). A name of that
// form always means its handle: a variable may take it only for that very
// object, so that no name ever hides another object or mislabels it.
//
// [Parse] turns source text into a checked [Script]; [Run] executes it.
package scenario
