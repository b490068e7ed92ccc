package model_test

// The rules of settings changed after creation (docs/spec.md, "Settings
// after creation"). Expectations come from OpenSSL 3.0's source
// (ssl_lib.c SSL_new, SSL_CTX_ctrl, the options calls, ssl_update_cache;
// statem_srvr.c) and were confirmed on 3.0.19.

import (
	"errors"
	"testing"

	"github.com/sesslife/sesslife/model"
)

func cacheMode(ctx model.Handle, m model.CacheMode) model.Op {
	return model.Op{Kind: model.CtxSetCacheMode, Ctx: ctx, Arg: int64(m)}
}
func ctxOpts(ctx model.Handle, o model.Options) model.Op {
	return model.Op{Kind: model.CtxSetOptions, Ctx: ctx, Arg: int64(o)}
}
func ctxClearOpts(ctx model.Handle, o model.Options) model.Op {
	return model.Op{Kind: model.CtxClearOptions, Ctx: ctx, Arg: int64(o)}
}
func sslOpts(ssl model.Handle, o model.Options) model.Op {
	return model.Op{Kind: model.SetOptions, SSL: ssl, Arg: int64(o)}
}
func sslClearOpts(ssl model.Handle, o model.Options) model.Op {
	return model.Op{Kind: model.ClearOptions, SSL: ssl, Arg: int64(o)}
}
func ctxTickets(ctx model.Handle, n int64) model.Op {
	return model.Op{Kind: model.CtxSetNumTickets, Ctx: ctx, Arg: n}
}
func sslTickets(ssl model.Handle, n int64) model.Op {
	return model.Op{Kind: model.SetNumTickets, SSL: ssl, Arg: n}
}

const (
	noTicketOpt   = model.OptNoTicket
	antiReplayOpt = model.OptNoAntiReplay
)

func TestRuleConfig(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "CFG-CACHE-MODE", steps: []step{
			do(newCtx(1, server()), 0),
			do(cacheMode(1, model.CacheOff), int64(model.CacheServer)),
			do(cacheMode(1, model.CacheClient|model.CacheServer), int64(model.CacheOff)),
			do(cacheMode(1, model.CacheServer|model.CacheNoAutoClear), int64(model.CacheClient|model.CacheServer)),
		}},
		// The mode is read at use: an SSL made before the change follows
		// the new mode (OFF: an empty TLS 1.2 session id, nothing cached).
		{id: "CFG-CACHE-MODE-LIVE-SSL", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(cacheMode(1, model.CacheOff), int64(model.CacheServer)),
			do(hs(1, 2, tls12), 1), do(number(1), 0), do(get0(1), 1), do(resumable(1), 0),
		}, check: wantIDLen(1, 0)},
		{id: "CFG-OPTIONS-RETURN", steps: []step{
			do(newCtx(1, server()), 0),
			do(ctxOpts(1, noTicketOpt), int64(noTicketOpt)),
			do(ctxOpts(1, antiReplayOpt), int64(noTicketOpt|antiReplayOpt)),
			do(ctxClearOpts(1, noTicketOpt), int64(antiReplayOpt)),
			do(newSSL(1, 1), 0),
			do(sslOpts(1, noTicketOpt), int64(noTicketOpt|antiReplayOpt)),
			do(sslClearOpts(1, noTicketOpt|antiReplayOpt), 0),
			do(ctxClearOpts(1, 0), int64(antiReplayOpt)),
		}},
		// ssl2 was made while its SSL_CTX issued tickets, and keeps doing
		// so: its TLS 1.2 session has an empty id and is not cached; ssl4,
		// made after SSL_OP_NO_TICKET, caches its session.
		{id: "CFG-OPTIONS-COPIED", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ctxOpts(1, noTicketOpt), int64(noTicketOpt)),
			do(hs(1, 2, tls12), 1), do(number(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0),
			do(hs(3, 4, tls12), 1), do(number(1), 1),
		}},
		// A client SSL with SSL_OP_NO_TICKET sends no ticket extension: the
		// ticket-issuing server gives it an id and caches the session.
		{id: "CFG-OPTIONS-SSL", steps: []step{
			do(newCtx(1, server()), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(sslOpts(1, noTicketOpt), int64(noTicketOpt)),
			do(hs(1, 2, tls12), 1), do(number(1), 1), do(get0(1), 1), do(resumable(1), 1),
			do(shutdown(1), 0), do(clearSSL(1), 1), do(sslClearOpts(1, 0), int64(noTicketOpt)),
		}, check: wantIDLen(1, 32)},
		// ssl2 keeps the count it copied at SSL_new; ssl4 sends the count
		// set on it.
		{id: "CFG-NUM-TICKETS", steps: []step{
			do(newCtx(1, server(newCB0)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ctxTickets(1, 0), 1),
			do(hs(1, 2, tls13), 1, newCB(1, 1), gone(1), newCB(1, 2)),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0),
			do(sslTickets(4, 3), 1),
			do(hs(3, 4, tls13), 1, newCB(1, 3), gone(3), newCB(1, 4), gone(4), newCB(1, 5)),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0),
			do(hs(5, 6, tls13), 1),
		}},
	})
}

// TestLeavesOutSettings: LeavesOut names the settings calls a profile's
// Check refuses whatever their arguments, so that coverage does not wait
// for them; openssl-3.0 leaves none out.
func TestLeavesOutSettings(t *testing.T) {
	for _, k := range model.Kinds() {
		if model.OpenSSL30().LeavesOut(k) {
			t.Errorf("openssl-3.0 leaves out %v", k)
		}
	}
	wolf := model.WolfSSL55()
	for _, k := range []model.Kind{model.CtxSetCacheMode, model.SetNumTickets} {
		if !wolf.LeavesOut(k) {
			t.Errorf("wolfssl-5.5 does not leave out %v", k)
		}
	}
	st := model.New(wolf)
	if _, err := st.Step(newCtx(1, server())); err != nil {
		t.Fatal(err)
	}
	if err := st.Check(cacheMode(1, model.CacheServer)); !errors.Is(err, model.ErrUnmodelled) {
		t.Errorf("wolfssl-5.5 Check(SSL_CTX_set_session_cache_mode) = %v, want ErrUnmodelled", err)
	}
}

func ctxMaxEarly(ctx model.Handle, n int64) model.Op {
	return model.Op{Kind: model.CtxSetMaxEarlyData, Ctx: ctx, Arg: n}
}
func sslMaxEarly(ssl model.Handle, n int64) model.Op {
	return model.Op{Kind: model.SetMaxEarlyData, SSL: ssl, Arg: n}
}

// earlyPair is a TLS 1.3 server SSL_CTX (ctx1, one ticket, no remove_cb)
// with max_early_data 16384 and a client SSL_CTX (ctx2), client ssl1 and
// server ssl2, after one full handshake.
func earlyPair() []step {
	return []step{
		do(newCtx(1, server(func(c *model.CtxConfig) { c.NumTickets = 1 })), 0), do(newCtx(2, client()), 0),
		do(ctxMaxEarly(1, 16384), 1),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
		do(hs(1, 2, tls13), 1),
	}
}

func TestRuleEarlyData(t *testing.T) {
	runScenarios(t, []scenario{
		// The setters return 1; SSL_new copies the SSL_CTX's value, and a
		// later change of the SSL_CTX's reaches only later SSLs.
		{id: "CFG-MAX-EARLY-DATA", steps: []step{
			do(newCtx(1, server(func(c *model.CtxConfig) { c.NumTickets = 1 })), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ctxMaxEarly(1, 16384), 1),
			do(hs(1, 2, tls13), 1), do(number(1), 0), // ssl2 copied 0
			do(sslMaxEarly(2, 0), 1),
		}},
		// Anti-replay makes the ticket stateful and cached, without
		// SSL_OP_NO_TICKET and without remove_cb.
		{id: "HS13-ANTI-REPLAY-STATEFUL", steps: seq(earlyPair(), []step{do(number(1), 1)})},
		// SSL_OP_NO_ANTI_REPLAY on the server SSL: stateless, nothing cached.
		{id: "HS13-ANTI-REPLAY-OFF", steps: []step{
			do(newCtx(1, server(func(c *model.CtxConfig) { c.NumTickets = 1 })), 0), do(newCtx(2, client()), 0),
			do(ctxMaxEarly(1, 16384), 1),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(sslOpts(2, antiReplayOpt), int64(antiReplayOpt)),
			do(hs(1, 2, tls13), 1), do(number(1), 0),
		}},
		// The ticket resumes once; its second use is a miss.
		{id: "HS13-ANTI-REPLAY-SINGLE-USE", steps: seq(earlyPair(), []step{
			do(readTicket(1), 1), do(get1(1), 1),
			do(shutdown(1), 0), do(shutdown(2), 0), do(shutdown(1), 1),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
			do(hs(3, 4, tls13), 1), do(reused(4), 1), do(number(1), 1), // only the new ticket's
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
			do(hs(5, 6, tls13), 1), do(reused(6), 0),
		})},
		// get_session_cb's session under NO_INTERNAL_STORE is not in the
		// cache, so it cannot be used up: the ticket is refused (a full
		// handshake) and the lookup's reference dropped. Found by
		// sesslife check --target openssl at seed 3, confirmed on 3.0.19.
		{id: "HS13-ANTI-REPLAY-SINGLE-USE/uncached", steps: []step{
			do(newCtx(1, server(noTicket, getCB1, mode(serverNoStore), func(c *model.CtxConfig) { c.NumTickets = 1 })), 0),
			do(newCtx(2, client()), 0), do(ctxMaxEarly(1, 16384), 1),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0), do(hs(1, 2, tls13), 1, newCB(1, 1)),
			do(readTicket(1), 1), do(get1(1), 2), do(number(1), 0),
			do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 2), 1),
			do(hs(3, 4, tls13), 1, newCB(1, 3)), do(reused(4), 0), do(cbHits(1), 1), do(hits(1), 0),
		}},
	})
}
