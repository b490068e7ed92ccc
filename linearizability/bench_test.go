package linearizability

import (
	"context"
	"fmt"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
)

// benchHistory records a linearizable history of about calls calls from
// the given number of clients on the reference simulator (with yields, so
// that calls overlap): a one-universe probe sizes the run.
func benchHistory(b *testing.B, clients, calls int) *History {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	cfg := Config{Clients: clients, Rounds: 2, CallsPerRound: 50, Seed: 1, Epochs: 1}
	probe, err := Run(context.Background(), impl.NewTarget(mutants.Yields()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Epochs = max(1, (calls+probe.Calls()/2)/probe.Calls())
	h, err := Run(context.Background(), impl.NewTarget(mutants.Yields()), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkCheck measures Check against history length and client count.
func BenchmarkCheck(b *testing.B) {
	for _, clients := range []int{2, 4, 8, 16} {
		for _, calls := range []int{1000, 3000, 10000, 30000} {
			b.Run(fmt.Sprintf("clients=%d/calls=%d", clients, calls), func(b *testing.B) {
				h := benchHistory(b, clients, calls)
				for b.Loop() {
					if rep := Check(h, Options{}); !rep.Passed() {
						b.Fatal(rep)
					}
				}
				b.ReportMetric(float64(h.Calls()), "calls")
			})
		}
	}
}
