package model_test

// Rule-by-rule scenario tests (see spec_test.go) of sessions and connections:
// get, name, references, free, clear, shutdown, alert, set_session.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestRuleGet(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "SEED-GET-NULL", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0),
			do(get0(1), 0), do(get1(1), 0),
		}, check: func(t *testing.T, ob model.Observation) {
			if len(ob.Sessions) != 0 || ob.SSLs[0].Sess != 0 {
				t.Errorf("a new SSL holds no session: %+v", ob)
			}
		}},
		{id: "SEED-GET0-NOREF", steps: seq(idPair(), []step{
			do(get0(1), 1),
			do(freeSSL(1), 0, gone(1)),
			refused(resumable(1), model.RuleUBDanglingSession),
		})},
		{id: "SEED-GET1-REF", steps: seq(idPair(), []step{
			do(get1(1), 1), do(shutdown(1), 0),
			do(freeSSL(1), 0),
			do(resumable(1), 1), do(getTimeout(1), 7200),
			do(freeSess(1), 0, gone(1)),
			refused(getTime(1), model.RuleUBDanglingSession),
		})},
		{id: "GET-SAME-OBJECT", steps: seq(idPair(), []step{
			do(get0(1), 1), do(get1(1), 1), do(get0(1), 1), do(get0(2), 2),
		})},
	})
	t.Run("SEED-GET0-ALIAS", func(t *testing.T) {
		k, ok := model.ParseKind("SSL_get_session")
		if !ok || k != model.Get0 {
			t.Fatalf("SSL_get_session parses as (%v, %v), want SSL_get0_session", k, ok)
		}
		play(t, seq(idPair(), []step{do(model.Op{Kind: k, SSL: 1}, 1), do(get0(1), 1)}))
		firedIn.add(t.Name(), model.RuleSeedGet0Alias) // the rule is ParseKind's, checked above
	})
}

func TestRuleName(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "NAME-ORDER", steps: seq(
			pair(server(newCB0), client(), tls13, newCB(1, 1), gone(1), newCB(1, 2)),
			[]step{do(get0(2), 2), do(get0(1), 3)},
		)},
		{id: "NAME-SILENT-DESTROY", steps: seq(idPair(), []step{
			do(freeSSL(1), 0), do(freeSSL(2), 0),
		}), check: func(t *testing.T, ob model.Observation) {
			if len(ob.Sessions) != 0 {
				t.Errorf("no session was ever named: %+v", ob.Sessions)
			}
		}},
		{id: "NAME-NO-REUSE", steps: seq(idPair(), []step{
			do(get0(1), 1), do(freeSSL(1), 0, gone(1)), do(get0(2), 2),
		})},
	})
}

func TestRuleRef(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "REF-UPREF", steps: seq(idPair(), []step{
			do(get0(1), 1), do(upRef(1), 1), do(shutdown(1), 0),
			do(freeSSL(1), 0), do(resumable(1), 1),
			do(freeSess(1), 0, gone(1)),
		})},
		{id: "REF-DESTROY-AT-ZERO", steps: seq(idPair(), []step{
			do(get1(1), 1), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(freeSess(1), 0),
			do(freeSess(1), 0, gone(1)),
		})},
		{id: "RESUMABLE-WHEN", steps: seq(idPair(), []step{
			do(get0(1), 1), do(resumable(1), 1), do(get0(2), 2),
			do(remove(1, 2), 1), do(resumable(2), 0), do(resumable(1), 1),
		})},
		{id: "REF-CACHE-HOLDS", steps: seq(idPair(), []step{
			do(get1(2), 1), do(shutdown(2), 0), do(freeSSL(2), 0),
			do(freeSess(1), 0), do(number(1), 1),
			do(remove(1, 1), 1, gone(1)), do(number(1), 0),
		})},
	})
}

func TestRuleFree(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "FREE-BAD-REMOVES", steps: seq(idPair(removeCB), []step{
			do(number(1), 1),
			do(freeSSL(2), 0, rmCB(1, 1), gone(1)),
			do(number(1), 0),
		})},
		{id: "FREE-SHUTDOWN-KEEPS", steps: seq(idPair(removeCB), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0), do(number(1), 1),
		})},
		{id: "FREE-ONLY-ESTABLISHED", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newSSL(3, 2), 0), do(setSess(3, 1), 1),
			do(freeSSL(3), 0),
			do(resumable(1), 1),
		})},
		{id: "FREE-REMOVE-UNCACHED", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(get0(1), 1),
			do(freeSSL(1), 0, rmCB(2, 1), gone(1)),
		})},
		{id: "FREE-GOOD-DANGLES", steps: seq(idPair(), []step{
			do(get0(1), 1), do(shutdown(1), 0),
			do(freeSSL(1), 0, gone(1)),
		})},
		{id: "FREE-AFTER-FATAL", steps: seq(idPair(removeCB), []step{
			do(fatal(2), 0, rmCB(1, 1)),
			do(freeSSL(2), 0, gone(1)),
		})},
		{id: "FREE-CTX-LAST-SSL", steps: seq(idPair(removeCB), []step{
			do(shutdown(2), 0),
			do(freeCtx(1), 0),
			refused(number(1), model.RuleUBDanglingCTX),
			do(freeSSL(2), 0, rmCB(1, 1), gone(1)),
		}), check: func(t *testing.T, ob model.Observation) {
			if len(ob.Ctxs) != 1 || ob.Ctxs[0].Ctx != 2 {
				t.Errorf("only ctx2 is application-held: %+v", ob.Ctxs)
			}
		}},
	})
}

func TestRuleClear(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "CLEAR-GOOD-KEEPS", steps: seq(idPair(), []step{
			do(get0(1), 1), do(shutdown(1), 0),
			do(clearSSL(1), 1),
			do(get0(1), 1), do(resumable(1), 1),
			do(newSSL(3, 1), 0), do(hs(1, 3, tls12), 1),
			do(reused(1), 1), do(reused(3), 1),
		}), check: func(t *testing.T, ob model.Observation) {
			if !ob.SSLs[0].Reused || ob.SSLs[0].Sess != 1 {
				t.Errorf("ssl1 resumed sess1: %+v", ob.SSLs[0])
			}
		}},
		{id: "CLEAR-RESETS-REUSED", steps: seq(idPair(), []step{
			do(shutdown(1), 0), do(clearSSL(1), 1),
			do(newSSL(3, 1), 0), do(hs(1, 3, tls12), 1), do(reused(1), 1),
			do(shutdown(1), 0), do(clearSSL(1), 1),
			do(reused(1), 0),
		})},
		{id: "CLEAR-BAD-DROPS", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(get0(1), 1),
			do(clearSSL(1), 1, rmCB(2, 1), gone(1)),
			do(get0(1), 0),
		})},
		{id: "CLEAR-AFTER-FATAL-KEEPS", steps: seq(idPair(), []step{
			do(get0(1), 1), do(fatal(1), 0),
			do(clearSSL(1), 1),
			do(get0(1), 1), do(resumable(1), 0),
		})},
	})
}

func TestRuleShut(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "SHUT-FIRST-SENDS", steps: seq(idPair(), []step{do(shutdown(1), 0)})},
		{id: "SHUT-WAITS-FOR-PEER", steps: seq(idPair(), []step{
			do(shutdown(1), 0), do(shutdown(1), -1),
			do(shutdown(2), 0),
			do(shutdown(1), 1), do(shutdown(1), 1),
			do(shutdown(2), 1),
		})},
		{id: "SHUT-IN-INIT", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(shutdown(1), -1),
		}},
		{id: "SHUT-AFTER-FATAL", steps: seq(idPair(), []step{
			do(fatal(1), 0), do(shutdown(1), -1),
		})},
		{id: "SHUT-TLS13-READS-TICKETS", steps: seq(pair(server(), client(mode(model.CacheClient), newCB0), tls13), []step{
			do(shutdown(1), 0),
			do(shutdown(1), -1, newCB(2, 1), newCB(2, 2)),
			do(readTicket(1), 0), do(number(2), 2),
		})},
	})
}

func TestRuleAlert(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "ALERT-REMOVES", steps: seq(idPair(removeCB), []step{
			do(number(1), 1),
			do(fatal(2), 0, rmCB(1, 1)),
			do(number(1), 0), do(resumable(1), 0),
		})},
		{id: "ALERT-AFTER-CLOSE-NOTIFY", steps: seq(idPair(removeCB), []step{
			do(shutdown(2), 0), do(fatal(2), 0), do(number(1), 1),
		})},
		{id: "ALERT-UNCACHED", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(fatal(1), 0, rmCB(2, 1)), do(resumable(1), 0),
		})},
	})
}

func TestRuleSet(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "SET-TAKES-REF", steps: seq(idPair(), []step{
			do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newSSL(3, 2), 0), do(setSess(3, 1), 1),
			do(freeSess(1), 0),
			do(get0(3), 1),
			do(freeSSL(3), 0, gone(1)),
		})},
		{id: "SET-BAD-OLD", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(get1(1), 1),
			do(setSess(1, 0), 1, rmCB(2, 1)),
			do(get0(1), 0), do(resumable(1), 0),
		})},
		{id: "SET-NULL", steps: seq(idPair(), []step{
			do(get0(1), 1), do(shutdown(1), 0),
			do(setSess(1, 0), 1, gone(1)),
			do(get0(1), 0),
		})},
		// After a handshake SSL_set_session puts back the SSL_CTX's method,
		// which discards the record layer: I/O on the connection is left
		// out, but the bad-session rule still applies to SSL_free.
		{id: "SET-RESETS-CONNECTION", steps: seq(pair(server(noTicket), client(removeCB), tls12), []step{
			do(get1(1), 1),
			do(setSess(1, 1), 1, rmCB(2, 1)),
			{op: shutdown(1), outside: true},
			do(get1(1), 1),
			do(freeSSL(1), 0, rmCB(2, 1)),
		})},
	})
}
