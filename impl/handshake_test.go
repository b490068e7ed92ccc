package impl

import (
	"context"
	"slices"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// pair makes a client and a server SSL_CTX from the two configurations.
func (w *world) pair(ccfg, scfg model.CtxConfig) (*Ctx, *Ctx) { return w.ctx(ccfg), w.ctx(scfg) }

// reconnect shuts the client down cleanly and clears it, keeping its
// session, and returns a fresh server SSL on sctx.
func reconnect(client *Conn, sctx *Ctx) *Conn {
	client.Shutdown(bg)
	client.Clear(bg)
	return sctx.NewConn()
}

func TestTLS12ResumptionBySessionID(t *testing.T) {
	w := newWorld(t)
	ccfg := clientCfg()
	ccfg.NoTicket = true
	cctx, sctx := w.pair(ccfg, serverCfg())
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS12)
	cs, ss := c.Get0Session(), s.Get0Session()
	if cs.ID().Len() != 32 || cs.ID() != ss.ID() || sctx.Number() != 1 {
		t.Fatalf("want the server's 32-byte id on both ends and cached: ids %d/%d, cached %d",
			cs.ID().Len(), ss.ID().Len(), sctx.Number())
	}
	if c.SessionReused() {
		t.Fatal("a first handshake reports reuse")
	}
	s2 := reconnect(c, sctx)
	w.handshake(c, s2, model.TLS12)
	if !c.SessionReused() || !s2.SessionReused() || c.Get0Session() != cs || s2.Get0Session() != ss {
		t.Fatal("second handshake did not resume the cached session")
	}
	if st := sctx.Stats(); st.Hits != 1 || st.Misses != 0 {
		t.Fatalf("server stats %+v, want one hit", st)
	}
	if cctx.Stats().Hits != 1 {
		t.Fatal("client hit not counted")
	}
}

func TestTLS12StatelessTicket(t *testing.T) {
	w := newWorld(t)
	cctx, sctx := w.pair(clientCfg(), serverCfg())
	other := w.ctx(serverCfg())
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS12)
	if s.Get0Session().ID().Len() != 0 || sctx.Number() != 0 {
		t.Fatal("a server issuing a stateless ticket must use an empty id and cache nothing")
	}
	cs := c.Get0Session()
	if !cs.HasTicket() || cs.ID().Len() != 32 || !cs.IsResumable() {
		t.Fatal("client session lacks a ticket or its ticket-derived id")
	}
	// Only the SSL_CTX that sealed the ticket can open it.
	w.handshake(c, reconnect(c, other), model.TLS12)
	if c.SessionReused() || cctx.Stats().Misses != 1 {
		t.Fatal("another SSL_CTX resumed from a foreign ticket, or the client miss was not counted")
	}
	cs = c.Get0Session()
	w.handshake(c, reconnect(c, other), model.TLS12)
	if !c.SessionReused() {
		t.Fatal("the issuing SSL_CTX did not resume from its own ticket")
	}
	if c.Get0Session() != cs {
		t.Fatal("the client did not keep the resumed session")
	}
}

func TestTLS13TicketsAndSingleUse(t *testing.T) {
	w := newWorld(t)
	ccfg := clientCfg()
	ccfg.DefaultMode, ccfg.CacheMode, ccfg.RemoveCB = false, model.CacheClient, true
	scfg := serverCfg()
	scfg.NewCB = model.NewCBReturn0
	cctx, sctx := w.pair(ccfg, scfg)
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS13)
	if len(w.news) != 2 || sctx.Number() != 0 {
		t.Fatalf("want 2 new_session_cb (default num_tickets) and an empty stateless cache, got %d and %d",
			len(w.news), sctx.Number())
	}
	if c.Get0Session().IsResumable() {
		t.Fatal("a TLS 1.3 client session is resumable before a ticket is read")
	}
	if got := []bool{c.ReadTicket(bg), c.ReadTicket(bg), c.ReadTicket(bg)}; !slices.Equal(got, []bool{true, true, false}) {
		t.Fatalf("ReadTicket returned %v, want exactly two tickets", got)
	}
	if cctx.Number() != 2 {
		t.Fatalf("client cache holds %d, want one session per ticket", cctx.Number())
	}
	offered := c.Get0Session()
	w.reset()
	w.handshake(c, reconnect(c, sctx), model.TLS13)
	if !c.SessionReused() {
		t.Fatal("TLS 1.3 resumption failed")
	}
	// The client drops the ticket it used: remove_cb, not resumable.
	if offered.IsResumable() || len(w.removes) != 1 || w.removes[0] != offered {
		t.Fatal("a used TLS 1.3 ticket stayed resumable or no remove_cb ran")
	}
	if len(w.news) != 1 {
		t.Fatalf("%d tickets after a resumption, want 1", len(w.news))
	}
}

func TestTLS13StatefulTickets(t *testing.T) {
	w := newWorld(t)
	scfg := serverCfg()
	scfg.NoTicket = true
	cctx, sctx := w.pair(clientCfg(), scfg)
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS13)
	if sctx.Number() != 2 {
		t.Fatalf("stateful tickets cache their sessions: %d cached, want 2", sctx.Number())
	}
	c.ReadTicket(bg)
	w.handshake(c, reconnect(c, sctx), model.TLS13)
	if !c.SessionReused() || sctx.Stats().Hits != 1 {
		t.Fatal("resumption from a stateful ticket failed")
	}
	if sctx.Number() != 3 {
		t.Fatalf("%d cached after resumption, want the 2 originals kept and 1 new", sctx.Number())
	}
}

func TestBadSessionRule(t *testing.T) {
	for _, shutdownFirst := range []bool{false, true} {
		w := newWorld(t)
		ccfg := clientCfg()
		ccfg.NoTicket, ccfg.RemoveCB = true, true
		ccfg.DefaultMode, ccfg.CacheMode = false, model.CacheClient
		cctx, sctx := w.pair(ccfg, serverCfg())
		c, s := cctx.NewConn(), sctx.NewConn()
		w.handshake(c, s, model.TLS12)
		sess := c.Get1Session()
		if cctx.Number() != 1 {
			t.Fatal("client cache did not store the session")
		}
		if shutdownFirst {
			c.Shutdown(bg)
		}
		c.Free(bg)
		if removed := len(w.removes) == 1 && !sess.IsResumable() && cctx.Number() == 0; removed == shutdownFirst {
			t.Errorf("shutdown first %v: removed from cache %v", shutdownFirst, removed)
		}
		sess.Free(bg)
	}
}

func TestShutdownSequence(t *testing.T) {
	w := newWorld(t)
	cctx, sctx := w.pair(clientCfg(), serverCfg())
	c, s := cctx.NewConn(), sctx.NewConn()
	if c.Shutdown(bg) != -1 {
		t.Fatal("shutdown before a handshake must fail")
	}
	w.handshake(c, s, model.TLS13)
	got := []int{c.Shutdown(bg), c.Shutdown(bg), s.Shutdown(bg), c.Shutdown(bg), c.Shutdown(bg), s.Shutdown(bg)}
	if want := []int{0, -1, 0, 1, 1, 1}; !slices.Equal(got, want) {
		t.Fatalf("shutdown returns %v, want %v", got, want)
	}
	// The client processed both tickets while reading toward close_notify.
	if !c.Get0Session().IsResumable() || c.ReadTicket(bg) {
		t.Fatal("tickets waiting before close_notify were not processed")
	}
}

func TestFatalAlertRemovesSession(t *testing.T) {
	w := newWorld(t)
	scfg := serverCfg()
	scfg.RemoveCB = true
	ccfg := clientCfg()
	ccfg.NoTicket = true
	cctx, sctx := w.pair(ccfg, scfg)
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS12)
	s.FatalAlert(bg)
	if sctx.Number() != 0 || len(w.removes) != 1 || s.Shutdown(bg) != -1 {
		t.Fatal("a fatal alert must remove the session and kill the connection")
	}
	w.reset()
	s.Free(bg) // in init after the error: the bad-session rule does nothing
	if len(w.removes) != 0 {
		t.Fatal("SSL_free after a fatal error called remove_cb again")
	}
}

// TestTicketAgeSlack: a TLS 1.3 client offers a ticket one second past its
// lifetime hint (the age is rounded down) and the server then finds it
// expired; a second later the client keeps it to itself.
func TestTicketAgeSlack(t *testing.T) {
	const lifetime = 10
	for _, late := range []int64{lifetime + 1, lifetime + 2} {
		w := newWorld(t)
		scfg := serverCfg()
		scfg.Timeout = lifetime
		cctx, sctx := w.pair(clientCfg(), scfg)
		c, s := cctx.NewConn(), sctx.NewConn()
		w.handshake(c, s, model.TLS13)
		c.ReadTicket(bg)
		if err := w.env.Advance(late); err != nil {
			t.Fatal(err)
		}
		w.handshake(c, reconnect(c, sctx), model.TLS13)
		want := int64(0)
		if late == lifetime+1 {
			want = 1
		}
		if got := sctx.Stats().Timeouts; got != want || c.SessionReused() {
			t.Errorf("ticket %d s old: server timeouts %d, want %d", late, got, want)
		}
	}
}

func TestTicketHintIsCappedAtOneWeek(t *testing.T) {
	w := newWorld(t)
	scfg := serverCfg()
	scfg.Timeout = 1 << 30
	cctx, sctx := w.pair(clientCfg(), scfg)
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS13)
	c.ReadTicket(bg)
	if hint := c.Get0Session().TicketLifetimeHint(); hint != 7*24*3600 {
		t.Fatalf("hint %d, want one week", hint)
	}
}

// TestAutoFlushEvery256thHandshake: the 256th server handshake flushes the
// sessions that have expired by then.
func TestAutoFlushEvery256thHandshake(t *testing.T) {
	w := newWorld(t)
	ccfg := clientCfg()
	ccfg.NoTicket = true
	scfg := serverCfg()
	scfg.Timeout, scfg.RemoveCB = 5, true
	cctx, sctx := w.pair(ccfg, scfg)
	connect := func() {
		c, s := cctx.NewConn(), sctx.NewConn()
		w.handshake(c, s, model.TLS12)
		c.Shutdown(bg)
		s.Shutdown(bg)
		c.Free(bg)
		s.Free(bg)
	}
	connect()
	if err := w.env.Advance(10); err != nil { // the first session has expired
		t.Fatal(err)
	}
	for range 254 {
		connect()
	}
	if sctx.Number() != 255 || len(w.removes) != 0 {
		t.Fatalf("after 255 handshakes: %d cached, %d removed; want 255 and 0", sctx.Number(), len(w.removes))
	}
	connect()
	if sctx.Number() != 255 || len(w.removes) != 1 {
		t.Fatalf("after 256 handshakes: %d cached, %d removed; want 255 and 1", sctx.Number(), len(w.removes))
	}
}

func TestHandshakeRefusesWhatItDoesNotSimulate(t *testing.T) {
	w := newWorld(t)
	cctx, sctx := w.pair(clientCfg(), serverCfg())
	c, s := cctx.NewConn(), sctx.NewConn()
	for name, err := range map[string]error{
		"swapped sides": Handshake(bg, s, c, model.TLS12),
		"bad version":   Handshake(bg, c, s, 11),
		"nil":           Handshake(bg, nil, s, model.TLS12),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	w.handshake(c, s, model.TLS12)
	if Handshake(bg, c, s, model.TLS12) == nil {
		t.Error("renegotiation accepted")
	}
	s.Shutdown(bg)
	s.Clear(bg) // keeps its session: it sent close_notify
	c2 := cctx.NewConn()
	if Handshake(bg, c2, s, model.TLS13) == nil {
		t.Error("a TLS 1.3 server holding a session was accepted")
	}
}

type callTag struct{}

// TestCallbacksSeeTheCallersContext: the context of the call reaches every
// callback and the destruction hook, which is how an application tells its
// calls apart.
func TestCallbacksSeeTheCallersContext(t *testing.T) {
	var seen []any
	env := NewEnv(model.OpenSSL30(), func(call context.Context, _ *Session) {
		seen = append(seen, call.Value(callTag{}))
	})
	cfg := serverCfg()
	cfg.NewCB, cfg.RemoveCB = model.NewCBReturn0, true
	sctx, err := NewCtx(env, cfg, Callbacks{
		NewSession: func(call context.Context, _ *Conn, _ *Session) bool {
			seen = append(seen, call.Value(callTag{}))
			return false
		},
		RemoveSession: func(call context.Context, _ *Ctx, _ *Session) { seen = append(seen, call.Value(callTag{})) },
	})
	if err != nil {
		t.Fatal(err)
	}
	cctx, err := NewCtx(env, clientCfg(), Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	c, s := cctx.NewConn(), sctx.NewConn()
	if err := Handshake(context.WithValue(bg, callTag{}, "hs"), c, s, model.TLS13); err != nil {
		t.Fatal(err)
	}
	cctx.Free(bg)
	c.Free(context.WithValue(bg, callTag{}, "free-c"))
	s.Free(context.WithValue(bg, callTag{}, "free-s"))
	// The handshake: new_session_cb for each of two tickets (remove_cb is
	// set, so the server caches them). Freeing the client destroys its
	// session; freeing the server, which never sent close_notify, removes
	// its session (remove_cb) and destroys it.
	want := []any{"hs", "hs", "free-c", "free-s", "free-s"}
	if !slices.Equal(seen, want) {
		t.Fatalf("callbacks saw contexts %v, want %v", seen, want)
	}
}

// TestTLS12ResumptionByIDRenewsTicket: a client that sent an empty ticket
// extension and is resumed by id gets a ticket in the abbreviated
// handshake, so its session is replaced by a copy holding it; a client
// cache drops the old one.
func TestTLS12ResumptionByIDRenewsTicket(t *testing.T) {
	w := newWorld(t)
	noTickets := clientCfg()
	noTickets.NoTicket = true
	tickets := clientCfg()
	tickets.DefaultMode, tickets.CacheMode, tickets.RemoveCB = false, model.CacheClient, true
	sctx := w.ctx(serverCfg())
	// Without a ticket extension the server caches the session by id.
	c, s := w.ctx(noTickets).NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS12)
	first := c.Get0Session()
	if sctx.Number() != 1 || first.HasTicket() {
		t.Fatal("the first handshake should cache by id and issue no ticket")
	}
	// A client that asks for tickets offers the same session.
	cctx := w.ctx(tickets)
	c2 := cctx.NewConn()
	c2.SetSession(bg, first)
	w.reset()
	w.handshake(c2, sctx.NewConn(), model.TLS12)
	renewed := c2.Get0Session()
	switch {
	case !c2.SessionReused():
		t.Fatal("resumption by id failed")
	case renewed == first || !renewed.HasTicket() || renewed.TicketLifetimeHint() != 0:
		t.Fatal("the client did not move to a copy holding a renewal ticket without a hint")
	case len(w.removes) != 1 || w.removes[0] != first || first.IsResumable():
		t.Fatal("the client cache did not drop the session the ticket replaced")
	}
}

// TestSetSessionFreedByBadSessionRulePanics: SSL_set_session with a session
// that the bad-session rule frees (same id as the old one, held only by the
// cache) uses a freed pointer; the library says so instead of reviving it.
func TestSetSessionFreedByBadSessionRulePanics(t *testing.T) {
	w := newWorld(t)
	ccfg := clientCfg()
	ccfg.NoTicket = true
	ccfg.DefaultMode, ccfg.CacheMode = false, model.CacheClient
	cctx, sctx := w.pair(ccfg, serverCfg())
	c, s := cctx.NewConn(), sctx.NewConn()
	w.handshake(c, s, model.TLS12)
	twin := c.Get0Session().dup() // same id; cctx caches the original
	cctx.AddSession(bg, twin)     // replaces the original in the cache
	twin.Free(bg)                 // now only the cache holds twin
	defer func() {
		if recover() == nil {
			t.Fatal("reviving a destroyed session did not panic")
		}
	}()
	c.SetSession(bg, twin)
}
