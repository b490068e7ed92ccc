package impl

import (
	"context"
	"slices"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
)

func TestAddSessionTwiceReturnsFalseAndKeepsOneReference(t *testing.T) {
	w := newWorld(t)
	c := w.ctx(serverCfg())
	s := w.loose(100, 10)
	if !c.AddSession(bg, s) {
		t.Fatal("first add returned false")
	}
	if c.AddSession(bg, s) {
		t.Fatal("second add of the same session returned true")
	}
	if got := s.RefCount(); got != 2 {
		t.Fatalf("refcount %d, want 2 (caller + cache)", got)
	}
	s.Free(bg)
	c.Free(bg)
	if len(w.destroyed) != 1 || w.env.LiveSessions() != 0 {
		t.Fatalf("destroyed %d, live %d after freeing everything", len(w.destroyed), w.env.LiveSessions())
	}
}

func TestCacheOfSizeNKeepsNMinusOne(t *testing.T) {
	for _, size := range []int64{1, 2, 3, 4} {
		w := newWorld(t)
		cfg := serverCfg()
		cfg.CacheSize, cfg.RemoveCB = size, true
		c := w.ctx(cfg)
		for i := range 6 {
			s := w.loose(100+int64(i), 10)
			c.AddSession(bg, s)
			s.Free(bg)
		}
		want := max(size-1, 1)
		if n := c.Number(); n != want {
			t.Errorf("size %d: %d sessions cached, want %d", size, n, want)
		}
		if full := c.Stats().CacheFull; full != 6-want {
			t.Errorf("size %d: cache_full %d, want %d", size, full, 6-want)
		}
		if len(w.removes) != int(6-want) {
			t.Errorf("size %d: %d remove_cb calls, want %d", size, len(w.removes), 6-want)
		}
	}
}

func TestEvictionTakesTheSoonestToExpire(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.CacheSize, cfg.RemoveCB = 3, true
	c := w.ctx(cfg)
	late, soon, mid := w.loose(100, 50), w.loose(100, 5), w.loose(100, 20)
	for _, s := range []*Session{late, soon, mid} {
		c.AddSession(bg, s)
	}
	// The third add evicted the tail before linking: soon expires first.
	if len(w.removes) != 1 || w.removes[0] != soon {
		t.Fatalf("evicted %v, want the session expiring soonest", w.removes)
	}
	if got := cached(c); !slices.Equal(got, []*Session{late, mid}) {
		t.Fatalf("cache order wrong: got %d sessions", len(got))
	}
	if soon.IsResumable() {
		t.Error("an evicted session is still resumable")
	}
}

func TestEqualExpiryNewestNearestTheHead(t *testing.T) {
	w := newWorld(t)
	c := w.ctx(serverCfg())
	a, b, x := w.loose(100, 10), w.loose(100, 10), w.loose(90, 10)
	for _, s := range []*Session{a, x, b} {
		c.AddSession(bg, s)
	}
	if got := cached(c); !slices.Equal(got, []*Session{b, a, x}) {
		t.Fatal("want b, a (equal expiry, newest first), then x")
	}
	// Re-adding a moves it back in front of its equals.
	c.AddSession(bg, a)
	if got := cached(c); !slices.Equal(got, []*Session{a, b, x}) {
		t.Fatal("re-add did not re-sort")
	}
	// SetTime on a cached session re-sorts it.
	b.SetTime(200)
	if got := cached(c); !slices.Equal(got, []*Session{b, a, x}) {
		t.Fatal("SetTime did not re-sort")
	}
}

func TestDuplicateIDReplacesQuietly(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.RemoveCB = true
	c := w.ctx(cfg)
	old := w.loose(100, 10)
	c.AddSession(bg, old)
	old.Free(bg) // only the cache holds it
	twin := old.dup()
	if !c.AddSession(bg, twin) {
		t.Fatal("adding a different object with the same id returned false")
	}
	if len(w.removes) != 0 {
		t.Error("a replaced duplicate got remove_cb")
	}
	if len(w.destroyed) != 1 || w.destroyed[0] != old {
		t.Error("the replaced duplicate was not destroyed")
	}
	if !old.IsResumable() {
		t.Error("a replaced duplicate was marked not resumable")
	}
}

func TestRemoveUncachedStillCallsRemoveCB(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.RemoveCB = true
	c := w.ctx(cfg)
	s := w.loose(100, 10)
	if c.RemoveSession(bg, s) {
		t.Fatal("removing an uncached session returned true")
	}
	if len(w.removes) != 1 || s.IsResumable() {
		t.Fatal("want remove_cb and not resumable even when nothing was cached")
	}
	empty := w.env.newSession(model.TLS13, 10)
	if c.RemoveSession(bg, empty) || len(w.removes) != 1 {
		t.Fatal("a session with an empty id must be ignored")
	}
}

func TestFlushStopsAtFirstUnexpired(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.RemoveCB = true
	c := w.ctx(cfg)
	a, b, d := w.loose(100, 10), w.loose(100, 20), w.loose(100, 30)
	for _, s := range []*Session{a, b, d} {
		c.AddSession(bg, s)
		s.Free(bg)
	}
	c.FlushSessions(bg, 120) // a expired (120 > 110); b is exactly at its expiry, not expired
	if n := c.Number(); n != 2 || len(w.removes) != 1 || w.removes[0] != a {
		t.Fatalf("flush(120): %d left, removes %d", n, len(w.removes))
	}
	if !slices.Equal(w.log, []string{"remove", "destroyed"}) {
		t.Fatalf("events %v, want remove_cb then destruction", w.log)
	}
	w.reset()
	c.FlushSessions(bg, 0)
	if c.Number() != 0 || !slices.Equal(w.log, []string{"remove", "remove", "destroyed", "destroyed"}) {
		t.Fatalf("flush(0): events %v, want every remove_cb (under the lock) before the frees", w.log)
	}
}

func TestCtxFreeFlushesWhenLastConnGoes(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.RemoveCB = true
	c := w.ctx(cfg)
	conn := c.NewConn()
	s := w.loose(100, 10)
	c.AddSession(bg, s)
	s.Free(bg)
	c.Free(bg)
	if len(w.removes) != 0 {
		t.Fatal("SSL_CTX_free flushed while an SSL still uses the SSL_CTX")
	}
	conn.Free(bg)
	if len(w.removes) != 1 || len(w.destroyed) != 1 {
		t.Fatalf("last SSL_free: %d removes, %d destroyed, want 1 and 1", len(w.removes), len(w.destroyed))
	}
}

func TestSetTimeoutRefusesNegative(t *testing.T) {
	w := newWorld(t)
	s := w.loose(100, 10)
	if s.SetTimeout(-1) || s.Timeout() != 10 {
		t.Fatal("a negative timeout was accepted")
	}
	if !s.SetTimeout(0) || s.Timeout() != 0 {
		t.Fatal("timeout 0 refused")
	}
}

func TestNewCtxRejectsBadConfig(t *testing.T) {
	env := NewEnv(model.OpenSSL30(), nil)
	bad := []model.CtxConfig{
		{Side: 7, CacheSize: -1, NumTickets: -1},
		{CacheMode: 0x8000, CacheSize: -1, NumTickets: -1},
		{CacheSize: -2, NumTickets: -1},
		{CacheSize: -1, NumTickets: -1, Timeout: -5},
		{CacheSize: -1, NumTickets: -3},
		{CacheSize: -1, NumTickets: -1, NewCB: 9},
	}
	for _, cfg := range bad {
		if _, err := NewCtx(env, cfg, Callbacks{}); err == nil {
			t.Errorf("NewCtx(%+v) accepted", cfg)
		}
	}
	_, err := NewCtx(env, clientCfg(), Callbacks{RemoveSession: func(context.Context, *Ctx, *Session) {}})
	if err == nil {
		t.Error("a remove callback without CtxConfig.RemoveCB was accepted")
	}
}

// TestDuplicateLeavesBeforeEviction: the replaced twin is freed before the
// eviction loop runs, so its destruction comes before the evictions' events.
func TestDuplicateLeavesBeforeEviction(t *testing.T) {
	w := newWorld(t)
	cfg := serverCfg()
	cfg.CacheSize, cfg.RemoveCB = 3, true
	c := w.ctx(cfg)
	a, b := w.loose(100, 5), w.loose(100, 50)
	for _, s := range []*Session{a, b} {
		c.AddSession(bg, s)
		s.Free(bg)
	}
	c.SetCacheSize(2)
	twin := b.dup()
	w.reset()
	c.AddSession(bg, twin)
	if !slices.Equal(w.log, []string{"destroyed", "remove", "destroyed"}) || w.destroyed[0] != b || w.removes[0] != a {
		t.Fatalf("events %v, want the twin's destruction, then a's eviction", w.log)
	}
}

// TestFreesOutsideTheLock: sessions leaving through SSL_CTX_flush_sessions
// and SSL_CTX_remove_session are freed after the cache lock is released, so
// a destruction hook may use that SSL_CTX (OpenSSL 3.0 frees them the same
// way). A hook that deadlocks fails the test instead of hanging it.
func TestFreesOutsideTheLock(t *testing.T) {
	var c *Ctx
	counts := []int64{}
	env := NewEnv(model.OpenSSL30(), func(context.Context, *Session) { counts = append(counts, c.Number()) })
	c, err := NewCtx(env, serverCfg(), Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			s := env.newSession(model.TLS12, 10)
			s.id = env.newSessionID()
			c.AddSession(bg, s)
			s.Free(bg)
		}
		c.RemoveSession(bg, c.cache.tail)
		c.FlushSessions(bg, 0)
	}()
	select {
	case <-done:
	case <-testwait.Guard(t): // a deadlock never ends; a slow machine does
		t.Fatal("a destruction hook that reads the SSL_CTX deadlocked")
	}
	if !slices.Equal(counts, []int64{2, 0, 0}) {
		t.Fatalf("the hook saw cache sizes %v, want [2 0 0]", counts)
	}
}

func TestAddToASecondCachePanics(t *testing.T) {
	w := newWorld(t)
	c1, c2 := w.ctx(serverCfg()), w.ctx(serverCfg())
	s := w.loose(100, 10)
	c1.AddSession(bg, s)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("adding a session cached in one SSL_CTX to another did not panic")
			}
		}()
		c2.AddSession(bg, s)
	}()
	if s.RefCount() != 2 || c2.Number() != 0 || checkCache(c1) != nil {
		t.Fatal("the refused add changed something")
	}
	c1.RemoveSession(bg, s)
	if !c2.AddSession(bg, s) {
		t.Fatal("a session no longer cached could not move to another SSL_CTX")
	}
}
