package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/mutation"
)

// mutantsConfig holds the flags of `sesslife mutants`.
type mutantsConfig struct {
	opts     mutation.Options
	only     string
	engines  string
	markdown string
	check    string
	corpus   string
	perf     bool
	probe    string // the race engine's child: run one mutant's workload
}

func mutantsFlags(c *mutantsConfig) *flag.FlagSet {
	d := mutation.DefaultOptions()
	c.opts = d
	fs := flag.NewFlagSet("sesslife mutants", flag.ContinueOnError)
	fs.Uint64Var(&c.opts.Seed, "seed", d.Seed, "seed of every engine (fixed, so that the table is repeatable)")
	fs.IntVar(&c.opts.Seeds, "seeds", d.Seeds, "search: how many seeds (from --seed) each sequential mutant runs on")
	fs.IntVar(&c.opts.Sequences, "sequences", d.Sequences, "search: budget of sequences of 50..100 calls per seed")
	fs.IntVar(&c.opts.ProfileSequences, "profile-sequences", d.ProfileSequences, "search: budget of sequences per seed on a profile mutant")
	fs.BoolVar(&c.opts.ProfileNaming, "profile-naming", d.ProfileNaming, "search: on a profile mutant's first seed, go on past the first finding to name every difference")
	fs.IntVar(&c.opts.ReduceBudget, "reduce-budget", d.ReduceBudget, "search: budget of replays to reduce a finding")
	fs.IntVar(&c.opts.Gopter, "gopter", d.Gopter, "gopter budget: command sequences per mutant")
	fs.IntVar(&c.opts.Fuzz, "fuzz", d.Fuzz, "fuzz decoder budget: seeded byte inputs per mutant")
	fs.IntVar(&c.opts.LinRuns, "lin", d.LinRuns, "linearizability budget: concurrent runs per mutant (up to the first violation)")
	fs.IntVar(&c.opts.RaceRuns, "race-runs", d.RaceRuns, "race budget: concurrent runs per mutant in the -race build")
	fs.BoolVar(&c.opts.Cross, "cross", false, "also run the one-goroutine engines on concurrent mutants and every concurrent engine on every mutant (varies from run to run)")
	fs.IntVar(&c.opts.Parallel, "parallel", runtime.GOMAXPROCS(0), "engine runs at once (each is independent: the table does not change)")
	fs.StringVar(&c.opts.RaceBinary, "race-binary", "", "sesslife built with -race, for the race engine (default: bin/sesslife-race or sesslife-race next to this binary, if there)")
	fs.StringVar(&c.only, "mutants", "", "comma-separated mutant names to run, profile mutants as profile:Switch (default: all)")
	fs.StringVar(&c.engines, "engines", "", "comma-separated engines to run (default: all: "+strings.Join(mutation.EngineNames(mutation.Engines()), ",")+")")
	fs.StringVar(&c.markdown, "markdown", "", "write the tables and every reproducer as markdown to this file (docs/mutants.md)")
	fs.StringVar(&c.check, "check", "", "fail unless this file holds exactly the markdown this run generates")
	fs.BoolVar(&c.perf, "perf", false, "also print the engine comparison, with times, as a markdown section (docs/perf.md)")
	fs.StringVar(&c.corpus, "corpus", "", "write the fuzz engine's shrunk input for each mutant to this directory, as go fuzz seeds")
	fs.StringVar(&c.probe, "race-probe", "", "internal: run this mutant's concurrent workload and exit (the race engine's child)")
	return fs
}

// runMutants implements `sesslife mutants`: the kill table of package
// mutation with the budgets of the flags, on stdout, and `killed N/M
// mutants` as the last line. What stdout says depends only on the seed and
// the budgets; progress and times go to stderr. Exit status: 0 when every
// mutant was killed (and --check found the file current), 1 when one
// survived or the file is stale, 2 for bad flags or files, or an engine that
// could not decide, 130 when interrupted.
func runMutants(args []string, stdout, stderr io.Writer) int {
	var c mutantsConfig
	fs := mutantsFlags(&c)
	if code := parseArgs(fs, args, stdout, stderr, 0, ""); code != continueRun {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.probe != "" {
		if err := mutation.RaceProbe(ctx, c.probe, c.opts.Seed, c.opts.RaceRuns); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --race-probe: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	ms, pms, err := selectAllMutants(c.only)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: --mutants: %v\n", err)
		return exitUsage
	}
	engines, err := mutation.SelectEngines(c.engines)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: --engines: %v\n", err)
		return exitUsage
	}
	if !slices.ContainsFunc(engines, func(e mutation.Engine) bool { return e.Name == "search" }) {
		pms = nil // the profile mutants run under the search alone
	}
	if c.opts.RaceBinary == "" {
		c.opts.RaceBinary = findRaceBinary()
	}
	if i := slices.IndexFunc(engines, func(e mutation.Engine) bool { return e.Name == "race" }); i >= 0 && c.opts.RaceBinary == "" {
		if c.engines != "" {
			fmt.Fprintln(stderr, "sesslife mutants: the race engine needs a sesslife built with -race: go build -race -o bin/sesslife-race ./cmd/sesslife")
			return exitUsage
		}
		fmt.Fprintln(stderr, "sesslife mutants: no bin/sesslife-race (go build -race -o bin/sesslife-race ./cmd/sesslife): the race engine does not run")
		engines = slices.Delete(engines, i, i+1)
	}
	var old []byte
	if c.check != "" {
		if old, err = os.ReadFile(c.check); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --check: %v\n", err)
			return exitUsage
		}
	}
	c.opts.Progress = stderr
	began := time.Now() // both phases; t.Elapsed is the sequential one's
	t, err := mutation.Run(ctx, ms, engines, c.opts)
	if err == nil && len(pms) > 0 {
		t.Profiles, err = mutation.RunProfiles(ctx, pms, c.opts)
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stderr, "sesslife mutants: interrupted")
		return exitInterrupted
	case err != nil:
		fmt.Fprintf(stderr, "sesslife mutants: %v\n", err)
		return exitUsage
	}
	t.Print(stdout)
	fmt.Fprintf(stderr, "sesslife mutants: %s in all\n", time.Since(began).Round(time.Millisecond))
	if c.perf {
		fmt.Fprintln(stdout)
		t.Perf(stdout)
		fmt.Fprintln(stdout)
	}
	if c.corpus != "" {
		if err := t.WriteCorpus(c.corpus); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --corpus: %v\n", err)
			return exitUsage
		}
	}
	doc := t.Markdown()
	if c.markdown != "" {
		// The file's sections written by hand, after the generated part,
		// stay (a file that does not exist yet has none).
		prev, _ := os.ReadFile(c.markdown)
		if err := os.WriteFile(c.markdown, []byte(doc+mutation.HandWritten(string(prev))), 0o644); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: %v\n", err)
			return exitUsage
		}
	}
	status := exitOK
	if c.check != "" {
		if line := mutation.Stale(string(old), doc); line != 0 {
			fmt.Fprintf(stdout, "sesslife: %s is stale (first difference at line %d); regenerate it with: make mutants-docs\n",
				c.check, line)
			status = exitDivergence
		}
	}
	killed, ran := t.Killed()
	if killed < ran {
		status = exitDivergence
	}
	if len(t.Profiles) > 0 {
		pk, unexpected := 0, 0
		for _, r := range t.Profiles {
			if r.Kill.Killed {
				pk++
			}
			if !r.Expected() && r.Kill.Undecided == "" {
				unexpected++
			}
		}
		fmt.Fprintf(stdout, "killed %d/%d profile mutants (%d without the verdict expected of them)\n", pk, len(t.Profiles), unexpected)
		if unexpected > 0 {
			status = exitDivergence
		}
	}
	if u := t.Undecided(); len(u) > 0 {
		fmt.Fprintf(stdout, "sesslife: %d engine runs could not decide (not a verdict):\n  %s\n", len(u), strings.Join(u, "\n  "))
		status = exitUsage
	}
	fmt.Fprintf(stdout, "killed %d/%d mutants\n", killed, ran)
	return status
}

// selectAllMutants splits a --mutants list into the simulator's mutants
// and the profile mutants (named profile:Switch); "" selects all of both.
func selectAllMutants(list string) ([]mutants.Info, []mutation.ProfileMutant, error) {
	if list == "" {
		ms, err := mutation.SelectMutants("")
		return ms, mutation.ProfileMutants(), err
	}
	var sim, prof []string
	for _, name := range strings.Split(list, ",") {
		if strings.Contains(name, ":") {
			prof = append(prof, name)
		} else {
			sim = append(sim, name)
		}
	}
	var ms []mutants.Info
	var pms []mutation.ProfileMutant
	var err error
	if len(sim) > 0 {
		if ms, err = mutation.SelectMutants(strings.Join(sim, ",")); err != nil {
			return nil, nil, err
		}
	}
	if len(prof) > 0 {
		if pms, err = mutation.SelectProfileMutants(strings.Join(prof, ",")); err != nil {
			return nil, nil, err
		}
	}
	return ms, pms, nil
}

// findRaceBinary looks for a race-built sesslife: bin/sesslife-race, then
// sesslife-race next to this binary; "" when there is none.
func findRaceBinary() string {
	candidates := []string{filepath.Join("bin", "sesslife-race")}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "sesslife-race"))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			if abs, err := filepath.Abs(c); err == nil {
				return abs
			}
		}
	}
	return ""
}
