package impl

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

// legalSequences draws n legal sequences of length calls with the test
// generator, stepping the model so every call is legal where it stands.
func legalSequences(tb testing.TB, n, length int) [][]model.Op {
	var seqs [][]model.Op
	for seed := range uint64(n) {
		g := newGen(seed, everyday)
		seq := g.setup()
		for _, op := range seq {
			if _, err := g.st.Step(op); err != nil {
				tb.Fatal(err)
			}
		}
		for len(seq) < length {
			op, ok := g.next()
			if !ok {
				break
			}
			if _, err := g.st.Step(op); err != nil {
				tb.Fatal(err)
			}
			seq = append(seq, op)
		}
		seqs = append(seqs, seq)
	}
	return seqs
}

// BenchmarkImplCalls measures the simulator behind the Target interface:
// one iteration is one whole random legal sequence (about 100 calls) on a
// fresh universe; the calls/s metric is what engines can expect.
func BenchmarkImplCalls(b *testing.B) {
	seqs := legalSequences(b, 200, 100)
	tg := NewTarget()
	calls := 0
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		seq := seqs[i%len(seqs)]
		if err := tg.Reset(bg); err != nil {
			b.Fatal(err)
		}
		for _, op := range seq {
			if _, err := tg.Apply(bg, op); err != nil {
				b.Fatalf("%s: %v", op, err)
			}
		}
		calls += len(seq)
	}
	b.ReportMetric(float64(calls)/b.Elapsed().Seconds(), "calls/s")
}
