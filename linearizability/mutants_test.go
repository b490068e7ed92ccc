package linearizability

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/internal/testwait"
)

// The concurrent mutants of package impl, by what catches them (the table
// in the package doc).
var (
	caughtByPorcupine = []mutants.Mutant{mutants.RefcountUnsynced, mutants.EvictSplitLock, mutants.ListStalePlace,
		mutants.FlushReleaseEarly, mutants.SetTimeStaleOwner}
	caughtByRaceDetector = []mutants.Mutant{mutants.SetTimeUnlocked}
)

// mutantRun is the i-th run tried on a mutant: small universes, so that
// porcupine exhausts the orders of a failing one quickly (a reference count
// gone wrong shows only at tear-down), alternating with longer rounds that
// give the other races more chances. A mutant's broken locking can leave
// its structures so that a call loops for good; the 2 s call timeout ends
// such a run, which then counts as no catch (a target failure, not a
// violation), never as a pass: a budget of the mutant's runs, not a wait.
func mutantRun(i uint64) Config {
	return Config{Clients: 4, Epochs: 6, Rounds: 1 + int(i%2), CallsPerRound: 20 + 10*int(i%3), Seed: i,
		CallTimeout: 2 * time.Second}
}

// correctRun is mutantRun for the correct simulator, which must pass: a
// call counts as hung only near the test binary's deadline, so that a
// loaded machine cannot fail it.
func correctRun(i uint64) Config {
	c := mutantRun(i)
	c.CallTimeout = testwait.RunBudget()
	return c
}

// TestEveryConcurrentMutantIsCovered keeps the table complete as mutants
// are added to impl.
func TestEveryConcurrentMutantIsCovered(t *testing.T) {
	for _, m := range mutants.All() {
		if m.Concurrent && !slices.Contains(caughtByPorcupine, m.Mutant) && !slices.Contains(caughtByRaceDetector, m.Mutant) {
			t.Errorf("concurrent mutant %s is in no list of this test (and no row of the package doc's table)", m.Name)
		}
	}
}

// TestMutantsCaught: each mutant yields a violation within a few runs, with
// a visualization on disk and an account; the correct simulator passes the
// same runs.
func TestMutantsCaught(t *testing.T) {
	for seed := range uint64(2) {
		checkPasses(t, fmt.Sprintf("the correct simulator, seed %d", seed), func() (*History, error) {
			return Run(context.Background(), impl.NewTarget(mutants.Yields()), correctRun(seed))
		})
	}
	// A run catches a mutant only if its clients interleave at the wrong
	// moment. Under -race evict-split-lock needed 1 to 9 runs in six
	// trials, so 10 attempts left a miss about one time in ten; 30 make it
	// rare. The first catch usually ends the loop early.
	const attempts = 30
	for _, m := range caughtByPorcupine {
		t.Run(m.String(), func(t *testing.T) {
			for seed := range uint64(attempts) {
				h, err := Run(context.Background(), impl.NewTarget(mutants.Option(m)), mutantRun(seed))
				if err != nil {
					t.Fatal(err)
				}
				rep := Check(h, Options{OutDir: t.TempDir()})
				if rep.Verdict != Violation {
					continue
				}
				if _, err := os.Stat(rep.Visualization); err != nil || rep.Account == "" {
					t.Errorf("a violation without its visualization (%v) or account:\n%s", err, rep)
				}
				t.Logf("caught on run %d: %s", seed+1, firstLine(rep.Account))
				return
			}
			t.Fatalf("%s was not caught in %d runs", m, attempts)
		})
	}
}

func firstLine(s string) string {
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}
