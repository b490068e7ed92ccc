package model_test

import (
	"errors"
	"math/rand"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// freedRounds plays n rounds on s, each making two SSL_CTXs and two SSLs,
// a TLS 1.2 handshake whose server session the application gets, and
// freeing all of it again; with rename, it renames s after every call, as
// the linearizability checker does.
func freedRounds(t *testing.T, s *model.State, n int, rename bool) {
	t.Helper()
	srv := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: -1, NumTickets: -1}
	cli := model.CtxConfig{Side: model.Client, CacheSize: -1, NumTickets: -1}
	for range n {
		sc, cc := s.NextCtx(), s.NextCtx()+1
		c, sv := s.NextSSL(), s.NextSSL()+1
		sess := model.Handle(s.NamedSessions() + 1)
		for _, op := range []model.Op{
			{Kind: model.CtxNew, Ctx: sc, Config: srv}, {Kind: model.CtxNew, Ctx: cc, Config: cli},
			{Kind: model.SSLNew, SSL: c, Ctx: cc}, {Kind: model.SSLNew, SSL: sv, Ctx: sc},
			{Kind: model.Handshake, SSL: c, Peer: sv, Arg: int64(model.TLS12)}, {Kind: model.Get1, SSL: sv},
			{Kind: model.SSLFree, SSL: c}, {Kind: model.SSLFree, SSL: sv},
			{Kind: model.CtxFree, Ctx: sc}, {Kind: model.CtxFree, Ctx: cc}, {Kind: model.SessFree, Sess: sess},
		} {
			if _, err := s.Step(op); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if !rename {
				continue
			}
			if err := s.Rename(nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestRenameForgetsFreedObjects: a renamed state's key grows by a byte or
// so for each object freed, not by the object's worth, so that the
// checker's cost of a step does not grow with the universe's history; and
// every freed handle is still refused as one.
func TestRenameForgetsFreedObjects(t *testing.T) {
	s := model.New(model.OpenSSL30())
	freedRounds(t, s, 20, true)
	k20 := len(s.AppendKey(nil))
	freedRounds(t, s, 20, true)
	k40 := len(s.AppendKey(nil))
	if perRound := float64(k40-k20) / 20; perRound > 5 { // two SSL_CTXs, two SSLs, a session: a byte each
		t.Errorf("the key grows by %.1f bytes a round of freed objects, want 5 at most (%d after 20 rounds, %d after 40)", perRound, k20, k40)
	}
	for _, op := range []model.Op{
		{Kind: model.SessFree, Sess: 1}, {Kind: model.GetTime, Sess: 7},
		{Kind: model.SSLFree, SSL: 3}, {Kind: model.SSLNew, SSL: s.NextSSL(), Ctx: 5},
	} {
		var v *model.Violation
		if _, err := s.Step(op); !errors.As(err, &v) {
			t.Errorf("%s on a freed object: %v, want a violation", op, err)
		}
	}
	for _, v := range s.Sessions() {
		if v.Alive {
			t.Errorf("session %d is alive", v.Sess)
		}
	}
	// The renamed state goes on as the state never renamed does.
	plain, renamed := model.New(model.OpenSSL30()), model.New(model.OpenSSL30())
	freedRounds(t, plain, 10, false)
	freedRounds(t, renamed, 10, true)
	followAlike(t, rand.New(rand.NewSource(3)), plain, renamed, &handleMap{}, 300)
}
