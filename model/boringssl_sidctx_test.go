package model_test

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestBoringSidCtx: BoringSSL refuses a session of another context as
// OpenSSL does, but only after its lookup dealt with the expiry
// (ssl_session.cc ssl_lookup_session, then ssl_session_is_resumable), so an
// expired session of another context leaves the cache. Seen on the library
// in docs/scenarios/findings/sidctx-after-expiry.sim.
func TestBoringSidCtx(t *testing.T) {
	runBoring(t, []scenario{
		// Not expired: refused, and it stays cached beside the new one.
		{id: "BORING-SIDCTX-MISMATCH-STAYS", steps: seq(idPair(timeout(10)),
			[]step{do(ctxSid(1, model.SidCtx1), 1)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(reused(4), 0), do(number(1), 2)})},
		// Expired on the server (10 s) though not on the client (7200 s):
		// the lookup removes it before the context is compared.
		{id: "BORING-SIDCTX-AFTER-EXPIRY", steps: seq(idPair(timeout(10)),
			[]step{do(ctxSid(1, model.SidCtx1), 1), do(tick(20), 0)}, offer(1),
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 0), do(number(1), 1)})},
	})
}
