package model_test

import (
	"cmp"
	"math/rand"
	"slices"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// handleMap renames the session handles of one state into another's: a's
// handle h is b's to[h-1]. Sessions named after the renaming get the same
// next handle in both (naming appends), so the map grows with identity.
type handleMap struct{ to []model.Handle }

func (m *handleMap) of(h model.Handle) model.Handle {
	if h <= 0 {
		return h // NULL, Unnamed
	}
	for int(h) > len(m.to) {
		m.to = append(m.to, model.Handle(len(m.to)+1))
	}
	return m.to[h-1]
}

func (m *handleMap) op(op model.Op) model.Op {
	op.Sess = m.of(op.Sess)
	return op
}

func (m *handleMap) result(k model.Kind, r model.Result) model.Result {
	out := model.Result{Ret: r.Ret}
	if k == model.Get0 || k == model.Get1 {
		out.Ret = int64(m.of(model.Handle(r.Ret)))
	}
	for _, e := range r.Events {
		e.Sess = m.of(e.Sess)
		out.Events = append(out.Events, e)
	}
	return out
}

func (m *handleMap) observation(ob model.Observation) model.Observation {
	for i := range ob.SSLs {
		ob.SSLs[i].Sess = m.of(ob.SSLs[i].Sess)
	}
	for i := range ob.Sessions {
		ob.Sessions[i].Sess = m.of(ob.Sessions[i].Sess)
	}
	slices.SortFunc(ob.Sessions, func(x, y model.SessObs) int { return cmp.Compare(x.Sess, y.Sess) })
	return ob
}

// followAlike plays n random calls drawn on a on both a and b (renamed with
// m) and fails at the first one whose result, legality or following
// observation differs up to the renaming. a and b are changed.
func followAlike(t *testing.T, src *rand.Rand, a, b *model.State, m *handleMap, n int) {
	t.Helper()
	for i := range n {
		op := properties.DrawOp(src, a, func(model.Kind) bool { return true }, properties.DefaultLimits())
		opB := m.op(op)
		ra, errA := a.Step(op)
		rb, errB := b.Step(opB)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("call %d, %s: error %v on one state, %v on the other", i, op, errA, errB)
		}
		if got := m.result(op.Kind, ra); !resultsEqual(got, rb) {
			t.Fatalf("call %d, %s: %+v on one state, %+v on the other (renamed: %+v)", i, op, ra, rb, got)
		}
		if d := m.observation(a.Observe()).Diff(b.Observe()); d != "" {
			t.Fatalf("after call %d, %s: the observations differ: %s", i, op, d)
		}
	}
}

// renamed is a renamed copy of s.
func renamed(t *testing.T, s *model.State, order []model.Handle) *model.State {
	t.Helper()
	c := s.Clone()
	if err := c.Rename(order); err != nil {
		t.Fatal(err)
	}
	return c
}

func resultsEqual(x, y model.Result) bool {
	return x.Ret == y.Ret && slices.Equal(x.Events, y.Events)
}

// TestRenameBehavesAlike: a renamed state answers every later call as the
// original does, up to the renaming of handles; and renaming is canonical:
// the original and a renamed copy, renamed back to corresponding orders,
// are Equal with the same Hash. Random states of both profiles, random
// permutations.
func TestRenameBehavesAlike(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55(), model.BoringSSL()} {
		t.Run(p.Name, func(t *testing.T) {
			src := rand.New(rand.NewSource(20261124))
			changed := 0
			for seq := range 150 {
				a := model.New(p)
				for range 20 + src.Intn(40) {
					op := properties.DrawOp(src, a, func(model.Kind) bool { return true }, properties.DefaultLimits())
					if _, err := a.Step(op); err != nil {
						t.Fatalf("sequence %d: %s: %v", seq, op, err)
					}
				}
				n := a.NamedSessions()
				perm := src.Perm(n)
				order := make([]model.Handle, n) // a's handle order[i] is b's i+1
				m := &handleMap{to: make([]model.Handle, n)}
				for i, x := range perm {
					order[i] = model.Handle(x + 1)
					m.to[x] = model.Handle(i + 1)
				}
				b := renamed(t, a, order)
				if !b.Equal(a) {
					changed++
				}
				// Canonical: a kept as it is, b renamed back.
				ca := renamed(t, a, nil)
				back := make([]model.Handle, n)
				for h := range n {
					back[h] = m.of(model.Handle(h + 1))
				}
				if cb := renamed(t, b, back); !ca.Equal(cb) || ca.Hash() != cb.Hash() {
					t.Fatalf("sequence %d: a state and its renamed copy, renamed back, differ", seq)
				}
				followAlike(t, src, a, b, m, 40)
			}
			// Half at least: sequences that name fewer than two sessions
			// have nothing to permute.
			if changed < 75 {
				t.Errorf("only %d of 150 renamings changed anything", changed)
			}
		})
	}
}

// Two servers that cache by id (no stateless tickets), two pairs of SSLs;
// the application asks each server SSL for its session. Handshake A is TLS
// 1.2 on server ctx1, B TLS 1.3 (two stateful tickets, the client reads
// one) on ctx4 (whose sessions expire at another time), or on ctx1 too
// when shared is set.
func twoHandshakes(t *testing.T, aFirst, shared bool) *model.State {
	t.Helper()
	s := model.New(model.OpenSSL30())
	srv := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: -1, NumTickets: -1, RemoveCB: true, NoTicket: true}
	cli := model.CtxConfig{Side: model.Client, CacheSize: -1, NumTickets: -1}
	bServer := model.Handle(4)
	if shared {
		bServer = 1
	}
	timed := srv
	timed.Timeout = 500
	ops := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: srv}, {Kind: model.CtxNew, Ctx: 2, Config: cli},
		{Kind: model.CtxNew, Ctx: 3, Config: cli}, {Kind: model.CtxNew, Ctx: 4, Config: timed},
		{Kind: model.SSLNew, SSL: 1, Ctx: 2}, {Kind: model.SSLNew, SSL: 2, Ctx: 1},
		{Kind: model.SSLNew, SSL: 3, Ctx: 3}, {Kind: model.SSLNew, SSL: 4, Ctx: bServer},
	}
	a := []model.Op{{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS12)}, {Kind: model.Get1, SSL: 2}}
	b := []model.Op{{Kind: model.Handshake, SSL: 3, Peer: 4, Arg: int64(model.TLS13)}, {Kind: model.ReadTicket, SSL: 3},
		{Kind: model.Get1, SSL: 4}, {Kind: model.Get1, SSL: 3}}
	if aFirst {
		ops = append(append(ops, a...), b...)
	} else {
		ops = append(append(ops, b...), a...)
	}
	for _, op := range ops {
		if _, err := s.Step(op); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	return s
}

// The handles the application gave the sessions of twoHandshakes: A's
// server session first, then B's server session and B's client session.
func twoHandshakesOrder(aFirst bool) []model.Handle {
	if aFirst {
		return []model.Handle{1, 2, 3}
	}
	return []model.Handle{3, 1, 2}
}

// TestRenameMergesOrders: two handshakes made in either order leave states
// that differ in the numbering of sessions, tickets and ids only. Renamed
// with orders that put corresponding sessions in the same places, they are
// Equal with one Hash, and every later call tells them apart no more than
// the renaming.
func TestRenameMergesOrders(t *testing.T) {
	ab, ba := twoHandshakes(t, true, false), twoHandshakes(t, false, false)
	if ab.Equal(ba) {
		t.Fatal("the two orders already leave Equal states: the test shows nothing")
	}
	x, y := renamed(t, ab, twoHandshakesOrder(true)), renamed(t, ba, twoHandshakesOrder(false))
	if !x.Equal(y) || x.Hash() != y.Hash() {
		t.Fatal("two orders of independent handshakes, renamed alike, differ")
	}
	// ab's handle h is ba's order-of-ba[h-1].
	m := &handleMap{to: twoHandshakesOrder(false)}
	src := rand.New(rand.NewSource(7))
	for range 50 {
		followAlike(t, src, twoHandshakes(t, true, false), twoHandshakes(t, false, false), &handleMap{to: slices.Clone(m.to)}, 60)
	}
}

// TestRenameKeepsWhatShows: states that differ in something a later call
// can show stay apart. Two handshakes that cache sessions of equal expiry
// in one SSL_CTX leave them in the list in the opposite order (newest at
// the head), which a flush shows as the order of its remove_cb events;
// renamed alike, the states are not Equal. Nor are states whose sessions
// differ in time, or states renamed with orders that do not correspond.
func TestRenameKeepsWhatShows(t *testing.T) {
	ab, ba := twoHandshakes(t, true, true), twoHandshakes(t, false, true)
	x, y := renamed(t, ab, twoHandshakesOrder(true)), renamed(t, ba, twoHandshakesOrder(false))
	if x.Equal(y) {
		t.Fatalf("cache lists in opposite orders were merged: %v, %v", ab.Ctxs()[0].Cached, ba.Ctxs()[0].Cached)
	}
	flush := model.Op{Kind: model.Flush, Ctx: 1, Arg: ab.Now() + 1<<20}
	rx, err := x.Step(flush)
	if err != nil {
		t.Fatal(err)
	}
	ry, err := y.Step(flush)
	if err != nil {
		t.Fatal(err)
	}
	if len(rx.Events) < 2 || resultsEqual(rx, ry) {
		t.Fatalf("the flush should show the two orders: %+v and %+v", rx, ry)
	}

	// One session's time differs.
	z := twoHandshakes(t, false, false)
	if _, err := z.Step(model.Op{Kind: model.SetTime, Sess: 1, Arg: z.Now() - 5}); err != nil {
		t.Fatal(err)
	}
	x, y = renamed(t, twoHandshakes(t, true, false), twoHandshakesOrder(true)), renamed(t, z, twoHandshakesOrder(false))
	if x.Equal(y) {
		t.Fatal("states whose sessions differ in time were merged")
	}

	// Orders that do not correspond: A's session in one is B's in the other.
	y = renamed(t, twoHandshakes(t, false, false), []model.Handle{1, 2, 3})
	if x.Equal(y) {
		t.Fatal("states renamed with orders that do not correspond were merged")
	}
}

// TestRenameRejectsBadOrders: the order must list every handle once, and
// a bad one changes nothing.
func TestRenameRejectsBadOrders(t *testing.T) {
	s := twoHandshakes(t, true, false)
	before := s.Clone()
	for _, order := range [][]model.Handle{{1, 2}, {1, 2, 2}, {0, 1, 2}, {1, 2, 4}, {}} {
		if err := s.Rename(order); err == nil {
			t.Errorf("Rename(%v) accepted", order)
		}
		if !s.Equal(before) {
			t.Fatalf("Rename(%v) failed but changed the state", order)
		}
	}
	if err := s.Rename(nil); err != nil || s.Observe().Diff(before.Observe()) != "" {
		t.Errorf("Rename(nil): %v: want the same handles", err)
	}
}
