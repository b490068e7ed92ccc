package model_test

// The boringssl profile's rule for the settings changed after creation
// (docs/spec.md, "BoringSSL profile"); checked against the library with
// sesslife sim --profile boringssl --target boringssl.

import "testing"

func TestBoringSettings(t *testing.T) {
	runBoring(t, []scenario{
		// The count set on the SSL_CTX after SSL_new reaches the SSL made
		// before: one ticket, not the default two.
		{id: "BORING-NUM-TICKETS", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ctxTickets(1, 1), 1),
			do(hs(1, 2, tls13), 1), do(readTicket(1), 1), do(readTicket(1), 0),
		}},
	})
}
