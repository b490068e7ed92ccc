package subprocess

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// sendAhead sends ops through ApplyAhead and fails the test on an error.
func sendAhead(t *testing.T, tg target.Target, ops ...model.Op) []target.Pending {
	t.Helper()
	var out []target.Pending
	for _, op := range ops {
		p, err := tg.(target.Pipeliner).ApplyAhead(context.Background(), op)
		if err != nil {
			t.Fatalf("ApplyAhead(%s): %v", op, err)
		}
		out = append(out, p)
	}
	return out
}

func TestApplyAheadKeepsOrderAndClock(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "echo") // answers every call with the request's "now"
	ctx := context.Background()
	start := model.OpenSSL30().StartTime
	pending := sendAhead(t, tg, model.Op{Kind: model.Tick, Arg: 1}, model.Op{Kind: model.Tick, Arg: 2},
		model.Op{Kind: model.SessHits, Ctx: 1}, model.Op{Kind: model.Tick, Arg: 4})
	for i, want := range []int64{start + 1, start + 3, start + 3, start + 7} {
		r, err := pending[i].Result(ctx)
		if err != nil || r.Ret != want {
			t.Fatalf("call %d = %v, %v; want now = %d", i+1, r.Ret, err, want)
		}
		if ob, err := pending[i].Observation(ctx); err != nil || len(ob.Ctxs) != 1 {
			t.Fatalf("observation after call %d: %+v, %v", i+1, ob, err)
		}
	}
	// Apply after the pipelined calls sees the same clock.
	if r, err := tg.Apply(ctx, model.Op{Kind: model.SessHits, Ctx: 1}); err != nil || r.Ret != start+7 {
		t.Errorf("Apply after ApplyAhead = %v, %v; want %d", r.Ret, err, start+7)
	}
	if _, err := tg.(target.Pipeliner).ApplyAhead(ctx, model.Op{Kind: model.SSLClear, SSL: 1}); !errors.Is(err, target.ErrUnsupported) {
		t.Errorf("ApplyAhead(SSL_clear) = %v, want ErrUnsupported", err)
	}
}

func TestApplyAheadReportsACrashAtItsCall(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "crash") // exits with status 3 on the third call
	ctx := context.Background()
	var ops []model.Op
	for i := range 5 {
		ops = append(ops, model.Op{Kind: model.SessNumber, Ctx: model.Handle(i + 1)})
	}
	pending := sendAhead(t, tg, ops...)
	for i := range 2 {
		if _, err := pending[i].Result(ctx); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		if _, err := pending[i].Observation(ctx); err != nil {
			t.Fatalf("observation after call %d: %v", i+1, err)
		}
	}
	_, err := pending[2].Result(ctx)
	var ce *CrashError
	if !errors.As(err, &ce) || ce.Op != "SSL_CTX_sess_number(ctx3)" || !strings.Contains(ce.Stderr, "about to crash") {
		t.Fatalf("third call: %v, want a *CrashError at SSL_CTX_sess_number(ctx3)", err)
	}
	if m := missing(err.Error(), "#2 SSL_CTX_sess_number(ctx2) = ", "#3 SSL_CTX_sess_number(ctx3)", "exit status 3"); m != nil {
		t.Errorf("message lacks %q:\n%s", m, err)
	}
	if _, err := tg.(target.Pipeliner).ApplyAhead(ctx, ops[0]); !errors.As(err, &ce) || !strings.Contains(err.Error(), "before this call") {
		t.Errorf("ApplyAhead after the crash: %v", err)
	}
	if err := tg.Reset(ctx); err != nil {
		t.Fatalf("Reset after a crash: %v", err)
	}
	if _, err := sendAhead(t, tg, ops[0])[0].Result(ctx); err != nil {
		t.Errorf("after Reset: %v", err)
	}
}
