package model_test

// Rule-by-rule scenario tests (see spec_test.go) of callbacks, defaults,
// undefined behaviour and what is left out.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestRuleCB(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "CB-NEW-RET0-STAYS-CACHED", steps: seq(pair(server(noTicket, newCB0), client(), tls12, newCB(1, 1)), []step{
			do(number(1), 1),
			refused(freeSess(1), model.RuleUBOverRelease),
			do(shutdown(2), 0), do(freeSSL(2), 0), do(resumable(1), 1),
		})},
		{id: "CB-NEW-RET1-OWNS", steps: seq(pair(server(noTicket, newCB1), client(), tls12, newCB(1, 1)), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0),
			do(remove(1, 1), 1),
			do(freeSess(1), 0, gone(1)),
		})},
		{id: "CB-NEW-NO-STORE", steps: seq(
			pair(server(noTicket, newCB0, mode(model.CacheServer|model.CacheNoInternalStore)), client(), tls12, newCB(1, 1)),
			[]step{do(number(1), 0)},
		)},
		{id: "CB-NEW-NEEDS-MODE", steps: seq(pair(server(noTicket), client(newCB0), tls12), []step{
			do(newCtx(3, client(mode(model.CacheClient), newCB0)), 0),
			do(newSSL(3, 3), 0), do(newSSL(4, 1), 0),
			do(hs(3, 4, tls12), 1, newCB(3, 1)),
		})},
		{id: "CB-NEW-NOT-ON-HIT12", steps: seq(
			pair(server(noTicket, newCB0), client(mode(model.CacheClient), newCB0), tls12, newCB(1, 1), newCB(2, 2)),
			[]step{do(shutdown(1), 0), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1)},
			[]step{do(hs(3, 4, tls12), 1), do(reused(3), 1)},
		)},
	})
}

func TestRuleDef(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "DEF-TIMEOUT-7200", steps: []step{
			do(newCtx(1, server()), 0), do(ctxTimeout(1, 100), 7200),
		}},
		{id: "DEF-CACHE-SIZE-20480", steps: []step{
			do(newCtx(1, server()), 0), do(cacheSize(1, 10), 20480),
		}},
		{id: "DEF-NUM-TICKETS-2", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(readTicket(1), 1), do(readTicket(1), 0),
		})},
		{id: "DEF-CTX-EMPTY", steps: []step{
			do(newCtx(1, server()), 0), do(number(1), 0), do(hits(1), 0), do(misses(1), 0),
			do(timeouts(1), 0), do(cacheFull(1), 0),
		}},
		{id: "DEF-MODE-SERVER", steps: seq(
			pair(server(noTicket), client(mode(model.CacheClient|model.CacheServer)), tls12),
			[]step{do(number(1), 1), do(number(2), 1)},
			[]step{do(newCtx(3, client()), 0), do(newSSL(3, 3), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1)},
			[]step{do(number(3), 0), do(number(1), 2)},
		)},
	})
	t.Run("DEF-CLOCK", func(t *testing.T) {
		p := model.OpenSSL30()
		st := play(t, []step{do(tick(5), 0)})
		if st.Now() != p.StartTime+5 {
			t.Errorf("clock = %d, want start %d + 5", st.Now(), p.StartTime)
		}
	})
}

func TestRuleUB(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "UB-DANGLING-SESSION", steps: seq(idPair(), []step{
			do(get0(1), 1), do(freeSSL(1), 0, gone(1)),
			refused(getTimeout(1), model.RuleUBDanglingSession),
			refused(add(1, 1), model.RuleUBDanglingSession),
		})},
		{id: "UB-OVER-RELEASE", steps: seq(idPair(), []step{
			do(get0(1), 1), refused(freeSess(1), model.RuleUBOverRelease),
			do(get1(1), 1), do(freeSess(1), 0), refused(freeSess(1), model.RuleUBOverRelease),
		})},
		{id: "UB-CROSS-CONTEXT", steps: seq(idPair(), []step{
			do(get0(2), 1), do(newCtx(3, server()), 0),
			refused(add(3, 1), model.RuleUBCrossContext),
			do(remove(1, 1), 1), do(add(3, 1), 1),
		})},
		{id: "UB-DANGLING-SSL", steps: seq(idPair(), []step{
			do(freeSSL(1), 0), refused(get0(1), model.RuleUBDanglingSSL),
		})},
		{id: "UB-DANGLING-CTX", steps: []step{
			do(newCtx(1, server()), 0), do(freeCtx(1), 0),
			refused(newSSL(1, 1), model.RuleUBDanglingCTX),
		}},
		{id: "UB-NULL-SESSION", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(get0(1), 0),
			refused(resumable(0), model.RuleUBNULLSession),
			refused(upRef(0), model.RuleUBNULLSession),
			refused(add(1, 0), model.RuleUBNULLSession),
			do(setSess(1, 0), 1),
		}},
		{id: "UB-BAD-HANDLE", steps: []step{
			do(newCtx(1, server()), 0),
			refused(get0(1), model.RuleUBBadHandle),
			refused(newSSL(2, 1), model.RuleUBBadHandle),
			refused(newCtx(3, server()), model.RuleUBBadHandle),
			refused(resumable(1), model.RuleUBBadHandle),
		}},
	})
}

func TestRuleOut(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "OUT-RENEGOTIATION", steps: seq(idPair(), []step{outside(hs(1, 2, tls12))})},
		{id: "OUT-TLS13-SERVER-LEFTOVER", steps: seq(idPair(), []step{
			do(shutdown(2), 0), do(clearSSL(2), 1), do(newSSL(3, 2), 0),
			outside(hs(3, 2, tls13)),
		})},
		{id: "OUT-UPDATE-TIME", steps: []step{
			outside(newCtx(1, server(mode(model.CacheServer|model.CacheMode(0x400))))),
		}},
		{id: "OUT-TIME-OVERFLOW", steps: seq(idPair(), []step{
			do(get0(1), 1),
			outside(setTime(1, 1<<41)), outside(setTimeout(1, 1<<41)),
			outside(newCtx(3, server(timeout(1<<41)))),
		})},
		{id: "OUT-SERVER-SET-SESSION", steps: seq(idPair(), []step{do(get0(1), 1), outside(setSess(2, 1))})},
		{id: "OUT-FATAL-NOT-ESTABLISHED", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), outside(fatal(1)),
		}},
		{id: "OUT-READ-TICKET-SERVER", steps: seq(pair(server(), client(), tls13), []step{outside(readTicket(2))})},
		// Both flags set: SSL_shutdown returns 1 without reading the two
		// tickets the harness hands it (seen on OpenSSL 3.0.19: a
		// read_ticket after it finds nothing queued).
		{id: "OUT-SHUTDOWN-UNREAD-TICKETS", steps: seq(pair(server(), client(), tls13), []step{
			do(setShut(1, 3), 0), outside(shutdown(1)), do(setShut(1, 2), 0), do(shutdown(1), 1),
		})},
		{id: "OUT-TICKET-TIMEOUT-ZERO", steps: seq(
			pair(server(newCB1), client(noTicket), tls12, newCB(1, 1)),
			[]step{
				do(newCtx(3, client()), 0), do(newSSL(3, 3), 0), do(setSess(3, 1), 1),
				do(newSSL(4, 1), 0), do(setTimeout(1, 0), 1),
				outside(hs(3, 4, tls12)),
				do(setTimeout(1, 5), 1), do(hs(3, 4, tls12), 1),
			})},
		{id: "OUT-VERSION", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			outside(hs(1, 2, model.Version(11))), outside(hs(2, 1, tls12)),
		}},
	})
}
