package mutation

import (
	"context"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
)

// small are budgets that kill the easy mutants quickly.
func small() Options {
	o := DefaultOptions()
	o.Seeds, o.Sequences, o.ReduceBudget, o.Gopter, o.Fuzz, o.LinRuns, o.RaceRuns = 2, 100, 300, 100, 300, 3, 1
	return o
}

func engine(t *testing.T, name string) Engine {
	t.Helper()
	es, err := SelectEngines(name)
	if err != nil {
		t.Fatal(err)
	}
	return es[0]
}

// TestEnginesPassTheCorrectSimulator: no engine reports a divergence of the
// simulator without mutants (the control run).
func TestEnginesPassTheCorrectSimulator(t *testing.T) {
	o := small()
	o.Seed, o.Sequences, o.Gopter, o.Fuzz, o.LinRuns = 7, 100, 60, 300, 1
	// The correct simulator must pass: a call counts as hung only near the
	// test binary's deadline. (A mutant keeps the default: its broken
	// locking can make a call loop for good, which the timeout ends.)
	o.LinCallTimeout = testwait.RunBudget()
	if testing.Short() {
		o.Sequences, o.Gopter, o.Fuzz = 30, 20, 100
	}
	none := mutants.Info{Name: "none"}
	for _, e := range Engines() {
		if e.Name == "race" {
			continue // needs a race-built binary; RaceProbe is tested below
		}
		if k := e.run(context.Background(), none, o); k.Killed || k.Undecided != "" {
			t.Errorf("%s: the correct simulator was killed (%q): %s", e.Name, k.Undecided, k.Repro)
		}
	}
}

// TestSearchSeeds: the search engine runs every seed, counts the sequences
// each needed, names the findings, and shows the first seed's reproducer.
func TestSearchSeeds(t *testing.T) {
	info, _ := mutants.AddSameReturns1.Info()
	o := small()
	o.Seeds = 3
	k := engine(t, "search").run(context.Background(), info, o)
	if !k.Killed || len(k.Seeds) != 3 || k.Rule != model.RuleCacheAddSame || k.Calls == 0 || !strings.Contains(k.Repro, "SSL_CTX_add_session") {
		t.Fatalf("search kill %+v", k)
	}
	for i, sk := range k.Seeds {
		if sk.Seed != o.Seed+uint64(i) || !sk.Killed || sk.Sequences < 1 || sk.Sequences > o.Sequences || sk.Calls == 0 {
			t.Errorf("seed %d: %+v", i, sk)
		}
	}
	if k.Tries != k.Seeds[0].Sequences {
		t.Errorf("Tries %d, want the first seed's %d", k.Tries, k.Seeds[0].Sequences)
	}
	o.Sequences = 1
	info, _ = mutants.TicketHintNoSlack.Info()
	k = engine(t, "search").run(context.Background(), info, o)
	if k.Killed || len(k.Seeds) != 3 || k.Seeds[0].Sequences != 1 {
		t.Fatalf("a budget of one sequence killed ticket-hint-no-slack: %+v", k)
	}
}

// TestTableIsTheSameUnderLoad: two runs of the table, one with busy
// goroutines beside it and on one worker instead of two, give the same
// text and markdown, byte for byte.
func TestTableIsTheSameUnderLoad(t *testing.T) {
	mutantList, engineList := "capacity-n,flush-zero-keeps,remove-by-object", "search,gopter,fuzz"
	if testing.Short() {
		mutantList, engineList = "capacity-n,remove-by-object", "search,fuzz"
	}
	ms, err := SelectMutants(mutantList)
	if err != nil {
		t.Fatal(err)
	}
	engines, _ := SelectEngines(engineList)
	run := func(parallel int) (string, string) {
		o := small()
		o.Parallel = parallel
		if testing.Short() {
			o.Seeds = 1
		}
		tb, err := Run(context.Background(), ms, engines, o)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		tb.Print(&text)
		return text.String(), tb.Markdown()
	}
	quietText, quietDoc := run(2)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := 0; !stop.Load(); x++ {
				_ = x * x
			}
		}()
	}
	loadedText, loadedDoc := run(1)
	stop.Store(true)
	wg.Wait()
	if quietText != loadedText {
		t.Errorf("the text differs under load:\n%s\n---\n%s", quietText, loadedText)
	}
	if line := Stale(quietDoc, loadedDoc); line != 0 {
		t.Errorf("the markdown differs under load at line %d", line)
	}
	if !strings.Contains(quietText, "capacity-n") || strings.Contains(quietText, "SURVIVED") {
		t.Errorf("unexpected table:\n%s", quietText)
	}
}

// TestConcurrentMutantRunsUnderItsCatcher: a concurrent mutant runs only
// under the engine meant for it, unless Options.Cross; that engine kills it.
func TestConcurrentMutantRunsUnderItsCatcher(t *testing.T) {
	ms, _ := SelectMutants("flush-release-early,settime-unlocked")
	engines, _ := SelectEngines("search,linearizability")
	tb, err := Run(context.Background(), ms, engines, small())
	if err != nil {
		t.Fatal(err)
	}
	if got := kills(tb.Rows[0]); !reflect.DeepEqual(got, []string{"linearizability"}) {
		t.Errorf("flush-release-early ran under %v, want [linearizability]", got)
	}
	if !tb.Rows[0].Kills["linearizability"].Killed {
		t.Errorf("linearizability did not kill flush-release-early: %+v", tb.Rows[0].Kills["linearizability"])
	}
	if got := kills(tb.Rows[1]); len(got) != 0 {
		t.Errorf("settime-unlocked ran under %v; its engine, race, was not selected", got)
	}
	if Catcher(mutants.SetTimeUnlocked) != "race" || Catcher(mutants.EvictSplitLock) != "linearizability" {
		t.Error("Catcher gives the wrong engines")
	}
}

func kills(r Row) []string {
	var out []string
	for _, e := range Engines() {
		if _, ok := r.Kills[e.Name]; ok {
			out = append(out, e.Name)
		}
	}
	return out
}

// TestRaceProbeRunsTheWorkload: the race engine's child runs a concurrent
// mutant's workload without error (the race detector, when built in, does
// the checking; evict-split-lock has no data race).
func TestRaceProbeRunsTheWorkload(t *testing.T) {
	if err := RaceProbe(context.Background(), "evict-split-lock", 1, 1); err != nil {
		t.Fatal(err)
	}
	if err := RaceProbe(context.Background(), "no-such-mutant", 1, 1); err == nil || !strings.Contains(err.Error(), "unknown mutant") {
		t.Fatalf("RaceProbe of an unknown mutant: %v", err)
	}
}

// TestStale: the first differing line, 0 for equal texts.
// TestHandWritten: what follows the generated part is kept, nothing when
// the file has no such part.
func TestHandWritten(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"a\n" + GeneratedEnd + "\n## by hand\n", "## by hand\n"},
		{"a\n" + GeneratedEnd + "\n", ""},
		{"a\n## by hand\n", ""},
		{"", ""},
	} {
		if got := HandWritten(c.in); got != c.want {
			t.Errorf("HandWritten(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestStale(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"a\nb", "a\nb", 0}, {"a\nb", "a\nc", 2}, {"a", "a\nb", 2}, {"x\nb", "a\nb", 1},
		// What follows the generated part is the file's own.
		{"a\n" + GeneratedEnd + "\n## by hand\n", "a\n" + GeneratedEnd + "\n", 0},
		{"b\n" + GeneratedEnd + "\n## by hand\n", "a\n" + GeneratedEnd + "\n", 1},
		{"a\n## by hand\n", "a\n" + GeneratedEnd + "\n", 2}} {
		if got := Stale(c.a, c.b); got != c.want {
			t.Errorf("Stale(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestOptionsMustBePositive: a budget of zero is an error naming it.
func TestOptionsMustBePositive(t *testing.T) {
	o := small()
	o.LinRuns = 0
	if _, err := Run(context.Background(), nil, nil, o); err == nil || !strings.Contains(err.Error(), "LinRuns") {
		t.Fatalf("Run with LinRuns 0: %v", err)
	}
}
