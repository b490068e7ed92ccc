package subprocess

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Tests of the target against fake shims: every failure path.

func newFake(t *testing.T, mode string, extra ...Option) target.Target {
	t.Helper()
	path, opts := fakeShim(mode, extra...)
	tg, err := New(path, opts...)
	if err != nil {
		t.Fatalf("New(fake %s): %v", mode, err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	return tg
}

func newFakeErr(mode string, extra ...Option) error {
	path, opts := fakeShim(mode, extra...)
	tg, err := New(path, opts...)
	if err == nil {
		_ = tg.Close()
		return errors.New("New succeeded")
	}
	return err
}

var ctxNew = model.Op{Kind: model.CtxNew, Ctx: 1, Config: model.DefaultConfig(model.Server)}

func TestHelloGivesInfo(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "echo")
	info := tg.Info()
	if info.Name != "FakeSSL 1.0 (fake)" || info.Profile != "openssl-3.0" || info.Concurrent {
		t.Errorf("Info = %+v", info)
	}
	if !slices.Equal(info.Unsupported, []model.Kind{model.SSLClear}) {
		t.Errorf("Unsupported = %v, want [SSL_clear]", info.Unsupported)
	}
	_, err := tg.Apply(context.Background(), model.Op{Kind: model.SSLClear, SSL: 1})
	if !errors.Is(err, target.ErrUnsupported) {
		t.Errorf("Apply(SSL_clear) = %v, want ErrUnsupported", err)
	}
}

func TestClockTravelsWithRequests(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "echo") // answers every call with the request's "now"
	ctx := context.Background()
	start := model.OpenSSL30().StartTime
	for _, step := range []struct {
		op   model.Op
		want int64
	}{
		{model.Op{Kind: model.GetTime, Sess: 1}, start},
		{model.Op{Kind: model.Tick, Arg: 5}, start + 5},
		{model.Op{Kind: model.Tick, Arg: 7}, start + 12},
		{model.Op{Kind: model.SessHits, Ctx: 1}, start + 12},
	} {
		r, err := tg.Apply(ctx, step.op)
		if err != nil || r.Ret != step.want {
			t.Fatalf("%s = %v, %v; want now = %d", step.op, r.Ret, err, step.want)
		}
	}
	if err := tg.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if r, err := tg.Apply(ctx, model.Op{Kind: model.Tick}); err != nil || r.Ret != start {
		t.Fatalf("after Reset now = %d, %v; want %d", r.Ret, err, start)
	}
}

func TestEventsAndObservationDecoded(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "events")
	r, err := tg.Apply(context.Background(), ctxNew)
	if err != nil {
		t.Fatal(err)
	}
	want := model.Result{Ret: 2, Events: []model.Event{{Kind: model.EvNewSession, Ctx: 1, Sess: 1},
		{Kind: model.EvRemove, Ctx: 2, Sess: 1}, {Kind: model.EvDestroyed, Sess: 1}}}
	if !r.Equal(want) {
		t.Errorf("result = %v, want %v", r.Format(ctxNew), want.Format(ctxNew))
	}
	ob, err := tg.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantOb := model.Observation{Ctxs: []model.CtxObs{{Ctx: 1, Number: 2, Hits: 3, Misses: 4, Timeouts: 5, CacheFull: 6}},
		SSLs:     []model.SSLObs{{SSL: 1, Sess: model.Unnamed, Reused: true}},
		Sessions: []model.SessObs{{Sess: 1, Resumable: true, IDLen: 32, Time: 7, Timeout: 8}}}
	if d := wantOb.Diff(ob); d != "" {
		t.Errorf("observation differs:\n%s", d)
	}
}

func TestHelloFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode string
		want []string
		typ  any
	}{
		{"exit89", []string{"89", Protocol}, &ProtocolError{}},
		{"bad-hello", []string{"sesslife-shim/9", `\"hello\":\"sesslife-shim/9\"`}, &ProtocolError{}},
		{"not-json-hello", []string{"hello, harness", "bad JSON"}, &ProtocolError{}},
		{"die-before-hello", []string{"exit status 3", "fake: cannot start", "hello"}, &CrashError{}},
		{"no-hello", []string{"hello", "300ms"}, &TimeoutError{}},
	} {
		// Only no-hello is meant to reach its timeout, and it hangs for
		// good: no verdict depends on how fast the shims start.
		timeout := generous
		if c.mode == "no-hello" {
			timeout = 300 * time.Millisecond
		}
		err := newFakeErr(c.mode, WithTimeout(timeout))
		if fmt.Sprintf("%T", err) != fmt.Sprintf("%T", c.typ) {
			t.Errorf("%s: error %T (%v), want %T", c.mode, err, err, c.typ)
			continue
		}
		if m := missing(err.Error(), c.want...); m != nil {
			t.Errorf("%s: error %q lacks %q", c.mode, err, m)
		}
	}
}

// applyN applies n harmless calls and fails the test on an error.
func applyN(t *testing.T, tg target.Target, n int) {
	t.Helper()
	for i := range n {
		if _, err := tg.Apply(context.Background(), model.Op{Kind: model.SessNumber, Ctx: model.Handle(i + 1)}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
}

func TestCrashIsReportedAndResetRecovers(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "crash") // exits with status 3 on the third call
	ctx := context.Background()
	applyN(t, tg, 2)
	_, err := tg.Apply(ctx, model.Op{Kind: model.Get0, SSL: 4})
	var ce *CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("third call: %v, want a *CrashError", err)
	}
	if ce.Op != "SSL_get0_session(ssl4)" || ce.Status != "exit status 3" || len(ce.Calls) != 3 ||
		!strings.Contains(ce.Stderr, "fake: about to crash") {
		t.Errorf("CrashError = %+v", ce)
	}
	if m := missing(err.Error(), "SSL_get0_session(ssl4)", "#1 SSL_CTX_sess_number(ctx1) = 1", "#2 SSL_CTX_sess_number(ctx2)", "exit status 3", "about to crash"); m != nil {
		t.Errorf("message lacks %q:\n%s", m, err)
	}
	// Dead until Reset.
	if _, err := tg.Apply(ctx, model.Op{Kind: model.Tick}); !errors.As(err, &ce) || !strings.Contains(err.Error(), "before this call") {
		t.Errorf("call after the crash: %v", err)
	}
	if _, err := tg.Observe(ctx); !errors.As(err, &ce) {
		t.Errorf("observe after the crash: %v", err)
	}
	if err := tg.Reset(ctx); err != nil {
		t.Fatalf("Reset after a crash: %v", err)
	}
	applyN(t, tg, 2)
}

func TestSignalIsReported(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "signal") // SIGKILLs itself on the second call
	applyN(t, tg, 1)
	_, err := tg.Apply(context.Background(), model.Op{Kind: model.Tick, Arg: 1})
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Status, "signal: killed") || len(ce.Calls) != 2 {
		t.Fatalf("got %v, want a *CrashError naming the signal", err)
	}
}

// TestHangTimesOut times a call the fake never answers. Only that call
// runs under the short timeout: the hello, the call before it and the
// fresh shim's hello after it have the generous one, so a slow machine
// cannot make them time out instead.
func TestHangTimesOut(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "hang") // never answers SSL_CTX_sess_hits, nor anything after it
	ctx := context.Background()
	applyN(t, tg, 1)
	setTimeout(tg, time.Second)
	_, err := tg.Apply(ctx, model.Op{Kind: model.SessHits, Ctx: 1})
	setTimeout(tg, generous)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TimeoutError", err)
	}
	if m := missing(err.Error(), "SSL_CTX_sess_hits(ctx1)", "1s", "#1 SSL_CTX_sess_number(ctx1) = 1", "#2 SSL_CTX_sess_hits(ctx1)", "stuck in sess_hits"); m != nil {
		t.Errorf("message lacks %q:\n%s", m, err)
	}
	if err := tg.Reset(ctx); err != nil {
		t.Fatalf("Reset after a hang: %v", err)
	}
	applyN(t, tg, 1)
}

// TestCancelKillsTheShim cancels a call once the fake says it is stuck in
// it, so the call is surely in flight when the context ends.
func TestCancelKillsTheShim(t *testing.T) {
	t.Parallel()
	w := newStderrWatch("stuck in sess_hits")
	tg := newFake(t, "hang", WithStderr(w))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.seen("stuck in sess_hits"):
			cancel()
		case <-ctx.Done():
		}
	}()
	_, err := tg.Apply(ctx, model.Op{Kind: model.SessHits, Ctx: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if _, err := tg.Apply(context.Background(), model.Op{Kind: model.Tick}); err == nil {
		t.Error("a cancelled call left the shim usable; its state is unknown")
	}
}

func TestMalformedReplies(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode string
		want []string
	}{
		{"bad-json", []string{`{\"id\":1,\"ret\":1,\"events\":[}`, "bad JSON"}},
		{"wrong-id", []string{`{\"id\":1001,`, "1001", "no request is waiting"}},
		{"unknown-event", []string{"resumed_cb", "unknown event", "SSL_CTX_new"}},
		{"missing-ret", []string{`no "ret"`, `{\"id\":1,\"events\":[]}`}},
		{"bad-handle", []string{`"ctx" = 0 out of range`, `\"remove_cb\",\"ctx\":0`}},
	} {
		t.Run(c.mode, func(t *testing.T) {
			tg := newFake(t, c.mode)
			_, err := tg.Apply(context.Background(), ctxNew)
			var pe *ProtocolError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ProtocolError", err)
			}
			if m := missing(err.Error(), c.want...); m != nil {
				t.Errorf("message lacks %q:\n%s", m, err)
			}
		})
	}
}

func TestBadObservation(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "bad-observe")
	_, err := tg.Observe(context.Background())
	var pe *ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `no "hits"`) {
		t.Fatalf("got %v, want a *ProtocolError about the missing field", err)
	}
}

// TestSwappedReplies: an observation where a call's reply is due, and a
// call's reply where an observation is due, are protocol errors that
// quote the line, although both lines are in the form read directly
// (whose text is otherwise not kept).
func TestSwappedReplies(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "swapped")
	_, err := tg.Apply(context.Background(), ctxNew)
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("call: got %v, want a *ProtocolError", err)
	}
	if m := missing(err.Error(), `no "ret"`, `\"observation\":{\"ctxs\":[]`); m != nil {
		t.Errorf("call: message lacks %q:\n%s", m, err)
	}
	tg = newFake(t, "swapped")
	_, err = tg.Observe(context.Background())
	if !errors.As(err, &pe) {
		t.Fatalf("observe: got %v, want a *ProtocolError", err)
	}
	if m := missing(err.Error(), `no "observation"`, `\"ret\":`); m != nil {
		t.Errorf("observe: message lacks %q:\n%s", m, err)
	}
}

func TestShimRefusal(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "error")
	_, err := tg.Apply(context.Background(), model.Op{Kind: model.SSLFree, SSL: 9})
	var se *ShimError
	if !errors.As(err, &se) || se.Message != "ssl 9 is not a live SSL" || se.Op != "SSL_free(ssl9)" {
		t.Fatalf("got %v, want a *ShimError", err)
	}
}

func TestUnimplementedReply(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "unimplemented")
	_, err := tg.Apply(context.Background(), model.Op{Kind: model.Tick})
	if !errors.Is(err, target.ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}

func TestCloseReportsFailedExit(t *testing.T) {
	t.Parallel()
	path, opts := fakeShim("leaky-quit")
	tg, err := New(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	err = tg.Close()
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "exit status 23") || !strings.Contains(err.Error(), "LeakSanitizer") {
		t.Fatalf("Close = %v, want a *CrashError with the exit status and stderr", err)
	}
	if err := tg.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestRepliesOutOfOrderAreMatchedByID(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "out-of-order") // concurrent; answers pairs in reverse
	if !tg.Info().Concurrent {
		t.Fatal("the fake says it is concurrent")
	}
	// Two goroutines, one call in flight each: every pair the fake holds
	// has one call of each, so it never waits for a call that cannot come.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				arg := int64(g*100 + i)
				r, err := tg.Apply(context.Background(), model.Op{Kind: model.SetTime, Sess: 1, Arg: arg})
				if err != nil || r.Ret != arg {
					errs <- fmt.Errorf("goroutine %d: ret %d, %v; want %d", g, r.Ret, err, arg)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestOptionsAreChecked(t *testing.T) {
	t.Parallel()
	for _, o := range []Option{WithTimeout(0), WithEnv("NOEQUALS")} {
		if _, err := New("/nonexistent", o); err == nil || !strings.Contains(err.Error(), "subprocess.With") {
			t.Errorf("New with a bad option: %v", err)
		}
	}
	if _, err := New("/nonexistent/shim"); err == nil || !strings.Contains(err.Error(), "/nonexistent/shim") {
		t.Errorf("New of a missing file: %v", err)
	}
}

// TestHistoryKeepsTheLastCalls: the call history in error reports keeps the
// last maxCalls calls since the reset, numbered from the reset, with the
// results of those answered, and says how many earlier ones it left out;
// a reset starts the numbering again.
func TestHistoryKeepsTheLastCalls(t *testing.T) {
	var tg Target
	for round := range 2 {
		n := maxCalls + 7 + round
		for k := range n {
			idx := tg.record(model.Op{Kind: model.Tick, Arg: int64(k + 1)})
			if idx != k {
				t.Fatalf("round %d: call %d recorded as %d", round, k, idx)
			}
			if k%2 == 0 {
				tg.annotate(idx, model.Result{Ret: int64(k + 1)})
			}
		}
		tg.annotate(0, model.Result{Ret: -1}) // long gone: nothing to change
		h := tg.history()
		if len(h) != maxCalls+1 || h[0] != fmt.Sprintf("(%d earlier calls not kept)", n-maxCalls) {
			t.Fatalf("round %d: %d lines, first %q", round, len(h), h[0])
		}
		for i, line := range h[1:] {
			k := n - maxCalls + i // the call's index from the reset
			want := fmt.Sprintf("#%d %s", k+1, model.Op{Kind: model.Tick, Arg: int64(k + 1)})
			if k%2 == 0 {
				want += " = " + model.Result{Ret: int64(k + 1)}.Format(model.Op{Kind: model.Tick})
			}
			if line != want {
				t.Fatalf("round %d: line %d is %q; want %q", round, i+1, line, want)
			}
		}
		tg.forgetCalls() // as Reset does
	}
}
