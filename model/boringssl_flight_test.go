package model_test

// Handshakes in steps under the boringssl profile (docs/spec.md,
// BORING-STEP-NEW-SESSION): expectations first seen on the library through
// shim/boringssl (docs/scenarios/findings/steps-new-session.sim).

import "testing"

func TestBoringSteps(t *testing.T) {
	runBoring(t, []scenario{
		// Half way, the server shows its new session, not resumable and
		// not serializable until the handshake completes; the client still
		// shows none. A server that resumes reports it at once. A fatal
		// error half way leaves the SSL in its handshake (SSL_shutdown 1)
		// and removes nothing; SSL_clear half way keeps ssl->session.
		{id: "BORING-STEP-NEW-SESSION", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ch(1, 2, tls12), 1), do(get0(1), 0), do(get1(2), 1), do(resumable(1), 0), do(roundTrip(1), 0),
			do(reused(2), 0),
			do(fin(1, 2), 1), do(resumable(1), 1), do(get1(1), 2),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(ch(3, 4, tls12), 1), do(reused(4), 1), do(reused(3), 0), do(get0(3), 2),
			do(fatal(4), 0), do(shutdown(4), 1), do(resumable(1), 1),
			do(clearSSL(3), 1), do(get0(3), 2),
		}},
	})
}
