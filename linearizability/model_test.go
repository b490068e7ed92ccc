package linearizability

import (
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// builder makes small histories by hand. Sequential calls get their results
// from the model (so they are right by construction) and consecutive
// times; concurrent ones are added with explicit times and results.
type builder struct {
	t   *testing.T
	m   *model.State
	h   History
	now int64
}

func newBuilder(t *testing.T) *builder {
	p := model.OpenSSL30()
	b := &builder{t: t, m: model.New(p), h: History{Target: "handmade", Profile: p, Clients: 2}}
	b.h.Records = append(b.h.Records, Record{Client: 2, What: Begin, Clock: p.StartTime, Call: 1, Return: 1})
	b.now = 10
	return b
}

// seq runs op on the model and records it as a harness call.
func (b *builder) seq(op model.Op) model.Result {
	b.t.Helper()
	res, err := b.m.Step(op)
	if err != nil {
		b.t.Fatalf("%s: %v", op, err)
	}
	b.h.Records = append(b.h.Records, Record{Client: 2, What: Call, Op: op, Result: res, Call: b.now, Return: b.now + 1})
	b.now += 10
	return res
}

// at records a call with the given times and result, leaving the model
// alone.
func (b *builder) at(client int, op model.Op, call, ret int64, res model.Result) {
	b.h.Records = append(b.h.Records, Record{Client: client, What: Call, Op: op, Result: res, Call: call, Return: ret})
	b.now = max(b.now, ret+10)
}

// serverWithSession sets up a server SSL_CTX (ctx1, no callbacks, no size
// limit), a client one (ctx2), one TLS 1.2 handshake, and returns the
// server's session, cached in ctx1 and held by the harness.
func (b *builder) serverWithSession() model.Handle {
	b.seq(model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, NumTickets: -1}})
	b.seq(model.Op{Kind: model.CtxNew, Ctx: 2, Config: model.CtxConfig{Side: model.Client, CacheSize: -1, NumTickets: -1, NoTicket: true}})
	b.seq(model.Op{Kind: model.SSLNew, SSL: 1, Ctx: 2})
	b.seq(model.Op{Kind: model.SSLNew, SSL: 2, Ctx: 1})
	b.seq(model.Op{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS12)})
	return model.Handle(b.seq(model.Op{Kind: model.Get1, SSL: 2}).Ret)
}

func check(t *testing.T, h *History) *Report {
	t.Helper()
	return Check(h, Options{OutDir: t.TempDir()})
}

// checkPasses records a history with record and expects it linearizable;
// what names the run in messages. Anything else fails the test, an
// undecided check too (its budgets are counts, so it would be undecided on
// every machine).
func checkPasses(t *testing.T, what string, record func() (*History, error)) *History {
	t.Helper()
	h, err := record()
	if err != nil {
		t.Fatal(err)
	}
	if rep := check(t, h); !rep.Passed() {
		t.Fatalf("%s: %s", what, rep)
	}
	return h
}

// TestOverlapAllowsEitherOrder: a removal that found the session and an add
// that found none are linearizable only as remove-then-add. With the add
// called and returned before the removal is called, that order is
// impossible.
func TestOverlapAllowsEitherOrder(t *testing.T) {
	for _, tc := range []struct {
		name              string
		addCall, addRet   int64
		removeCall, rmRet int64
		want              Verdict
	}{
		{"overlapping", 100, 120, 90, 110, Linearizable},
		{"add strictly first", 100, 110, 120, 130, Violation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBuilder(t)
			s := b.serverWithSession()
			b.at(0, model.Op{Kind: model.AddSession, Ctx: 1, Sess: s}, tc.addCall, tc.addRet, model.Result{Ret: 1})
			b.at(1, model.Op{Kind: model.RemoveSession, Ctx: 1, Sess: s}, tc.removeCall, tc.rmRet, model.Result{Ret: 1})
			rep := check(t, &b.h)
			if rep.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s\n%s", rep.Verdict, tc.want, rep)
			}
			if tc.want == Violation {
				if rep.Visualization == "" || !strings.Contains(rep.Account, "SSL_CTX_add_session(ctx1, sess1)") {
					t.Errorf("a violation needs a visualization and an account naming the call:\n%s", rep)
				}
			}
		})
	}
}

// TestNamesMayComeInAnotherOrder: two clients each get the session of
// their own SSL at the same time; the target named them in the opposite
// order from the one porcupine tries first. The bijection pairs them.
func TestNamesMayComeInAnotherOrder(t *testing.T) {
	b := newBuilder(t)
	b.serverWithSession() // sess1
	b.seq(model.Op{Kind: model.SSLNew, SSL: 3, Ctx: 2})
	b.seq(model.Op{Kind: model.SSLNew, SSL: 4, Ctx: 1})
	b.seq(model.Op{Kind: model.Handshake, SSL: 3, Peer: 4, Arg: int64(model.TLS12)})
	// The model, going in call order, names ssl1's session 2 and ssl3's 3;
	// the target named them the other way round.
	b.at(0, model.Op{Kind: model.Get1, SSL: 1}, 100, 130, model.Result{Ret: 3})
	b.at(1, model.Op{Kind: model.Get1, SSL: 3}, 110, 120, model.Result{Ret: 2})
	b.at(0, model.Op{Kind: model.SessFree, Sess: 3}, 140, 150, model.Result{})
	b.at(1, model.Op{Kind: model.SessFree, Sess: 2}, 140, 150, model.Result{})
	if rep := check(t, &b.h); rep.Verdict != Linearizable {
		t.Fatalf("verdict %s\n%s", rep.Verdict, rep)
	}

	// One handle for two different sessions is never consistent.
	b = newBuilder(t)
	b.serverWithSession()
	b.seq(model.Op{Kind: model.SSLNew, SSL: 3, Ctx: 2})
	b.seq(model.Op{Kind: model.SSLNew, SSL: 4, Ctx: 1})
	b.seq(model.Op{Kind: model.Handshake, SSL: 3, Peer: 4, Arg: int64(model.TLS12)})
	b.at(0, model.Op{Kind: model.Get1, SSL: 1}, 100, 130, model.Result{Ret: 2})
	b.at(1, model.Op{Kind: model.Get1, SSL: 3}, 110, 120, model.Result{Ret: 2})
	if rep := check(t, &b.h); rep.Verdict != Violation {
		t.Fatalf("verdict %s, want a violation\n%s", rep.Verdict, rep)
	}
}

// TestEventsAreCompared: a removal that reports remove_cb where the
// SSL_CTX has none installed is a violation, not a pass.
func TestEventsAreCompared(t *testing.T) {
	b := newBuilder(t)
	s := b.serverWithSession()
	b.at(0, model.Op{Kind: model.RemoveSession, Ctx: 1, Sess: s}, 100, 110,
		model.Result{Ret: 1, Events: []model.Event{{Kind: model.EvRemove, Ctx: 1, Sess: s}}})
	rep := check(t, &b.h)
	if rep.Verdict != Violation || !strings.Contains(rep.Account, "model: 1\n") {
		t.Fatalf("want a violation whose account gives the model's answer (1, no events):\n%s", rep)
	}
}

// TestUnknownCallsAreNotDropped: a call whose outcome is unknown may have
// happened or not; the history stays checkable and the verdict says the
// target failed.
func TestUnknownCallsAreNotDropped(t *testing.T) {
	for _, tookEffect := range []bool{false, true} {
		b := newBuilder(t)
		s := b.serverWithSession()
		b.h.Records = append(b.h.Records, Record{Client: 0, What: Call, Op: model.Op{Kind: model.RemoveSession, Ctx: 1, Sess: s},
			Failed: true, Err: "shim crashed", Call: 100, Return: Unknown})
		b.h.Failures = []string{"client 0: shim crashed"}
		// A later observation decides whether the removal happened.
		number := int64(1)
		if tookEffect {
			number = 0
		}
		obs := model.Observation{Ctxs: []model.CtxObs{{Ctx: 1, Number: number, Accept: 1, AcceptGood: 1}, {Ctx: 2, Connect: 1, ConnectGood: 1}},
			SSLs:     []model.SSLObs{{SSL: 1, Sess: model.Unnamed}, {SSL: 2, Sess: s}},
			Sessions: []model.SessObs{{Sess: s, Resumable: !tookEffect, IDLen: 32, Time: b.m.Now(), Timeout: 7200}}}
		b.h.Records = append(b.h.Records, Record{Client: 2, What: Observe, Obs: obs, Call: 200, Return: 210})
		rep := check(t, &b.h)
		if rep.Verdict != TargetFailed {
			t.Errorf("removal took effect %v: verdict %s, want %s\n%s", tookEffect, rep.Verdict, TargetFailed, rep)
		}
	}
}

// TestObservationsAreCompared: a barrier observation that disagrees with
// every order is a violation; the account lists the difference.
func TestObservationsAreCompared(t *testing.T) {
	b := newBuilder(t)
	s := b.serverWithSession()
	obs := model.Observation{Ctxs: []model.CtxObs{{Ctx: 1, Number: 2, Accept: 1, AcceptGood: 1}, {Ctx: 2, Connect: 1, ConnectGood: 1}},
		SSLs:     []model.SSLObs{{SSL: 1, Sess: model.Unnamed}, {SSL: 2, Sess: s}},
		Sessions: []model.SessObs{{Sess: s, Resumable: true, IDLen: 32, Time: b.m.Now(), Timeout: 7200}}}
	b.h.Records = append(b.h.Records, Record{Client: 2, What: Observe, Obs: obs, Call: 200, Return: 210})
	rep := check(t, &b.h)
	if rep.Verdict != Violation || !strings.Contains(rep.Account, "ctx1: sess_number = 2, want 1") {
		t.Fatalf("want a violation about sess_number:\n%s", rep)
	}
}

// TestCheckOutOfBudgetIsUnknown: a check that runs out of steps or memory
// never passes, and never reports a violation either.
func TestCheckOutOfBudgetIsUnknown(t *testing.T) {
	b := newBuilder(t)
	s := b.serverWithSession()
	for i := range int64(40) {
		b.at(int(i%2), model.Op{Kind: model.UpRef, Sess: s}, 100+i, 1000, model.Result{Ret: 1})
	}
	if rep := Check(&b.h, Options{}); !rep.Passed() {
		t.Fatalf("with the default budgets: %s", rep)
	}
	for _, o := range []Options{{StepBudget: 30}, {MemoryBudget: 4096}} {
		rep := Check(&b.h, o)
		if rep.Verdict != Undecided || rep.Passed() || rep.Err == nil {
			t.Fatalf("%+v: verdict %s (%v), want %s", o, rep.Verdict, rep.Err, Undecided)
		}
	}
}

// TestInvalidHistories: what the checker relies on is verified.
func TestInvalidHistories(t *testing.T) {
	p := model.OpenSSL30()
	server := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, NumTickets: -1}
	begin := func(u int, at int64) Record {
		return Record{Client: 1, Universe: u, What: Begin, Clock: p.StartTime, Call: at, Return: at}
	}
	call := func(u int, op model.Op, c, r int64) Record {
		return Record{Client: 0, Universe: u, What: Call, Op: op, Call: c, Return: r}
	}
	for _, tc := range []struct {
		name string
		recs []Record
		want string
	}{
		{"no begin", []Record{call(0, model.Op{Kind: model.CtxNew, Ctx: 1, Config: server}, 1, 2)}, "not with its Begin"},
		{"overlapping creations", []Record{begin(0, 1),
			call(0, model.Op{Kind: model.CtxNew, Ctx: 1, Config: server}, 2, 5),
			call(0, model.Op{Kind: model.CtxNew, Ctx: 2, Config: server}, 4, 6)}, "must not overlap"},
		{"shared handle", []Record{begin(0, 1),
			call(0, model.Op{Kind: model.CtxNew, Ctx: 1, Config: server}, 2, 3), begin(1, 4),
			call(1, model.Op{Kind: model.SessNumber, Ctx: 1}, 5, 6)}, "not an object of universe 1"},
		{"tick during a call", []Record{begin(0, 1),
			call(0, model.Op{Kind: model.CtxNew, Ctx: 1, Config: server}, 2, 10),
			call(0, model.Op{Kind: model.Tick, Arg: 5}, 5, 6)}, "quiescent"},
		{"wrong clock", []Record{begin(0, 1), call(0, model.Op{Kind: model.Tick, Arg: 5}, 2, 3),
			{Client: 1, Universe: 1, What: Begin, Clock: p.StartTime, Call: 4, Return: 4}}, "should read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Check(&History{Target: "handmade", Profile: p, Clients: 1, Records: tc.recs}, Options{})
			if rep.Verdict != InvalidHistory || rep.Err == nil || !strings.Contains(rep.Err.Error(), tc.want) {
				t.Fatalf("verdict %s, error %v; want an invalid history mentioning %q", rep.Verdict, rep.Err, tc.want)
			}
		})
	}
}
