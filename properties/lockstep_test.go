package properties

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// pipelinedModel is the model behind target.Pipeliner: each call runs when
// it is sent, as in a shim, and its outcome is handed out when collected.
// twistAt changes the result of call n (counted from 1 since Reset);
// crashAt makes collecting call n fail; unsupportedAt refuses to send it;
// outdatedAt answers it as a target older than the harness; from call
// deadFrom on, ApplyAhead fails at once, as a shim's does once the harness
// has noticed that it died.
type pipelinedModel struct {
	modelTarget
	twistAt, crashAt, unsupportedAt, outdatedAt, deadFrom int
	sent, inFlight, maxInFlight                           int
}

func (p *pipelinedModel) Reset(ctx context.Context) error {
	p.sent, p.inFlight = 0, 0
	return p.modelTarget.Reset(ctx)
}

func (p *pipelinedModel) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	p.sent++
	if p.sent == p.unsupportedAt {
		return model.Result{}, fmt.Errorf("%s: %w", op, target.ErrUnsupported)
	}
	if p.sent == p.crashAt {
		return model.Result{}, errors.New("the shim died")
	}
	if p.sent == p.outdatedAt {
		return model.Result{}, fmt.Errorf("%s: %w", op, target.ErrOutdated)
	}
	r, err := p.modelTarget.Apply(ctx, op)
	if p.sent == p.twistAt {
		r.Ret++
	}
	return r, err
}

func (p *pipelinedModel) ApplyAhead(ctx context.Context, op model.Op) (target.Pending, error) {
	if p.deadFrom > 0 && p.sent+1 >= p.deadFrom {
		p.sent++
		return nil, fmt.Errorf("%s: the shim died before this call", op)
	}
	r, err := p.Apply(ctx, op)
	if errors.Is(err, target.ErrUnsupported) {
		return nil, err
	}
	p.inFlight++
	p.maxInFlight = max(p.maxInFlight, p.inFlight)
	return &modelPending{p: p, res: r, err: err, obs: p.s.Observe()}, nil
}

type modelPending struct {
	p   *pipelinedModel
	res model.Result
	err error
	obs model.Observation
}

func (m *modelPending) Result(context.Context) (model.Result, error) {
	m.p.inFlight--
	return m.res, m.err
}

func (m *modelPending) Observation(context.Context) (model.Observation, error) { return m.obs, nil }

// drawSequence draws n legal calls from seed.
func drawSequence(seed int64, n int) []model.Op {
	src, s := rngSource{rand.New(rand.NewSource(seed))}, model.New(model.OpenSSL30())
	ops := make([]model.Op, n)
	for i := range ops {
		ops[i] = DrawOp(src, s, func(model.Kind) bool { return true }, DefaultLimits())
		if _, err := s.Step(ops[i]); err != nil {
			panic(err)
		}
	}
	return ops
}

// runLockstep runs ops with the given window and returns the divergence, if
// any, and the lockstep.
func runLockstep(t *testing.T, tgt target.Target, window int, ops []model.Op) (*Lockstep, error) {
	t.Helper()
	ctx := context.Background()
	ls, err := NewLockstep(ctx, tgt, model.OpenSSL30())
	if err != nil {
		t.Fatal(err)
	}
	ls.SetWindow(window)
	for _, op := range ops {
		if err := ls.Do(ctx, op); err != nil {
			return ls, err
		}
	}
	return ls, ls.Finish(ctx)
}

func TestPipelinedLockstepAgrees(t *testing.T) {
	ops := drawSequence(1, 300)
	tgt := &pipelinedModel{}
	ls, err := runLockstep(t, tgt, 16, ops)
	if err != nil {
		t.Fatal(err)
	}
	if tgt.maxInFlight != 16 || tgt.inFlight != 0 {
		t.Errorf("calls in flight: at most %d, %d left at the end; want 16 and 0", tgt.maxInFlight, tgt.inFlight)
	}
	for i, s := range ls.Trail() {
		if !s.Got.Equal(s.Want) {
			t.Fatalf("call %d %s: Got %s after Finish, want %s", i+1, s.Op, s.Got.Format(s.Op), s.Want.Format(s.Op))
		}
	}
}

// TestPipelinedLockstepReportsTheDivergingCall: whatever the window, the
// divergence names the call that diverged, with the same reproducer as
// lockstep call by call, also when it is among the last calls (seen only by
// Finish) and when a later call cannot even be sent.
func TestPipelinedLockstepReportsTheDivergingCall(t *testing.T) {
	ops := drawSequence(2, 60)
	for _, tc := range []struct {
		name string
		tgt  pipelinedModel
		want string // what the divergence says about its last call
	}{
		{"wrong result", pipelinedModel{twistAt: 7}, "ResultDiffers"},
		{"wrong result among the last calls", pipelinedModel{twistAt: 58}, "ResultDiffers"},
		{"crash", pipelinedModel{crashAt: 7}, "Err"},
		{"unsupported call after a wrong result", pipelinedModel{twistAt: 7, unsupportedAt: 9}, "ResultDiffers"},
		{"unsupported call", pipelinedModel{unsupportedAt: 9}, "Unsupported"},
	} {
		var reports []string
		for _, window := range []int{1, 4, 16} {
			tgt := tc.tgt
			_, err := runLockstep(t, &tgt, window, ops)
			var d *Divergence
			if !errors.As(err, &d) {
				t.Fatalf("%s, window %d: got %v, want a divergence", tc.name, window, err)
			}
			n := max(tc.tgt.twistAt, tc.tgt.crashAt)
			if n == 0 {
				n = tc.tgt.unsupportedAt
			}
			what := map[bool]string{true: "ResultDiffers"}[len(d.Diffs) > 0 && !d.Observed]
			if d.Rule == model.RuleUnsupported {
				what = "Unsupported"
			} else if d.Err != nil {
				what = "Err"
			}
			if len(d.Trail) != n || what != tc.want {
				t.Errorf("%s, window %d: divergence at call %d (%s), want call %d (%s)", tc.name, window, len(d.Trail), what, n, tc.want)
			}
			reports = append(reports, d.Error())
		}
		for i := 1; i < len(reports); i++ {
			if reports[i] != reports[0] {
				t.Errorf("%s: the report depends on the window:\n%s\n---\n%s", tc.name, reports[0], reports[i])
			}
		}
	}
}

// TestPipelinedLockstepSeesADeathInTurn: when a shim dies at a call, how
// many calls the harness sends before it notices depends on the machine;
// the divergence must not. Whenever sends start failing after the crash,
// the same call diverges after the same number of Do calls (the crashing
// call's turn to be compared), so that what a search counts (calls, rules
// fired), and so what it draws next, is the same on every machine.
func TestPipelinedLockstepSeesADeathInTurn(t *testing.T) {
	ops := drawSequence(2, 60)
	const crashAt = 7
	for _, window := range []int{1, 4, 16} {
		for deadFrom := crashAt + 1; deadFrom <= crashAt+window; deadFrom++ {
			tgt := &pipelinedModel{crashAt: crashAt, deadFrom: deadFrom}
			ls, err := NewLockstep(context.Background(), tgt, model.OpenSSL30())
			if err != nil {
				t.Fatal(err)
			}
			ls.SetWindow(window)
			calls := 0
			for _, op := range ops {
				calls++
				if err = ls.Do(context.Background(), op); err != nil {
					break
				}
			}
			var d *Divergence
			if !errors.As(err, &d) || d.Err == nil || len(d.Trail) != crashAt {
				t.Fatalf("window %d, sends failing from call %d: got %v, want the crash at call %d", window, deadFrom, err, crashAt)
			}
			if want := crashAt + window - 1; calls != want {
				t.Errorf("window %d, sends failing from call %d: the divergence came out of Do call %d, want %d (the crashing call's turn)",
					window, deadFrom, calls, want)
			}
		}
	}
}

// TestLockstepEndsAtDivergence: after a divergence Do makes no more calls.
func TestLockstepEndsAtDivergence(t *testing.T) {
	ops := drawSequence(3, 20)
	tgt := &pipelinedModel{twistAt: 3}
	ls, err := NewLockstep(context.Background(), tgt, model.OpenSSL30())
	if err != nil {
		t.Fatal(err)
	}
	var first error
	for _, op := range ops {
		if err := ls.Do(context.Background(), op); err != nil && first == nil {
			first = err
		}
	}
	if first == nil || tgt.sent != 3 || len(ls.Trail()) != 3 {
		t.Errorf("after a divergence at call 3: %d calls sent, trail of %d (%v); want 3 and 3", tgt.sent, len(ls.Trail()), first)
	}
}

// TestLockstepOutdatedTargetIsNoDivergence: a target older than the
// harness (a shim that refused a field it does not know) stops the
// lockstep with a harness error, at every window, never a finding.
func TestLockstepOutdatedTargetIsNoDivergence(t *testing.T) {
	ops := drawSequence(2, 60)
	for _, window := range []int{1, 4, 16} {
		for _, at := range []int{7, 58} {
			_, err := runLockstep(t, &pipelinedModel{outdatedAt: at}, window, ops)
			var d *Divergence
			if !errors.Is(err, target.ErrOutdated) || errors.As(err, &d) {
				t.Errorf("window %d, outdated at call %d: got %v, want target.ErrOutdated and no divergence", window, at, err)
			}
		}
	}
}
