package model

import "strconv"

// This file is the family of session id contexts: the bytes a server SSL
// carries (copied from its SSL_CTX by SSL_new), records in each session it
// makes, and compares with a session's before it resumes it. A context is
// modelled as a SidCtx, a number naming one of a few fixed byte strings.
// SSL_VERIFY_PEER, which makes an empty context a fatal error on a
// resumption attempt (ssl_get_prev_session), stays out: the shims verify
// nothing.

// SidCtx names a session id context: one of a few fixed byte strings the
// shims pass to the set calls (docs/protocol.md §3).
type SidCtx uint8

// The contexts. SidCtxTooLong is one byte longer than
// SSL_MAX_SID_CTX_LENGTH, which every set call refuses.
const (
	SidCtxEmpty   SidCtx = iota // no bytes
	SidCtx1                     // "sid-1"
	SidCtx2                     // "sid-2"
	SidCtxMax                   // 32 bytes: the longest a set call accepts
	SidCtxTooLong               // 33 bytes: refused
	sidCtxCount
)

// Two values stand in an observation (SessObs.SidCtx) for what is not one
// of the contexts above.
const (
	// SidCtxOther is bytes that are none of the contexts: a target's
	// session holds something no set call gave (the shim's "sid_ctx" -1).
	SidCtxOther SidCtx = 0xfe
	// SidCtxUnknown is a context nobody compares: the model's for a
	// session whose context it cannot tell (a wolfSSL server session that
	// may hold a cache entry's, WOLF-SIDCTX-RECORDED), a target's whose
	// library cannot show it (the shim leaves "sid_ctx" out).
	SidCtxUnknown SidCtx = 0xff
)

// sidCtxText renders an observed context for reports: its number as
// docs/protocol.md §3 names it, or what a stand-in means.
func sidCtxText(c SidCtx) string {
	switch c {
	case SidCtxOther:
		return "other bytes"
	case SidCtxUnknown:
		return "unknown"
	}
	return strconv.Itoa(int(c))
}

// SidCtxCalls are the calls that set a session id context.
var SidCtxCalls = CallsOf(CtxSetSidCtx, SetSidCtx, SessSetSidCtx)

// MaxSidCtxLen is SSL_MAX_SID_CTX_LENGTH.
const MaxSidCtxLen = 32

// Len is the context's length in bytes.
func (c SidCtx) Len() int {
	return [...]int{0, 5, 5, MaxSidCtxLen, MaxSidCtxLen + 1}[c]
}

// Bytes returns the context's bytes, as the shims pass them.
func (c SidCtx) Bytes() []byte {
	switch c {
	case SidCtx1:
		return []byte("sid-1")
	case SidCtx2:
		return []byte("sid-2")
	}
	b := make([]byte, c.Len())
	for i := range b {
		b[i] = '0' + byte(c)
	}
	return b
}

// setSidCtx applies one of the calls that set a session id context: a
// context longer than SSL_MAX_SID_CTX_LENGTH is refused (0, nothing
// changes); any other is stored (1).
func (st *stepper) setSidCtx(op Op) int64 {
	c := SidCtx(op.Arg)
	if c.Len() > MaxSidCtxLen {
		st.because(RuleSidctxTooLong)
		return 0
	}
	st.because(st.or(RuleSidctxSet, RuleWolfSidctxRecorded))
	switch op.Kind {
	case CtxSetSidCtx:
		st.ctx(op.Ctx).sidCtx = c
	case SetSidCtx:
		st.ssl(op.SSL).sidCtx = c
	case SessSetSidCtx:
		r := st.named[op.Sess-1]
		if st.prof.SidCtxOnSetSession { // profile switch (wolfSSL: W21)
			st.because(RuleWolfSidctxRecorded)
			st.concerns(r)
			return 0
		}
		o := st.obj(r)
		o.sidCtx = c
		st.concerns(r)
	}
	return 1
}

// sidCtxRefuses reports whether server SSL s refuses to resume session
// found because their contexts differ (ssl_get_prev_session compares them
// after the version, before the expiry). The caller then drops its
// reference: the session stays where it was, and no counter moves, not
// even for an expired session.
func (st *stepper) sidCtxRefuses(s Handle, found sessRef) bool {
	if st.obj(found).sidCtx == st.ssl(s).sidCtx {
		return false
	}
	st.because(RuleSidctxMismatch)
	st.mark(RuleSidctxMismatchUncounted)
	st.concerns(found)
	return true
}
