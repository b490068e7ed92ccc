package model_test

// The rules of the servername callback that switches SSL_CTX (docs/spec.md,
// "The servername callback"). Expectations come from OpenSSL 3.0's source
// (extensions.c final_server_name, statem_srvr.c
// tls_early_post_process_client_hello, ssl_sess.c ssl_get_prev_session,
// ssl_lib.c SSL_set_SSL_CTX) and docs/scenarios/sni-callback.sim.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// sni installs on ctx a servername callback switching to ctx to (0:
// removes it).
func sni(ctx, to model.Handle) model.Op {
	return model.Op{Kind: model.CtxSetServernameCtx, Ctx: ctx, Arg: int64(to)}
}

// sniPair makes server ctx1 (srv) whose callback switches to server ctx3
// (other), client ctx2, client ssl1 (ctx2) and server ssl2 (ctx1), and runs
// a handshake at version v.
func sniPair(srv, other model.CtxConfig, v model.Version) []step {
	return []step{
		do(newCtx(1, srv), 0), do(newCtx(2, client()), 0), do(newCtx(3, other), 0),
		do(ctxSid(3, model.SidCtx1), 1), do(sni(1, 3), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, v), 1),
	}
}

// again closes client ssl1 and server ssl2, clears both and runs another
// handshake between them at version v.
func again(v model.Version) []step {
	return []step{
		do(shutdown(1), 0), do(shutdown(2), 0), do(clearSSL(1), 1), do(clearSSL(2), 1),
		do(hs(1, 2, v), 1),
	}
}

func TestRuleSNICB(t *testing.T) {
	runScenarios(t, []scenario{
		// ctx1's callback moves ssl2 to ctx3, which counts the handshake.
		// On the next handshake ssl2's current SSL_CTX is ctx3, whose own
		// callback goes first and moves it back to ctx1; once ctx3's is
		// removed, ctx1's runs again.
		{id: "SNICB-WHICH", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			[]step{do(accepts(1), 0), do(accepts(3), 1), do(acceptsGood(3), 1)},
			[]step{do(sni(3, 1), 0)}, again(tls12),
			[]step{do(accepts(1), 1), do(accepts(3), 1), do(acceptsGood(1), 1)},
			[]step{do(sni(3, 0), 0)}, again(tls12),
			[]step{do(accepts(1), 1), do(accepts(3), 2)},
		)},
		// ssl2's context was ctx1's (empty) and becomes ctx3's: on the next
		// handshake ssl2 refuses the session it made.
		{id: "SNICB-SWITCH", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			again(tls12),
			[]step{do(reused(1), 0), do(hits(1), 0), do(misses(1), 0)},
		)},
		// ctx3, freed by the application, lives while ssl2 holds it, and
		// goes with ssl2, its cache flushed through its remove_cb.
		{id: "SNICB-SWITCH-REF", steps: seq(
			sniPair(server(noTicket, mode(model.CacheOff)), server(noTicket, removeCB), tls12),
			[]step{
				do(get1(2), 1), do(add(3, 1), 1), do(freeCtx(3), 0),
				do(shutdown(1), 0), do(shutdown(2), 0), do(freeSSL(2), 0, rmCB(3, 1)),
			},
		)},
		// The session made while the callback switched carries ctx1's
		// (empty) context, not ctx3's: a new SSL of ctx1, whose callback
		// runs after the lookup, resumes it, in TLS 1.2 and TLS 1.3.
		{id: "SNICB-AFTER-LOOKUP", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 1), do(hits(1), 1), do(accepts(3), 2)},
		)},
		{id: "SNICB-AFTER-LOOKUP-TLS13", steps: seq(
			sniPair(server(), server(), tls13),
			[]step{do(readTicket(1), 1)},
			offer(1),
			[]step{do(hs(3, 4, tls13), 1), do(reused(3), 1), do(hits(1), 1), do(accepts(3), 2)},
		)},
		// ctx3 is gone: a handshake on an SSL of ctx1 would switch to it.
		{id: "UB-SNICB-FREED", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			[]step{
				do(shutdown(1), 0), do(shutdown(2), 0), do(freeSSL(2), 0), do(freeCtx(3), 0),
				do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), refused(hs(3, 4, tls12), model.RuleUBSnicbFreed),
				do(sni(1, 0), 0), do(hs(3, 4, tls12), 1),
			},
		)},
		{id: "SNICB-UNMODELLED", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			outside(sni(2, 1)), outside(sni(1, 2)), do(sni(1, 1), 0),
		}},
	})
}

// TestBoringSNICB is the servername callback under the boringssl profile
// (docs/spec.md BORING-SNICB-BEFORE-LOOKUP; docs/scenarios/findings/
// sni-callback-before-lookup.sim, seen on BoringSSL through its shim).
func TestBoringSNICB(t *testing.T) {
	runBoring(t, []scenario{
		// The session made under the callback carries ctx3's context: an
		// SSL of ctx1 switched before its handshake resumes it, and so does
		// a plain one, whose callback also runs before the lookup.
		{id: "BORING-SNICB-BEFORE-LOOKUP", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			offer(1),
			[]step{do(switchCtx(4, 3), 1), do(hs(3, 4, tls12), 1), do(reused(3), 1)},
			[]step{
				do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
				do(hs(5, 6, tls12), 1), do(reused(5), 1),
			},
		)},
	})
}
