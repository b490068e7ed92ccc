package model

// This file is the family of serialization and copies: a session encoded
// with i2d_SSL_SESSION and decoded with d2i_SSL_SESSION, SSL_SESSION_dup,
// SSL_SESSION_new and SSL_copy_session_id (docs/spec.md, "Serialization
// and copies"). Each of the first three makes a new object that only the
// application holds: one reference, its own, in no cache, owned by no SSL.
//
// The encoding and the decoding are one pseudo call, i2d_d2i. A decoded
// object that only the application holds is as unchanging as the bytes it
// came from (nothing in the library reaches it until the application hands
// it over), so "keep the bytes, decode them later" and "decode at once, keep
// the object" differ only in the moment d2i_SSL_SESSION reads the clock to
// replace a time of 0 (SER-ROUNDTRIP-ZERO-TIMES), which i2d_d2i reads at
// the encoding. What the bytes carry is taken at that call: a later
// SSL_SESSION_set_time on the original does not reach the copy.

// emptySessionTimeout is the timeout SSL_SESSION_new gives a session (5
// minutes and 4 seconds: ssl_sess.c SSL_SESSION_new).
const emptySessionTimeout = 60*5 + 4

// decodedTimeout is the timeout d2i_SSL_SESSION gives a session whose
// encoded timeout is 0 (ssl_asn1.c d2i_SSL_SESSION).
const decodedTimeout = 3

// roundTrip is i2d_SSL_SESSION of session h followed by d2i_SSL_SESSION
// of the bytes.
func (st *stepper) roundTrip(h Handle) int64 {
	st.because(RuleSerRoundtripNew)
	o := *st.obj(st.named[h-1])
	if o.version == VersionNone || o.blank {
		// No cipher: i2d_SSL_SESSION encodes nothing and returns 0. A
		// session made half way through a handshake has none yet.
		if o.blank {
			st.because(RuleStepServerDecides)
		}
		st.because(RuleSerNewEmpty)
		return 0
	}
	if st.prof.DecodeKeepsZeroTimes && o.notResumable { // profile switch (BoringSSL: B22)
		// SSL_SESSION_to_bytes encodes a not-resumable session (one a
		// handshake is still making) as the placeholder "NOT RESUMABLE",
		// which no decoder takes.
		st.because(RuleBoringStepNewSession)
		return 0
	}
	if st.prof.DecodeKeepsZeroTimes { // profile switch (BoringSSL)
		// Every field the model follows, the side and the auth timeout
		// included, comes back as encoded; nothing is ever marked.
		st.because(RuleBoringRoundtrip)
		n := o
		n.alive, n.refs, n.appRefs, n.handle, n.owner = true, 1, 1, 0, 0
		return int64(st.adopt(n))
	}
	// The encoding carries the version, the id, the ticket and its lifetime
	// hint, the time, the timeout and the session id context (and what the
	// model does not follow: the master key, the peer); not the cache the
	// object sits in, its references, nor its not_resumable mark.
	n := sessObj{alive: true, refs: 1, appRefs: 1, version: o.version, id: o.id, ticket: o.ticket,
		hint: o.hint, time: o.time, timeout: o.timeout, origin: o.origin, sidCtx: o.sidCtx}
	if o.notResumable {
		st.because(RuleSerRoundtripForgetsMark)
	}
	if o.time == 0 {
		st.because(RuleSerRoundtripZeroTimes)
		n.time = st.now
	}
	if o.timeout == 0 {
		st.because(RuleSerRoundtripZeroTimes)
		n.timeout = decodedTimeout
	}
	return int64(st.adopt(n))
}

// sessDup is SSL_SESSION_dup: a copy of every field, the ticket and the
// not_resumable mark included, but not the cache links, the owner or the
// references.
func (st *stepper) sessDup(h Handle) int64 {
	st.because(RuleSerDupCopies)
	n := *st.obj(st.named[h-1])
	n.alive, n.refs, n.appRefs, n.handle, n.owner = true, 1, 1, 0, 0
	return int64(st.adopt(n))
}

// sessNew is SSL_SESSION_new: no version (no cipher), no id, no ticket,
// created now with a timeout of 304 seconds; not resumable.
func (st *stepper) sessNew() int64 {
	st.because(RuleSerNewEmpty)
	return int64(st.adopt(sessObj{alive: true, refs: 1, appRefs: 1, time: st.now, timeout: emptySessionTimeout}))
}

// adopt adds o as a new object and shows it to the application.
func (st *stepper) adopt(o sessObj) Handle {
	st.objs = append(st.objs, o)
	return st.name(sessRef(len(st.objs)))
}

// copySessionID is SSL_copy_session_id(to, from): SSL_set_session(to,
// SSL_get_session(from)), then to takes from's method (version-specific
// once from has handshaken) and from's session id context.
func (st *stepper) copySessionID(to, from Handle) int64 {
	defer st.leave(st.enter(RuleSerCopySessionID))
	st.setSessionRef(to, st.ssl(from).sess)
	st.because(RuleSerCopySessionID)
	if t, f := st.ssl(to), st.ssl(from); t.method != f.method || t.client != f.client {
		// Another method object: SSL_set_ssl_method makes the SSL anew
		// (tls1_clear), the version with it (MATCH-SSL-VERSION).
		t.hello = VersionNone
	}
	st.ssl(to).method = st.ssl(from).method
	// SSL_copy_session_id ends with SSL_set_session_id_context(to,
	// from's context): a client keeps offering the session only where
	// its context matches.
	st.ssl(to).sidCtx = st.ssl(from).sidCtx
	st.returns(RuleSerCopySessionID)
	return 1
}
