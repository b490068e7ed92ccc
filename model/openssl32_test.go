package model_test

// Scenario tests of the openssl-3.2 profile, one subtest per name the
// "OpenSSL 3.2 profile" rows of docs/spec.md list. Every expectation was
// seen on OpenSSL 3.2.3 and 3.3.2 built from their release tags, through
// shim/openssl, and the opposite one on Debian's 3.0.19.

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestOpenSSL32Profile(t *testing.T) {
	p := model.OpenSSL32()
	if got, ok := model.Profiles()[p.Name]; !ok || p.Name != "openssl-3.2" || got.Name != p.Name {
		t.Fatalf("Profiles() lacks %q", p.Name)
	}
	// Everything but the three switches is OpenSSL 3.0's.
	p.Name, p.TicketAgeFloorsAtZero, p.SNIAcceptStays, p.CloseNotifyStaysCurrent = model.OpenSSL30().Name, false, false, false
	if !reflect.DeepEqual(p, model.OpenSSL30()) {
		t.Errorf("openssl-3.2 departs from openssl-3.0 in more than its three switches: %+v", p)
	}
	var switches []string
	for _, d := range model.OpenSSL32().Divergences() {
		switches = append(switches, d.Switch+" "+d.Finding)
	}
	if want := "[TicketAgeFloorsAtZero O1 SNIAcceptStays O2 CloseNotifyStaysCurrent O3]"; fmt.Sprint(switches) != want {
		t.Errorf("divergences %v, want %s", switches, want)
	}
}

// futureOffer makes a TLS 1.3 connection, keeps the client's session
// (sess1), dates it an hour ahead of the clock and offers it on a new pair
// of SSLs (client ssl3, server ssl4).
func futureOffer() []step {
	start := model.OpenSSL30().StartTime
	return seq(pair(server(), client(), tls13), []step{
		do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
		do(setTime(1, start+3600), start+3600),
		do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1),
	})
}

func TestRuleOssl32(t *testing.T) {
	runScenariosOn(t, model.OpenSSL32(), []scenario{
		// The age of a session dated in the future is 0: the ticket is
		// offered and the server, which dates the session by its ticket,
		// resumes it.
		{id: "OSSL32-TICKET-AGE-FLOOR", steps: seq(futureOffer(), []step{
			do(reused(3), 1), do(hits(1), 1), do(misses(2), 0),
		})},
		// ctx1's callback moves ssl2 to ctx3: sess_accept stays on ctx1,
		// sess_accept_good counts on ctx3.
		{id: "OSSL32-SNICB-ACCEPT-STAYS", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			[]step{do(accepts(1), 1), do(accepts(3), 0), do(acceptsGood(1), 0), do(acceptsGood(3), 1)},
		)},
	})
}

// TestOpenSSL30DiffersFromOpenSSL32 plays the telling calls of the rules
// above on openssl-3.0, which does the opposite.
func TestOpenSSL30DiffersFromOpenSSL32(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "TKT-HINT-SLACK-FUTURE", steps: seq(futureOffer(), []step{do(reused(3), 0), do(misses(2), 1)})},
		{id: "SNICB-SWITCH-ACCEPT", steps: seq(
			sniPair(server(noTicket), server(noTicket), tls12),
			[]step{do(accepts(1), 0), do(accepts(3), 1)},
		)},
	})
}

// TestOpenSSL32LeavesOutClearingReceived: once a TLS 1.3 SSL has read its
// peer's close_notify, openssl-3.2 refuses an SSL_set_shutdown that clears
// SSL_RECEIVED_SHUTDOWN (O3: OpenSSL 3.2 would read that close_notify
// again); keeping the flag, or a TLS 1.2 connection, is modelled, and
// openssl-3.0 models both.
func TestOpenSSL32LeavesOutClearingReceived(t *testing.T) {
	closed := func(v model.Version) []step {
		return seq(pair(server(), client(), v), []step{do(shutdown(2), 0), do(shutdown(1), 0), do(shutdown(2), 1)})
	}
	runScenariosOn(t, model.OpenSSL32(), []scenario{
		{id: "tls13", steps: seq(closed(tls13), []step{
			outside(setShut(2, 1)), outside(setShut(2, 0)), do(setShut(2, 3), 0), do(shutdown(2), 1),
		})},
		{id: "tls12", steps: seq(closed(tls12), []step{do(setShut(2, 1), 0), do(shutdown(2), -1)})},
	})
	runScenarios(t, []scenario{
		{id: "tls13 under openssl-3.0", steps: seq(closed(tls13), []step{do(setShut(2, 1), 0), do(shutdown(2), -1)})},
	})
}
