package fuzz

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// killer returns a predicate true for sequences on which the mutant m
// diverges from the model.
func killer(m mutants.Mutant) func([]model.Op) bool {
	tgt := impl.NewTarget(mutants.Option(m))
	return func(ops []model.Op) bool {
		var d *properties.Divergence
		return errors.As(Check(context.Background(), tgt, model.OpenSSL30(), ops), &d)
	}
}

// firstFailing returns the first seeded random input on which fails holds.
func firstFailing(t *testing.T, fails func([]model.Op) bool) []byte {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 500; i++ {
		data := randomInput(r, 600)
		if ops, _ := Decode(data, DefaultConfig()); fails(ops) {
			return data
		}
	}
	t.Fatal("no failing input in 500")
	return nil
}

// TestShrinkFindsShortReproducer: both shrinkers turn a failing input of a
// hundred-odd calls into a short, legal sequence that still fails.
func TestShrinkFindsShortReproducer(t *testing.T) {
	for _, m := range []mutants.Mutant{mutants.Get0TakesRef, mutants.CapacityN, mutants.ShutdownFirstReturns1} {
		t.Run(m.String(), func(t *testing.T) {
			fails := killer(m)
			data := firstFailing(t, fails)
			before, _ := Decode(data, DefaultConfig())
			small := ShrinkBytes(data, DefaultConfig(), fails, 3000)
			ops, err := Decode(small, DefaultConfig())
			if err != nil || !fails(ops) {
				t.Fatalf("the shrunk input no longer fails (%v)", err)
			}
			ops = properties.Reduce(ops, model.OpenSSL30(), fails, 2000).Ops
			if !Legal(model.OpenSSL30(), ops) || !fails(ops) {
				t.Fatalf("ShrinkOps returned a sequence that is illegal or passes: %v", ops)
			}
			if len(ops) > 10 || len(ops) >= len(before) {
				t.Fatalf("shrunk %d calls to %d, want at most 10: %v", len(before), len(ops), ops)
			}
		})
	}
}
