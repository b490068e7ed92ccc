package properties

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Lockstep runs one call sequence on the model and on a target side by side
// and compares, after every call, the result (return value and events in
// order) and everything observable (cache sizes and counters, the session of
// every SSL, resumability, id length, time and timeout of every live
// session). Every engine (rapid, gopter, fuzz) drives one.
type Lockstep struct {
	model  *model.State
	target target.Target
	info   target.Info
	trail  []Step
}

// Step is one call of a sequence with what the model and the target did.
type Step struct {
	Op   model.Op
	Want model.Result
	Got  model.Result
}

// NewLockstep resets tgt and starts an empty universe following profile p.
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
	return &Lockstep{model: model.New(p), target: tgt, info: tgt.Info()}, nil
}

// Model returns the model's state. Callers must not step it themselves.
func (l *Lockstep) Model() *model.State { return l.model }

// Trail returns the calls made so far.
func (l *Lockstep) Trail() []Step { return l.trail }

// Supports reports whether the target implements calls of kind k.
func (l *Lockstep) Supports(k model.Kind) bool { return l.info.Supports(k) }

// Do applies op to both sides and compares them. It returns nil when they
// agree and a [*Divergence] otherwise. An op the model rejects is a harness
// error and is returned as is.
func (l *Lockstep) Do(ctx context.Context, op model.Op) error {
	want, err := l.model.Step(op)
	if err != nil {
		return fmt.Errorf("sesslife: generator produced an illegal call: %w", err)
	}
	apply := l.target.Apply
	if o, ok := l.target.(observingTarget); ok {
		apply = o.ApplyObserving
	}
	got, err := apply(ctx, op)
	l.trail = append(l.trail, Step{Op: op, Want: want, Got: got})
	if err != nil {
		if errors.Is(err, target.ErrUnsupported) {
			return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, Unsupported: true, Err: err}
		}
		return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, Err: err}
	}
	if !want.Equal(got) {
		return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, ResultDiffers: true}
	}
	gotObs, err := l.target.Observe(ctx)
	if err != nil {
		return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, Err: fmt.Errorf("observe: %w", err)}
	}
	if diff := l.model.Observe().Diff(gotObs); diff != "" {
		return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, ObservationDiff: diff}
	}
	return nil
}

// observingTarget is a target that can send the observation Do makes after
// every call together with the call, saving a shim process a round trip:
// ApplyObserving is Apply, and the Observe that follows it returns the state
// right after that call (see subprocess.Target.ApplyObserving).
type observingTarget interface {
	ApplyObserving(ctx context.Context, op model.Op) (model.Result, error)
}

// Finish discards the universe and reports a target that fails while doing
// so (a crash while freeing what the sequence left behind: a double free or
// a use-after-free that only shows at teardown) as a divergence of this
// sequence.
func (l *Lockstep) Finish(ctx context.Context) error {
	if err := l.target.Reset(ctx); err != nil {
		return &Divergence{Target: l.info.Name, Profile: l.model.Profile().Name, Trail: l.trail, Teardown: true, Err: err}
	}
	return nil
}

// Divergence is a sequence after which the target did not do what the
// model says. The last step of Trail is the one that diverged.
type Divergence struct {
	Target, Profile string
	Trail           []Step
	// ResultDiffers: the last call returned a different value or raised
	// different events.
	ResultDiffers bool
	// ObservationDiff lists what differed after the last call, one line each.
	ObservationDiff string
	// Unsupported: the target does not implement the last call.
	Unsupported bool
	// Err is an infrastructure failure of the target (crash, hang,
	// malformed reply) during the last call, or after it when Teardown.
	Err error
	// Teardown: the target failed while discarding the universe after the
	// last call (see Lockstep.Finish).
	Teardown bool
}

// Error renders the whole reproducer as a scenario, with got/want lines.
func (d *Divergence) Error() string {
	var b strings.Builder
	last := len(d.Trail)
	what := "diverges from"
	switch {
	case d.Unsupported:
		what = "does not support a call of"
	case d.Err != nil:
		what = "failed while checked against"
	}
	where := fmt.Sprintf("at call %d of %d", last, last)
	if d.Teardown {
		where = fmt.Sprintf("after its %d calls, while discarding the universe", last)
	}
	fmt.Fprintf(&b, "sesslife: %s %s the %s model %s:\n", d.Target, what, d.Profile, where)
	for i, s := range d.Trail {
		line := fmt.Sprintf("%4d  %s", i+1, FormatCall(s.Op, s.Want))
		if out := s.Want.Format(s.Op); out != "void" {
			line = fmt.Sprintf("%-64s # %s", line, strings.TrimPrefix(out, "void "))
		}
		b.WriteString(line + "\n")
	}
	if d.Teardown || last == 0 {
		fmt.Fprintf(&b, "%v\n", d.Err)
		return strings.TrimRight(b.String(), "\n")
	}
	final := d.Trail[last-1]
	switch {
	case d.Err != nil:
		fmt.Fprintf(&b, "call %d: %v\n", last, d.Err)
	case d.ResultDiffers:
		fmt.Fprintf(&b, "call %d: %s\n\tgot:  %s\n\twant: %s\n", last, final.Op, final.Got.Format(final.Op), final.Want.Format(final.Op))
	default:
		fmt.Fprintf(&b, "after call %d (%s):\n", last, final.Op)
		for _, line := range strings.Split(d.ObservationDiff, "\n") {
			b.WriteString("\t" + line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// FormatCall renders a call as a scenario line: creation calls and calls
// that return a session show what they name ("ctx1 = SSL_CTX_new(server)",
// "sess2 = SSL_get1_session(ssl1)").
func FormatCall(op model.Op, res model.Result) string {
	switch op.Kind {
	case model.CtxNew:
		return fmt.Sprintf("%s = %s", model.CtxName(op.Ctx), op)
	case model.SSLNew:
		return fmt.Sprintf("%s = %s", model.SSLName(op.SSL), op)
	case model.Get0, model.Get1:
		if res.Ret != 0 {
			return fmt.Sprintf("%s = %s", model.SessName(model.Handle(res.Ret)), op)
		}
	}
	return op.String()
}
