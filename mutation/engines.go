package mutation

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"

	"github.com/sesslife/sesslife/fuzz"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// The one-goroutine engines. Each is deterministic: the same mutant, seed
// and budgets give the same kill, reproducer included, on any machine.

// runSearch runs properties.Search, the engine of `sesslife check`, on
// o.Seeds seeds (o.Seed, o.Seed+1, ...), each up to its first finding or
// o.Sequences sequences. The reproducer shown is the first seed's that
// killed.
func runSearch(ctx context.Context, m mutants.Info, o Options) Kill {
	p := m.Profile()
	var k Kill
	for i := range o.Seeds {
		opts := properties.DefaultSearchOptions()
		opts.Profile, opts.Seed, opts.Sequences = p, o.Seed+uint64(i), o.Sequences
		opts.MaxFindings, opts.ReduceBudget = 1, o.ReduceBudget
		rep, err := properties.Search(ctx, mutants.Factory(m.Mutant, p), opts)
		if err != nil {
			return Kill{Undecided: "harness error: " + err.Error()}
		}
		sk := SeedKill{Seed: opts.Seed, Sequences: rep.Sequences}
		if len(rep.Findings) > 0 {
			f := rep.Findings[0]
			sk = SeedKill{Seed: opts.Seed, Killed: true, Sequences: f.Sequence + 1, Rule: f.Rule,
				Calls: len(f.Divergence.Trail), Minimal: f.Minimal}
			if !k.Killed {
				k.Killed, k.Rule, k.Calls, k.Repro = true, f.Rule, len(f.Divergence.Trail), f.Divergence.Error()
			}
		} else if len(rep.Unconfirmed) > 0 {
			return Kill{Undecided: "a divergence did not reproduce on a fresh target: " + rep.Unconfirmed[0].Brief()}
		}
		if i == 0 {
			k.Tries = sk.Sequences
		}
		k.Seeds = append(k.Seeds, sk)
	}
	return k
}

// runGopter runs gopter's commands engine (properties.GopterCommands), as
// Properties.Run would but without a testing.T: Prop.Check returns the
// result, and the recorder keeps the divergences.
func runGopter(_ context.Context, m mutants.Info, o Options) Kill {
	p := m.Profile()
	rec := &recorder{inner: mutants.Target(m.Mutant, p), prof: p}
	defer rec.Close()
	opts := properties.DefaultOptions()
	opts.Profile = p
	params := gopter.DefaultTestParametersWithSeed(int64(o.Seed))
	params.MinSuccessfulTests = o.Gopter
	params.MaxSize = opts.MaxCalls
	params.Workers = 1
	res := commands.Prop(properties.GopterCommands(rec, opts)).Check(params)
	return rec.outcome(!res.Passed())
}

// runFuzz is the byte decoder outside `go test -fuzz`: seeded random
// inputs, decoded and checked one by one; the first failing one is shrunk
// with fuzz.ShrinkBytes, then properties.Reduce, both by a number of tries.
func runFuzz(ctx context.Context, m mutants.Info, o Options) Kill {
	p := m.Profile()
	tgt := mutants.Target(m.Mutant, p)
	defer tgt.Close()
	cfg := fuzz.DefaultConfig()
	cfg.Profile = p
	fails := func(ops []model.Op) bool {
		var d *properties.Divergence
		return errors.As(fuzz.Check(ctx, tgt, p, ops), &d)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5e551fe))
	for i := 0; i < o.Fuzz; i++ {
		data := make([]byte, 64+rng.IntN(960))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		ops, err := fuzz.Decode(data, cfg)
		if err != nil {
			return Kill{Undecided: "harness error: " + err.Error(), Tries: i + 1}
		}
		if !fails(ops) {
			continue
		}
		data = fuzz.ShrinkBytes(data, cfg, fails, 3000)
		if ops, err = fuzz.Decode(data, cfg); err != nil {
			return Kill{Undecided: "harness error: " + err.Error(), Tries: i + 1}
		}
		ops = properties.Reduce(ops, p, fails, 2000).Ops
		var d *properties.Divergence
		if !errors.As(fuzz.Check(ctx, tgt, p, ops), &d) {
			return Kill{Undecided: "the shrunk input no longer fails", Tries: i + 1}
		}
		return Kill{Killed: true, Tries: i + 1, Rule: d.Rule, Calls: len(d.Trail), Repro: d.Error(), Input: data}
	}
	return Kill{Tries: o.Fuzz}
}

// recorder is a target wrapper that watches an engine at work: it checks
// every sequence against the model itself (with its own Lockstep, exactly
// as the engines do) and remembers how many sequences came before the first
// failing one and which failing sequence came last. gopter's shrinker keeps
// the last candidate that failed, so the last failing sequence is the
// engine's reproducer.
type recorder struct {
	inner target.Target
	prof  model.Profile

	ls        *properties.Lockstep
	sequences int  // Resets so far: one per sequence
	failed    bool // the current sequence diverged
	first     int  // the number of the first failing sequence
	last      *properties.Divergence
	err       error // a harness error (an illegal call): the engine is broken
}

func (r *recorder) Info() target.Info { return r.inner.Info() }
func (r *recorder) Close() error      { return r.inner.Close() }

// Reset starts a new sequence.
func (r *recorder) Reset(ctx context.Context) error {
	ls, err := properties.NewLockstep(ctx, r.inner, r.prof)
	r.ls, r.failed = ls, false
	r.sequences++
	return err
}

// Apply runs op through the recorder's lockstep and hands the engine what
// the target returned.
func (r *recorder) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	if r.ls == nil || r.failed {
		return r.inner.Apply(ctx, op)
	}
	err := r.ls.Do(ctx, op)
	trail := r.ls.Trail()
	var d *properties.Divergence
	switch {
	case err == nil:
		return trail[len(trail)-1].Got, nil
	case errors.As(err, &d):
		r.failed = true
		if r.last == nil {
			r.first = r.sequences
		}
		r.last = d
		if d.Err != nil {
			return model.Result{}, d.Err
		}
		return trail[len(trail)-1].Got, nil
	}
	r.err = err
	return model.Result{}, err
}

func (r *recorder) Observe(ctx context.Context) (model.Observation, error) {
	return r.inner.Observe(ctx)
}

// outcome turns what the recorder saw into a kill.
func (r *recorder) outcome(engineFailed bool) Kill {
	switch {
	case r.err != nil:
		return Kill{Undecided: "harness error: " + r.err.Error(), Tries: r.sequences}
	case engineFailed && r.last == nil:
		return Kill{Undecided: "the engine failed, but no sequence diverged from the model", Tries: r.sequences}
	case engineFailed:
		return Kill{Killed: true, Tries: r.first, Rule: r.last.Rule, Calls: len(r.last.Trail), Repro: r.last.Error()}
	}
	return Kill{Tries: r.sequences}
}
