package model_test

// Scenario tests of the wolfssl-5.5 profile, one subtest per rule of
// docs/findings.md. Every expectation was first seen on Debian's wolfSSL
// 5.5.4 through shim/wolfssl and then traced to its source (named in
// model/profile_wolfssl.go); properties/wolfssl_test.go checks the library
// against the whole profile.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// playWolf runs steps on a fresh wolfssl-5.5 universe, like play.
func playWolf(t *testing.T, steps []step) *model.State {
	t.Helper()
	return playOn(t, model.WolfSSL55(), steps)
}

func runWolf(t *testing.T, cases []scenario) {
	t.Helper()
	runScenariosOn(t, model.WolfSSL55(), cases)
}

// wantSess checks the session an SSL holds and whether it reports reuse.
func wantSess(ssl, sess model.Handle, reused bool) func(*testing.T, model.Observation) {
	return func(t *testing.T, ob model.Observation) {
		t.Helper()
		for _, l := range ob.SSLs {
			if l.SSL == ssl {
				if l.Sess != sess || l.Reused != reused {
					t.Errorf("%s holds %s (reused %v), want %s (reused %v)", model.SSLName(ssl),
						model.SessName(l.Sess), l.Reused, model.SessName(sess), reused)
				}
				return
			}
		}
		t.Errorf("%s is not alive", model.SSLName(ssl))
	}
}

const t0 = 1_700_000_000

func TestWolfProfile(t *testing.T) {
	p := model.WolfSSL55()
	if _, ok := model.Profiles()[p.Name]; !ok || p.Name != "wolfssl-5.5" {
		t.Fatalf("Profiles() lacks %q", p.Name)
	}
	if p.StartTime != model.OpenSSL30().StartTime {
		t.Errorf("the shim protocol's clock starts where the profile says: want one start for both profiles")
	}
	if model.OpenSSL30().SharedCopyCache || model.OpenSSL30().SSLOwnsSession {
		t.Errorf("openssl-3.0 must keep every behaviour switch off")
	}
}

func TestWolfObjects(t *testing.T) {
	runWolf(t, []scenario{
		{id: "WOLF-OWN-SESSION", steps: []step{
			// The SSL owns a session from SSL_new: never NULL, and the same
			// object after the handshake.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(get0(1), 1), do(resumable(1), 0), do(getTime(1), 0), do(getTimeout(1), 0),
			do(hs(1, 2, tls12), 1),
			do(get0(1), 1), do(get1(1), 1), do(get0(2), 2), do(resumable(1), 1),
			do(getTime(1), t0), do(getTimeout(1), 500),
		}, check: wantIDLen(1, 32)},
		{id: "WOLF-FREE-DESTROYS", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(get0(1), 1),
			do(freeSSL(1), 0, gone(1)),
		}},
		{id: "WOLF-CLEAR-RENEWS-UNFINISHED", steps: []step{
			// Before a completed handshake SSL_clear frees the session;
			// after one it keeps it, once: the SSL then counts as not
			// handshaked, and a second SSL_clear renews.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(get0(1), 1), do(clearSSL(1), 1, gone(1)), do(get0(1), 2),
			do(hs(1, 2, tls12), 1),
			do(clearSSL(1), 1), do(get0(1), 2), do(clearSSL(1), 1, gone(2)),
		}},
		{id: "WOLF-REMOVECB-ON-DESTROY", steps: []step{
			// A session nobody cached still owns its ex_data: SSL_free hands
			// it to the remove callback before freeing it.
			do(newCtx(1, client(removeCB)), 0), do(newSSL(1, 1), 0), do(get0(1), 1),
			do(freeSSL(1), 0, rmCB(1, 1), gone(1)),
		}},
		{id: "WOLF-REMOVECB-AFTER-TICKET-RESUMPTION", steps: ticketResumption(false, rmCB(1, 3), gone(3))},
		{id: "WOLF-NO-REMOVECB-AFTER-TICKET-FOUND-IN-CACHE", steps: ticketResumption(true)}, // the session was never named: nothing shows
		{id: "WOLF-SESSION-FREE-NO-CB", steps: []step{
			do(newCtx(1, client(removeCB)), 0), do(newSSL(1, 1), 0), do(get1(1), 1),
			do(freeSSL(1), 0), do(freeSess(1), 0, gone(1)),
		}},
		{id: "WOLF-NULL-CTX-REMOVE-CB", steps: []step{
			do(newCtx(1, server(tickets(2), removeCB)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			outside(hs(1, 2, tls13)), // the second ticket overwrites a cache row: remove_cb(NULL, row)
		}},
	})
}

func TestWolfSetSession(t *testing.T) {
	full := []step{
		do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
		do(get1(1), 1), do(newSSL(3, 2), 0), do(get0(3), 2),
	}
	runWolf(t, []scenario{
		{id: "WOLF-SET-COPIES", steps: seq(full, []step{
			do(setSess(3, 1), 1), do(get0(3), 2), do(reused(3), 1), do(getTime(2), t0),
		}), check: func(t *testing.T, ob model.Observation) {
			wantSess(3, 2, true)(t, ob)
			wantIDLen(2, 32)(t, ob)
		}},
		{id: "WOLF-SET-NULL-FAILS", steps: seq(full, []step{do(setSess(3, 0), 0), do(get0(3), 2)})},
		{id: "WOLF-SET-OWN-FAILS", steps: seq(full, []step{do(setSess(1, 1), 0)})},
		{id: "WOLF-SET-UNFINISHED-FAILS", steps: seq(full, []step{
			// A session that never finished a handshake has side 0, a
			// server's: wolfSSL_SetSession refuses it on a client.
			do(newSSL(4, 2), 0), do(get0(4), 3), do(setSess(3, 3), 0), do(reused(3), 0),
		})},
		{id: "WOLF-SET-EXPIRED", steps: seq(full, []step{
			do(tick(501), 0), do(setSess(3, 1), 1), do(reused(3), 0), do(getTime(2), t0),
			// The copy's id goes out in a TLS 1.3-style hello without
			// resuming; the model stops there.
			do(newSSL(4, 1), 0), outside(hs(3, 4, tls12)),
		})},
		{id: "WOLF-SET-ESTABLISHED-RESETS", steps: seq(full, []step{
			do(setSess(1, 1), 0), do(newSSL(4, 2), 0), do(newSSL(5, 1), 0), do(hs(4, 5, tls12), 1),
			do(setSess(4, 1), 1), outside(shutdown(4)),
		})},
	})
}

func TestWolfHandshakes(t *testing.T) {
	runWolf(t, []scenario{
		{id: "WOLF-HS12-EVENTS", steps: []step{
			do(newCtx(1, server(newCB0)), 0), do(newCtx(2, client(newCB0)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			// Every mode but OFF caches: the client's callback runs too,
			// and first.
			do(hs(1, 2, tls12), 1, newCB(2, 1), newCB(1, 2)),
		}},
		{id: "WOLF-HS12-CACHE-OFF", steps: []step{
			// A server whose cache is OFF sends no session id: neither side
			// records the session.
			do(newCtx(1, server(mode(model.CacheOff), newCB0)), 0), do(newCtx(2, client(newCB0)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(get0(1), 1), do(resumable(1), 0), do(getTime(1), 0),
		}},
		{id: "WOLF-HS12-UNCLEAN-FREE-RESUMES", steps: []step{
			// No bad-session rule: SSL_free without SSL_shutdown leaves the
			// cache entry, and the session resumes.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(get1(1), 1), do(freeSSL(1), 0), do(freeSSL(2), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
		}, check: wantSess(3, model.Unnamed, true)},
		{id: "WOLF-HS12-CROSS-CONTEXT", steps: []step{
			// The cache is one per process: another SSL_CTX resumes.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newCtx(3, server()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
		}},
		{id: "WOLF-HS12-SERVER-TIMEOUT", steps: []step{
			// The cached copy is checked against the server SSL's timeout
			// too (HandleTlsResumption): 30 s here, while the entry keeps 500.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newCtx(3, server(timeout(30))), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(tick(31), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 0), do(reused(3), 0),
		}},
		{id: "WOLF-HS13-TICKET-IN-PLACE", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client(newCB1)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(get0(1), 1), do(hs(1, 2, tls13), 1), do(resumable(1), 0),
			do(tick(3), 0),
			// The ticket fills the same object, which new_session_cb gets.
			do(readTicket(1), 1, newCB(2, 1)), do(get0(1), 1), do(resumable(1), 1),
			do(getTime(1), t0+3), do(getTimeout(1), 300),
		}},
		{id: "WOLF-HS13-RESUME", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(readTicket(1), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls13), 1), do(reused(4), 1), do(reused(3), 1),
		}},
		{id: "WOLF-HS13-LATE-READ", steps: []step{
			// A ticket read more than 11 s after it was made fails the
			// server's age check (MAX_TICKET_AGE_DIFF): a full handshake.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(tick(12), 0), do(readTicket(1), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls13), 1), do(reused(4), 0), do(reused(3), 0),
		}},
		{id: "WOLF-HS13-FOREIGN-TICKET", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newCtx(3, server()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(readTicket(1), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls13), 1), do(reused(4), 0),
		}},
		{id: "WOLF-HS13-STALE-SECRET", steps: []step{
			// A resumed client's own session pairs the offered ticket with
			// the new connection's secret until its new ticket is read: a
			// copy offered in between fails the binder check (W20).
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(readTicket(1), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1), do(get1(3), 2),
			do(hs(3, 4, tls13), 1),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 2), 1), outside(hs(5, 6, tls13)),
			do(readTicket(3), 1), do(setSess(5, 2), 1), do(hs(5, 6, tls13), 1), do(reused(6), 1),
		}},
		{id: "WOLF-REUSED-SSL", steps: []step{
			// A WOLFSSL used once is left half reset by wolfSSL_clear.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(clearSSL(1), 1), do(clearSSL(2), 1), outside(hs(1, 2, tls13)),
		}},
		{id: "WOLF-TICKET-KEY", steps: []step{
			// A lifetime hint past the key lifetime leaves no key for a
			// second ticket (TicketEncCbCtx_ChooseKey: BAD_STATE_E).
			do(newCtx(1, server(tickets(2))), 0), do(newCtx(2, client()), 0),
			do(ctxTimeout(1, 7200), 500),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), outside(hs(1, 2, tls13)),
		}},
	})
}

func TestWolfShutdown(t *testing.T) {
	runWolf(t, []scenario{
		{id: "WOLF-SHUT-GET-FLAGS", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(getShut(1), 3),
			do(hs(1, 2, tls12), 1), do(getShut(1), 0), do(shutdown(1), 0), do(getShut(1), 1),
			do(clearSSL(2), 1), do(getShut(2), 3),
		}},
		{id: "WOLF-SHUT-BEFORE-HANDSHAKE", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(shutdown(1), 0),
		}},
		{id: "WOLF-SHUT-ONE-RECORD", steps: []step{
			do(newCtx(1, server(tickets(2))), 0), do(newCtx(2, client(newCB0)), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(shutdown(2), 0), do(shutdown(1), 0),
			// Each reading call processes one record; not -1 while waiting.
			do(shutdown(1), 0, newCB(2, 1)), do(readTicket(1), 0),
			do(shutdown(1), 0, newCB(2, 1)), do(shutdown(1), 1),
			// The completed shutdown cleared the SSL: it no longer counts
			// as handshaked, so SSL_clear renews its session.
			do(clearSSL(1), 1, gone(1)),
		}},
		{id: "WOLF-SHUT-WANT-READ-STICKS", steps: []step{
			do(newCtx(1, server(tickets(2))), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1),
			do(shutdown(1), 0), do(readTicket(1), 1), do(shutdown(1), -1),
		}},
		{id: "WOLF-SHUT-AFTER-FATAL", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(fatal(1), 0), do(shutdown(1), -1), do(clearSSL(1), 1), do(get0(1), 1),
		}},
	})
}

func TestWolfCacheCalls(t *testing.T) {
	runWolf(t, []scenario{
		{id: "WOLF-STUBS", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(number(1), 0), do(hits(1), 0), do(misses(1), 0), do(timeouts(1), 0), do(cacheFull(1), 0),
			do(cacheSize(1, 5), 33), do(cacheSize(1, 7), 33),
			do(ctxTimeout(1, 10), 500), do(ctxTimeout(1, 0), 10), do(ctxTimeout(1, 30), 500),
			do(get0(1), 1), outside(setTime(1, t0)),
			do(setTimeout(1, -1), -173),
		}},
		{id: "WOLF-FLUSH-STUB", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(flush(1, 0), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
		}},
		{id: "WOLF-REMOVE-EXPIRES", steps: []step{
			do(newCtx(1, server(removeCB)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(get1(2), 1), do(get1(1), 2),
			// Returns 0, zeroes the timeouts, calls remove_cb: the entry is
			// expired, so the next offer is a full handshake.
			do(remove(1, 1), 0, rmCB(1, 1)), do(getTimeout(1), 0), do(resumable(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 0),
		}},
		{id: "WOLF-ADD-COPIES", steps: []step{
			// SSL_CTX_add_session copies the session into the one cache,
			// under any SSL_CTX, and takes no reference.
			do(newCtx(1, server(mode(model.CacheOff))), 0), do(newCtx(2, client()), 0),
			do(newCtx(3, server()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 3), 0), do(hs(1, 2, tls12), 1), do(get0(2), 1),
			do(newSSL(3, 2), 0), do(get0(3), 2), do(add(1, 2), 0), // no id: nothing cached
			do(add(1, 1), 1), do(add(1, 1), 1), do(freeSSL(2), 0, gone(1)),
		}},
		{id: "WOLF-CTX-FREE-KEEPS-CACHE", steps: []step{
			// Freeing the SSL_CTX a session was cached through flushes
			// nothing: the entry still resumes through another.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0), do(newCtx(3, server()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(freeSSL(1), 0), do(freeSSL(2), 0), do(freeCtx(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 3), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls12), 1), do(reused(4), 1),
		}},
		{id: "WOLF-EVICTION-UNKNOWN", steps: []step{
			// Entries are placed by a hash of random ids into rows of
			// three: after three more insertions an entry may be gone.
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(hs(5, 6, tls12), 1),
			do(newSSL(7, 2), 0), do(newSSL(8, 1), 0), do(hs(7, 8, tls12), 1),
			do(newSSL(9, 2), 0), do(newSSL(10, 1), 0), do(setSess(9, 1), 1),
			outside(hs(9, 10, tls12)),
		}},
		{id: "WOLF-EVICTION-OBSERVABLE", steps: []step{
			// With a remove callback an eviction would be an event: the
			// insertion that may cause it is refused instead.
			do(newCtx(1, server(removeCB)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(hs(3, 4, tls12), 1),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(hs(5, 6, tls12), 1),
			do(newSSL(7, 2), 0), do(newSSL(8, 1), 0), outside(hs(7, 8, tls12)),
		}},
	})
}

func TestWolfCheckLeavesStateAlone(t *testing.T) {
	st := playWolf(t, []step{
		do(newCtx(1, server(removeCB)), 0), do(newCtx(2, client()), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
	})
	before := st.Clone()
	for _, op := range []model.Op{hs(1, 2, tls13), hs(1, 2, tls12), tick(5), shutdown(1), setSess(1, 0)} {
		if err := st.Check(op); err != nil {
			t.Fatalf("Check(%s): %v", op, err)
		}
		if !st.Equal(before) {
			t.Fatalf("Check(%s) changed the state", op)
		}
	}
}

func TestWolfSidCtx(t *testing.T) {
	// A TLS 1.2 session made by a server whose SSL_CTX has "sid-1"; the
	// client's session records nothing (its SSL has no context).
	made := []step{
		do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0), do(ctxSid(1, model.SidCtx1), 1),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls12), 1), do(get1(1), 1), do(get1(2), 2),
	}
	runWolf(t, []scenario{
		{id: "WOLF-SIDCTX-SERVER-IGNORES", steps: seq(made, []step{
			// A server SSL of another context resumes the session all the same.
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(sslSid(4, model.SidCtx2), 1),
			do(setSess(3, 1), 1), do(hs(3, 4, tls12), 1), do(reused(4), 1),
		})},
		{id: "WOLF-SIDCTX-SET-SESSION", steps: seq(made, []step{
			// A client SSL with a context refuses the session, which records
			// none; a client whose TLS 1.3 ticket recorded its context
			// makes a session that a client of the same context takes.
			do(newSSL(3, 2), 0), do(sslSid(3, model.SidCtx1), 1), do(setSess(3, 1), 0), do(reused(3), 0),
			do(newSSL(4, 2), 0), do(sslSid(4, model.SidCtx1), 1), do(newSSL(5, 1), 0),
			do(hs(4, 5, tls13), 1), do(readTicket(4), 1), do(get1(4), 3),
			do(newSSL(6, 2), 0), do(sslSid(6, model.SidCtx1), 1), do(setSess(6, 3), 1), do(reused(6), 1),
			do(newSSL(7, 2), 0), do(sslSid(7, model.SidCtx2), 1), do(setSess(7, 3), 0),
			do(newSSL(8, 2), 0), do(sslSid(8, model.SidCtxMax), 1), do(setSess(8, 3), 0),
		})},
		{id: "WOLF-SIDCTX-RECORDED", steps: seq(made, []step{
			// The session setter is a stub.
			do(sessSid(1, model.SidCtx1), 0),
			do(newSSL(3, 2), 0), do(sslSid(3, model.SidCtx1), 1), do(setSess(3, 1), 0),
		})},
	})
}

// ticketResumption resumes a TLS 1.3 ticket on a server SSL_CTX with a
// remove callback that caches nothing itself (NO_INTERNAL_STORE), then
// frees the server SSL with the events want (the server's session is named
// only by remove_cb: without it the free shows nothing). With cached, the
// ticket's session was put into wolfSSL's process-wide cache through
// another SSL_CTX first: the server's lookup under the ticket's id finds
// it and copies it, which leaves the ex_data to the cache, so the free
// calls no remove_cb (DoClientTicket, wolfSSL_GetSession; found by a shim
// written from docs/protocol.md alone).
func ticketResumption(cached bool, want ...model.Event) []step {
	steps := []step{
		do(newCtx(1, server(mode(model.CacheNoInternalStore), removeCB)), 0), do(newCtx(2, client()), 0),
		do(newCtx(3, server()), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1), do(get0(2), 1),
	}
	if cached {
		steps = append(steps, do(add(3, 1), 1))
	}
	return append(steps,
		do(readTicket(1), 1), do(get0(1), 2),
		do(newSSL(3, 2), 0), do(setSess(3, 2), 1), do(newSSL(4, 1), 0), do(hs(3, 4, tls13), 1),
		do(freeSSL(4), 0, want...),
	)
}
