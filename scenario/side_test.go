package scenario

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// fakeTarget is the model behind target.Target, with switches that make it
// wrong in each way a real system under test can be.
type fakeTarget struct {
	s           *model.State
	twist       func(op model.Op, r *model.Result) // changes a result
	skewObs     bool                               // misreports sess_number of ctx1
	hangOn      model.Kind                         // blocks until the context ends... or forever
	ignoreCtx   bool                               // hangs even past the deadline
	hangInfo    bool                               // Info blocks forever
	hung        chan time.Time                     // closed when a call starts to hang
	panicOn     model.Kind
	unsupported []model.Kind
	resetErr    error
	release     chan struct{}
}

func (f *fakeTarget) Info() target.Info {
	if f.hangInfo {
		<-f.release
	}
	return target.Info{Name: "fake", Profile: "openssl-3.0", Unsupported: f.unsupported}
}

func (f *fakeTarget) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	switch op.Kind {
	case f.hangOn:
		close(f.hung)
		if f.ignoreCtx {
			<-f.release
		} else {
			<-ctx.Done()
		}
		return model.Result{}, ctx.Err()
	case f.panicOn:
		panic("shim exploded")
	}
	r, err := f.s.Step(op)
	if err != nil {
		return r, fmt.Errorf("fake: %w", err)
	}
	if f.twist != nil {
		f.twist(op, &r)
	}
	return r, nil
}

func (f *fakeTarget) Observe(context.Context) (model.Observation, error) {
	ob := f.s.Observe()
	if f.skewObs && len(ob.Ctxs) > 0 {
		ob.Ctxs[0].Number += 5
	}
	return ob, nil
}

func (f *fakeTarget) Reset(context.Context) error {
	f.s = model.New(model.OpenSSL30())
	return f.resetErr
}

func (f *fakeTarget) Close() error { return nil }

func newFake() *fakeTarget {
	return &fakeTarget{release: make(chan struct{}), hung: make(chan time.Time)}
}

// whenHung is Options.expiry for a test of a hanging target: a call's time
// is up once the target hangs, and never before, however slow the machine.
func (f *fakeTarget) whenHung(time.Duration) <-chan time.Time { return f.hung }

const sideScript = pair + `p = SSL_get1_session(s)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
SSL_SESSION_free(p)
SSL_CTX_free(cctx); SSL_CTX_free(sctx)
`

func TestSideBySideAgreeing(t *testing.T) {
	f := newFake()
	out, rep := run(t, sideScript, Options{Target: f})
	if !rep.Clean() || strings.Contains(out, "differs") {
		t.Fatalf("an agreeing target was flagged: %s\n%s", rep.Verdict(), out)
	}
	if !strings.HasPrefix(out, "sesslife sim t.sim: profile openssl-3.0, side by side with fake\n") {
		t.Errorf("header: %q", out[:80])
	}
	if !f.s.Equal(rep.State) {
		t.Errorf("the target did not get every call")
	}
}

func TestSideBySideMarksResultDifferences(t *testing.T) {
	f := newFake()
	f.twist = func(op model.Op, r *model.Result) {
		if op.Kind == model.SSLFree && len(r.Events) > 0 {
			r.Events = nil // forgets remove_cb
		}
	}
	out, rep := run(t, pair+"SSL_free(s)\n", Options{Target: f})
	if len(rep.Differences) != 1 || rep.Differences[0].Pos.Line != 5 {
		t.Fatalf("differences = %+v\n%s", rep.Differences, out)
	}
	want := "    !! fake differs from the model:\n         got  void\n         want void remove_cb(sctx=ctx1, sess1) destroyed(sess1)\n"
	if !strings.Contains(block(out, 5), want) {
		t.Errorf("statement 5 printed:\n%s\nwant it to contain:\n%s", block(out, 5), want)
	}
}

func TestSideBySideMarksObservationDifferences(t *testing.T) {
	f := newFake()
	f.skewObs = true
	out, rep := run(t, "x = SSL_CTX_new(server)\nSSL_CTX_free(x)\n", Options{Target: f})
	if len(rep.Differences) != 1 {
		t.Fatalf("differences = %+v\n%s", rep.Differences, out)
	}
	if !strings.Contains(block(out, 1), "x=ctx1: sess_number = 5, want 0") {
		t.Errorf("statement 1 printed:\n%s", block(out, 1))
	}
}

// TestSideBySideSurvivesAHangingTarget: a call that hangs, whether or not
// the target gives up when its context ends, is a finding at its line and
// the script goes on with the model. The call's time is up when the target
// hangs (Options.expiry), so the calls before it are not raced against a
// clock.
func TestSideBySideSurvivesAHangingTarget(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		f := newFake()
		f.hangOn, f.ignoreCtx = model.Handshake, ignore
		out, rep := run(t, sideScript, Options{Target: f, CallTimeout: 50 * time.Millisecond, expiry: f.whenHung})
		close(f.release)
		if rep.TargetFailure == nil || rep.TargetFailure.Pos.Line != 4 {
			t.Fatalf("ignore ctx %v: target failure = %+v\n%s", ignore, rep.TargetFailure, out)
		}
		if !strings.Contains(out, "!! fake failed: ") || !strings.Contains(out, "; the rest runs on the model only") {
			t.Errorf("output:\n%s", out)
		}
		if ignore && !strings.Contains(out, "no answer within 50ms") {
			t.Errorf("a target ignoring its deadline should be reported as silent:\n%s", out)
		}
		if len(rep.Undefined)+len(rep.Leaks) != 0 || !strings.Contains(out, "verdict: target failed at t.sim:4") {
			t.Errorf("the model side did not finish cleanly: %s", rep.Verdict())
		}
	}
}

// TestSideBySideTimesTheCall checks the real timer: the target hangs in
// the first call the script makes of it (Info), so only the hanging call
// is timed.
func TestSideBySideTimesTheCall(t *testing.T) {
	f := newFake()
	f.hangInfo = true
	defer close(f.release)
	out, rep := run(t, sideScript, Options{Target: f, CallTimeout: 50 * time.Millisecond})
	if rep.TargetFailure == nil || !strings.Contains(out, "!! the target failed to start: no answer within 50ms") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestSideBySideSurvivesAPanickingTarget(t *testing.T) {
	f := newFake()
	f.panicOn = model.Get1
	out, rep := run(t, sideScript, Options{Target: f})
	if rep.TargetFailure == nil || !strings.Contains(out, "!! fake failed: panic: shim exploded; the rest runs on the model only") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestSideBySideUnsupportedCall(t *testing.T) {
	f := newFake()
	f.unsupported = []model.Kind{model.Get1}
	out, rep := run(t, sideScript, Options{Target: f})
	if rep.TargetFailure == nil || !strings.Contains(out, "!! fake does not support SSL_get1_session; the rest runs on the model only") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestSideBySideResetFailure(t *testing.T) {
	f := newFake()
	f.resetErr = errors.New("shim not found")
	out, rep := run(t, sideScript, Options{Target: f})
	if rep.TargetFailure == nil || !strings.Contains(out, "!! fake failed to start: shim not found; the rest runs on the model only") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestSideBySideSkipsUndefinedBehaviour(t *testing.T) {
	f := newFake()
	// The fake would reject the call with an error if it were sent.
	out, rep := run(t, pair+"p = SSL_get0_session(s)\nSSL_SESSION_free(p)\n", Options{Target: f})
	if rep.TargetFailure != nil || len(rep.Undefined) != 1 {
		t.Fatalf("output:\n%s", out)
	}
}
