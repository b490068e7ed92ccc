package model_test

// The rules of serialization and copies (docs/spec.md, "Serialization and
// copies"). Expectations come from OpenSSL 3.0's source (ssl_asn1.c
// i2d_SSL_SESSION and d2i_SSL_SESSION; ssl_sess.c SSL_SESSION_new,
// ssl_session_dup, SSL_set_session; ssl_lib.c SSL_copy_session_id) and
// were confirmed on the library through docs/scenarios/i2d-d2i-roundtrip.sim.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func roundTrip(sess model.Handle) model.Op { return model.Op{Kind: model.RoundTrip, Sess: sess} }
func dupSess(sess model.Handle) model.Op   { return model.Op{Kind: model.SessDup, Sess: sess} }
func newSess() model.Op                    { return model.Op{Kind: model.SessNew} }
func copyID(to, from model.Handle) model.Op {
	return model.Op{Kind: model.CopySessionID, SSL: to, Peer: from}
}

const start = 1_700_000_000 // OpenSSL30().StartTime

func TestRuleSerial(t *testing.T) {
	runScenarios(t, []scenario{
		// The copy is the application's alone: freeing it destroys it, and
		// the server's cache still holds only the server's session.
		{id: "SER-ROUNDTRIP-NEW", steps: seq(idPair(), []step{
			do(get1(1), 1), do(roundTrip(1), 2),
			do(resumable(2), 1), do(getTime(2), start), do(getTimeout(2), 7200),
			do(number(1), 1), do(number(2), 0),
			do(freeSess(2), 0, gone(2)),
		}), check: wantIDLen(1, 32)},
		// The client frees its session; the decoded copy resumes by id at
		// the server that still caches it.
		{id: "SER-ROUNDTRIP-RESUMES-12", steps: seq(idPair(), []step{
			do(get1(1), 1), do(roundTrip(1), 2), do(freeSess(1), 0),
			do(shutdown(1), 0), do(freeSSL(1), 0, gone(1)),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 1), do(hits(1), 1), do(get0(3), 2),
		})},
		// A TLS 1.3 ticket survives the round trip and resumes statelessly.
		{id: "SER-ROUNDTRIP-RESUMES-13", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(get1(1), 1), do(roundTrip(1), 2), do(freeSess(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls13), 1), do(reused(3), 1), do(reused(4), 1),
		})},
		// The bytes are taken at the call: a later set_time of the original
		// does not reach the copy, and a second round trip sees it.
		{id: "SER-ROUNDTRIP-SNAPSHOT", steps: seq(idPair(), []step{
			do(get1(1), 1), do(roundTrip(1), 2), do(setTime(1, start+50), start+50),
			do(getTime(2), start), do(roundTrip(1), 3), do(getTime(3), start+50),
		})},
		// The encoding carries the session id context: a client whose own
		// context differs cannot resume the decoded copy (check.go), one of
		// the same context can.
		{id: "SER-ROUNDTRIP-SIDCTX", steps: seq(idPair(), []step{
			do(get1(1), 1), do(sessSid(1, 1), 1), do(roundTrip(1), 2),
			do(newSSL(3, 2), 0), do(setSess(3, 2), 1), do(newSSL(4, 1), 0), outside(hs(3, 4, tls12)),
			do(newSSL(5, 2), 0), do(sslSid(5, 1), 1), do(setSess(5, 2), 1), do(hs(5, 4, tls12), 1), do(reused(5), 1),
		})},
		// An SSL_CTX_remove_session marks the session not resumable; the
		// round trip forgets the mark.
		{id: "SER-ROUNDTRIP-FORGETS-MARK", steps: seq(idPair(), []step{
			do(get1(1), 1), do(remove(2, 1), 0), do(resumable(1), 0),
			do(roundTrip(1), 2), do(resumable(2), 1),
		})},
		{id: "SER-ROUNDTRIP-ZERO-TIMES", steps: seq(idPair(), []step{
			do(get1(1), 1), do(setTime(1, 0), 0), do(setTimeout(1, 0), 1), do(tick(10), 0),
			do(roundTrip(1), 2), do(getTime(2), start+10), do(getTimeout(2), 3),
		})},
		// The copy carries the ticket: it resumes as the original would.
		{id: "SER-DUP-COPIES", steps: seq(pair(server(), client(), tls13), []step{
			do(readTicket(1), 1), do(get1(1), 1), do(dupSess(1), 2),
			do(resumable(2), 1), do(getTime(2), start), do(getTimeout(2), 7200), do(number(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls13), 1), do(reused(3), 1), do(freeSess(2), 0),
		})},
		// Unlike the round trip, the copy keeps the not_resumable mark.
		{id: "SER-DUP-KEEPS-MARK", steps: seq(idPair(), []step{
			do(get1(1), 1), do(remove(2, 1), 0), do(dupSess(1), 2), do(resumable(2), 0),
			do(roundTrip(2), 3), do(resumable(3), 1),
		})},
		{id: "SER-NEW-EMPTY", steps: []step{
			do(newSess(), 1), do(resumable(1), 0), do(getTime(1), start), do(getTimeout(1), 304),
			do(roundTrip(1), 0), do(dupSess(1), 2), do(resumable(2), 0),
			do(freeSess(2), 0, gone(2)), do(freeSess(1), 0, gone(1)),
		}, check: func(t *testing.T, ob model.Observation) {
			if len(ob.Sessions) != 0 {
				t.Errorf("sessions alive: %v", ob.Sessions)
			}
		}},
		// A client given an empty session starts a new one.
		{id: "SER-NEW-FULL-HANDSHAKE", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSess(), 1), do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(setSess(1, 1), 1),
			do(hs(1, 2, tls12), 1), do(reused(1), 0), do(get0(1), 2), do(resumable(2), 1),
			do(freeSess(1), 0, gone(1)),
		}},
		// ssl3 takes ssl1's session (a new reference) and its TLS 1.2
		// method: a TLS 1.3 handshake is left out, a TLS 1.2 one resumes.
		{id: "SER-COPY-SESSION-ID", steps: seq(idPair(), []step{
			do(newSSL(3, 2), 0), do(copyID(3, 1), 1), do(get0(3), 1), do(get0(1), 1),
			do(newSSL(4, 1), 0), outside(hs(3, 4, tls13)),
			do(hs(3, 4, tls12), 1), do(reused(3), 1),
			outside(copyID(3, 3)), outside(copyID(3, 2)),
		})},
		// The target takes the source's session id context: a client
		// whose own context differs from its session's cannot resume
		// (check.go), one given the context with the session can.
		{id: "SER-COPY-SESSION-ID-SIDCTX", steps: seq(idPair(), []step{
			do(newSSL(3, 2), 0), do(sslSid(3, 2), 1), do(get1(1), 1), do(setSess(3, 1), 1),
			do(newSSL(4, 1), 0), outside(hs(3, 4, tls12)),
			do(newSSL(5, 2), 0), do(sslSid(5, 2), 1), do(copyID(5, 1), 1),
			do(hs(5, 4, tls12), 1), do(reused(5), 1),
		})},
		{id: "SER-COPY-SESSION-ID-NULL", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(newSSL(2, 1), 0),
			do(copyID(2, 1), 1), do(get0(2), 0),
		}},
	})
}

// TestSerialLeftOut: the wolfSSL profile leaves every call of the family
// out (W19: those it lacks and those it has but does not model), the
// BoringSSL profile all but the round trip (B16: it lacks the others).
func TestSerialLeftOut(t *testing.T) {
	for _, p := range []model.Profile{model.WolfSSL55(), model.BoringSSL()} {
		for _, k := range []model.Kind{model.RoundTrip, model.SessDup, model.SessNew, model.CopySessionID} {
			if want := k != model.RoundTrip || p.Name != model.BoringSSL().Name; p.LeavesOut(k) != want {
				t.Errorf("%s: %s left out: %v, want %v", p.Name, k, p.LeavesOut(k), want)
			}
		}
		runScenariosOn(t, p, []scenario{{id: p.Name, steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0), do(newSSL(2, 1), 0),
			outside(newSess()), outside(copyID(2, 1)),
		}}})
	}
	if p := model.OpenSSL30(); p.LeavesOut(model.RoundTrip) || p.LeavesOut(model.CopySessionID) {
		t.Error("openssl-3.0 leaves the family out")
	}
}

// TestBoringSerial: BoringSSL's round trip keeps every field as encoded,
// zero times included (B16; ssl_asn1.cc SSL_SESSION_parse), and the copy
// resumes by id as the original would.
func TestBoringSerial(t *testing.T) {
	runScenariosOn(t, model.BoringSSL(), []scenario{
		{id: "BORING-ROUNDTRIP", steps: seq(idPair(), []step{
			do(get1(1), 1), do(setTime(1, 0), 0), do(setTimeout(1, 0), 1), do(tick(10), 0),
			do(roundTrip(1), 2), do(getTime(2), 0), do(getTimeout(2), 0), do(resumable(2), 1),
			do(setTime(2, start+10), start+10), do(setTimeout(2, 100), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls12), 1), do(reused(3), 1),
		})},
	})
}
