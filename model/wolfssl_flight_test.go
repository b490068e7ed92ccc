package model_test

// Handshakes in steps under the wolfssl-5.5 profile (docs/spec.md,
// WOLF-STEP-IN-PLACE): expectations first seen on the library through
// shim/wolfssl (docs/scenarios/findings/steps-in-place.sim).

import "testing"

func TestWolfSteps(t *testing.T) {
	runWolf(t, []scenario{
		// A TLS 1.2 resumption by id in two steps: the server reports reuse
		// from client_hello on, and SSL_get_shutdown reads 3 on both ends
		// half way (NULL_STATE). SSL_clear half way gives the client a new
		// empty session, as before a handshake: the one it copied in is
		// lost. SSL_free half way removes nothing from the cache.
		{id: "WOLF-STEP-IN-PLACE", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(ch(3, 4, tls12), 1), do(reused(4), 1), do(getShut(4), 3), do(getShut(3), 3),
			do(fin(3, 4), 1), do(reused(3), 1), do(getShut(3), 0),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
			do(ch(5, 6, tls12), 1), do(clearSSL(5), 1), do(get1(5), 2), do(resumable(2), 0),
			outside(fin(5, 6)), do(freeSSL(6), 0), do(resumable(1), 1),
			do(newSSL(7, 2), 0), do(newSSL(8, 1), 0), do(setSess(7, 1), 1), do(hs(7, 8, tls12), 1),
			do(reused(8), 1),
			// A full TLS 1.3 handshake in steps is the one-step handshake.
			do(newSSL(9, 2), 0), do(newSSL(10, 1), 0), do(ch(9, 10, tls13), 1), do(reused(10), 0),
			do(fin(9, 10), 1), do(reused(9), 0), do(getShut(9), 0),
		}},
	})
}
