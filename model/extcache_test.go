package model_test

// The rules of the external session cache (docs/spec.md, "External session
// cache"): get_session_cb and its *copy out-parameter, with the
// application's store the model keeps. Expectations come from OpenSSL
// 3.0's ssl_sess.c (lookup_sess_in_cache, ssl_get_prev_session,
// remove_session_lock) and extensions_srvr.c (tls_get_stateful_ticket), and
// were confirmed on 3.0.19 (docs/scenarios/external-cache.sim).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func getCB1(c *model.CtxConfig) { c.NewCB, c.GetCB = model.NewCBReturn1, model.GetCBCopy1 }
func getCB0(c *model.CtxConfig) { c.NewCB, c.GetCB = model.NewCBReturn1, model.GetCBCopy0 }

func setMode(ctx model.Handle, m model.CacheMode) model.Op {
	return model.Op{Kind: model.CtxSetCacheMode, Ctx: ctx, Arg: int64(m)}
}

// extPair is pair for an external cache: the server session S (sess1) goes
// to the store by new_session_cb.
func extPair(v model.Version, srvOpts ...opt) []step {
	return pair(server(srvOpts...), client(), v, newCB(1, 1))
}

// extResume is resume of the client session (sess2) on server ctx1.
func extResume(v model.Version, evs ...model.Event) []step {
	return resume(2, 1, v, evs...)
}

const (
	serverNoStore  = model.CacheServer | model.CacheNoInternalStore
	serverNoLookup = model.CacheServer | model.CacheNoInternalLookup
)

func TestRuleExt(t *testing.T) {
	runScenarios(t, []scenario{
		// With the session in the internal cache, get_session_cb is not
		// asked; with NO_INTERNAL_LOOKUP it is, and no miss is counted.
		{id: "CB-GET-WHEN", steps: seq(extPair(tls12, noTicket, getCB1), extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 0), do(hits(1), 1),
		})},
		{id: "CB-GET-NO-LOOKUP", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoLookup)), extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1), do(misses(1), 0), do(hits(1), 1), do(number(1), 1),
		})},
		// *copy left at 1: libssl takes its own reference, so the store's
		// stays; the session goes when the last SSL and the store let go.
		{id: "CB-GET-COPY1", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoStore)), extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1), do(misses(1), 1), do(number(1), 0),
			do(shutdown(2), 0), do(freeSSL(2), 0), do(shutdown(4), 0), do(freeSSL(4), 0),
			do(resumable(1), 1), do(freeCtx(1), 0, gone(1)),
		})},
		// *copy = 0: libssl takes the store's reference; the session goes
		// with the last SSL, and the store's entry dangles.
		{id: "CB-GET-COPY0", steps: seq(extPair(tls12, noTicket, getCB0, mode(serverNoStore)), extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1),
			do(shutdown(2), 0), do(freeSSL(2), 0), do(shutdown(4), 0), do(freeSSL(4), 0, gone(1)),
		})},
		// The session returned goes into the internal cache unless
		// NO_INTERNAL_STORE, read at the lookup.
		{id: "CB-GET-STORES", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoStore)), []step{
			do(number(1), 0), do(setMode(1, model.CacheServer), int64(serverNoStore)),
		}, extResume(tls12), []step{do(reused(4), 1), do(cbHits(1), 1), do(number(1), 1)})},
		{id: "CB-GET-NO-STORE", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoStore)), extResume(tls12), []step{
			do(number(1), 0), do(cbHits(1), 1),
		})},
		// An expired session from the callback is a timeout and is
		// removed: remove_cb runs although it was never cached, and the
		// store drops it.
		{id: "CB-GET-EXPIRED", steps: seq(extPair(tls12, noTicket, getCB1, removeCB, mode(serverNoStore), timeout(10)), []step{
			do(tick(11), 0),
		}, []step{
			do(get1(1), 2), do(shutdown(1), 0), do(freeSSL(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls12), 1, rmCB(1, 1), newCB(1, 3)),
			do(reused(4), 0), do(cbHits(1), 1), do(timeouts(1), 1),
			do(shutdown(2), 0), do(freeSSL(2), 0, gone(1)),
		})},
		// A removed session stays in a store without remove_cb; OpenSSL
		// 3.0.14 and later ignore it when get_session_cb returns it.
		{id: "CB-GET-NOT-RESUMABLE", steps: seq(extPair(tls12, noTicket, getCB1), []step{
			do(remove(1, 1), 1), do(resumable(1), 0),
		}, extResume(tls12, newCB(1, 3)), []step{
			do(reused(4), 0), do(cbHits(1), 0), do(misses(1), 1),
			do(shutdown(2), 0), do(freeSSL(2), 0), do(resumable(1), 0),
		})},
		// With *copy = 0 libssl frees the reference it was handed.
		{id: "CB-GET-NOT-RESUMABLE-COPY0", steps: seq(extPair(tls12, noTicket, getCB0), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0), do(remove(1, 1), 1),
		}, extResume(tls12, gone(1), newCB(1, 3)), []step{
			do(reused(4), 0), do(cbHits(1), 0),
		})},
		// TLS 1.3 stateful tickets are ids: the callback is asked for them.
		{id: "CB-GET-TLS13-STATEFUL", steps: seq(pair(server(noTicket, tickets(1), getCB1, mode(serverNoLookup)), client(), tls13, newCB(1, 1)), []step{
			do(readTicket(1), 1),
		}, extResume(tls13, newCB(1, 3)), []step{do(reused(4), 1), do(cbHits(1), 1)})},
		// new_session_cb fills the store, remove_cb empties it; the
		// store's reference is not the application's.
		{id: "CB-EXT-STORE", steps: seq(extPair(tls12, noTicket, getCB1, removeCB), []step{
			refused(freeSess(1), model.RuleUBOverRelease),
			do(shutdown(2), 0), do(freeSSL(2), 0),
			do(remove(1, 1), 1, rmCB(1, 1), gone(1)),
		})},
		{id: "CB-EXT-STORE-CTX-FREE", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoStore)), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0), do(freeCtx(1), 0, gone(1)),
		})},
	})
}

func TestRuleExtUB(t *testing.T) {
	runScenarios(t, []scenario{
		// *copy = 0 with a store that keeps the pointer: remove_cb frees
		// the reference libssl took over.
		{id: "UB-EXT-HANDED-FREE-REMOVE", steps: seq(extPair(tls12, noTicket, getCB0, removeCB, mode(serverNoStore)), extResume(tls12), []step{
			refused(remove(1, 1), model.RuleUBExtHandedFree),
		})},
		// A second lookup hands the same reference over again.
		{id: "UB-EXT-HANDED-FREE-AGAIN", steps: seq(extPair(tls12, noTicket, getCB0, mode(serverNoStore)), extResume(tls12), []step{
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 2), 1),
			refused(hs(5, 6, tls12), model.RuleUBExtHandedFree),
		})},
		// The session the callback returns sits in another SSL_CTX's cache:
		// the internal store would add it there too (SEED-ONE-CTX).
		{id: "UB-CROSS-CONTEXT-GET-CB", steps: seq(extPair(tls12, noTicket, getCB1, mode(serverNoStore)), []step{
			do(newCtx(3, server()), 0), do(add(3, 1), 1), do(setMode(1, model.CacheServer), int64(serverNoStore)),
			do(get1(1), 2), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			refused(hs(3, 4, tls12), model.RuleUBCrossContext),
		})},
		// After libssl dropped the handed-over reference, the store returns
		// a destroyed session.
		{id: "UB-EXT-DANGLING", steps: seq(extPair(tls12, noTicket, getCB0, mode(serverNoStore)), extResume(tls12), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0), do(shutdown(4), 0), do(freeSSL(4), 0, gone(1)),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 2), 1),
			refused(hs(5, 6, tls12), model.RuleUBExtDangling),
			do(freeSSL(6), 0), refused(freeCtx(1), model.RuleUBExtHandedFree),
		})},
	})
}
