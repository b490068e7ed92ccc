package properties

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Lockstep runs one call sequence on the model and on a target side by side
// and compares, after every call, the result (return value and events in
// order) and everything observable (cache sizes and counters, the session of
// every SSL, resumability, id length, time and timeout of every live
// session). Every engine (rapid, fuzz, the command line) drives one.
//
// With a window above 1 (see [Lockstep.SetWindow]) and a target that is a
// [target.Pipeliner], calls are sent without waiting and compared up to
// window-1 calls later, so that a shim works while the engine draws the
// next calls. Every call is still compared, in order; a divergence is
// reported as soon as it is seen, with the trail cut at the call that
// diverged, and [Lockstep.Finish] compares the calls still in flight.
type Lockstep struct {
	model  *model.State
	target target.Target
	info   target.Info
	trail  []Step
	window int
	// inFlight are the last len(inFlight) steps of trail, sent through
	// ApplyAhead and not compared yet, oldest first.
	inFlight []inFlight
	// spare are observations whose calls have been compared, their arrays
	// kept for the model's next observations (ObserveInto): a pipelined
	// lockstep observes after every call and keeps at most a window of them.
	spare []model.Observation
	// diverged is the divergence already reported; the lockstep is over.
	diverged *Divergence
	// last is the last call the model applied, with its result.
	last Step
}

// Last returns the last call the model applied and what it returned,
// whether or not the target has been compared on it yet.
func (l *Lockstep) Last() Step { return l.last }

// inFlight is a call sent ahead, with what the model observed after it.
type inFlight struct {
	pending target.Pending
	want    model.Observation
}

// DefaultWindow is the window engines use with a pipelining target: enough
// to hide the round trip of a shim process, small enough that a divergence
// shows up a handful of calls after it happened.
const DefaultWindow = 16

// Step is one call of a sequence with what the model and the target did.
// Got is filled in once the call has been compared.
type Step struct {
	Op   model.Op
	Want model.Result
	Got  model.Result
}

// NewLockstep resets tgt and starts an empty universe following profile p,
// comparing every call before the next one is made (window 1).
// A failed reset is tried once more: discarding the previous universe can
// fail because of what the previous sequence did (a shim that crashes while
// freeing a corrupted object), and that is the previous sequence's finding
// (see [Lockstep.Finish]), not this one's.
func NewLockstep(ctx context.Context, tgt target.Target, p model.Profile) (*Lockstep, error) {
	if err := tgt.Reset(ctx); err != nil {
		if err := tgt.Reset(ctx); err != nil {
			return nil, fmt.Errorf("sesslife: reset %s: %w", tgt.Info().Name, err)
		}
	}
	return &Lockstep{model: model.New(p), target: tgt, info: tgt.Info(), window: 1}, nil
}

// SetWindow sets how many calls may be in flight at once when the target is
// a [target.Pipeliner]; 1 (or less) compares each call before the next.
// Other targets always run with window 1. Set it before the first call.
func (l *Lockstep) SetWindow(n int) { l.window = max(n, 1) }

// Model returns the model's state. Callers must not step it themselves.
func (l *Lockstep) Model() *model.State { return l.model }

// Trail returns the calls made so far; with a window above 1, the last ones
// may still be in flight (their Got is empty until they are compared).
func (l *Lockstep) Trail() []Step { return l.trail }

// Supports reports whether the target implements calls of kind k.
func (l *Lockstep) Supports(k model.Kind) bool { return l.info.Supports(k) }

// Do applies op to both sides and compares them. It returns nil when they
// agree (or, pipelined, when every call compared so far agrees) and a
// [*Divergence] otherwise. An op the model rejects is a harness error and is
// returned as is, and so is a target older than the harness
// ([target.ErrOutdated]), which is no finding. After a divergence the
// lockstep is over: Do returns it again.
func (l *Lockstep) Do(ctx context.Context, op model.Op) error {
	return harnessError(l.do(ctx, op))
}

// harnessError unwraps a divergence that is the target's being older than
// the harness: comparing on would give false divergences under wrong rule
// names, so the engines must stop with the error instead.
func harnessError(err error) error {
	var d *Divergence
	if errors.As(err, &d) && errors.Is(d.Err, target.ErrOutdated) {
		return d.Err
	}
	return err
}

func (l *Lockstep) do(ctx context.Context, op model.Op) error {
	if l.diverged != nil {
		return l.diverged
	}
	want, err := l.model.Step(op)
	if err != nil {
		return fmt.Errorf("sesslife: generator produced an illegal call: %w", err)
	}
	l.last = Step{Op: op, Want: want}
	pending, keep, err := l.send(ctx, op)
	if err != nil && (keep == 0 || ctx.Err() != nil) {
		// The calls before it come first: one of them may have diverged.
		if d := l.compareInFlight(ctx, 0); d != nil {
			return d
		}
		l.trail = append(l.trail, Step{Op: op, Want: want})
		return l.diverge(len(l.trail), &Divergence{Err: err})
	}
	if err != nil {
		// A call that could not be sent (a shim that died after an
		// earlier call, which is still in flight) is compared in its
		// turn like any other. Reported at once, it would end the
		// sequence after as many calls as the harness happened to send
		// before it noticed the death: the count of calls and the rules
		// counted as fired, which steer the search's later sequences,
		// would depend on the machine's speed.
		pending = unsent{err}
	}
	l.trail = append(l.trail, Step{Op: op, Want: want})
	var wantObs model.Observation
	if n := len(l.spare); n > 0 {
		wantObs, l.spare = l.spare[n-1], l.spare[:n-1]
	}
	l.model.ObserveInto(&wantObs)
	l.inFlight = append(l.inFlight, inFlight{pending: pending, want: wantObs})
	if d := l.compareInFlight(ctx, keep); d != nil {
		return d
	}
	return nil
}

// send starts op on the target and says how many calls may stay in flight
// after it: through a [target.Pipeliner] when the target is one (window-1
// of them), else performed at once (keep 0), with the observation taken
// when it is collected. An error means op could not even be sent.
func (l *Lockstep) send(ctx context.Context, op model.Op) (pending target.Pending, keep int, err error) {
	if pt, ok := l.target.(target.Pipeliner); ok {
		// Window 1 collects the call at once: one round trip carries the
		// call and the observation after it.
		pending, err = pt.ApplyAhead(ctx, op)
		return pending, l.window - 1, err
	}
	got, err := l.target.Apply(ctx, op)
	return &performed{target: l.target, got: got, err: err}, 0, nil
}

// unsent is a call the target could not even be sent: it fails with the
// error the sending met when its turn to be compared comes.
type unsent struct{ err error }

func (u unsent) Result(context.Context) (model.Result, error) { return model.Result{}, u.err }

func (u unsent) Observation(context.Context) (model.Observation, error) {
	return model.Observation{}, u.err
}

// performed is a call already made, as a [target.Pending]: its
// observation is taken when asked for, right after the call.
type performed struct {
	target target.Target
	got    model.Result
	err    error
}

func (p *performed) Result(context.Context) (model.Result, error) { return p.got, p.err }

func (p *performed) Observation(ctx context.Context) (model.Observation, error) {
	return p.target.Observe(ctx)
}

// compareInFlight collects and compares calls in flight, oldest first,
// until at most keep remain, and returns the first divergence.
func (l *Lockstep) compareInFlight(ctx context.Context, keep int) *Divergence {
	for len(l.inFlight) > keep {
		// Shifted down rather than resliced, so that the array is reused
		// instead of growing again at every window's worth of calls.
		f := l.inFlight[0]
		copy(l.inFlight, l.inFlight[1:])
		l.inFlight[len(l.inFlight)-1] = inFlight{}
		l.inFlight = l.inFlight[:len(l.inFlight)-1]
		n := len(l.trail) - len(l.inFlight) // this call's number in the trail
		step := &l.trail[n-1]
		got, err := f.pending.Result(ctx)
		step.Got = got
		if err != nil {
			return l.diverge(n, &Divergence{Err: err})
		}
		if diffs := model.CompareResult(step.Op, step.Want, got); len(diffs) > 0 {
			// The target's state after the call too, when it can say:
			// which session its SSLs hold tells a miscounted reference
			// from another library's behaviour (Divergence.name).
			d := &Divergence{Diffs: diffs}
			if gotObs, err := f.pending.Observation(ctx); err == nil {
				d.after = cloneObservation(gotObs)
			}
			return l.diverge(n, d)
		}
		gotObs, err := f.pending.Observation(ctx)
		if err != nil {
			return l.diverge(n, &Divergence{Err: fmt.Errorf("observe: %w", err)})
		}
		if diffs := model.CompareObservation(f.want, gotObs); len(diffs) > 0 {
			// A copy: a target may reuse its observation's lists for the
			// next sequence, long before the report is written.
			return l.diverge(n, &Divergence{Diffs: diffs, Observed: true, Seen: cloneObservation(gotObs)})
		}
		l.spare = append(l.spare, f.want)
	}
	return nil
}

// cloneObservation copies o: a target may reuse its observation's lists
// for the next sequence, long before the report is written.
func cloneObservation(o model.Observation) *model.Observation {
	return &model.Observation{Ctxs: slices.Clone(o.Ctxs), SSLs: slices.Clone(o.SSLs), Sessions: slices.Clone(o.Sessions)}
}

// diverge ends the lockstep with d at call n: the trail is cut there (calls
// sent after it are not part of the reproducer) and d gets its names and
// its rule.
func (l *Lockstep) diverge(n int, d *Divergence) *Divergence {
	l.trail = l.trail[:n:n]
	l.inFlight = nil
	d.Target, d.Profile, d.Trail = l.info.Name, l.model.Profile().Name, l.trail
	d.name(l.model.Profile())
	l.diverged = d
	return d
}

// Finish discards the universe and reports a target that fails while doing
// so (a crash while freeing what the sequence left behind: a double free or
// a use-after-free that only shows at teardown) as a divergence of this
// sequence.
func (l *Lockstep) Finish(ctx context.Context) error {
	if l.diverged == nil {
		if d := l.compareInFlight(ctx, 0); d != nil {
			return harnessError(d)
		}
	}
	if err := l.target.Reset(ctx); err != nil {
		d := &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, Teardown: true, Err: err}
		d.name(l.model.Profile())
		return d
	}
	return nil
}
