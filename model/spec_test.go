package model_test

// Rule-by-rule scenario tests: one TestRule<Family> per rule family of
// docs/spec.md, one subtest per rule id. Every expected return value and
// event below was worked out by hand from OpenSSL 3.0 source (ssl/ssl_sess.c,
// ssl/ssl_lib.c, ssl/statem/*.c, ssl/t1_lib.c, ssl/s3_msg.c); docs/spec.md
// cites the function behind each rule. A subtest skipped with "model
// disagrees" holds the expectation from the source where the model differs.

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sesslife/sesslife/model"
)

const (
	tls12 = model.TLS12
	tls13 = model.TLS13
	day   = 24 * 3600
)

// step is one call and what OpenSSL 3.0 does for it: a result, or (rule set)
// a refusal as undefined behaviour, or (outside) a refusal as unmodelled.
type step struct {
	op      model.Op
	ret     int64
	evs     []model.Event
	rule    model.Rule
	outside bool
}

// scenario is one rule's op sequence. skip, when set, says why the model is
// known to disagree with the source; check inspects the final observation.
type scenario struct {
	id    string
	skip  string
	steps []step
	check func(t *testing.T, ob model.Observation)
}

func runScenarios(t *testing.T, cases []scenario) {
	t.Helper()
	runScenariosOn(t, model.OpenSSL30(), cases)
}

// runScenariosOn runs each scenario as a subtest on a universe of profile p.
func runScenariosOn(t *testing.T, p model.Profile, cases []scenario) {
	t.Helper()
	for _, sc := range cases {
		t.Run(sc.id, func(t *testing.T) {
			if sc.skip != "" {
				t.Skip("model disagrees: " + sc.skip)
			}
			st := playOn(t, p, sc.steps)
			if sc.check != nil {
				sc.check(t, st.Observe())
			}
		})
	}
}

// play runs steps on a fresh openssl-3.0 universe, stopping at the first
// step whose outcome differs from the expectation.
func play(t *testing.T, steps []step) *model.State {
	t.Helper()
	return playOn(t, model.OpenSSL30(), steps)
}

// playOn is play on a universe of profile p.
func playOn(t *testing.T, p model.Profile, steps []step) *model.State {
	t.Helper()
	st := model.New(p)
	for i, s := range steps {
		before := st.Clone()
		got, err := st.Step(s.op)
		where := fmt.Sprintf("step %d %s", i+1, s.op)
		switch {
		case s.rule != model.RuleNone:
			var v *model.Violation
			if !errors.As(err, &v) || v.Rule != s.rule {
				t.Fatalf("%s: got (%s, %v), want violation %s", where, got.Format(s.op), err, s.rule)
			}
			firedIn.add(t.Name(), v.Rule)
			if !st.Equal(before) {
				t.Fatalf("%s: a refused call changed the state", where)
			}
		case s.outside:
			if !errors.Is(err, model.ErrUnmodelled) {
				t.Fatalf("%s: got (%s, %v), want ErrUnmodelled", where, got.Format(s.op), err)
			}
			if !st.Equal(before) {
				t.Fatalf("%s: a refused call changed the state", where)
			}
		default:
			if err != nil {
				t.Fatalf("%s: unexpected error %v", where, err)
			}
			for _, r := range st.Fired().Rules() {
				firedIn.add(t.Name(), r)
			}
			want := model.Result{Ret: s.ret, Events: s.evs}
			if !got.Equal(want) {
				t.Fatalf("%s: got %s, want %s", where, got.Format(s.op), want.Format(s.op))
			}
		}
	}
	return st
}

func do(op model.Op, ret int64, evs ...model.Event) step {
	return step{op: op, ret: ret, evs: evs}
}

func refused(op model.Op, r model.Rule) step { return step{op: op, rule: r} }

func outside(op model.Op) step { return step{op: op, outside: true} }

func seq(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Events.

func newCB(ctx, sess model.Handle) model.Event {
	return model.Event{Kind: model.EvNewSession, Ctx: ctx, Sess: sess}
}

func rmCB(ctx, sess model.Handle) model.Event {
	return model.Event{Kind: model.EvRemove, Ctx: ctx, Sess: sess}
}

func gone(sess model.Handle) model.Event { return model.Event{Kind: model.EvDestroyed, Sess: sess} }

// Calls.

func newCtx(h model.Handle, cfg model.CtxConfig) model.Op {
	return model.Op{Kind: model.CtxNew, Ctx: h, Config: cfg}
}
func freeCtx(h model.Handle) model.Op       { return model.Op{Kind: model.CtxFree, Ctx: h} }
func newSSL(ssl, ctx model.Handle) model.Op { return model.Op{Kind: model.SSLNew, SSL: ssl, Ctx: ctx} }
func freeSSL(ssl model.Handle) model.Op     { return model.Op{Kind: model.SSLFree, SSL: ssl} }
func clearSSL(ssl model.Handle) model.Op    { return model.Op{Kind: model.SSLClear, SSL: ssl} }
func shutdown(ssl model.Handle) model.Op    { return model.Op{Kind: model.Shutdown, SSL: ssl} }
func fatal(ssl model.Handle) model.Op       { return model.Op{Kind: model.FatalAlert, SSL: ssl} }
func readTicket(ssl model.Handle) model.Op  { return model.Op{Kind: model.ReadTicket, SSL: ssl} }
func get0(ssl model.Handle) model.Op        { return model.Op{Kind: model.Get0, SSL: ssl} }
func get1(ssl model.Handle) model.Op        { return model.Op{Kind: model.Get1, SSL: ssl} }
func reused(ssl model.Handle) model.Op      { return model.Op{Kind: model.SessionReused, SSL: ssl} }
func upRef(sess model.Handle) model.Op      { return model.Op{Kind: model.UpRef, Sess: sess} }
func freeSess(sess model.Handle) model.Op   { return model.Op{Kind: model.SessFree, Sess: sess} }
func resumable(sess model.Handle) model.Op  { return model.Op{Kind: model.IsResumable, Sess: sess} }
func getTime(sess model.Handle) model.Op    { return model.Op{Kind: model.GetTime, Sess: sess} }
func getTimeout(sess model.Handle) model.Op { return model.Op{Kind: model.GetTimeout, Sess: sess} }
func setSess(ssl, sess model.Handle) model.Op {
	return model.Op{Kind: model.SetSession, SSL: ssl, Sess: sess}
}
func add(ctx, sess model.Handle) model.Op {
	return model.Op{Kind: model.AddSession, Ctx: ctx, Sess: sess}
}
func remove(ctx, sess model.Handle) model.Op {
	return model.Op{Kind: model.RemoveSession, Ctx: ctx, Sess: sess}
}
func number(ctx model.Handle) model.Op    { return model.Op{Kind: model.SessNumber, Ctx: ctx} }
func hits(ctx model.Handle) model.Op      { return model.Op{Kind: model.SessHits, Ctx: ctx} }
func misses(ctx model.Handle) model.Op    { return model.Op{Kind: model.SessMisses, Ctx: ctx} }
func timeouts(ctx model.Handle) model.Op  { return model.Op{Kind: model.SessTimeouts, Ctx: ctx} }
func cacheFull(ctx model.Handle) model.Op { return model.Op{Kind: model.SessCacheFull, Ctx: ctx} }
func tick(s int64) model.Op               { return model.Op{Kind: model.Tick, Arg: s} }
func setTime(sess model.Handle, t int64) model.Op {
	return model.Op{Kind: model.SetTime, Sess: sess, Arg: t}
}
func setTimeout(sess model.Handle, t int64) model.Op {
	return model.Op{Kind: model.SetTimeout, Sess: sess, Arg: t}
}
func ctxTimeout(ctx model.Handle, t int64) model.Op {
	return model.Op{Kind: model.CtxSetTimeout, Ctx: ctx, Arg: t}
}
func cacheSize(ctx model.Handle, n int64) model.Op {
	return model.Op{Kind: model.SetCacheSize, Ctx: ctx, Arg: n}
}
func flush(ctx model.Handle, t int64) model.Op { return model.Op{Kind: model.Flush, Ctx: ctx, Arg: t} }
func hs(c, s model.Handle, v model.Version) model.Op {
	return model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(v)}
}

// Configurations.

type opt func(*model.CtxConfig)

func server(opts ...opt) model.CtxConfig { return config(model.Server, opts) }
func client(opts ...opt) model.CtxConfig { return config(model.Client, opts) }

func config(side model.Side, opts []opt) model.CtxConfig {
	c := model.DefaultConfig(side)
	for _, o := range opts {
		o(&c)
	}
	return c
}

func mode(m model.CacheMode) opt {
	return func(c *model.CtxConfig) { c.DefaultMode, c.CacheMode = false, m }
}
func size(n int64) opt            { return func(c *model.CtxConfig) { c.CacheSize = n } }
func timeout(s int64) opt         { return func(c *model.CtxConfig) { c.Timeout = s } }
func tickets(n int64) opt         { return func(c *model.CtxConfig) { c.NumTickets = n } }
func noTicket(c *model.CtxConfig) { c.NoTicket = true }
func removeCB(c *model.CtxConfig) { c.RemoveCB = true }
func newCB0(c *model.CtxConfig)   { c.NewCB = model.NewCBReturn0 }
func newCB1(c *model.CtxConfig)   { c.NewCB = model.NewCBReturn1 }

// pair makes ctx1 (srv) and ctx2 (cli), client ssl1 on ctx2 and server ssl2
// on ctx1, and runs one full handshake between them that raises evs.
func pair(srv, cli model.CtxConfig, v model.Version, evs ...model.Event) []step {
	return []step{
		do(newCtx(1, srv), 0), do(newCtx(2, cli), 0),
		do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
		do(hs(1, 2, v), 1, evs...),
	}
}

// idPair is pair with a caching server that issues no tickets: the TLS 1.2
// server session S (cached in ctx1) and the client session C share one id.
func idPair(srvOpts ...opt) []step {
	return pair(server(append([]opt{noTicket}, srvOpts...)...), client(), tls12)
}

// conn makes client ssl c on ctx2 and server ssl s on ctx1 and runs one
// handshake raising evs.
func conn(c, s model.Handle, v model.Version, evs ...model.Event) []step {
	return []step{do(newSSL(c, 2), 0), do(newSSL(s, 1), 0), do(hs(c, s, v), 1, evs...)}
}

// resume keeps client ssl1's session as sess (get1), closes ssl1 cleanly and
// offers sess from a new client ssl3 (ctx2) to a new server ssl4 on srvCtx.
func resume(sess, srvCtx model.Handle, v model.Version, evs ...model.Event) []step {
	return []step{
		do(get1(1), int64(sess)), do(shutdown(1), 0), do(freeSSL(1), 0),
		do(newSSL(3, 2), 0), do(newSSL(4, srvCtx), 0), do(setSess(3, sess), 1),
		do(hs(3, 4, v), 1, evs...),
	}
}

// sessObs returns the observation of named session h, failing if it is dead.
func sessObs(t *testing.T, ob model.Observation, h model.Handle) model.SessObs {
	t.Helper()
	for _, s := range ob.Sessions {
		if s.Sess == h {
			return s
		}
	}
	t.Fatalf("%s is not alive", model.SessName(h))
	return model.SessObs{}
}

func wantIDLen(h model.Handle, n int) func(*testing.T, model.Observation) {
	return func(t *testing.T, ob model.Observation) {
		t.Helper()
		if got := sessObs(t, ob, h).IDLen; got != n {
			t.Errorf("%s id length = %d, want %d", model.SessName(h), got, n)
		}
	}
}

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
