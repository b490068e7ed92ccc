package linearizability

import (
	"context"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// twoHandshakeHistory: the harness sets up two pairs of SSLs; client 0
// handshakes ssl1 with ssl2 (server ctx1) while client 1 handshakes ssl3
// with ssl4 (server ctx4, or ctx1 too when shared), then each asks its
// server SSL for its session, the two calls overlapping too. The target
// named A's session 1 and B's 2. Both servers cache by id and have
// remove_cb; ctx4's sessions expire at another time than ctx1's.
func twoHandshakeHistory(t *testing.T, shared bool) *History {
	b := newBuilder(t)
	srv := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: -1, NumTickets: -1, NoTicket: true, RemoveCB: true}
	cli := model.CtxConfig{Side: model.Client, CacheSize: -1, NumTickets: -1, NoTicket: true}
	timed := srv
	timed.Timeout = 500
	bServer := model.Handle(4)
	if shared {
		bServer = 1
	}
	for _, op := range []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: srv}, {Kind: model.CtxNew, Ctx: 2, Config: cli},
		{Kind: model.CtxNew, Ctx: 3, Config: cli}, {Kind: model.CtxNew, Ctx: 4, Config: timed},
		{Kind: model.SSLNew, SSL: 1, Ctx: 2}, {Kind: model.SSLNew, SSL: 2, Ctx: 1},
		{Kind: model.SSLNew, SSL: 3, Ctx: 3}, {Kind: model.SSLNew, SSL: 4, Ctx: bServer},
	} {
		b.seq(op)
	}
	hs := func(c, s model.Handle) model.Op {
		return model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(model.TLS12)}
	}
	b.at(0, hs(1, 2), 100, 200, model.Result{Ret: 1})
	b.at(1, hs(3, 4), 110, 190, model.Result{Ret: 1})
	b.at(0, model.Op{Kind: model.Get1, SSL: 2}, 210, 230, model.Result{Ret: 101})
	b.at(1, model.Op{Kind: model.Get1, SSL: 4}, 205, 220, model.Result{Ret: 102})
	return &b.h
}

// linearize steps the checker's model through the universe's operations
// in the given order (indexes into its operations) and returns the last
// state.
func linearize(t *testing.T, u *universe, order []int) *state {
	t.Helper()
	s := porcupineModel().Init()
	for _, i := range order {
		op := u.ops[i]
		ok, next := step(context.Background(), s, op.Input, op.Output)
		if !ok {
			t.Fatalf("%s is not legal after %v", op.Input.(*input).rec, order)
		}
		s = next
	}
	return s.(*state)
}

// prefixAnd is the universe's first n operations (the sequential set-up),
// then rest, numbered from n.
func prefixAnd(n int, rest ...int) []int {
	out := make([]int, 0, n+len(rest))
	for i := range n {
		out = append(out, i)
	}
	for _, r := range rest {
		out = append(out, n+r)
	}
	return out
}

// TestCanonicalMergesHandshakeOrders: the two concurrent handshakes and
// the two get1 calls linearized as A, B, getA, getB or as B, A, getB, getA
// make the model name and number the sessions differently; the checker's
// states are Equal with one Hash all the same, and were not before
// canonicalisation.
func TestCanonicalMergesHandshakeOrders(t *testing.T) {
	us, err := split(twoHandshakeHistory(t, false))
	if err != nil {
		t.Fatal(err)
	}
	u := us[0]
	setup := len(u.ops) - 4
	ab := linearize(t, u, prefixAnd(setup, 0, 1, 2, 3))
	ba := linearize(t, u, prefixAnd(setup, 1, 0, 3, 2))
	if !ab.equal(ba) || ab.hash() != ba.hash() {
		t.Fatalf("two orders of independent handshakes leave different states: m2t %v and %v", ab.m2t, ba.m2t)
	}
	if rawEqual(t, u, prefixAnd(setup, 0, 1, 2, 3), prefixAnd(setup, 1, 0, 3, 2)) {
		t.Fatal("the two orders are Equal even without canonicalisation: the test shows nothing")
	}
}

// rawEqual replays two orders with the model's own numbering (no
// canonical form) and reports whether the final states are Equal.
func rawEqual(t *testing.T, u *universe, x, y []int) bool {
	t.Helper()
	play := func(order []int) *model.State {
		m := model.New(u.prof)
		for _, i := range order {
			in := u.ops[i].Input.(*input)
			if in.what != Call {
				continue
			}
			op := in.op
			if op.Sess != 0 {
				t.Fatalf("rawEqual replays calls without sessions only, not %s", in.rec)
			}
			if _, err := m.Step(op); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	return play(x).Equal(play(y))
}

// TestCanonicalKeepsWhatShows: with both handshakes on ctx1, whose
// sessions expire at the same time, the two orders leave ctx1's list in
// opposite orders, which a flush would show: the states stay apart.
func TestCanonicalKeepsWhatShows(t *testing.T) {
	us, err := split(twoHandshakeHistory(t, true))
	if err != nil {
		t.Fatal(err)
	}
	u := us[0]
	setup := len(u.ops) - 4
	ab := linearize(t, u, prefixAnd(setup, 0, 1, 2, 3))
	ba := linearize(t, u, prefixAnd(setup, 1, 0, 3, 2))
	if ab.equal(ba) {
		t.Fatal("cache lists in opposite orders were merged")
	}
	// The same order twice is one state, of course.
	if again := linearize(t, u, prefixAnd(setup, 0, 1, 3, 2)); !again.equal(ab) || again.hash() != ab.hash() {
		t.Fatal("the get1 calls in either order (they commute) leave different states")
	}
}
