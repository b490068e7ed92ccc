package fuzz

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// killer returns a predicate true for sequences on which the mutant m
// diverges from the model.
func killer(m impl.Mutant) func([]model.Op) bool {
	tgt := impl.NewTarget(impl.WithMutant(m))
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
	for _, m := range []impl.Mutant{impl.MutGet0TakesRef, impl.MutCapacityN, impl.MutShutdownFirstReturns1} {
		t.Run(m.String(), func(t *testing.T) {
			fails := killer(m)
			data := firstFailing(t, fails)
			before, _ := Decode(data, DefaultConfig())
			small := ShrinkBytes(data, DefaultConfig(), fails, 3000)
			ops, err := Decode(small, DefaultConfig())
			if err != nil || !fails(ops) {
				t.Fatalf("the shrunk input no longer fails (%v)", err)
			}
			ops = ShrinkOps(ops, model.OpenSSL30(), fails, 2000)
			if !Legal(model.OpenSSL30(), ops) || !fails(ops) {
				t.Fatalf("ShrinkOps returned a sequence that is illegal or passes: %v", ops)
			}
			if len(ops) > 10 || len(ops) >= len(before) {
				t.Fatalf("shrunk %d calls to %d, want at most 10: %v", len(before), len(ops), ops)
			}
		})
	}
}

// TestShrinkOpsRenumbers: removing an SSL_CTX_new moves the later SSL_CTX
// handles down, and a candidate that still uses the removed object is
// never tried.
func TestShrinkOpsRenumbers(t *testing.T) {
	cfg := model.DefaultConfig(model.Server)
	ops := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: cfg},
		{Kind: model.CtxNew, Ctx: 2, Config: cfg},
		{Kind: model.SSLNew, SSL: 1, Ctx: 2},
		{Kind: model.SessNumber, Ctx: 2},
	}
	// "Fails" while some SSL_new and a sess_number on the same SSL_CTX are
	// left: the unused first SSL_CTX must go.
	fails := func(ops []model.Op) bool {
		var newOn, numberOn model.Handle
		for _, op := range ops {
			switch op.Kind {
			case model.SSLNew:
				newOn = op.Ctx
			case model.SessNumber:
				numberOn = op.Ctx
			}
		}
		return newOn != 0 && newOn == numberOn
	}
	got := ShrinkOps(ops, model.OpenSSL30(), fails, 100)
	want := []model.Op{
		{Kind: model.CtxNew, Ctx: 1, Config: cfg},
		{Kind: model.SSLNew, SSL: 1, Ctx: 1},
		{Kind: model.SessNumber, Ctx: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
