package model_test

// SSL_set_SSL_CTX under the boringssl profile (docs/spec.md,
// BORING-SWITCH-SIDCTX): expectations first seen on the library through
// shim/boringssl (docs/scenarios/sni-switch.sim and
// docs/scenarios/findings/switch-sidctx-replaced.sim).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestBoringSwitch(t *testing.T) {
	runBoring(t, []scenario{
		// ssl4 set a context of its own, yet the switch gives it ctx3's:
		// it resumes the session ssl2 made under ctx3's context.
		{id: "BORING-SWITCH-SIDCTX", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0), do(newCtx(3, server(noTicket)), 0),
			do(ctxSid(3, model.SidCtx1), 1),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(switchCtx(2, 3), 1), do(hs(1, 2, tls12), 1),
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(sslSid(4, model.SidCtx2), 1), do(switchCtx(4, 3), 1),
			do(setSess(3, 1), 1), do(hs(3, 4, tls12), 1), do(reused(3), 1),
		}},
		// The session stays ctx1's (its cache and new_session_cb); the
		// empty id follows ctx3's mode.
		{id: "BORING-SWITCH-ID-MODE", steps: seq(
			switched(server(noTicket), server(noTicket, mode(model.CacheOff))),
			[]step{do(number(1), 0), do(get0(1), 1)},
		), check: wantIDLen(1, 0)},
		// ctx3, freed by the application, goes with the SSL that held it,
		// after ctx1: its cache is flushed through its remove_cb.
		{id: "BORING-SWITCH-CTX-REF-FREE", steps: seq(
			switched(server(noTicket, mode(model.CacheOff)), server(noTicket, removeCB)),
			[]step{
				do(get1(2), 1), do(add(3, 1), 1), do(freeCtx(3), 0), do(freeCtx(1), 0),
				do(shutdown(1), 0), do(shutdown(2), 0), do(freeSSL(2), 0, rmCB(3, 1)),
			}),
		},
	})
}
