package model_test

// The rules of session id contexts (docs/spec.md, "Session id contexts").
// Expectations come from OpenSSL 3.0's source (ssl_lib.c SSL_new and the
// set calls, ssl_sess.c ssl_get_new_session, lookup_sess_in_cache and
// ssl_get_prev_session, extensions_srvr.c tls_parse_ctos_psk) and were
// confirmed on 3.0.19 (docs/scenarios/session-id-context.sim).

import (
	"errors"
	"testing"

	"github.com/sesslife/sesslife/model"
)

func ctxSid(ctx model.Handle, c model.SidCtx) model.Op {
	return model.Op{Kind: model.CtxSetSidCtx, Ctx: ctx, Arg: int64(c)}
}
func sslSid(ssl model.Handle, c model.SidCtx) model.Op {
	return model.Op{Kind: model.SetSidCtx, SSL: ssl, Arg: int64(c)}
}
func sessSid(sess model.Handle, c model.SidCtx) model.Op {
	return model.Op{Kind: model.SessSetSidCtx, Sess: sess, Arg: int64(c)}
}

// offer keeps client ssl1's session as sess, closes ssl1, and makes client
// ssl3 (ctx2) holding sess and server ssl4 (ctx1); the handshake is left to
// the caller.
func offer(sess model.Handle) []step {
	return []step{
		do(get1(1), int64(sess)), do(shutdown(1), 0), do(freeSSL(1), 0),
		do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, sess), 1),
	}
}

func TestRuleSidCtx(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "SIDCTX-SET", steps: []step{
			do(newCtx(1, server()), 0),
			do(ctxSid(1, model.SidCtx1), 1), do(ctxSid(1, model.SidCtxMax), 1), do(ctxSid(1, model.SidCtxEmpty), 1),
			do(newSSL(1, 1), 0),
			do(sslSid(1, model.SidCtx2), 1), do(sslSid(1, model.SidCtxMax), 1),
		}},
		// The cached server session gets another context: the lookup finds
		// it and refuses it.
		{id: "SIDCTX-SET-SESSION", steps: seq(idPair(),
			[]step{do(get1(2), 1), do(sessSid(1, model.SidCtx1), 1)},
			offer(2),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(number(1), 2)})},
		// Nothing changes: the session still resumes.
		{id: "SIDCTX-TOO-LONG", steps: seq(idPair(),
			[]step{do(ctxSid(1, model.SidCtxTooLong), 0), do(get1(2), 1), do(sessSid(1, model.SidCtxTooLong), 0)},
			offer(2),
			[]step{do(sslSid(4, model.SidCtxTooLong), 0), do(hs(3, 4, tls12), 1), do(reused(3), 1), do(hits(1), 1)})},
		// ssl4 was made before the SSL_CTX's context changed and resumes;
		// ssl6, made after, does not.
		{id: "SIDCTX-COPIED", steps: seq(idPair(), offer(1),
			[]step{
				do(ctxSid(1, model.SidCtx1), 1),
				do(hs(3, 4, tls12), 1), do(reused(3), 1),
				do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
				do(hs(5, 6, tls12), 1), do(reused(5), 0),
			})},
		// The server session records ssl2's context, not its SSL_CTX's:
		// ssl4 (the SSL_CTX's empty context) refuses it, ssl6 (ssl2's
		// context) resumes it.
		{id: "SIDCTX-NEW-SESSION", steps: seq(
			[]step{
				do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
				do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(sslSid(2, model.SidCtx2), 1),
				do(hs(1, 2, tls12), 1),
			},
			offer(1),
			[]step{
				do(hs(3, 4, tls12), 1), do(reused(3), 0),
				do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(sslSid(6, model.SidCtx2), 1), do(setSess(5, 1), 1),
				do(hs(5, 6, tls12), 1), do(reused(5), 1),
			})},
		{id: "SIDCTX-MISMATCH-ID", steps: seq(idPair(),
			[]step{do(ctxSid(1, model.SidCtx1), 1)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(reused(4), 0), do(number(1), 2)})},
		// A ticket carries the session's context: a server whose context
		// changed refuses it and issues a new ticket.
		{id: "SIDCTX-MISMATCH-TICKET12", steps: seq(pair(server(), client(), tls12),
			[]step{do(ctxSid(1, model.SidCtx2), 1)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(get0(3), 2), do(resumable(2), 1)})},
		{id: "SIDCTX-MISMATCH-TICKET13", steps: seq(pair(server(), client(), tls13),
			[]step{do(readTicket(1), 1), do(ctxSid(1, model.SidCtx2), 1)}, offer(1),
			[]step{do(hs(3, 4, tls13), 1), do(reused(3), 0), do(hits(1), 0), do(misses(1), 0)})},
		// The stateful ticket's session stays in the cache.
		{id: "SIDCTX-MISMATCH-STATEFUL13", steps: seq(pair(server(noTicket), client(), tls13),
			[]step{do(readTicket(1), 1), do(number(1), 2), do(ctxSid(1, model.SidCtx1), 1)}, offer(1),
			[]step{do(hs(3, 4, tls13), 1), do(reused(3), 0), do(hits(1), 0), do(misses(1), 0), do(number(1), 4)})},
		{id: "SIDCTX-MISMATCH-UNCOUNTED", steps: seq(idPair(),
			[]step{do(ctxSid(1, model.SidCtx1), 1)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(hits(1), 0), do(misses(1), 0), do(timeouts(1), 0), do(number(1), 2)})},
		// Expired and of another context: the context is compared first,
		// so the session is neither counted as a timeout nor removed.
		{id: "SIDCTX-MISMATCH-EXPIRED", steps: seq(idPair(),
			[]step{do(ctxSid(1, model.SidCtx1), 1), do(tick(8000), 0)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(timeouts(1), 0), do(misses(1), 0), do(number(1), 2)})},
	})
}

// TestSidCtxClientRefused: a handshake whose client holds a session of
// another context than its own is unmodelled (the client would fail it if
// the server resumed).
func TestSidCtxClientRefused(t *testing.T) {
	st := play(t, seq(idPair(), []step{do(get1(1), 1), do(sessSid(1, model.SidCtx1), 1), do(shutdown(1), 0), do(clearSSL(1), 1), do(newSSL(3, 1), 0)}))
	if err := st.Check(hs(1, 3, tls12)); !errors.Is(err, model.ErrUnmodelled) {
		t.Fatalf("Check(handshake) = %v, want ErrUnmodelled", err)
	}
}
