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
	crashAtEnd  bool         // a Reset after the first fails
	resets      int          // Reset calls so far
	freed       *model.State // the universe the last Reset freed
	release     chan struct{}
	// corrupted is set by a twist: every later call crashes, as a library
	// does when the application uses a state the library does not have.
	corrupted bool
	applied   []model.Op
}

func (f *fakeTarget) Info() target.Info {
	if f.hangInfo {
		<-f.release
	}
	return target.Info{Name: "fake", Profile: "openssl-3.0", Unsupported: f.unsupported}
}

func (f *fakeTarget) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	f.applied = append(f.applied, op)
	if f.corrupted {
		panic("corrupted session list")
	}
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
	f.freed, f.resets = f.s, f.resets+1
	f.s = model.New(model.OpenSSL30())
	if f.crashAtEnd && f.resets > 1 {
		return errors.New("crashed while freeing its universe")
	}
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
	if f.resets != 2 || !f.freed.Equal(rep.State) {
		t.Errorf("the target did not get every call, then a reset (%d resets)", f.resets)
	}
}

// TestSideBySideCrashAtTheEnd: the universe is freed after the last
// statement, as the engines do after every sequence, and a target that
// fails then is a target failure.
func TestSideBySideCrashAtTheEnd(t *testing.T) {
	f := newFake()
	f.crashAtEnd = true
	out, rep := run(t, sideScript, Options{Target: f})
	if rep.TargetFailure == nil || !strings.Contains(out, "failed when its universe was freed after the last statement") {
		t.Fatalf("a target that crashes at the end passed: %s\n%s", rep.Verdict(), out)
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
	if len(rep.Differences) != 1 || rep.Differences[0].Pos.Line != 5 || rep.Differences[0].Rule != model.RuleFreeBadRemoves {
		t.Fatalf("differences = %+v\n%s", rep.Differences, out)
	}
	want := "    !! fake differs from the model (rule FREE-BAD-REMOVES):\n         got  void\n         want void remove_cb(sctx=ctx1, sess1) destroyed(sess1)\n"
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
	if !strings.Contains(out, "\nnot sent to fake: lines 6-8 of t.sim (fake failed at t.sim:5)\n") || len(rep.NotSent) != 7 {
		t.Errorf("not sent: %+v\n%s", rep.NotSent, out)
	}
}

// TestSideBySideStopsAfterTheFirstDifference: once the target has done
// something else than the model, the model's state is no longer its state,
// and a call legal in the model can be undefined behaviour in the target
// (here: any call crashes it). Nothing more is sent, and the output says
// which lines were not sent and why.
func TestSideBySideStopsAfterTheFirstDifference(t *testing.T) {
	f := newFake()
	f.twist = func(op model.Op, r *model.Result) {
		if op.Kind == model.SSLFree && len(r.Events) > 0 {
			r.Events = nil // forgets to evict the session
			f.corrupted = true
		}
	}
	src := pair + "SSL_free(s)\nSSL_free(c)\n\nSSL_CTX_free(cctx); SSL_CTX_free(sctx)\n"
	out, rep := run(t, src, Options{Target: f})
	if rep.TargetFailure != nil || len(rep.Differences) != 1 || rep.Differences[0].Pos.Line != 5 {
		t.Fatalf("failure %+v, differences %+v\n%s", rep.TargetFailure, rep.Differences, out)
	}
	if n := len(f.applied); n != 6 || f.applied[n-1].Kind != model.SSLFree || f.applied[n-1].SSL != 2 {
		t.Errorf("the target got %v, want the calls up to SSL_free(ssl2) only", f.applied)
	}
	var lines []int
	for _, ns := range rep.NotSent {
		lines = append(lines, ns.Pos.Line)
	}
	if fmt.Sprint(lines) != "[6 8 8]" {
		t.Errorf("not sent: %v, want lines [6 8 8]", lines)
	}
	for _, want := range []string{
		"    !! the rest runs on the model only: fake's state is no longer the model's\n",
		"\nnot sent to fake: lines 6, 8 of t.sim (fake differed from the model at t.sim:5; from there its state is not the model's, and a call legal in the model could be undefined behaviour in fake)\n",
		"\nverdict: 1 difference from the target\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestSideBySideNullSession: a NULL session from get0 is the script's
// undefined behaviour, found by the model; it is not sent, and it is not a
// failure of the target.
func TestSideBySideNullSession(t *testing.T) {
	f := newFake()
	out, rep := run(t, pair+"c2 = SSL_new(cctx)\nn = SSL_get0_session(c2)\nSSL_SESSION_is_resumable(n)\nSSL_free(c2)\n", Options{Target: f})
	if rep.TargetFailure != nil || len(rep.Differences) != 0 || len(rep.NotSent) != 0 {
		t.Fatalf("output:\n%s", out)
	}
	if len(rep.Undefined) != 1 || rep.Undefined[0].Rule != model.RuleUBNULLSession || rep.Undefined[0].Pos.Line != 7 {
		t.Errorf("undefined = %+v, want UB-NULL-SESSION at line 7", rep.Undefined)
	}
	for _, op := range f.applied {
		if op.Kind == model.IsResumable {
			t.Errorf("the target got %s", op)
		}
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
