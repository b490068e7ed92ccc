package model_test

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestRuleHS13Resume: a TLS 1.3 server that resumes a stateful ticket holds
// the cached object itself (tls_parse_ctos_psk installs the lookup's
// reference, no copy). With num_tickets 0 nothing replaces it, so get0
// returns the cached session and an unclean SSL_free removes and marks
// exactly that object (OpenSSL 3.0.19: the same object, remove_cb for it,
// SSL_SESSION_is_resumable 0).
func TestRuleHS13Resume(t *testing.T) {
	issuer := server(mode(model.CacheServer|model.CacheNoInternalStore), tickets(1), noTicket, newCB1)
	runScenarios(t, []scenario{
		{id: "HS13-RESUME-HOLDS-CACHED", steps: seq(pair(issuer, client(), tls13, newCB(1, 1)), []step{
			do(readTicket(1), 1), do(get1(1), 2), do(shutdown(1), 0), do(shutdown(2), 0),
			do(freeSSL(1), 0), do(freeSSL(2), 0),
			do(newCtx(3, server(tickets(0), noTicket, removeCB)), 0),
			do(add(3, 1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls13), 1),
			do(reused(4), 1), do(get0(4), 1),
			do(freeSSL(4), 0, rmCB(3, 1)),
			do(resumable(1), 0), do(number(3), 0),
		})},
	})
}
