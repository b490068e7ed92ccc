package properties

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	// OnDivergence, when set, sees every divergence that fails a sequence.
	// rapid replays the shrunk sequence last, so the last one it sees is the
	// minimal reproducer.
	OnDivergence func(*Divergence)
}

// DefaultOptions checks the openssl-3.0 profile with sequences of 50 to 100
// calls.
func DefaultOptions() Options {
	return Options{Profile: model.OpenSSL30(), MinCalls: 50, MaxCalls: 100, Limits: DefaultLimits()}
}

// Coverage counts what a run exercised.
type Coverage struct {
	Sequences int
	Calls     int
	ByKind    map[model.Kind]int
}

func (c *Coverage) add(k model.Kind) {
	if c.ByKind == nil {
		c.ByKind = map[model.Kind]int{}
	}
	c.Calls++
	c.ByKind[k]++
}

// Missing returns the supported call kinds never made, by name.
func (c *Coverage) Missing(supports func(model.Kind) bool) []string {
	var out []string
	for _, k := range model.Kinds() {
		if supports(k) && c.ByKind[k] == 0 {
			out = append(out, k.String())
		}
	}
	return out
}

// String summarises the run in one paragraph.
func (c *Coverage) String() string {
	var parts []string
	for k, n := range c.ByKind {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	return fmt.Sprintf("%d sequences, %d calls (%s)", c.Sequences, c.Calls, strings.Join(parts, " "))
}

// RapidProp returns a rapid property that draws one legal call sequence and
// checks tgt against the model in lockstep. rapid shrinks a failing sequence
// and saves it under testdata/rapid; the failure message is the reproducer
// as a scenario followed by rapid's command line to replay it.
func RapidProp(tgt target.Target, opts Options) func(*rapid.T) {
	return func(t *rapid.T) {
		ctx := context.Background()
		ls, err := NewLockstep(ctx, tgt, opts.Profile)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if opts.Coverage != nil {
			opts.Coverage.Sequences++
		}
		n := rapid.IntRange(opts.MinCalls, opts.MaxCalls).Draw(t, "calls")
		for i := 0; i < n; i++ {
			op := rapid.Custom(func(t *rapid.T) model.Op {
				return DrawOp(rapidSource{t}, ls.Model(), ls.Supports, opts.Limits)
			}).Draw(t, fmt.Sprintf("call %d", i+1))
			if opts.Coverage != nil {
				opts.Coverage.add(op.Kind)
			}
			if err := ls.Do(ctx, op); err != nil {
				if fail(t, opts, err) {
					return
				}
			}
		}
		if err := ls.Finish(ctx); err != nil {
			fail(t, opts, err)
		}
	}
}

// fail ends the sequence with err, unless opts ignore that divergence, in
// which case it reports true and the sequence counts as passed.
func fail(t *rapid.T, opts Options, err error) bool {
	var d *Divergence
	if errors.As(err, &d) {
		if opts.Ignore != nil && opts.Ignore(d) {
			return true
		}
		if opts.OnDivergence != nil {
			opts.OnDivergence(d)
		}
	}
	t.Fatalf("%v", err)
	return false
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
