package linearizability

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Run resets tg, drives it with cfg.Clients concurrent clients through
// cfg.Epochs universes, and returns everything it recorded. The target must
// say Info().Concurrent. A target that fails or hangs does not make Run
// fail: the call is recorded as unknown, the run stops issuing calls, and
// the failure is listed in History.Failures for [Check] to report. Run
// returns an error only when it cannot start (bad configuration, a target
// that is not concurrent, or one that cannot reset).
func Run(ctx context.Context, tg target.Target, cfg Config) (*History, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	info := tg.Info()
	if !info.Concurrent {
		return nil, fmt.Errorf("linearizability: target %q is not concurrent: its Info().Concurrent is false "+
			"(a shim must say \"concurrent\":true in its hello and serve lanes, docs/protocol.md §8)", info.Name)
	}
	for _, k := range usedKinds {
		if !info.Supports(k) {
			return nil, fmt.Errorf("linearizability: target %q does not implement %s, which the runner needs", info.Name, k)
		}
	}
	prof, ok := model.Profiles()[info.Profile]
	if !ok {
		return nil, fmt.Errorf("linearizability: target %q follows profile %q, which the model does not know", info.Name, info.Profile)
	}
	if err := tg.Reset(ctx); err != nil {
		return nil, fmt.Errorf("linearizability: resetting %q: %w", info.Name, err)
	}
	r := &runner{tg: tg, cfg: cfg, ctx: ctx, start: time.Now(), clock: prof.StartTime,
		halted: make(chan struct{}), createSem: make(chan struct{}, 1),
		hist: History{Target: info.Name, Profile: prof, Clients: cfg.Clients, Seed: cfg.Seed}}
	for range cfg.Clients {
		r.slots = append(r.slots, &slot{})
	}
	if cfg.Handshakes > 0 {
		r.handshakes = make(chan struct{}, cfg.Handshakes)
	}
	for e := 0; e < cfg.Epochs && !r.stopped(); e++ {
		r.epoch(e)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.hist
	return &h, nil
}

// usedKinds are the calls the runner makes.
var usedKinds = []model.Kind{
	model.CtxNew, model.CtxFree, model.SSLNew, model.SSLFree, model.SSLClear, model.Shutdown, model.FatalAlert,
	model.Handshake, model.ReadTicket, model.Get0, model.Get1, model.UpRef, model.SessFree, model.SetSession,
	model.SessionReused, model.IsResumable, model.SetTime, model.SetTimeout, model.GetTime, model.GetTimeout,
	model.CtxSetTimeout, model.SetCacheSize, model.AddSession, model.RemoveSession, model.Flush,
	model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull, model.Tick,
}

// runner records one run. Clients call apply concurrently; everything else
// runs on the harness goroutine between concurrent phases.
type runner struct {
	tg    target.Target
	cfg   Config
	ctx   context.Context
	start time.Time
	last  atomic.Int64 // the last timestamp handed out

	mu   sync.Mutex // guards hist
	hist History
	stop atomic.Bool // set by the first failure: no new calls
	// halted is closed with the first failure, so that a client waiting
	// for createSem or a handshake token gives up instead of waiting for a
	// call that may never come back.
	halted   chan struct{}
	haltOnce sync.Once

	// createSem (a lock of one token) serialises SSL_CTX_new and SSL_new
	// with the choice of their handles, so that handles are given in call
	// order (the reference simulator wants the next free one; the model
	// names objects in linearization order, which the lock makes the
	// same). It is a channel, not a mutex, so that waiting for it ends when
	// the run stops: its holder may be the call that hangs.
	createSem        chan struct{}
	nextCtx, nextSSL model.Handle

	clock int64 // the virtual clock, moved only by the harness's ticks

	slots []*slot // per client: its call in flight

	handshakes chan struct{} // a token per handshake in progress (Config.Handshakes); nil: no bound
}

// slot is a client's call in flight, shared with the round's watchdog.
type slot struct {
	mu        sync.Mutex
	busy      bool
	rec       Record // the call in flight
	abandoned bool   // the watchdog gave up on the client
	told      bool   // the target said the call in flight hangs (Config.toldHangs)
}

// hangKey is the context key under which a call carries its tellHang hook.
type hangKey struct{}

// tellHang is what a test's target calls when the call of ctx is about to
// hang for good (Config.toldHangs); elsewhere it does nothing.
func tellHang(ctx context.Context) {
	if f, ok := ctx.Value(hangKey{}).(func()); ok {
		f()
	}
}

// tell marks the call in flight as hung.
func (s *slot) tell() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.told = s.busy
}

// settled reports whether the client needs no more waiting for: the
// watchdog gave up on it.
func (s *slot) settled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abandoned
}

// begin marks rec as in flight; false if the watchdog gave up on the client.
func (s *slot) begin(rec Record) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy, s.rec, s.told = !s.abandoned, rec, false
	return !s.abandoned
}

// end marks the call as done; false if the watchdog gave up on it meanwhile.
func (s *slot) end() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	return !s.abandoned
}

// abandon gives up on the client and returns its call in flight, if any
// and not given up on before.
func (s *slot) abandon() (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.abandoned
	s.abandoned = true
	return s.rec, s.busy && !was
}

// overdue returns the call in flight if it started before the given time.
func (s *slot) overdue(before int64) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec, s.busy && !s.abandoned && (s.rec.Call < before || s.told)
}

// round runs the clients concurrently, each making n calls, and returns
// when all are done or the watchdog has given up on the ones still
// running: a call that takes longer than the call timeout (plus a second)
// is recorded as unknown (errHung) and stops the run, and once the run has
// stopped, clients still running after that second are abandoned too.
func (r *runner) round(clients []*client, n int) {
	done := make(chan int, len(clients))
	gate := make(chan struct{}) // the clients start together
	for k, c := range clients {
		go func() {
			defer func() { done <- k }()
			<-gate
			c.run(n)
		}()
	}
	close(gate)
	grace := int64(time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var stoppedAt int64
	finished := make([]bool, len(clients))
	for left := len(clients); left > 0; {
		select {
		case k := <-done:
			finished[k] = true
			left--
			continue
		case <-tick.C:
		}
		now := r.now()
		for k, s := range r.slots[:len(clients)] {
			if rec, late := s.overdue(now - int64(r.cfg.CallTimeout) - grace); late {
				r.giveUp(k, s, rec)
			}
		}
		if !r.stopped() {
			continue
		}
		if r.cfg.toldHangs {
			// Only the calls the target said hang are given up on; the
			// others end by themselves, however long they take.
			settled := true
			for k, s := range r.slots[:len(clients)] {
				settled = settled && (finished[k] || s.settled())
			}
			if settled {
				return
			}
			continue
		}
		if stoppedAt == 0 {
			stoppedAt = now
		} else if now-stoppedAt > grace {
			for k, s := range r.slots[:len(clients)] {
				if rec, busy := s.overdue(now + 1); busy {
					r.giveUp(k, s, rec)
				}
				s.abandon()
			}
			return
		}
	}
}

// giveUp records client k's call in flight as unknown and stops the run.
func (r *runner) giveUp(k int, s *slot, rec Record) {
	if _, first := s.abandon(); !first {
		return
	}
	rec.Failed, rec.Err, rec.Return = true, fmt.Sprintf("%v within %v", errHung, r.cfg.CallTimeout), Unknown
	r.record(rec)
	r.fail("client %d: %s: %s", k, rec.Op, rec.Err)
}

// now returns a strictly increasing monotonic timestamp in nanoseconds
// since the run began.
func (r *runner) now() int64 {
	t := int64(time.Since(r.start))
	for {
		last := r.last.Load()
		if t <= last {
			t = last + 1
		}
		if r.last.CompareAndSwap(last, t) {
			return t
		}
	}
}

func (r *runner) stopped() bool { return r.stop.Load() || r.ctx.Err() != nil }

func (r *runner) record(rec Record) {
	r.mu.Lock()
	r.hist.Records = append(r.hist.Records, rec)
	r.mu.Unlock()
}

func (r *runner) fail(format string, args ...any) {
	r.mu.Lock()
	r.hist.Failures = append(r.hist.Failures, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	r.stop.Store(true)
	r.haltOnce.Do(func() { close(r.halted) })
}

// acquire takes a token of sem, or reports false when the run stops first.
func (r *runner) acquire(sem chan struct{}) bool {
	select {
	case sem <- struct{}{}:
		return true
	case <-r.halted:
		return false
	case <-r.ctx.Done():
		return false
	}
}

// apply makes one call for client in universe u and records it. It reports
// false, without calling, once the run has stopped, and false when the
// call failed (then recorded as unknown and the run stops).
//
// A client calls the target on its own goroutine, so that the recorded
// interval is the call and nothing else (porcupine's search grows with the
// overlap of intervals); its slot lets the round's watchdog give up on a
// call that hangs. The harness, which nobody watches, calls through watch.
func (r *runner) apply(client, u int, op model.Op) (model.Result, bool) {
	if r.stopped() {
		return model.Result{}, false
	}
	rec := Record{Client: client, Universe: u, What: Call, Op: op, Call: r.now()}
	var res model.Result
	var err error
	if client == r.cfg.Clients {
		res, err = watch(r, func(ctx context.Context) (model.Result, error) { return r.tg.Apply(ctx, op) })
	} else {
		slot := r.slots[client]
		if !slot.begin(rec) {
			return model.Result{}, false
		}
		ctx, cancel := context.WithTimeout(r.ctx, r.cfg.CallTimeout)
		if r.cfg.toldHangs {
			ctx = context.WithValue(ctx, hangKey{}, slot.tell)
		}
		res, err = r.tg.Apply(ctx, op)
		cancel()
		if !slot.end() {
			return model.Result{}, false // the watchdog gave up on it and recorded it
		}
	}
	rec.Return = r.now()
	if err != nil {
		rec.Failed, rec.Err, rec.Return = true, err.Error(), Unknown
		r.record(rec)
		r.fail("client %d: %s: %v", client, op, err)
		return model.Result{}, false
	}
	rec.Result = res
	r.record(rec)
	return res, true
}

// create makes an SSL_CTX (op.Kind CtxNew) or an SSL (SSLNew) with the next
// handle and returns it, or 0 when the call failed.
func (r *runner) create(client, u int, op model.Op) model.Handle {
	if !r.acquire(r.createSem) {
		return 0
	}
	defer func() { <-r.createSem }()
	var h model.Handle
	if op.Kind == model.CtxNew {
		h = r.nextCtx + 1
		op.Ctx = h
	} else {
		h = r.nextSSL + 1
		op.SSL = h
	}
	if _, ok := r.apply(client, u, op); !ok {
		return 0
	}
	if op.Kind == model.CtxNew {
		r.nextCtx = h
	} else {
		r.nextSSL = h
	}
	return h
}

// observe records what the target shows at a quiescent point; ok is false
// when the run has stopped or the observation failed.
func (r *runner) observe(u int) (model.Observation, bool) {
	if r.stopped() {
		return model.Observation{}, false
	}
	rec := Record{Client: r.cfg.Clients, Universe: u, What: Observe, Call: r.now()}
	obs, err := watch(r, func(ctx context.Context) (model.Observation, error) { return r.tg.Observe(ctx) })
	if err != nil {
		r.fail("observe: %v", err)
		return model.Observation{}, false
	}
	rec.Obs, rec.Return = obs, r.now()
	r.record(rec)
	return obs, true
}

// owns reports whether a call of universe u showed session h. The harness
// calls it only while no client runs.
func (r *runner) owns(u int, h model.Handle) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.hist.Records {
		if rec := &r.hist.Records[i]; rec.Universe == u && slices.Contains(sessionsOf(rec), h) {
			return true
		}
	}
	return false
}

// begin records the opening of universe u.
func (r *runner) begin(u int) {
	t := r.now()
	r.record(Record{Client: r.cfg.Clients, Universe: u, What: Begin, Clock: r.clock, Call: t, Return: t})
}

// errHung is returned for a call that did not come back in time.
var errHung = errors.New("no answer: the call hangs")

// watch runs f with the call timeout. A target that ignores the context
// (an in-process one that deadlocks or spins) is abandoned after one more
// second: its goroutine leaks, the harness goes on.
func watch[T any](r *runner, f func(ctx context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.CallTimeout)
	defer cancel()
	told := make(chan struct{}) // closed if the target says the call hangs (Config.toldHangs)
	if r.cfg.toldHangs {
		var once sync.Once
		ctx = context.WithValue(ctx, hangKey{}, func() { once.Do(func() { close(told) }) })
	}
	type answer struct {
		v   T
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		v, err := f(ctx)
		ch <- answer{v, err}
	}()
	grace := time.NewTimer(r.cfg.CallTimeout + time.Second)
	defer grace.Stop()
	select {
	case a := <-ch:
		return a.v, a.err
	case <-grace.C:
	case <-told:
	}
	var zero T
	return zero, fmt.Errorf("%w within %v", errHung, r.cfg.CallTimeout)
}
