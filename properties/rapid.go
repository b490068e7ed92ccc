package properties

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Options configure a conformance run.
type Options struct {
	Profile  model.Profile
	MinCalls int // each sequence draws a length in [MinCalls, MaxCalls]
	MaxCalls int
	Limits   Limits
	// Coverage, when set, counts the calls made, by kind.
	Coverage *Coverage
	// Ignore, when set, lets a sequence whose divergence it accepts pass:
	// a run that already reported one kind of divergence looks for others.
	Ignore func(*Divergence) bool
	// Window is how many calls may be in flight at once on a target that
	// pipelines (a shim process; see Lockstep.SetWindow); 1 compares each
	// call before drawing the next.
	Window int
	// OnSequence, when set, is called as each sequence starts (after its
	// Reset), e.g. to report progress; rapid also re-runs sequences while it
	// shrinks a failure.
	OnSequence func()
	// OnDivergence, when set, sees every divergence that fails a sequence.
	// rapid replays the shrunk sequence last, so the last one it sees is the
	// minimal reproducer.
	OnDivergence func(*Divergence)
}

// DefaultOptions checks the openssl-3.0 profile with sequences of 50 to 100
// calls, DefaultWindow calls in flight on a pipelining target.
func DefaultOptions() Options {
	return Options{Profile: model.OpenSSL30(), MinCalls: 50, MaxCalls: 100, Limits: DefaultLimits(), Window: DefaultWindow}
}

// RapidProp returns a rapid property that draws one legal call sequence and
// checks tgt against the model in lockstep. rapid shrinks a failing sequence
// and saves it under testdata/rapid; the failure message is the reproducer
// as a scenario followed by rapid's command line to replay it.
//
// Sequences run with opts.Window calls in flight until one fails; rapid's
// shrinking replays then run call by call (window 1). The divergence is the
// same either way, but a sequence that stops at its first divergence draws
// fewer calls, and rapid shrinks what was drawn.
func RapidProp(tgt target.Target, opts Options) func(*rapid.T) {
	window := opts.Window
	return func(t *rapid.T) {
		ctx := context.Background()
		ls, err := NewLockstep(ctx, tgt, opts.Profile)
		if err != nil {
			t.Fatalf("%v", err)
		}
		ls.SetWindow(window)
		if opts.Coverage != nil {
			opts.Coverage.StartSequence()
		}
		if opts.OnSequence != nil {
			opts.OnSequence()
		}
		n := rapid.IntRange(opts.MinCalls, opts.MaxCalls).Draw(t, "calls")
		for i := 0; i < n && err == nil; i++ {
			op := rapid.Custom(func(t *rapid.T) model.Op {
				return DrawOp(rapidSource{t}, ls.Model(), ls.Supports, opts.Limits)
			}).Draw(t, fmt.Sprintf("call %d", i+1))
			err = ls.Do(ctx, op)
			if opts.Coverage != nil && err == nil {
				opts.Coverage.Add(ls.Model(), op, ls.Last().Want)
			}
		}
		if err == nil {
			err = ls.Finish(ctx)
		}
		// One place fails the test: rapid keeps a smaller case only when it
		// fails at the same place, and a pipelined lockstep sees the same
		// divergence in Do or in Finish depending on the sequence's length.
		if err != nil && !ignored(opts, err) {
			window = 1
			fail(t, opts, err)
		}
	}
}

// ignored reports whether opts accept err as a passing sequence.
func ignored(opts Options, err error) bool {
	var d *Divergence
	return opts.Ignore != nil && errors.As(err, &d) && opts.Ignore(d)
}

// fail ends the sequence with err.
func fail(t *rapid.T, opts Options, err error) {
	var d *Divergence
	if errors.As(err, &d) {
		if opts.OnDivergence != nil {
			opts.OnDivergence(d)
		}
		if d.Err != nil && strings.Contains(d.Err.Error(), "\n") {
			t.Log(d.Err)
			t.Fatalf("%s", d.Brief())
		}
	}
	t.Fatalf("%v", err)
}

// rapidSource draws choices from rapid's bitstream. rapid favours small
// integers heavily (about 40% of IntRange(0, 99) falls below 10), which would
// make the first entries of every menu dominate. A drawn 64-bit value is
// scrambled by a bijection that keeps 0 at 0, so choices are close to
// uniform while shrinking still moves them toward 0.
type rapidSource struct{ t *rapid.T }

func (s rapidSource) Intn(n int) int {
	if n <= 1 {
		return 0
	}
	v := rapid.Uint64().Draw(s.t, "")
	v *= 0x9e3779b97f4a7c15 // odd: a bijection on uint64
	v ^= v >> 29
	return int(v % uint64(n))
}
