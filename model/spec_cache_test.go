package model_test

// Rule-by-rule scenario tests (see spec_test.go) of the session cache: store,
// evict, remove, flush, automatic flush, counters, time.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func TestRuleCache(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "CACHE-ADD-NEW", steps: seq(cachedPair(), []step{
			do(newCtx(3, server()), 0),
			do(add(3, 2), 1), do(number(3), 1),
			do(shutdown(1), 0), do(freeSSL(1), 0),
			do(resumable(2), 1),
		})},
		{id: "CACHE-ADD-SAME", steps: seq(cachedPair(), []step{
			do(add(1, 1), 0), do(number(1), 1),
			do(shutdown(2), 0), do(freeSSL(2), 0),
			do(remove(1, 1), 1, rmCB(1, 1), gone(1)),
		})},
		{id: "CACHE-ADD-REPLACE", steps: seq(cachedPair(), []step{
			do(add(1, 2), 1), do(number(1), 1), do(resumable(1), 1),
			do(freeSSL(2), 0, rmCB(1, 1), gone(1)),
			do(number(1), 0), do(resumable(2), 1),
		})},
		{id: "CACHE-ADD-ANY-MODE", steps: seq(cachedPair(), []step{
			do(newCtx(3, server(mode(model.CacheOff))), 0),
			do(add(3, 2), 1), do(number(3), 1),
		})},
		{id: "CACHE-ADD-NOT-RESUMABLE", steps: seq(cachedPair(), []step{
			do(remove(1, 1), 1, rmCB(1, 1)), do(resumable(1), 0),
			do(add(1, 1), 1), do(number(1), 1), do(resumable(1), 0),
		})},
		{id: "CACHE-SIZE-SET", steps: []step{
			do(newCtx(1, server()), 0),
			do(cacheSize(1, 5), 20480), do(cacheSize(1, 0), 5),
		}},
	})
}

// serve12 is one TLS 1.2 handshake between new SSLs: client c on ctx2 and
// server s on ctx1.
func serve12(c, s model.Handle, evs ...model.Event) []step { return conn(c, s, tls12, evs...) }

func TestRuleEvict(t *testing.T) {
	ctxs := func(srv model.CtxConfig) []step {
		return []step{do(newCtx(1, srv), 0), do(newCtx(2, client()), 0)}
	}
	runScenarios(t, []scenario{
		{id: "EVICT-N-1", steps: seq(ctxs(server(noTicket, newCB0, removeCB, size(3))),
			serve12(1, 2, newCB(1, 1)),
			serve12(3, 4, newCB(1, 2)),
			serve12(5, 6, rmCB(1, 1), newCB(1, 3)),
			[]step{do(number(1), 2), do(cacheFull(1), 1), do(resumable(1), 0), do(resumable(2), 1)},
		)},
		{id: "EVICT-SIZE-1", steps: seq(ctxs(server(noTicket, newCB0, removeCB, size(1))),
			serve12(1, 2, newCB(1, 1)),
			[]step{do(number(1), 1)},
			serve12(3, 4, rmCB(1, 1), newCB(1, 2)),
			[]step{do(number(1), 1), do(cacheFull(1), 1)},
		)},
		{id: "EVICT-UNLIMITED", steps: seq(ctxs(server(noTicket, removeCB, size(0))),
			serve12(1, 2), serve12(3, 4), serve12(5, 6),
			[]step{do(number(1), 3), do(cacheFull(1), 0)},
		)},
		{id: "EVICT-SOONEST", steps: seq(ctxs(server(noTicket, newCB0, removeCB, size(3))),
			serve12(1, 2, newCB(1, 1)),
			serve12(3, 4, newCB(1, 2)),
			[]step{do(setTimeout(1, 9000), 1)},
			serve12(5, 6, rmCB(1, 2), newCB(1, 3)),
			[]step{do(resumable(1), 1), do(resumable(2), 0)},
		)},
		{id: "EVICT-SHRINK", steps: seq(ctxs(server(noTicket, newCB0, removeCB)),
			serve12(1, 2, newCB(1, 1)), serve12(3, 4, newCB(1, 2)), serve12(5, 6, newCB(1, 3)),
			[]step{do(cacheSize(1, 2), 20480), do(number(1), 3)},
			serve12(7, 8, rmCB(1, 1), rmCB(1, 2), rmCB(1, 3), newCB(1, 4)),
			[]step{do(number(1), 1), do(cacheFull(1), 3)},
		)},
		{id: "EVICT-EMPTY-ID-STUCK", steps: seq(
			[]step{
				do(newCtx(1, server(noTicket, size(2))), 0), do(newCtx(2, client()), 0), do(newCtx(3, server()), 0),
				do(newSSL(1, 2), 0), do(newSSL(2, 3), 0), do(hs(1, 2, tls13), 1),
				do(get1(1), 1), do(add(1, 1), 1),
			},
			serve12(3, 4), serve12(5, 6),
			[]step{do(number(1), 3), do(cacheFull(1), 0)},
		), check: wantIDLen(1, 0)},
	})
}

func TestRuleRemove(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "REMOVE-CACHED", steps: seq(cachedPair(), []step{
			do(remove(1, 1), 1, rmCB(1, 1)), do(number(1), 0), do(resumable(1), 0),
		})},
		{id: "REMOVE-UNCACHED", steps: seq(cachedPair(), []step{
			do(remove(1, 1), 1, rmCB(1, 1)),
			do(remove(1, 1), 0, rmCB(1, 1)),
			do(newCtx(3, server(removeCB)), 0),
			do(remove(3, 2), 0, rmCB(3, 2)), do(resumable(2), 0),
		})},
		{id: "REMOVE-BY-KEY", steps: seq(cachedPair(), []step{
			do(remove(1, 2), 1, rmCB(1, 2)),
			do(resumable(2), 0), do(resumable(1), 1), do(number(1), 0),
		})},
		{id: "REMOVE-EMPTY-ID", steps: seq(pair(server(removeCB), client(), tls12), []step{
			do(get0(2), 1),
			do(remove(1, 1), 0),
			do(freeSSL(2), 0, gone(1)),
		}), check: func(t *testing.T, ob model.Observation) {
			if len(ob.Sessions) != 0 {
				t.Errorf("sess1 is destroyed: %+v", ob.Sessions)
			}
		}},
		{id: "REMOVE-CB-BEFORE-FREE", steps: seq(cachedPair(), []step{
			do(shutdown(2), 0), do(freeSSL(2), 0),
			do(remove(1, 1), 1, rmCB(1, 1), gone(1)),
		})},
	})
}

// flushPair: a caching server ctx1 with a 10 s timeout holds S1 (sess1, made
// at t0, held by ssl2) and S2 (sess2, made at t0+5, held by ssl4).
func flushPair() []step {
	return seq(
		[]step{do(newCtx(1, server(noTicket, removeCB, timeout(10))), 0), do(newCtx(2, client()), 0)},
		serve12(1, 2), []step{do(get0(2), 1), do(tick(5), 0)},
		serve12(3, 4), []step{do(get0(4), 2)},
	)
}

func TestRuleFlush(t *testing.T) {
	t0 := model.OpenSSL30().StartTime
	freeBoth := []step{do(shutdown(2), 0), do(freeSSL(2), 0), do(shutdown(4), 0), do(freeSSL(4), 0)}
	runScenarios(t, []scenario{
		{id: "FLUSH-STRICT", steps: seq(flushPair(), []step{
			do(flush(1, t0+10), 0), do(number(1), 2),
			do(flush(1, t0+11), 0, rmCB(1, 1)), do(number(1), 1),
			do(flush(1, t0+15), 0),
			do(flush(1, t0+16), 0, rmCB(1, 2)), do(number(1), 0),
		})},
		{id: "FLUSH-ZERO", steps: seq(flushPair(), []step{
			do(flush(1, 0), 0, rmCB(1, 1), rmCB(1, 2)), do(number(1), 0),
		})},
		{id: "FLUSH-CB-THEN-FREE", steps: seq(flushPair(), freeBoth, []step{
			do(flush(1, 0), 0, rmCB(1, 1), rmCB(1, 2), gone(1), gone(2)),
		})},
		{id: "FLUSH-NOT-TIMEOUTS", steps: seq(flushPair(), []step{
			do(flush(1, t0+100), 0, rmCB(1, 1), rmCB(1, 2)), do(timeouts(1), 0),
		})},
		{id: "SEED-FLUSH-HELD-POINTER", steps: seq(flushPair(), []step{
			do(flush(1, 0), 0, rmCB(1, 1), rmCB(1, 2)),
			do(get0(2), 1), do(getTime(1), t0), do(resumable(1), 0),
		})},
		{id: "FLUSH-CTX-FREE", steps: seq(flushPair(), freeBoth, []step{
			do(freeCtx(1), 0, rmCB(1, 1), rmCB(1, 2), gone(1), gone(2)),
		})},
	})
}

// handshakes runs TLS handshakes number from..to between new SSLs (client
// 2k-1 on ctx2, server 2k on ctx1); handshake k raises evs[k].
func handshakes(from, to int, v model.Version, evs map[int][]model.Event) []step {
	var out []step
	for k := from; k <= to; k++ {
		out = append(out, conn(model.Handle(2*k-1), model.Handle(2*k), v, evs[k]...)...)
	}
	return out
}

func TestRuleAuto(t *testing.T) {
	t0 := model.OpenSSL30().StartTime
	// auto: session 1 expires (10 s timeout, 11 s pass), then handshakes 2..last.
	auto := func(srv, cli model.CtxConfig, v model.Version, last int, evs map[int][]model.Event) []step {
		return seq(
			[]step{do(newCtx(1, srv), 0), do(newCtx(2, cli), 0)},
			handshakes(1, 1, v, nil), []step{do(tick(11), 0)},
			handshakes(2, last, v, evs),
		)
	}
	runScenarios(t, []scenario{
		{id: "AUTO-SERVER12-256", steps: auto(server(noTicket, removeCB, timeout(10)), client(), tls12, 256,
			map[int][]model.Event{256: {rmCB(1, 1)}})},
		{id: "AUTO-SERVER13-255", steps: auto(server(removeCB, timeout(10), tickets(1)), client(), tls13, 255,
			map[int][]model.Event{255: {rmCB(1, 1)}})},
		{id: "AUTO-CLIENT12-256", steps: auto(server(noTicket), client(mode(model.CacheClient), removeCB, timeout(10)), tls12, 256,
			map[int][]model.Event{256: {rmCB(2, 1)}})},
		{id: "AUTO-NO-AUTO-CLEAR", steps: seq(
			auto(server(noTicket, removeCB, timeout(10), mode(model.CacheServer|model.CacheNoAutoClear)), client(), tls12, 256, nil),
			[]step{do(number(1), 256)},
		)},
		{id: "AUTO-NEEDS-ID", steps: seq(
			[]step{do(newCtx(1, server(removeCB)), 0), do(newCtx(2, client()), 0)},
			handshakes(1, 1, tls12, nil),
			[]step{do(get1(1), 1), do(add(1, 1), 1), do(setTimeout(1, 5), 1), do(tick(11), 0)},
			handshakes(2, 256, tls12, nil),
			[]step{do(number(1), 1), do(flush(1, t0+11), 0, rmCB(1, 1))},
		)},
	})
}

func TestRuleCnt(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "CNT-HITS-BOTH-SIDES", steps: seq(idPair(), resume(1, 1, tls12), []step{
			do(hits(1), 1), do(hits(2), 1), do(misses(1), 0), do(misses(2), 0),
		}), check: func(t *testing.T, ob model.Observation) {
			for _, c := range ob.Ctxs {
				if c.Hits != 1 || c.Misses != 0 || c.Timeouts != 0 || c.CacheFull != 0 {
					t.Errorf("%s counters: %+v", model.CtxName(c.Ctx), c)
				}
			}
		}},
		{id: "CNT-MISS-CLIENT", steps: seq(pair(server(), client(), tls12), []step{
			do(get1(1), 1), do(shutdown(1), 0),
			do(newCtx(3, server()), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1),
			do(misses(3), 0), do(misses(2), 1),
		})},
		{id: "CNT-MISS-NO-LOOKUP", steps: seq(idPair(mode(model.CacheServer|model.CacheNoInternalLookup)), []step{
			do(number(1), 1),
		}, resume(1, 1, tls12), []step{
			do(reused(3), 0), do(misses(1), 0), do(hits(1), 0), do(misses(2), 1), do(number(1), 2),
		})},
		{id: "CNT-CACHE-FULL-EVICTIONS-ONLY", steps: seq(idPair(removeCB, size(2)), []step{
			do(get0(2), 1), do(remove(1, 1), 1, rmCB(1, 1)),
			do(flush(1, 0), 0), do(cacheFull(1), 0),
		}, conn(3, 4, tls12), conn(5, 6, tls12, rmCB(1, 2)), []step{do(cacheFull(1), 1)})},
	})
}

func TestRuleTime(t *testing.T) {
	t0 := model.OpenSSL30().StartTime
	timed := seq([]step{
		do(newCtx(1, server(noTicket, timeout(300))), 0), do(newCtx(2, client()), 0), do(tick(7), 0),
	}, serve12(1, 2), []step{do(get0(2), 1), do(get0(1), 2)})
	runScenarios(t, []scenario{
		{id: "TIME-NEW", steps: seq(timed, []step{
			do(getTime(1), t0+7), do(getTimeout(1), 300),
			do(getTime(2), t0+7), do(getTimeout(2), 7200),
		}), check: func(t *testing.T, ob model.Observation) {
			if s := sessObs(t, ob, 1); s.Time != t0+7 || s.Timeout != 300 {
				t.Errorf("sess1 observed %+v", s)
			}
		}},
		{id: "TIME-CTX-SET", steps: seq(timed, []step{
			do(ctxTimeout(1, 60), 300), do(getTimeout(1), 300),
		}, serve12(3, 4), []step{do(get0(4), 3), do(getTimeout(3), 60)})},
		{id: "TIME-CTX-ZERO", steps: seq(timed, []step{
			do(ctxTimeout(1, 0), 300),
		}, serve12(3, 4), []step{do(get0(4), 3), do(getTimeout(3), 7200), do(ctxTimeout(1, 5), 0)})},
		{id: "TIME-SETTERS", steps: seq(timed, []step{
			do(setTime(1, 12345), 12345), do(getTime(1), 12345),
			do(setTimeout(1, 77), 1), do(setTimeout(1, -1), 0), do(getTimeout(1), 77),
		})},
		{id: "TIME-RESORT", steps: seq(flushPair(), []step{
			do(setTime(1, t0+100), t0+100),
			do(flush(1, t0+16), 0, rmCB(1, 2)), do(number(1), 1),
		})},
		{id: "TIME-TICKET-RECEIPT", steps: seq(pair(server(), client(), tls13), []step{
			do(tick(5), 0), do(readTicket(1), 1), do(get0(1), 1), do(getTime(1), t0+5),
		})},
		{id: "TIME-TLS13-SERVER-TICKET", steps: seq(pair(server(tickets(1)), client(), tls13), []step{
			do(readTicket(1), 1), do(tick(5), 0),
		}, resume(1, 1, tls13), []step{
			do(reused(4), 1), do(get0(4), 2), do(getTime(2), t0+5), do(getTime(1), t0),
		})},
		{id: "TIME-TLS12-RESUME-KEEPS", steps: seq(idPair(), []step{do(tick(5), 0)}, resume(1, 1, tls12), []step{
			do(reused(4), 1), do(get0(4), 2), do(getTime(2), t0),
		})},
	})
}
