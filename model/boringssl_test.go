package model_test

// Scenario tests of the boringssl profile, one subtest per name the
// BoringSSL rows of docs/spec.md list. Every expectation was worked out
// from BoringSSL's source (named in model/profile_boringssl.go) and seen on
// Debian's android-libboringssl through shim/boringssl (the scenarios of
// docs/scenarios/findings replay the telling ones against the library).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func runBoring(t *testing.T, cases []scenario) {
	t.Helper()
	runScenariosOn(t, model.BoringSSL(), cases)
}

func TestBoringProfile(t *testing.T) {
	p := model.BoringSSL()
	if _, ok := model.Profiles()[p.Name]; !ok || p.Name != "boringssl" {
		t.Fatalf("Profiles() lacks %q", p.Name)
	}
	if p.StartTime != model.OpenSSL30().StartTime {
		t.Errorf("the shim protocol's clock starts where the profile says: want one start for every profile")
	}
	if model.OpenSSL30().ImmutableSessions || model.WolfSSL55().ImmutableSessions {
		t.Errorf("only boringssl has immutable sessions")
	}
}

// full12 is a TLS 1.2 handshake of ssl1 (client of ctx2) with ssl2 (server
// of ctx1), where ctx1 issues no tickets: its session is cached by id.
func full12(srv ...opt) []step {
	return []step{
		do(newCtx(1, server(append([]opt{noTicket}, srv...)...)), 0), do(newCtx(2, client()), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
	}
}

// clientCache13 is a TLS 1.3 handshake of ssl1 (client of ctx2, whose
// callback keeps every session) with ssl2 (server of ctx1).
func clientCache13(srv ...opt) []step {
	return []step{
		do(newCtx(1, server(srv...)), 0), do(newCtx(2, client(mode(model.CacheClient), newCB1)), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
	}
}

func TestBoringObjects(t *testing.T) {
	runBoring(t, []scenario{
		{id: "BORING-GET-BEFORE-AND-AFTER", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(get0(1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1), do(resumable(1), 1),
			// Before a handshake get0 is the session set; after a resumed
			// TLS 1.2 handshake, the same object.
			do(newSSL(3, 2), 0), do(setSess(3, 1), 1), do(get0(3), 1), do(newSSL(4, 1), 0),
			do(hs(3, 4, tls12), 1), do(reused(3), 1), do(get0(3), 1),
			// A TLS 1.3 handshake establishes a session that is not
			// resumable, and stays there after a fatal error.
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(hs(5, 6, tls13), 1), do(get0(5), 2), do(resumable(2), 0),
			do(fatal(5), 0), do(get0(5), 2),
		}},
		{id: "BORING-CLEAR-CLIENT-KEEPS", steps: seq(full12(), []step{
			do(clearSSL(1), 1), do(get0(1), 1), do(reused(1), 0), do(clearSSL(2), 1),
			do(hs(1, 2, tls12), 1), do(reused(1), 1), do(get0(1), 1),
		})},
		{id: "BORING-CLEAR-SERVER-DROPS", steps: seq(full12(), []step{
			do(get0(2), 1), do(clearSSL(2), 1), do(get0(2), 0),
			// After a resumption the server keeps the session it resumed.
			do(get1(1), 2), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls12), 1), do(get0(4), 1), do(clearSSL(4), 1), do(get0(4), 1),
		})},
		{id: "BORING-UNCLEAN-FREE-KEEPS", steps: seq(full12(removeCB), []step{
			do(get1(1), 1), do(freeSSL(1), 0), do(freeSSL(2), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
		})},
		{id: "BORING-SET-AFTER-HANDSHAKE", steps: seq(full12(), []step{
			do(get1(1), 1), outside(setSess(1, 1)), outside(setSess(2, 0)),
			do(newSSL(3, 2), 0), do(setSess(3, 1), 1), do(setSess(3, 1), 1), do(setSess(3, 0), 1), do(get0(3), 0),
		})},
	})
}

func TestBoringHandshakes(t *testing.T) {
	runBoring(t, []scenario{
		{id: "BORING-HS12-RESUME-HOLDS-TWICE", steps: seq(full12(), []step{
			do(get1(1), 1), do(get1(2), 2),
			// A server that issues tickets finds the id in its cache (the
			// application put the session there): it resumes without
			// sending a ticket, so the client keeps its session.
			do(newCtx(3, server()), 0), do(remove(1, 2), 1), do(add(3, 2), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 1), do(get0(3), 1), do(get0(4), 2),
			// The server holds the session twice: only freeing it lets go.
			do(freeSess(2), 0), do(freeSSL(2), 0), do(remove(3, 2), 1),
			do(freeSSL(4), 0, gone(2)),
		})},
		{id: "BORING-EXPIRED-NOT-OFFERED", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client(timeout(100))), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			// At time + timeout the client's session is no longer valid:
			// it is not offered, although the server would still resume it.
			do(tick(100), 0), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 0), do(get0(3), 2), do(number(1), 2),
		}},
		{id: "BORING-CLIENT-SESSION-NOT-RESUMED", steps: seq(full12(), []step{
			// The client's session replaces the server's entry of the same
			// id; a server resumes only sessions a server made.
			do(get1(1), 1), do(add(1, 1), 1), do(number(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 0), do(number(1), 2),
		})},
		{id: "BORING-EXPIRED-ID-REMOVED", steps: []step{
			do(newCtx(1, server(noTicket, removeCB, timeout(100))), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(tick(100), 0), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1, rmCB(1, 2)), do(reused(4), 0), do(resumable(2), 1),
		}},
		{id: "BORING-HS13-TICKETS-ONE-RECORD", steps: seq(clientCache13(newCB0, removeCB), []step{
			// The server raises nothing; the client's one read processes
			// both tickets, each a new session for the callback.
			do(readTicket(1), 1, newCB(2, 1), newCB(2, 2)), do(readTicket(1), 0),
			do(get0(1), 3), do(resumable(1), 1), do(resumable(3), 0), do(number(1), 0),
		})},
		{id: "BORING-HS13-RESUME-TWICE", steps: seq(clientCache13(), []step{
			do(readTicket(1), 1, newCB(2, 1), newCB(2, 2)),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls13), 1), do(reused(3), 1), do(get0(3), 3), do(resumable(3), 0),
			// The client cached nothing, so nothing stops a second use.
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
			do(hs(5, 6, tls13), 1), do(reused(5), 1), do(resumable(1), 1),
		})},
		{id: "BORING-TICKET-SESSION-TIMEOUT", steps: seq(clientCache13(), []step{
			do(tick(1000), 0), do(readTicket(1), 1, newCB(2, 1), newCB(2, 2)),
			do(getTime(1), t0+1000), do(getTimeout(1), 2*day-1000),
		})},
		{id: "BORING-TLS13-TIMEOUT", steps: []step{
			do(newCtx(1, server(timeout(100))), 0), do(newCtx(2, client(mode(model.CacheClient), newCB1, timeout(100))), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(get0(1), 1), do(getTimeout(1), 2*day), do(get0(2), 2), do(getTimeout(2), 2*day),
			do(readTicket(1), 1, newCB(2, 3), newCB(2, 4)),
			// A resumption a day later renews the lifetime to 2 days.
			do(tick(100000), 0), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 3), 1),
			do(hs(3, 4, tls13), 1), do(reused(3), 1), do(get0(3), 5),
			do(getTime(5), t0+100000), do(getTimeout(5), 2*day),
		}},
		{id: "BORING-TICKET-KEY-ROTATION", steps: []step{
			do(newCtx(1, server(timeout(10*day))), 0), do(newCtx(2, client(timeout(10*day))), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			// The key that encrypted the ticket becomes the previous key
			// after 2 days and is dropped 2 days later.
			do(tick(4*day-1), 0), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 1),
			do(tick(1), 0), do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
			do(hs(5, 6, tls12), 1), do(reused(5), 0),
		}},
	})
}

// autoFlush is 255 TLS 1.2 handshakes on a server that caches by id, the
// first session of which expires after a second: the 255th add flushes it.
func autoFlush() []step {
	steps := seq(full12(removeCB), []step{do(get1(2), 1), do(setTimeout(1, 1), 1), do(tick(2), 0)})
	for i := model.Handle(2); i <= 255; i++ {
		steps = append(steps, do(newSSL(2*i-1, 2), 0), do(newSSL(2*i, 1), 0))
		if i < 255 {
			steps = append(steps, do(hs(2*i-1, 2*i, tls12), 1))
		} else {
			steps = append(steps, do(hs(2*i-1, 2*i, tls12), 1, rmCB(1, 1)))
		}
	}
	return append(steps, do(number(1), 254))
}

func TestBoringCache(t *testing.T) {
	runBoring(t, []scenario{
		{id: "BORING-EXPIRY-BOUNDARY", steps: seq(full12(timeout(100)), []step{
			do(flush(1, t0+100), 0), do(number(1), 1), do(flush(1, t0+101), 0), do(number(1), 0),
		})},
		{id: "BORING-CLIENT-MODE-NO-CACHE", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client(mode(model.CacheClient|model.CacheServer), newCB0)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1, newCB(2, 1)), do(number(2), 0),
		}},
		{id: "BORING-CTX-TIMEOUT-ZERO", steps: []step{
			do(newCtx(1, server()), 0), do(ctxTimeout(1, 0), 7200), do(ctxTimeout(1, 50), 7200),
			do(ctxTimeout(1, 1<<32+5), 50), do(ctxTimeout(1, 10), 5),
		}},
		{id: "BORING-ADD-SAME", steps: seq(full12(), []step{
			do(get1(2), 1), do(add(1, 1), 0), do(number(1), 1), do(setTime(1, t0+5), t0+5), do(number(1), 1),
		})},
		{id: "BORING-EVICT-OLDEST", steps: seq(full12(removeCB, size(2)), []step{
			// The oldest entry leaves, however late it expires; a cache of
			// size 2 keeps 2 sessions.
			do(get1(2), 1), do(setTime(1, t0+10000), t0+10000),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1), do(number(1), 2),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(hs(5, 6, tls12), 1, rmCB(1, 1)), do(number(1), 2),
			do(resumable(1), 1),
		})},
		{id: "BORING-REMOVE-EXACT", steps: seq(full12(removeCB), []step{
			// The client's session has the id of the cached one, but is
			// another object: nothing happens.
			do(get1(1), 1), do(remove(1, 1), 0), do(number(1), 1),
			do(get1(2), 2), do(remove(1, 2), 1, rmCB(1, 2)), do(resumable(2), 1), do(remove(1, 2), 0),
		})},
		{id: "BORING-FLUSH-ORDER-UNKNOWN", steps: seq(full12(removeCB), []step{
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1),
			outside(flush(1, 0)), do(freeSSL(2), 0), do(freeSSL(4), 0), outside(freeCtx(1)),
			do(newCtx(3, server(noTicket, removeCB)), 0), do(newSSL(5, 2), 0), do(newSSL(6, 3), 0),
			do(hs(5, 6, tls12), 1), do(flush(3, 0), 0, rmCB(3, 1)), do(number(3), 0),
		})},
		{id: "BORING-AUTO-FLUSH", steps: autoFlush()},
		{id: "BORING-STATS", steps: seq(full12(), []step{
			do(get1(1), 1), do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
			do(number(1), 1), do(hits(1), 0), do(misses(1), 0), do(timeouts(1), 0), do(cacheFull(1), 0),
		})},
		{id: "BORING-SET-TIMEOUT-NEGATIVE", steps: seq(full12(), []step{
			do(get1(1), 1), do(setTimeout(1, -1), 1), do(getTimeout(1), 1<<32-1), do(setTime(1, 5), 5),
		})},
	})
}

func TestBoringShutdown(t *testing.T) {
	runBoring(t, []scenario{
		{id: "BORING-SHUT-BEFORE-HANDSHAKE", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(shutdown(1), 1), do(shutdown(1), 1),
		}},
		{id: "BORING-ALERT-KEEPS", steps: seq(full12(removeCB), []step{
			do(fatal(2), 0), do(shutdown(2), -1), do(number(1), 1), do(get1(2), 1), do(resumable(1), 1),
		})},
		{id: "BORING-SHUT-IGNORES-TICKETS", steps: seq(clientCache13(), []step{
			do(shutdown(1), 0), do(shutdown(1), -1), do(shutdown(2), 0), do(shutdown(1), 1),
		})},
	})
}

func TestBoringCheckLeavesStateAlone(t *testing.T) {
	st := playOn(t, model.BoringSSL(), seq(full12(removeCB), []step{
		do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1), do(freeSSL(2), 0), do(freeCtx(1), 0),
	}))
	before := st.Clone()
	for _, op := range []model.Op{freeSSL(4), setSess(1, 0)} {
		if err := st.Check(op); err == nil {
			t.Fatalf("Check(%s) accepts a call the model cannot know", op)
		}
		if !st.Equal(before) {
			t.Fatalf("Check(%s) changed the state", op)
		}
	}
}
