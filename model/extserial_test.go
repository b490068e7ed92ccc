package model_test

// The rules of the external cache that keeps bytes (docs/spec.md
// CB-EXT-SERIAL-STORE, CB-GET-FRESH-COPY0, CB-GET-FRESH-COPY1): what nginx
// and haproxy run. Expectations come from OpenSSL 3.0's ssl_sess.c
// (lookup_sess_in_cache) and ssl_asn1.c (i2d_SSL_SESSION,
// d2i_SSL_SESSION), and were confirmed on 3.0
// (docs/scenarios/external-cache-serialized.sim).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func d2i1(c *model.CtxConfig) { c.NewCB, c.GetCB = model.NewCBReturn0, model.GetCBFresh1 }
func d2i0(c *model.CtxConfig) { c.NewCB, c.GetCB = model.NewCBReturn0, model.GetCBFresh0 }

func TestRuleExtSerial(t *testing.T) {
	runScenarios(t, []scenario{
		// new_session_cb keeps bytes and no reference: the server session
		// goes with its SSL; get_session_cb makes a fresh object (sess3).
		{id: "CB-EXT-SERIAL-STORE", steps: seq(extPair(tls12, noTicket, d2i0, mode(serverNoStore)), extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1), do(misses(1), 1), do(get0(4), 3),
			do(shutdown(2), 0), do(freeSSL(2), 0, gone(1)),
		})},
		// remove_cb erases the bytes: nothing is found afterwards.
		{id: "CB-EXT-SERIAL-STORE-REMOVE", steps: seq(extPair(tls12, noTicket, d2i0, removeCB), []step{
			do(remove(1, 1), 1, rmCB(1, 1)),
		}, extResume(tls12, newCB(1, 3)), []step{
			do(reused(4), 0), do(cbHits(1), 0), do(misses(1), 1),
		})},
		// The bytes are what the session was at new_session_cb: a later
		// timeout and a removal (not_resumable) do not reach the copy.
		{id: "CB-EXT-SERIAL-STORE-SNAPSHOT", steps: seq(extPair(tls12, noTicket, d2i0), []step{
			do(setTimeout(1, 5), 1), do(remove(1, 1), 1), do(resumable(1), 0),
		}, extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1), do(get0(4), 3), do(getTimeout(3), 7200), do(resumable(3), 1), do(number(1), 1),
		})},
		// With NO_INTERNAL_LOOKUP the internal cache still holds sess1
		// under the id: the fresh object takes its place quietly (no
		// remove_cb), and sess1 goes with its SSL.
		{id: "CB-EXT-SERIAL-STORE-REPLACES", steps: seq(extPair(tls12, noTicket, d2i0, removeCB, mode(serverNoLookup)), []step{
			do(number(1), 1),
		}, extResume(tls12), []step{
			do(reused(4), 1), do(cbHits(1), 1), do(number(1), 1), do(get0(4), 3), do(resumable(1), 1),
			do(shutdown(2), 0), do(freeSSL(2), 0, gone(1)),
		})},
		// TLS 1.3 stateful tickets are ids too: the ticket's session is
		// encoded, and get_session_cb decodes it.
		{id: "CB-EXT-SERIAL-STORE-TLS13", steps: seq(pair(server(noTicket, tickets(1), d2i0, mode(serverNoLookup)), client(), tls13, newCB(1, 1)), []step{
			do(readTicket(1), 1),
		}, extResume(tls13, newCB(1, 3)), []step{do(reused(4), 1), do(cbHits(1), 1)})},
		// *copy = 0: libssl owns d2i's reference; the fresh object goes
		// with the SSL (and the internal cache, here kept out).
		{id: "CB-GET-FRESH-COPY0", steps: seq(extPair(tls12, noTicket, d2i0, mode(serverNoStore)), extResume(tls12), []step{
			do(get0(4), 3), do(shutdown(4), 0), do(freeSSL(4), 0, gone(3)),
		})},
		// *copy = 1: libssl takes a reference of its own; d2i's is the
		// application's, so the object outlives the SSL until freed.
		{id: "CB-GET-FRESH-COPY1", steps: seq(extPair(tls12, noTicket, d2i1, mode(serverNoStore)), extResume(tls12), []step{
			do(reused(4), 1), do(get0(4), 3), do(shutdown(4), 0), do(freeSSL(4), 0), do(resumable(3), 1),
			do(freeSess(3), 0, gone(3)),
		})},
		// A pointer store with new_cb=0, a byte store with new_cb=1: unmodelled.
		{id: "CB-EXT-SERIAL-STORE-CONFIG", steps: []step{
			outside(newCtx(1, server(newCB1, func(c *model.CtxConfig) { c.GetCB = model.GetCBFresh0 }))),
			outside(newCtx(1, server(newCB0, func(c *model.CtxConfig) { c.GetCB = model.GetCBCopy0 }))),
		}},
	})
}
