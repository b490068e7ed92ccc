package properties

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// benchSequences draws n legal sequences of 75 calls once, so the
// benchmarks below measure checking, not generation.
func benchSequences(n int) [][]model.Op {
	out := make([][]model.Op, n)
	all := func(model.Kind) bool { return true }
	for i := range out {
		s := model.New(model.OpenSSL30())
		src := seedSource{rand.New(rand.NewPCG(uint64(i), 7))}
		for range 75 {
			op := DrawOp(src, s, all, DefaultLimits())
			s.Step(op)
			out[i] = append(out[i], op)
		}
	}
	return out
}

func reportCallsPerSecond(b *testing.B, calls int) {
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDraw: the generator as the search runs it: drawing every call of
// 75-call sequences (the default mix) and stepping the model, whose state
// each draw reads.
func BenchmarkDraw(b *testing.B) {
	all := func(model.Kind) bool { return true }
	var d Drawer
	calls := 0
	for i := 0; b.Loop(); i++ {
		s := model.New(model.OpenSSL30())
		src := seedSource{rand.New(rand.NewPCG(uint64(i), 7))}
		for range 75 {
			s.Step(d.Draw(src, s, all, DefaultLimits(), nil))
			calls++
		}
	}
	reportCallsPerSecond(b, calls)
}

// BenchmarkModelOnly: the model stepping alone.
func BenchmarkModelOnly(b *testing.B) {
	seqs := benchSequences(64)
	calls := 0
	for i := 0; b.Loop(); i++ {
		s := model.New(model.OpenSSL30())
		for _, op := range seqs[i%len(seqs)] {
			s.Step(op)
			calls++
		}
	}
	reportCallsPerSecond(b, calls)
}

// BenchmarkImplOnly: the reference simulator through the Target interface
// alone, with an observation after every call.
func BenchmarkImplOnly(b *testing.B) {
	seqs := benchSequences(64)
	tgt := impl.NewTarget()
	ctx := context.Background()
	calls := 0
	for i := 0; b.Loop(); i++ {
		tgt.Reset(ctx)
		for _, op := range seqs[i%len(seqs)] {
			tgt.Apply(ctx, op)
			tgt.Observe(ctx)
			calls++
		}
	}
	reportCallsPerSecond(b, calls)
}

// BenchmarkCheckImpl: the whole lockstep check (model step, target call,
// result comparison, observation of both sides and their comparison): the
// checking throughput of the oracle against the reference simulator.
func BenchmarkCheckImpl(b *testing.B) {
	benchCheck(b, impl.NewTarget())
}

func benchCheck(b *testing.B, tgt target.Target) {
	seqs := benchSequences(64)
	ctx := context.Background()
	calls := 0
	for i := 0; b.Loop(); i++ {
		ls, err := NewLockstep(ctx, tgt, model.OpenSSL30())
		if err != nil {
			b.Fatal(err)
		}
		for _, op := range seqs[i%len(seqs)] {
			if err := ls.Do(ctx, op); err != nil {
				b.Fatal(err)
			}
			calls++
		}
	}
	reportCallsPerSecond(b, calls)
}
