package mutation

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
)

// Options are the budgets and the seed of a run: every budget is a count.
type Options struct {
	// Seed drives every engine (the search's first seed; the others follow
	// it).
	Seed uint64
	// Seeds is how many seeds the search runs on, each for up to Sequences
	// sequences of 50..100 calls; ReduceBudget bounds the replays that
	// reduce each finding.
	Seeds, Sequences, ReduceBudget int
	// ProfileSequences is the search's budget per seed on a profile
	// mutant (RunProfiles): the model as the target is cheap, but a
	// profile that flushes its cache makes the search run marathons of
	// 2,500 calls.
	ProfileSequences int
	// ProfileNaming makes the search on a profile mutant's first seed go
	// on past its first finding, within the same budget, to name every
	// difference the mutant shows (docs/mutants.md lists them); without
	// it that seed stops at its first finding, as the others do.
	ProfileNaming bool
	// Gopter is gopter's budget of command sequences.
	Gopter int
	// Fuzz is the fuzz decoder's budget of seeded byte inputs.
	Fuzz int
	// LinRuns is the linearizability engine's budget of concurrent runs.
	LinRuns int
	// LinCallTimeout bounds one call of those runs before it counts as a
	// hang, which kills the mutant (0: the runner's default, 10 s): a
	// mutant's broken locking can make a call loop for good. The control
	// run's test sets it near its own deadline, so that a loaded machine
	// cannot kill the correct simulator.
	LinCallTimeout time.Duration
	// RaceRuns is how many concurrent runs the race engine's child makes;
	// RaceBinary is a sesslife built with -race ("": the race engine
	// cannot run).
	RaceRuns   int
	RaceBinary string
	// Cross also runs the one-goroutine engines on the concurrent mutants
	// and every concurrent engine on every mutant. What it adds varies
	// from run to run.
	Cross bool
	// Parallel is how many engine runs go at once (each is independent,
	// so this changes the time, not the table).
	Parallel int
	// Progress, when set, gets a line as each mutant's engines are done
	// (with times: it is for people, not for comparing).
	Progress io.Writer
}

// DefaultOptions are the budgets of `make mutants`.
func DefaultOptions() Options {
	return Options{Seed: 20261124, Seeds: 5, Sequences: 5000, ProfileSequences: 2000, ProfileNaming: true, ReduceBudget: 1500, Gopter: 2000,
		Fuzz: 20000, LinRuns: 30, RaceRuns: 20, Parallel: 2}
}

// validate names the first budget that is not positive.
func (o Options) validate() error {
	for _, b := range []struct {
		name string
		v    int
	}{{"Seeds", o.Seeds}, {"Sequences", o.Sequences}, {"ProfileSequences", o.ProfileSequences}, {"ReduceBudget", o.ReduceBudget}, {"Gopter", o.Gopter},
		{"Fuzz", o.Fuzz}, {"LinRuns", o.LinRuns}, {"RaceRuns", o.RaceRuns}, {"Parallel", o.Parallel}} {
		if b.v < 1 {
			return fmt.Errorf("mutation: Options.%s = %d, want at least 1", b.name, b.v)
		}
	}
	return nil
}

// Kill is what one engine did to one mutant.
type Kill struct {
	Killed bool
	// Undecided says why the engine could not decide (a harness error, or
	// checks that could not decide); "" when it did.
	Undecided string
	// Tries is how many sequences, inputs or runs the engine tried up to
	// and including its first failure, or in all when it found none (the
	// search: on its first seed).
	Tries int
	// Rule names the reproducer's divergence (the one-goroutine engines).
	Rule model.Rule
	// Calls is the length of the reproducer, and Repro the reproducer as
	// text (a divergence, a linearizability report, a race report).
	Calls int
	Repro string
	// Input is the fuzz engine's shrunk byte input (before the call-level
	// reduction), a seed for FuzzDecodeImpl.
	Input []byte
	// Seeds are the search engine's results, one per seed.
	Seeds []SeedKill
	// Elapsed is the engine's time on this mutant, for the perf section
	// only: no verdict depends on it.
	Elapsed time.Duration
}

// SeedKill is the search engine's result on one seed.
type SeedKill struct {
	Seed   uint64
	Killed bool
	// Sequences is how many sequences the search drew up to and including
	// the one that found the finding (all of them when it found none).
	Sequences int
	// Rule names the finding; Calls is its reduced length, Minimal whether
	// the reduction finished.
	Rule    model.Rule
	Calls   int
	Minimal bool
	// Like lists the switches of the finding's likenesses
	// (properties.Divergence.Likenesses): the known library differences
	// that account for all the target did on the reproducer.
	Like []string
}

// Row is one mutant's line of the table.
type Row struct {
	Info  mutants.Info
	Kills map[string]Kill // by engine name; absent: the engine did not run
}

// KilledBy lists the engines that killed the mutant, in table order.
func (r Row) KilledBy(engines []Engine) []string {
	var out []string
	for _, e := range engines {
		if r.Kills[e.Name].Killed {
			out = append(out, e.Name)
		}
	}
	return out
}

// Table is the result of a run.
type Table struct {
	Options Options
	Engines []Engine
	Rows    []Row
	// Profiles are the rows of the profile mutants (RunProfiles), when
	// they ran.
	Profiles []ProfileRow
	Elapsed  time.Duration
}

// Killed counts the mutants some engine killed, and those on which some
// engine ran.
func (t *Table) Killed() (killed, ran int) {
	for _, r := range t.Rows {
		if len(r.Kills) > 0 {
			ran++
		}
		if len(r.KilledBy(t.Engines)) > 0 {
			killed++
		}
	}
	return killed, ran
}

// Undecided lists the engine runs that could not decide, as "mutant
// (engine): why".
func (t *Table) Undecided() []string {
	var out []string
	for _, r := range t.Rows {
		for _, e := range t.Engines {
			if k, ok := r.Kills[e.Name]; ok && k.Undecided != "" {
				out = append(out, fmt.Sprintf("%s (%s): %s", r.Info.Name, e.Name, k.Undecided))
			}
		}
	}
	for _, r := range t.Profiles {
		if r.Kill.Undecided != "" {
			out = append(out, fmt.Sprintf("%s (search): %s", r.Mutant.Name, r.Kill.Undecided))
		}
	}
	return out
}

// Engine is one way of checking a mutant.
type Engine struct {
	Name string
	// Concurrent: the engine drives several goroutines at once and is meant
	// for the concurrent mutants; the others run one call at a time.
	Concurrent bool
	run        func(ctx context.Context, m mutants.Info, o Options) Kill
}

// Engines returns every engine, in table order.
func Engines() []Engine {
	return []Engine{
		{"search", false, runSearch},
		{"gopter", false, runGopter},
		{"fuzz", false, runFuzz},
		{"linearizability", true, runLin},
		{"race", true, runRace},
	}
}

// EngineNames lists the engines' names.
func EngineNames(es []Engine) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// SelectEngines returns the engines named in a comma-separated list, all of
// them for "".
func SelectEngines(list string) ([]Engine, error) {
	all := Engines()
	if list == "" {
		return all, nil
	}
	var out []Engine
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(all, func(e Engine) bool { return e.Name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(EngineNames(all), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// SelectMutants returns the mutants named in a comma-separated list, all of
// them for "".
func SelectMutants(list string) ([]mutants.Info, error) {
	if list == "" {
		return mutants.All(), nil
	}
	var out []mutants.Info
	for _, name := range strings.Split(list, ",") {
		m, err := mutants.Parse(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		info, _ := m.Info()
		out = append(out, info)
	}
	return out, nil
}

// Catcher is the concurrent engine meant for a concurrent mutant: the race
// detector for the one whose only symptom is a data race, linearizability
// for the others (the lists of package linearizability's tests).
func Catcher(m mutants.Mutant) string {
	if m == mutants.SetTimeUnlocked {
		return "race"
	}
	return "linearizability"
}

// runs reports whether engine e runs on mutant m.
func (o Options) runs(e Engine, m mutants.Info) bool {
	switch {
	case o.Cross:
		return true
	case !m.Concurrent:
		return !e.Concurrent
	}
	return e.Name == Catcher(m.Mutant)
}

// Run runs engines against ms with the budgets of o, o.Parallel engine runs
// at a time, and returns the table. Rows are in the order of ms. It stops
// early, with the rows so far, when ctx is cancelled.
func Run(ctx context.Context, ms []mutants.Info, engines []Engine, o Options) (*Table, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	t := &Table{Options: o, Engines: engines, Rows: make([]Row, len(ms))}
	type job struct{ row, engine int }
	var todo []job
	left := make([]int, len(ms))
	for i, m := range ms {
		t.Rows[i] = Row{Info: m, Kills: map[string]Kill{}}
		for j, e := range engines {
			if o.runs(e, m) {
				todo = append(todo, job{i, j})
				left[i]++
			}
		}
	}
	// The longest runs first, so that they do not trail: the concurrent
	// engines, then the search's.
	slices.SortStableFunc(todo, func(a, b job) int { return weight(engines[b.engine]) - weight(engines[a.engine]) })
	jobs := make(chan job)
	var (
		mu      sync.Mutex // guards the rows' kills and left
		workers sync.WaitGroup
	)
	for range o.Parallel {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				m, e := ms[j.row], engines[j.engine]
				began := time.Now()
				k := e.run(ctx, m, o)
				k.Elapsed = time.Since(began)
				mu.Lock()
				t.Rows[j.row].Kills[e.Name] = k
				if left[j.row]--; left[j.row] == 0 && o.Progress != nil {
					progress(o.Progress, t.Rows[j.row], engines)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range todo {
		if ctx.Err() != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	workers.Wait()
	t.Elapsed = time.Since(start)
	return t, ctx.Err()
}

func weight(e Engine) int {
	switch {
	case e.Concurrent:
		return 2
	case e.Name == "search":
		return 1
	}
	return 0
}

// progress prints one line: who killed the mutant, and what each engine
// spent on it.
func progress(w io.Writer, r Row, engines []Engine) {
	var spent []string
	for _, e := range engines {
		if k, ran := r.Kills[e.Name]; ran {
			spent = append(spent, fmt.Sprintf("%s %s", e.Name, shortDuration(k.Elapsed)))
		}
	}
	fmt.Fprintf(w, "sesslife: %-34s killed by %-24s (%s)\n", r.Info.Name, orNone(r.KilledBy(engines)), strings.Join(spent, ", "))
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none (SURVIVED)"
	}
	return strings.Join(names, ",")
}

// shortDuration rounds for a progress line: 3ms, 1.2s.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
