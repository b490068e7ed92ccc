package linearizability

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
)

var perfTable = flag.Bool("lin.perf", false, "TestCheckPerfTable: measure record and check times and print docs/perf.md's table")

// TestCheckPerfTable measures, in one run, how long recording a history of
// the reference simulator takes (with mutants.Yields(), so that calls
// overlap) and how long Check takes to decide it, for 2, 8 and 16 clients
// and about 1,000, 10,000 and 30,000 calls, and prints docs/perf.md's
// table. It asserts nothing about time (the machine may be slow or
// loaded); it fails only when a history does not check as linearizable.
//
//	go test ./linearizability -count=1 -v -run TestCheckPerfTable -lin.perf
func TestCheckPerfTable(t *testing.T) {
	if !*perfTable {
		t.Skip("a measurement: run with -lin.perf")
	}
	fmt.Fprintln(os.Stdout, "| clients | calls | universes | record | check | check / record | steps |")
	fmt.Fprintln(os.Stdout, "|---|---|---|---|---|---|---|")
	for _, clients := range []int{2, 8, 16} {
		for _, calls := range []int{1000, 10000, 30000} {
			cfg := Config{Clients: clients, Seed: 1, Epochs: 1}
			probe, err := Run(context.Background(), impl.NewTarget(mutants.Yields()), cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Epochs = max(1, (calls+probe.Calls()/2)/probe.Calls())
			start := time.Now()
			h, err := Run(context.Background(), impl.NewTarget(mutants.Yields()), cfg)
			if err != nil {
				t.Fatal(err)
			}
			record := time.Since(start)
			rep := Check(h, Options{})
			if !rep.Passed() {
				t.Fatalf("%d clients, %d calls: %s", clients, h.Calls(), rep)
			}
			fmt.Fprintf(os.Stdout, "| %d | %d | %d | %v | %v | %.2f | %d |\n", clients, h.Calls(), rep.Universes,
				record.Round(time.Millisecond), rep.Elapsed.Round(time.Millisecond),
				rep.Elapsed.Seconds()/record.Seconds(), rep.Steps)
		}
	}
}
