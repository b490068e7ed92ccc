package impl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// apply runs op on tg and fails the test on an error.
func apply(t *testing.T, tg target.Target, op model.Op) model.Result {
	t.Helper()
	r, err := tg.Apply(bg, op)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestTargetInfo(t *testing.T) {
	info := NewTarget().Info()
	if info.Name != "impl" || info.Profile != "openssl-3.0" || !info.Concurrent || len(info.Unsupported) != 0 {
		t.Fatalf("Info() = %+v", info)
	}
}

func TestTargetRejectsUnknownHandles(t *testing.T) {
	tg := NewTarget()
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Client)})
	apply(t, tg, model.Op{Kind: model.SSLNew, Ctx: 1, SSL: 1})
	for _, op := range []model.Op{
		{Kind: model.CtxFree, Ctx: 2},
		{Kind: model.SSLNew, Ctx: 1, SSL: 5},
		{Kind: model.CtxNew, Ctx: 3, Config: model.DefaultConfig(model.Client)},
		{Kind: model.Get0, SSL: 0},
		{Kind: model.Get0, SSL: 9},
		{Kind: model.SessFree, Sess: 1},
		{Kind: model.SetSession, SSL: 1, Sess: 4},
		{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: 12},
		{Kind: model.AddSession, Ctx: 1, Sess: -3},
		{Kind: model.Kind(200)},
	} {
		if _, err := tg.Apply(bg, op); err == nil {
			t.Errorf("%s: no error", op)
		}
	}
	apply(t, tg, model.Op{Kind: model.SSLFree, SSL: 1})
	if _, err := tg.Apply(bg, model.Op{Kind: model.Get0, SSL: 1}); err == nil {
		t.Error("a freed SSL handle still resolves")
	}
}

func TestTargetTurnsPanicsIntoErrors(t *testing.T) {
	tg := NewTarget()
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Client)})
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 2, Config: model.DefaultConfig(model.Server)})
	apply(t, tg, model.Op{Kind: model.SSLNew, Ctx: 1, SSL: 1})
	apply(t, tg, model.Op{Kind: model.SSLNew, Ctx: 2, SSL: 2})
	apply(t, tg, model.Op{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: 12})
	apply(t, tg, model.Op{Kind: model.Get0, SSL: 1})
	// Over-release (illegal, never sent by engines): the double free panics
	// inside the library and comes back as an error.
	apply(t, tg, model.Op{Kind: model.SessFree, Sess: 1})
	_, err := tg.Apply(bg, model.Op{Kind: model.SSLFree, SSL: 1})
	if err == nil || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("want a panic reported as an error, got %v", err)
	}
}

func TestTargetResetStartsOver(t *testing.T) {
	tg := NewTarget()
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Client)})
	apply(t, tg, model.Op{Kind: model.Tick, Arg: 5})
	if err := tg.Reset(bg); err != nil {
		t.Fatal(err)
	}
	ob, _ := tg.Observe(bg)
	if len(ob.Ctxs) != 0 {
		t.Fatal("Reset kept an SSL_CTX")
	}
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Client)})
	if err := tg.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestTargetConcurrentEventsDoNotMix: 8 goroutines share one client and one
// server SSL_CTX, each driving its own SSLs through Apply. Every
// new_session_cb a handshake reports must name a session of that
// goroutine's own SSLs: events of concurrent calls stay with their call.
func TestTargetConcurrentEventsDoNotMix(t *testing.T) {
	tg := NewTarget()
	ccfg := model.CtxConfig{Side: model.Client, CacheMode: model.CacheClient, CacheSize: 3, NumTickets: -1,
		NewCB: model.NewCBReturn0, RemoveCB: true}
	scfg := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: 4, Timeout: 30,
		NumTickets: 2, NewCB: model.NewCBReturn0, RemoveCB: true}
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 1, Config: ccfg})
	apply(t, tg, model.Op{Kind: model.CtxNew, Ctx: 2, Config: scfg})
	const workers = 8
	for i := range model.Handle(2 * workers) {
		apply(t, tg, model.Op{Kind: model.SSLNew, Ctx: 1 + i%2, SSL: i + 1})
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for g := range model.Handle(workers) {
		wg.Go(func() {
			if err := eventsStayHome(tg, 2*g+1, 2*g+2, int(g)); err != nil {
				errs <- fmt.Errorf("worker %d: %w", g, err)
			}
		})
	}
	wg.Go(func() {
		for i := range 2000 {
			op := model.Op{Kind: model.Flush, Ctx: 2, Arg: 1_700_000_000 + int64(i)}
			if _, err := tg.Apply(bg, op); err != nil {
				errs <- err
				return
			}
			if _, err := tg.Observe(bg); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func eventsStayHome(tg target.Target, c, s model.Handle, seed int) error {
	do := func(op model.Op) (model.Result, error) { return tg.Apply(context.Background(), op) }
	for i := range 300 {
		v := model.TLS12
		if (i+seed)%2 == 0 {
			v = model.TLS13
		}
		hs, err := do(model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(v)})
		if err != nil {
			return err
		}
		var ticketEvents []model.Event
		for {
			r, err := do(model.Op{Kind: model.ReadTicket, SSL: c})
			if err != nil {
				return err
			}
			if r.Ret == 0 {
				break
			}
			ticketEvents = append(ticketEvents, r.Events...)
		}
		own := map[model.Handle]bool{}
		for _, h := range []model.Handle{c, s} {
			r, err := do(model.Op{Kind: model.Get0, SSL: h})
			if err != nil {
				return err
			}
			own[model.Handle(r.Ret)] = true
		}
		// The last new_session_cb of each side names that side's session.
		last := map[model.Handle]model.Handle{}
		for _, e := range append(hs.Events, ticketEvents...) {
			if e.Kind == model.EvNewSession {
				last[e.Ctx] = e.Sess
			}
		}
		for ctx, h := range last {
			if !own[h] {
				return fmt.Errorf("%s: new_session_cb(%s, %s) is not a session of this worker's SSLs",
					v, model.CtxName(ctx), model.SessName(h))
			}
		}
		if len(last) == 0 {
			return errors.New("a handshake offered nothing to any cache")
		}
		// The client shuts down and keeps its session to offer next time; the
		// server is cleared without close_notify, which drops its session.
		for _, op := range []model.Op{{Kind: model.Shutdown, SSL: c}, {Kind: model.SSLClear, SSL: c},
			{Kind: model.SSLClear, SSL: s}} {
			if _, err := do(op); err != nil {
				return err
			}
		}
	}
	return nil
}
