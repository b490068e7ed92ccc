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

// oracleSeed and oracleSequences are the oracle's budget under the
// mutation tool: a count, so that a mutant's verdict does not depend on the
// machine. With -short (make unit) the test draws a tenth of them.
const (
	oracleSeed      = 20261124
	oracleSequences = 2000
)

// TestLockstepOracle fails on the first sequence on which the simulator
// and the model disagree, with the reduced reproducer.
func TestLockstepOracle(t *testing.T) {
	opts := properties.DefaultSearchOptions()
	opts.Seed, opts.Sequences = oracleSeed, oracleSequences
	if testing.Short() {
		opts.Sequences /= 10
	}
	// One finding fails the test; a small reduction budget keeps a killed
	// mutant cheap and still prints a readable reproducer.
	opts.MaxFindings, opts.ReduceBudget = 1, 200
	open := func() (target.Target, error) { return impl.NewTarget(), nil }
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
