package linearizability

import (
	"bytes"
	"context"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
)

// TestRebuildReplaysToTheSameModel: a state that gave its model up
// rebuilds the very model it had (same key in its own numbering), from
// the nearest checkpoint and the calls since, however far back the search
// comes; and its canonical key is the one it would have had as a
// checkpoint. A sequential history of rounds that make, use and free
// SSL_CTXs, SSLs and sessions, longer than several checkpoints.
func TestRebuildReplaysToTheSameModel(t *testing.T) {
	b := newBuilder(t)
	srv := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: -1, NumTickets: -1}
	cli := model.CtxConfig{Side: model.Client, CacheSize: -1, NumTickets: -1, NoTicket: true}
	for i := range 12 {
		sc, cc := b.m.NextCtx(), b.m.NextCtx()+1
		c, s := b.m.NextSSL(), b.m.NextSSL()+1
		b.seq(model.Op{Kind: model.CtxNew, Ctx: sc, Config: srv})
		b.seq(model.Op{Kind: model.CtxNew, Ctx: cc, Config: cli})
		b.seq(model.Op{Kind: model.SSLNew, SSL: c, Ctx: cc})
		b.seq(model.Op{Kind: model.SSLNew, SSL: s, Ctx: sc})
		b.seq(model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(model.TLS12)})
		sess := model.Handle(b.seq(model.Op{Kind: model.Get1, SSL: s}).Ret)
		b.seq(model.Op{Kind: model.SessionReused, SSL: c})
		b.seq(model.Op{Kind: model.SSLFree, SSL: c})
		b.seq(model.Op{Kind: model.SSLFree, SSL: s})
		if i%3 != 0 {
			b.seq(model.Op{Kind: model.CtxFree, Ctx: cc})
			b.seq(model.Op{Kind: model.SessFree, Sess: sess})
		}
	}
	us, err := split(&b.h)
	if err != nil {
		t.Fatal(err)
	}
	u := us[0]
	var states []*state
	var raw [][]byte // each state's model's key, taken while it held it
	s := porcupineModel().Init()
	for _, op := range u.ops {
		ok, next := step(context.Background(), s, op.Input, op.Output)
		if !ok {
			t.Fatalf("%s is not legal", op.Input.(*input).rec)
		}
		s = next
		st := s.(*state)
		states = append(states, st)
		raw = append(raw, st.m.AppendKey(nil))
	}
	if len(states) < 3*checkpointEvery {
		t.Fatalf("%d states: the test wants several checkpoints", len(states))
	}
	for i := len(states) - 1; i >= 0; i-- {
		st := states[i]
		m := u.rebuild(st)
		if !bytes.Equal(m.AppendKey(nil), raw[i]) {
			t.Fatalf("state %d (depth %d) rebuilt another model", i, st.depth)
		}
		c := &state{u: u, m: m, m2t: st.m2t, t2m: st.t2m}
		c.checkpoint()
		st.canonical()
		if !bytes.Equal(c.key, st.key) {
			t.Fatalf("state %d: its canonical key is not its checkpoint's", i)
		}
	}
}

// TestStartOverWithHashes: a search that starts over with hashes (forced
// here at its first comparison of states) reaches the verdict the search
// without them reaches, universe by universe, on histories of the correct
// simulator and of a mutant that the checker catches.
func TestStartOverWithHashes(t *testing.T) {
	restarted, violations := 0, 0
	for seed := range uint64(4) {
		for i, opt := range []impl.Option{mutants.Yields(), mutants.Option(mutants.RefcountUnsynced)} {
			cfg := mutantRun(seed)
			if i == 0 {
				cfg = correctRun(seed) // the correct simulator
			}
			h, err := Run(context.Background(), impl.NewTarget(opt), cfg)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := split(h)
			if err != nil {
				t.Fatal(err)
			}
			forced, _ := split(h)
			for _, u := range forced {
				u.search.maxCompares = 0
			}
			want, got := searchAll(plain, Options{Parallel: 1}.withDefaults()), searchAll(forced, Options{Parallel: 1}.withDefaults())
			for i := range want {
				if got[i].result != want[i].result {
					t.Fatalf("seed %d, history of %s, universe %d: %v after starting over, %v without", seed, h.Target, i, got[i].result, want[i].result)
				}
				if forced[i].search.hashing {
					restarted++
				}
				if want[i].result == violated {
					violations++
				}
			}
		}
	}
	if restarted == 0 || violations == 0 {
		t.Fatalf("%d searches started over, %d universes violated: the test shows too little", restarted, violations)
	}
}
