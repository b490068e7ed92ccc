package model_test

// Rule-by-rule scenario tests (see spec_test.go) of handshakes and tickets.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestRuleHS12(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "HS12-ID-CACHED", steps: seq(pair(server(noTicket, newCB0), client(), tls12, newCB(1, 1)), []step{
			do(number(1), 1), do(get0(2), 1), do(get0(1), 2),
			do(resumable(1), 1), do(resumable(2), 1),
		}), check: func(t *testing.T, ob model.Observation) {
			wantIDLen(1, 32)(t, ob)
			wantIDLen(2, 32)(t, ob)
		}},
		{id: "HS12-STATELESS-EMPTY-ID", steps: seq(pair(server(newCB0), client(), tls12), []step{
			do(number(1), 0),
			do(get0(2), 1), do(resumable(1), 0),
			do(get0(1), 2), do(resumable(2), 1),
		}), check: func(t *testing.T, ob model.Observation) {
			wantIDLen(1, 0)(t, ob)
			wantIDLen(2, 32)(t, ob)
		}},
		{id: "HS12-NO-SERVER-MODE", steps: seq(pair(server(noTicket, mode(model.CacheOff)), client(), tls12), []step{
			do(number(1), 0), do(get0(1), 1), do(resumable(1), 0),
		}), check: wantIDLen(1, 0)},
		{id: "HS12-RESUME-ID", steps: seq(idPair(), []step{
			do(get0(2), 1),
		}, resume(2, 1, tls12), []step{
			do(reused(3), 1), do(reused(4), 1),
			do(get0(4), 1), do(get0(3), 2),
			do(hits(1), 1), do(hits(2), 1), do(misses(1), 0), do(number(1), 1),
		})},
		{id: "HS12-RESUME-TICKET", steps: seq(pair(server(), client(), tls12), resume(1, 1, tls12), []step{
			do(reused(3), 1), do(reused(4), 1),
			do(get0(3), 1), do(get0(4), 2),
			do(hits(1), 1), do(number(1), 0),
		}), check: wantIDLen(2, 32)},
		{id: "HS12-MISS", steps: seq(idPair(), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newCtx(3, server(noTicket)), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(freeSess(1), 0),
			do(hs(3, 4, tls12), 1, gone(1)),
			do(reused(3), 0), do(misses(3), 1), do(misses(2), 1), do(hits(3), 0),
		})},
		{id: "HS12-EXPIRED-ID", steps: seq(idPair(removeCB, timeout(10)), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(shutdown(2), 0), do(freeSSL(2), 0),
			do(tick(11), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(freeSess(1), 0),
			do(hs(3, 4, tls12), 1, rmCB(1, 2), gone(2), gone(1)),
			do(timeouts(1), 1), do(misses(1), 0), do(misses(2), 1), do(number(1), 1),
		})},
		{id: "HS12-EXPIRED-TICKET", steps: seq(pair(server(removeCB, timeout(10)), client(), tls12), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(tick(11), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(freeSess(1), 0),
			do(hs(3, 4, tls12), 1, gone(1)),
			do(timeouts(1), 1), do(number(1), 0), do(reused(3), 0),
			do(get0(3), 2), do(resumable(2), 1),
		})},
		{id: "HS12-FOREIGN-TICKET", steps: seq(pair(server(), client(), tls12), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newCtx(3, server()), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1), do(freeSess(1), 0),
			do(hs(3, 4, tls12), 1, gone(1)),
			do(reused(3), 0), do(misses(3), 0), do(misses(2), 1),
			do(get0(3), 2), do(resumable(2), 1),
		})},
		{id: "HS12-EVENT-ORDER", steps: seq(
			pair(server(noTicket, newCB0), client(mode(model.CacheClient), newCB0), tls12, newCB(1, 1), newCB(2, 2)),
			[]step{do(number(1), 1), do(number(2), 1)},
		)},
		{
			id: "HS12-EMPTY-TICKET-HIT-RENEWS",
			steps: []step{
				do(newCtx(1, server()), 0), do(newCtx(2, client(noTicket)), 0), do(newCtx(3, client()), 0),
				do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
				do(number(1), 1), do(get1(1), 1), do(shutdown(1), 0),
				do(newSSL(3, 3), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
				do(hs(3, 4, tls12), 1),
				do(reused(3), 1), do(hits(1), 1),
				do(get0(3), 2), do(resumable(2), 1),
			},
		},
	})
}

func TestRuleHS13(t *testing.T) {
	srvNew := func(opts ...opt) []step {
		return pair(server(append([]opt{newCB0}, opts...)...), client(), tls13, newCB(1, 1), gone(1), newCB(1, 2))
	}
	runScenarios(t, []scenario{
		{id: "SEED-TLS13-NOT-RESUMABLE", steps: seq(pair(server(), client(), tls13), []step{
			do(get0(1), 1), do(resumable(1), 0),
		}), check: wantIDLen(1, 0)},
		{id: "SEED-TLS13-LAST-WINS", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(get1(1), 1),
			do(readTicket(1), 1), do(get0(1), 2),
			do(resumable(1), 1), do(resumable(2), 1),
			do(readTicket(1), 0),
		})},
		{id: "HS13-SERVER-LAST-TICKET", steps: seq(srvNew(), []step{do(get0(2), 2)}), check: wantIDLen(2, 32)},
		{id: "HS13-SERVER-NO-TICKETS", steps: seq(pair(server(tickets(0)), client(), tls13), []step{
			do(get0(2), 1), do(resumable(1), 0), do(readTicket(1), 0),
		}), check: wantIDLen(1, 0)},
		{id: "HS13-SERVER-NOCACHE", steps: seq(srvNew(), []step{do(number(1), 0)})},
		{id: "HS13-SERVER-CACHE-REMOVECB", steps: seq(pair(server(removeCB), client(), tls13), []step{do(number(1), 2)})},
		{id: "HS13-SERVER-CACHE-NOTICKET", steps: seq(pair(server(noTicket), client(), tls13), []step{do(number(1), 2)})},
		{id: "HS13-RESUME-ONE-TICKET", steps: seq(srvNew(), []step{do(readTicket(1), 1)}, resume(3, 1, tls13, newCB(1, 4)), []step{
			do(reused(3), 1), do(reused(4), 1),
			do(readTicket(3), 1), do(readTicket(3), 0),
			do(hits(1), 1), do(hits(2), 1),
			do(resumable(3), 1),
		})},
		{id: "HS13-CLIENT-SINGLE-USE", steps: seq(
			pair(server(newCB0), client(mode(model.CacheClient), removeCB), tls13, newCB(1, 1), gone(1), newCB(1, 2)),
			[]step{do(readTicket(1), 1), do(readTicket(1), 1), do(number(2), 2)},
			resume(3, 1, tls13, rmCB(2, 3), newCB(1, 4)),
			[]step{
				do(resumable(3), 0), do(number(2), 1),
				do(readTicket(3), 1), do(number(2), 2), do(resumable(3), 0),
			},
		)},
		{id: "HS13-STATEFUL-REUSE", steps: seq(pair(server(noTicket, tickets(1)), client(), tls13), []step{
			do(number(1), 1), do(readTicket(1), 1),
		}, resume(1, 1, tls13), []step{
			do(reused(3), 1), do(number(1), 2),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1), do(hs(5, 6, tls13), 1),
			do(reused(5), 1), do(hits(1), 2), do(number(1), 3),
		})},
		{id: "HS13-STATEFUL-MISS", steps: seq(pair(server(noTicket, tickets(1)), client(), tls13), []step{
			do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(get0(2), 2), do(shutdown(2), 0), do(freeSSL(2), 0),
			do(remove(1, 2), 1, gone(2)),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1),
			do(reused(3), 0), do(misses(1), 1), do(misses(2), 1),
		})},
		{id: "HS13-STATEFUL-EXPIRED-STAYS", steps: seq(
			pair(server(noTicket, tickets(1), removeCB, timeout(10)), client(), tls13),
			[]step{do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0), do(tick(11), 0)},
			[]step{do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1)},
			[]step{do(reused(3), 0), do(timeouts(1), 1), do(misses(1), 0), do(number(1), 2)},
		)},
		{id: "HS13-STATELESS-EXPIRED", steps: seq(
			pair(server(timeout(10)), client(), tls13),
			[]step{do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0), do(tick(11), 0)},
			[]step{do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1)},
			[]step{do(reused(3), 0), do(timeouts(1), 1), do(misses(2), 1)},
		)},
		{id: "HS13-FOREIGN-TICKET", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newCtx(3, server()), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1),
			do(reused(3), 0), do(misses(3), 0), do(misses(2), 1),
		})},
	})
}

// tls13Offer: a TLS 1.3 server ctx1 (srv) issues tickets at the start time;
// the client keeps the first as sess1, waits age seconds and offers it.
func tls13Offer(srv model.CtxConfig, age int64) []step {
	return seq(pair(srv, client(), tls13), []step{
		do(readTicket(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
		do(tick(age), 0),
		do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(hs(3, 4, tls13), 1),
	})
}

func TestRuleTkt(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "TKT-12-IN-HANDSHAKE", steps: seq(pair(server(), client(), tls12), []step{
			do(readTicket(1), 0), do(get0(1), 1), do(resumable(1), 1),
		})},
		{id: "TKT-13-PENDING", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(readTicket(1), 1), do(readTicket(1), 0),
		})},
		{id: "TKT-13-CLIENT-DUP", steps: seq(pair(server(), client(), tls13), []step{
			do(get1(1), 1),
			do(readTicket(1), 1), do(get1(1), 2),
			do(readTicket(1), 1), do(get0(1), 3),
			do(resumable(1), 0), do(resumable(2), 1), do(resumable(3), 1),
		})},
		{id: "TKT-13-NEWCB-PER-TICKET", steps: seq(pair(server(), client(mode(model.CacheClient), newCB1), tls13), []step{
			do(readTicket(1), 1, newCB(2, 1)),
			do(readTicket(1), 1, newCB(2, 2)),
			do(number(2), 2),
			do(freeSess(1), 0), do(freeSess(2), 0),
			do(remove(2, 1), 1, gone(1)),
		})},
		{id: "TKT-HINT-SLACK", steps: seq(tls13Offer(server(timeout(10)), 11), []step{
			do(reused(3), 0), do(timeouts(1), 1),
		})},
		{id: "TKT-HINT-SKIP", steps: seq(tls13Offer(server(timeout(10)), 12), []step{
			do(reused(3), 0), do(timeouts(1), 0), do(misses(2), 1),
		})},
		{id: "TKT-HINT-CAP", steps: seq(tls13Offer(server(timeout(14*day)), 7*day+2), []step{
			do(reused(3), 0), do(timeouts(1), 0), do(misses(2), 1),
		})},
		{id: "TKT-HINT-CAP-BOUNDARY", steps: seq(tls13Offer(server(timeout(14*day)), 7*day+1), []step{
			do(reused(3), 1), do(hits(1), 1),
		})},
		{id: "TKT-CLIENT-TIMEOUT", steps: seq(pair(server(timeout(10)), client(), tls13), []step{
			do(readTicket(1), 1), do(get0(1), 1), do(getTimeout(1), 7200),
		})},
	})
}

// cachedPair is idPair with remove_cb, naming S sess1 and C sess2.
func cachedPair() []step {
	return seq(idPair(removeCB), []step{do(get0(2), 1), do(get0(1), 2)})
}
