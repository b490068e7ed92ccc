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
