package model_test

// The shutdown states under the boringssl profile (docs/spec.md,
// BORING-SHUT-SET-STATES): expectations first seen on BoringSSL through
// shim/boringssl (docs/scenarios/findings/set-shutdown-adds-only.sim) and
// traced to ssl_lib.cc SSL_set_shutdown.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestBoringShutdownStates(t *testing.T) {
	runBoring(t, []scenario{
		// SSL_set_shutdown only adds: clearing a bit changes nothing.
		{id: "BORING-SHUT-SET-STATES", steps: []step{
			do(newCtx(1, server()), 0), do(newSSL(1, 1), 0),
			do(setShut(1, model.SentShutdown|model.ReceivedShutdown), 0), do(setShut(1, model.SentShutdown), 0),
			do(getShut(1), 3), do(setShut(1, 0), 0), do(getShut(1), 3),
		}},
		// After close_notify went out, SSL_set_shutdown(0) does not make
		// SSL_shutdown send again: it reads, and waits (-1).
		{id: "BORING-SHUT-SET-STATES-AFTER-SEND", steps: seq(full12(), []step{
			do(shutdown(2), 0), do(setShut(2, 0), 0), do(getShut(2), 1), do(shutdown(2), -1),
		})},
		// SSL_RECEIVED_SHUTDOWN alone: close_notify goes out and 1.
		{id: "BORING-SHUT-SET-STATES-RECEIVED", steps: seq(full12(), []step{
			do(setShut(1, model.ReceivedShutdown), 0), do(shutdown(1), 1), do(getShut(1), 3),
		})},
		// A handshake after a state was set is left out, as are the
		// calls on an SSL whose states a fatal error set.
		{id: "BORING-SHUT-SET-STATES-HANDSHAKE", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(setShut(1, model.SentShutdown), 0),
			outside(hs(1, 2, model.TLS12)),
		}},
		{id: "BORING-SHUT-AFTER-FATAL", steps: seq(full12(), []step{
			do(fatal(2), 0), outside(getShut(2)), outside(setShut(2, 1)),
			do(quiet(2, 1), 0), outside(shutdown(2)),
		})},
	})
}
