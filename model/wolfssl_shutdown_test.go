package model_test

// The shutdown variants under the wolfssl-5.5 profile (docs/spec.md,
// WOLF-SHUT-QUIET, WOLF-SHUT-SET-FLAGS, WOLF-ALERT-RECEIVED-KEEPS):
// expectations first seen on wolfSSL 5.5.4 through shim/wolfssl
// (docs/scenarios/findings/wolf-quiet-shutdown.sim,
// wolf-set-shutdown-bits.sim and wolf-alert-received-keeps.sim) and traced
// to ssl.c and internal.c of v5.5.4-stable.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// wolfPair is a TLS 1.2 connection without tickets between client ssl1 of
// ctx2 and server ssl2 of ctx1.
func wolfPair(srvOpts ...opt) []step {
	return []step{
		do(newCtx(1, server(append([]opt{noTicket}, srvOpts...)...)), 0), do(newCtx(2, client()), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
	}
}

func TestWolfShutdownVariants(t *testing.T) {
	runWolf(t, []scenario{
		// A mode of 0 does not turn quiet shutdown off; the quiet
		// SSL_shutdown returns 1 before a handshake and clears the SSL,
		// which renews the session it held (sess1, the application's now).
		{id: "WOLF-SHUT-QUIET", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(get1(1), 1),
			do(quiet(1, 1), 0), do(quiet(1, 0), 0),
			do(shutdown(1), 1), do(getShut(1), 3), do(get0(1), 2),
			do(freeSess(1), 0, gone(1)),
		}},
		// On an established connection: 1, nothing sent, so the client
		// waits in vain (0, WOLF-SHUT-ONE-RECORD).
		{id: "WOLF-SHUT-QUIET-ESTABLISHED", steps: seq(wolfPair(), []step{
			do(quiet(2, 1), 0), do(shutdown(2), 1), do(getShut(2), 3),
			do(shutdown(1), 0), do(shutdown(1), 0),
		})},
		// Both bits: SSL_shutdown neither sends nor reads, and fails.
		{id: "WOLF-SHUT-SET-FLAGS-BOTH", steps: seq(wolfPair(), []step{
			do(setShut(2, model.SentShutdown|model.ReceivedShutdown), 0), do(getShut(2), 3),
			do(shutdown(2), -1), do(shutdown(2), -1),
		})},
		// SSL_RECEIVED_SHUTDOWN alone: close_notify goes out, 1, cleared.
		{id: "WOLF-SHUT-SET-FLAGS-RECEIVED", steps: seq(wolfPair(), []step{
			do(setShut(1, model.ReceivedShutdown), 0), do(getShut(1), 2),
			do(shutdown(1), 1), do(getShut(1), 3),
		})},
		// SSL_SENT_SHUTDOWN alone: nothing was sent, the calls only read,
		// until the peer's close_notify completes the shutdown.
		{id: "WOLF-SHUT-SET-FLAGS-SENT", steps: seq(wolfPair(), []step{
			do(setShut(2, model.SentShutdown), 0), do(shutdown(2), 0), do(shutdown(2), 0),
			do(shutdown(1), 0), do(shutdown(2), 1),
		})},
		// A handshake after SSL_set_shutdown is left out.
		{id: "WOLF-SHUT-SET-FLAGS-HANDSHAKE", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(setShut(1, model.SentShutdown), 0),
			outside(hs(1, 2, tls12)),
		}},
		// The server reads the client's fatal alert after its own
		// close_notify: no remove_cb, no flag added (1 as before), -1 from
		// then on; the client's session still resumes.
		{id: "WOLF-ALERT-RECEIVED-KEEPS", steps: seq(wolfPair(removeCB), []step{
			do(get1(1), 1), do(shutdown(2), 0), do(readAlert(2), 0),
			do(getShut(2), 1), do(shutdown(2), -1), do(resumable(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 1),
		})},
	})
}
