package properties

import (
	"context"
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// The engine's floor: what rapid itself costs a call, on a toy state
// machine whose calls cost next to nothing, beside rapid driving the real
// lockstep check. Run with the benchmarks of bench_test.go, in one run, so
// that the ratios compare like with like (docs/perf.md, "Engine overhead").

// toyCounter is the toy system under test: a counter with a lower bound,
// whose model is a plain int.
type toyCounter struct{ n, floor int64 }

func (c *toyCounter) apply(kind int, arg int64) int64 {
	switch kind {
	case 0:
		c.n += arg
	case 1:
		c.n = max(c.n-arg, c.floor)
	case 2:
		c.floor = min(arg, c.n)
	}
	return c.n
}

// BenchmarkToyRapid: rapid drawing sequences of 50..100 calls (a kind and
// an argument each, as a DrawOp choice draws a kind and then its operands)
// on the toy state machine, each call compared with its model.
func BenchmarkToyRapid(b *testing.B) {
	calls := 0
	for b.Loop() {
		rapid.Check(b, func(t *rapid.T) {
			var sut toyCounter
			var want, floor int64
			n := rapid.IntRange(50, 100).Draw(t, "calls")
			for range n {
				kind := rapid.IntRange(0, 2).Draw(t, "kind")
				arg := rapid.Int64Range(0, 1000).Draw(t, "arg")
				switch kind {
				case 0:
					want += arg
				case 1:
					want = max(want-arg, floor)
				case 2:
					floor = min(arg, want)
				}
				if got := sut.apply(kind, arg); got != want {
					t.Fatalf("call %d: got %d, want %d", calls, got, want)
				}
				calls++
			}
		})
	}
	reportCallsPerSecond(b, calls)
}

// countingTarget counts the calls made on a target.
type countingTarget struct {
	target.Target
	calls *int
}

func (c countingTarget) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	*c.calls++
	return c.Target.Apply(ctx, op)
}

// BenchmarkRapidImpl: rapid driving the lockstep check of the reference
// simulator (RapidProp, the engine of make check's rapid runs): drawing
// each call from the model's state through rapid, stepping the model, the
// target call, and both observations with their comparison.
func BenchmarkRapidImpl(b *testing.B) {
	calls := 0
	tgt := countingTarget{impl.NewTarget(), &calls}
	prop := RapidProp(tgt, DefaultOptions())
	for b.Loop() {
		rapid.Check(b, prop)
	}
	reportCallsPerSecond(b, calls)
}
