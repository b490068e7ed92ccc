package impl_test

import (
	"context"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// The lockstep oracle as a test of its own: the simulator against the
// model, through properties.Search (the engine of `sesslife check`), with a
// fixed seed and a fixed number of sequences. `make mutants-auto` runs an
// automatic mutation tool on this package with this test alone (its go
// test runs get -run=^TestLockstepOracle$), so that the score it reports is
// the oracle's and not the unit tests' (docs/mutants.md, "Automatic
// mutants").

// oracleSeed, oracleSequences and flushSequences are the oracle's budget
// under the mutation tool: counts, so that a mutant's verdict does not
// depend on the machine. With -short (make unit) the test draws a tenth of
// them.
const (
	oracleSeed      = 20261124
	oracleSequences = 2000
	flushSequences  = 500
)

// TestLockstepOracle fails on the first sequence on which the simulator
// and the model disagree, with the reduced reproducer. It searches twice:
// under openssl-3.0, and under the same profile with the automatic flush
// every 4th handshake instead of every 256th (model and simulator alike,
// as the built-in AUTO- mutants are checked). Under the real mask only the
// search's marathons reach the flush, and no time passes in a marathon, so
// the flush never finds an expired session to drop: a simulator that
// never flushed, or flushed on the wrong side's counter, would pass
// (docs/mutants.md, "Automatic mutants").
func TestLockstepOracle(t *testing.T) {
	flush := model.OpenSSL30()
	flush.AutoFlushMask = 0x3
	flush.Name += " (AutoFlushMask 0x3)"
	for _, run := range []struct {
		prof      model.Profile
		sequences int
	}{{model.OpenSSL30(), oracleSequences}, {flush, flushSequences}} {
		t.Run(run.prof.Name, func(t *testing.T) { oracle(t, run.prof, run.sequences) })
	}
}

// oracle searches sequences call sequences under prof.
func oracle(t *testing.T, prof model.Profile, sequences int) {
	opts := properties.DefaultSearchOptions()
	opts.Seed, opts.Sequences, opts.Profile = oracleSeed, sequences, prof
	if testing.Short() {
		opts.Sequences /= 10
	}
	// One finding fails the test; a small reduction budget keeps a killed
	// mutant cheap and still prints a readable reproducer.
	opts.MaxFindings, opts.ReduceBudget = 1, 200
	open := func() (target.Target, error) { return impl.NewTarget(impl.WithProfile(prof)), nil }
	rep, err := properties.Search(context.Background(), open, opts)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	for _, f := range rep.Findings {
		t.Errorf("sequence %d: %v", f.Sequence, f.Divergence)
	}
	for _, d := range rep.Unconfirmed {
		t.Errorf("a divergence did not reproduce on a fresh simulator: %s", d.Brief())
	}
	rules := model.GenerableRules(opts.Profile)
	t.Logf("%d sequences, %d calls, rules exercised %d/%d", rep.Sequences, rep.Calls,
		rep.Coverage.Exercised(rules), len(rules))
}
