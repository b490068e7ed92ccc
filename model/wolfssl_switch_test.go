package model_test

// SSL_set_SSL_CTX under the wolfssl-5.5 profile (docs/spec.md,
// WOLF-SWITCH-MOVES-SSL): expectations first seen on the library through
// shim/wolfssl (docs/scenarios/sni-switch.sim and
// docs/scenarios/findings/switch-moves-ssl.sim).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestWolfSwitch(t *testing.T) {
	runWolf(t, []scenario{
		// ssl2, made from ctx1 and moved to ctx3, runs ctx3's
		// new_session_cb; its session keeps ctx1's timeout (the SSL's
		// copy). A switch to the SSL_CTX it already has changes nothing.
		{id: "WOLF-SWITCH-MOVES-SSL", steps: []step{
			do(newCtx(1, server(noTicket, timeout(100), newCB0)), 0), do(newCtx(2, client()), 0),
			do(newCtx(3, server(noTicket, timeout(10), newCB0)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(switchCtx(2, 3), 1), do(switchCtx(2, 3), 1),
			do(hs(1, 2, tls12), 1, newCB(3, 1)), do(get1(2), 1), do(getTimeout(1), 100),
		}},
		// SSL_CTXs of two cache modes: left out.
		{id: "WOLF-SWITCH-OTHER-MODE", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, server(noTicket, mode(model.CacheOff))), 0),
			do(newSSL(1, 1), 0), outside(switchCtx(1, 2)),
		}},
	})
}

// The SSL holds a reference on its current SSL_CTX only: ctx1, freed by
// the application, goes as soon as ssl2 leaves it, and ctx3 when ssl2 is
// freed (OpenSSL keeps ctx1 until SSL_free, SWITCH-CTX-REF).
func TestWolfSwitchCtxRef(t *testing.T) {
	t.Run("WOLF-SWITCH-CTX-REF", func(t *testing.T) {
		alive := func(st *model.State, h model.Handle) bool { return st.AppendCtxs(nil)[h-1].Alive }
		st := playWolf(t, []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, server(noTicket)), 0),
			do(newSSL(1, 1), 0), do(freeCtx(1), 0),
		})
		if !alive(st, 1) {
			t.Fatalf("ctx1 died while ssl1 holds it")
		}
		st = playWolf(t, []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, server(noTicket)), 0),
			do(newSSL(1, 1), 0), do(freeCtx(1), 0), do(switchCtx(1, 2), 1),
		})
		if alive(st, 1) || !alive(st, 2) {
			t.Fatalf("after the switch: ctx1 alive %v (want false), ctx2 alive %v (want true)", alive(st, 1), alive(st, 2))
		}
		st = playWolf(t, []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, server(noTicket)), 0),
			do(newSSL(1, 1), 0), do(switchCtx(1, 2), 1), do(freeCtx(2), 0), do(freeSSL(1), 0),
		})
		if alive(st, 2) || !alive(st, 1) {
			t.Fatalf("after SSL_free: ctx2 alive %v (want false), ctx1 alive %v (want true)", alive(st, 2), alive(st, 1))
		}
	})
}
