package impl

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// checkCache verifies a quiescent cache: list and table hold the same
// sessions, the list is sorted by expiry (head last to expire), and each
// session's owner and links agree.
func checkCache(c *Ctx) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	var prev *Session
	for s := c.cache.head; s != nil; prev, s = s, s.next {
		n++
		if s.prev != prev || s.owner != c || c.cache.byKey[keyOf(s)] != s {
			return fmt.Errorf("session %d in the list is badly linked, owned or keyed", n)
		}
		if prev != nil && prev.expiry() < s.expiry() {
			return fmt.Errorf("list out of order at %d: %d before %d", n, prev.expiry(), s.expiry())
		}
	}
	if prev != c.cache.tail || n != len(c.cache.byKey) {
		return fmt.Errorf("list of %d, table of %d, tail consistent %v", n, len(c.cache.byKey), prev == c.cache.tail)
	}
	return nil
}

// TestConcurrentHammer shares two SSL_CTXs and a pool of sessions between 8
// goroutines, each with its own connections, under the race detector. At the
// end every session must have been destroyed exactly once and the caches
// must be intact.
func TestConcurrentHammer(t *testing.T) {
	var mu sync.Mutex
	destroyed := map[*Session]int{}
	env := NewEnv(model.OpenSSL30(), func(_ context.Context, s *Session) {
		mu.Lock()
		destroyed[s]++
		mu.Unlock()
	})
	scfg := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: 4, Timeout: 20,
		NumTickets: 2, NewCB: model.NewCBReturn0, RemoveCB: true}
	sctx, err := NewCtx(env, scfg, Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	stateful := scfg
	stateful.NoTicket, stateful.CacheMode = true, model.CacheServer|model.CacheNoAutoClear
	sctx2, err := NewCtx(env, stateful, Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	ccfg := model.CtxConfig{Side: model.Client, CacheMode: model.CacheClient, CacheSize: 3, NumTickets: -1,
		NoTicket: true, RemoveCB: true}
	cctx, err := NewCtx(env, ccfg, Callbacks{})
	if err != nil {
		t.Fatal(err)
	}

	var poolMu sync.Mutex
	var pool []*Session // each entry holds one reference
	share := func(s *Session) {
		poolMu.Lock()
		defer poolMu.Unlock()
		if len(pool) < 16 {
			pool = append(pool, s)
			return
		}
		pool[0].Free(bg)
		pool[0] = s
	}
	borrow := func(r *rand.Rand) *Session {
		poolMu.Lock()
		defer poolMu.Unlock()
		if len(pool) == 0 {
			return nil
		}
		s := pool[r.IntN(len(pool))]
		s.UpRef()
		return s
	}

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			c, s, s2 := cctx.NewConn(), sctx.NewConn(), sctx2.NewConn()
			for range 1500 {
				v := model.Version(12 + r.IntN(2))
				srv := s
				if r.IntN(2) == 0 {
					srv = s2
				}
				if r.IntN(3) == 0 {
					if b := borrow(r); b != nil {
						c.SetSession(bg, b)
						b.Free(bg)
					}
				}
				if srv.Get0Session() != nil && v == model.TLS13 {
					srv.SetSession(bg, nil)
				}
				if err := Handshake(bg, c, srv, v); err != nil {
					t.Error(err)
					return
				}
				for c.ReadTicket(bg) {
				}
				share(c.Get1Session())
				switch r.IntN(6) {
				case 0:
					sctx.FlushSessions(bg, env.Now())
				case 1:
					if b := borrow(r); b != nil {
						b.SetTime(env.Now() - int64(r.IntN(30)))
						b.SetTimeout(int64(r.IntN(30)))
						cctx.AddSession(bg, b) // b can only be cached in cctx
						cctx.RemoveSession(bg, b)
						b.Free(bg)
					}
				case 2:
					_ = env.Advance(int64(r.IntN(5)))
				case 3:
					c.FatalAlert(bg)
				}
				_ = sctx.Stats()
				c.Shutdown(bg)
				srv.Shutdown(bg)
				c.Shutdown(bg)
				c.Clear(bg)
				srv.Clear(bg)
			}
			c.Free(bg)
			s.Free(bg)
			s2.Free(bg)
		})
	}
	wg.Wait()
	for _, c := range []*Ctx{sctx, sctx2, cctx} {
		if err := checkCache(c); err != nil {
			t.Fatal(err)
		}
	}
	if sctx.Stats().Hits == 0 || sctx2.Stats().Hits == 0 || sctx.Stats().CacheFull == 0 {
		t.Errorf("the hammer never resumed or evicted: %+v %+v", sctx.Stats(), sctx2.Stats())
	}
	for _, s := range pool {
		s.Free(bg)
	}
	for _, c := range []*Ctx{sctx, sctx2, cctx} {
		c.Free(bg)
	}
	if n := env.LiveSessions(); n != 0 {
		t.Errorf("%d sessions leaked", n)
	}
	for _, n := range destroyed {
		if n != 1 {
			t.Fatalf("a session was destroyed %d times", n)
		}
	}
	t.Logf("%d sessions made and destroyed", len(destroyed))
}
