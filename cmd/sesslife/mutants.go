package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sesslife/sesslife/impl/mutants"
)

// mutantsConfig holds the flags of `sesslife mutants`.
type mutantsConfig struct {
	budgets
	only     string
	engines  string
	markdown string
	check    string
	corpus   string
	perf     bool
	cross    bool
	parallel int
	probe    string // the race engine's child: run one mutant's workload
}

// mutantRow is one line of the kill table.
type mutantRow struct {
	info  mutants.Info
	kills map[string]kill // by engine name
}

// killedBy lists the engines that killed the mutant, in table order.
func (r mutantRow) killedBy(engines []engine) []string {
	var out []string
	for _, e := range engines {
		if r.kills[e.name].killed {
			out = append(out, e.name)
		}
	}
	return out
}

func mutantsFlags(c *mutantsConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife mutants", flag.ContinueOnError)
	fs.Uint64Var(&c.seed, "seed", 20261124, "seed of every engine (fixed, so that the table is repeatable)")
	fs.IntVar(&c.rapid, "rapid", 3000, "rapid budget: sequences of 50..100 calls per mutant")
	fs.IntVar(&c.gopter, "gopter", 2000, "gopter budget: command sequences per mutant")
	fs.IntVar(&c.fuzz, "fuzz", 20000, "fuzz decoder budget: seeded byte inputs per mutant")
	fs.IntVar(&c.lin, "lin", 5, "linearizability budget: concurrent runs per mutant")
	fs.IntVar(&c.raceRuns, "race-runs", 10, "race budget: concurrent runs per mutant in the -race build")
	fs.DurationVar(&c.linCheck, "lin-check", 5*time.Second, "time limit of one linearizability check")
	fs.BoolVar(&c.cross, "cross", false, "also run the one-goroutine engines on concurrent mutants and linearizability on the others")
	fs.DurationVar(&c.shrink, "shrink", 2*time.Second, "time each engine may spend shrinking one failure")
	fs.DurationVar(&c.perEngine, "engine-timeout", time.Minute, "an engine still running on one mutant after this counts as not killing it")
	fs.StringVar(&c.only, "mutants", "", "comma-separated mutant names to run (default: all)")
	fs.StringVar(&c.engines, "engines", "", "comma-separated engines to run (default: all: "+strings.Join(engineNames(allEngines()), ",")+")")
	fs.StringVar(&c.markdown, "markdown", "", "write the table and every reproducer as markdown to this file (docs/mutants.md)")
	fs.StringVar(&c.check, "check", "", "fail unless this file holds exactly the markdown this run generates")
	fs.BoolVar(&c.perf, "perf", false, "also print the engine comparison as a markdown section (docs/perf.md)")
	fs.StringVar(&c.corpus, "corpus", "", "write the fuzz engine's shrunk input for each mutant to this directory, as go fuzz seeds")
	fs.IntVar(&c.parallel, "parallel", runtime.GOMAXPROCS(0), "engine runs at once (each is sequential and deterministic)")
	fs.StringVar(&c.raceBinary, "race-binary", "", "sesslife built with -race, for the race engine (default: bin/sesslife-race or sesslife-race next to this binary, if there)")
	fs.StringVar(&c.probe, "race-probe", "", "internal: run this mutant's concurrent workload and exit (the race engine's child)")
	return fs
}

func engineNames(es []engine) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.name)
	}
	return out
}

// runMutants implements `sesslife mutants`: every engine against every
// mutant of the reference simulator with fixed budgets and seed, a table on
// stdout and `killed N/M mutants` as the last line. Exit status: 0 when
// every mutant was killed (and --check found the file current), 1 when one
// survived or the file is stale, 2 for bad flags or files.
func runMutants(args []string, stdout, stderr io.Writer) int {
	var c mutantsConfig
	fs := mutantsFlags(&c)
	if code := parseArgs(fs, args, stdout, stderr, 0, ""); code != continueRun {
		return code
	}
	if c.rapid < 1 || c.gopter < 1 || c.fuzz < 1 || c.lin < 1 || c.raceRuns < 1 || c.linCheck <= 0 || c.shrink <= 0 ||
		c.perEngine <= 0 || c.parallel < 1 {
		fmt.Fprintln(stderr, "sesslife mutants: --rapid, --gopter, --fuzz, --lin, --race-runs, --lin-check, --shrink, --engine-timeout and --parallel must be positive")
		return exitUsage
	}
	if c.probe != "" {
		return runRaceProbe(c.probe, c.budgets, stderr)
	}
	if c.raceBinary == "" {
		c.raceBinary = findRaceBinary()
	}
	mutants, err := selectMutants(c.only)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: --mutants: %v\n", err)
		return exitUsage
	}
	engines, err := selectEngines(c.engines)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: --engines: %v\n", err)
		return exitUsage
	}
	if i := slices.IndexFunc(engines, func(e engine) bool { return e.name == "race" }); i >= 0 && c.raceBinary == "" {
		if c.engines != "" {
			fmt.Fprintln(stderr, "sesslife mutants: the race engine needs a sesslife built with -race: go build -race -o bin/sesslife-race ./cmd/sesslife")
			return exitUsage
		}
		fmt.Fprintln(stderr, "sesslife mutants: no bin/sesslife-race (go build -race -o bin/sesslife-race ./cmd/sesslife): the race engine does not run")
		engines = slices.Delete(engines, i, i+1)
	}

	if err := configureRapid(c.budgets); err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: %v\n", err)
		return exitUsage
	}
	start := time.Now()
	rows := runKillTable(mutants, engines, c.budgets, c.parallel, c.cross, stderr)
	elapsed := time.Since(start)

	printKillTable(stdout, rows, engines)
	fmt.Fprintf(stdout, "sesslife: seed %d, budgets rapid %d, gopter %d, fuzz %d; %s in all\n",
		c.seed, c.rapid, c.gopter, c.fuzz, elapsed.Round(time.Millisecond))
	if c.perf {
		fmt.Fprintln(stdout)
		writePerf(stdout, rows, engines, c.budgets, elapsed)
		fmt.Fprintln(stdout)
	}

	status := exitOK
	if c.corpus != "" {
		if err := writeCorpus(c.corpus, rows); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --corpus: %v\n", err)
			return exitUsage
		}
	}
	doc := renderMarkdown(rows, engines, c.budgets)
	if c.markdown != "" {
		if err := os.WriteFile(c.markdown, []byte(doc), 0o644); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: %v\n", err)
			return exitUsage
		}
	}
	if c.check != "" {
		old, err := os.ReadFile(c.check)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --check: %v\n", err)
			return exitUsage
		}
		if line := firstDifference(stable(string(old)), stable(doc)); line != 0 {
			fmt.Fprintf(stdout, "sesslife: %s is stale (first difference at line %d); regenerate it with: sesslife mutants --markdown %s\n",
				c.check, line, c.check)
			status = exitDivergence
		}
	}
	killed := 0
	for _, r := range rows {
		if len(r.killedBy(engines)) > 0 {
			killed++
		}
	}
	if killed < len(rows) {
		status = exitDivergence
	}
	fmt.Fprintf(stdout, "killed %d/%d mutants\n", killed, len(rows))
	return status
}

func selectMutants(list string) ([]mutants.Info, error) {
	all := mutants.All()
	if list == "" {
		return all, nil
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

func selectEngines(list string) ([]engine, error) {
	all := allEngines()
	if list == "" {
		return all, nil
	}
	var out []engine
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(all, func(e engine) bool { return e.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown engine %q (known: %s)", name, strings.Join(engineNames(all), ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none (SURVIVED)"
	}
	return strings.Join(names, ",")
}

// printKillTable prints one line per mutant: its rule, the engines that
// killed it, and for each engine the time to the first failure and the
// length of the shrunk reproducer ("-" where the engine did not kill it).
func printKillTable(w io.Writer, rows []mutantRow, engines []engine) {
	fmt.Fprintf(w, "%-34s %-26s %-22s", "mutant", "rule", "killed by")
	for _, e := range engines {
		fmt.Fprintf(w, " %-16s", e.name+" first/calls")
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%-34s %-26s %-22s", r.info.Name, r.info.Rule.String(), orNone(r.killedBy(engines)))
		for _, e := range engines {
			k, ran := r.kills[e.name]
			cell := "-"
			switch {
			case !ran:
				cell = "n/a"
			case k.killed && k.calls == 0:
				cell = shortDuration(k.first) + "/-"
			case k.killed:
				cell = fmt.Sprintf("%s/%d", shortDuration(k.first), k.calls)
			case k.note != "":
				cell = "? " + k.note
			}
			fmt.Fprintf(w, " %-16s", cell)
		}
		fmt.Fprintln(w)
	}
}

// shortDuration rounds for a table cell: 3ms, 1.2s.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}

// firstDifference returns the first line (from 1) where a and b differ, 0
// when they are equal.
func firstDifference(a, b string) int {
	if a == b {
		return 0
	}
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// runKillTable runs every engine against every mutant, parallel runs at a
// time, and reports each mutant on w as soon as all its engines are done.
func runKillTable(mutants []mutants.Info, engines []engine, b budgets, parallel int, cross bool, w io.Writer) []mutantRow {
	rows := make([]mutantRow, len(mutants))
	type job struct{ row, engine int }
	var todo []job
	left := make([]int, len(rows))
	for i, m := range mutants {
		rows[i] = mutantRow{info: m, kills: map[string]kill{}}
		for j, e := range engines {
			if cross || e.concurrent == m.Concurrent {
				todo = append(todo, job{i, j})
				left[i]++
			}
		}
	}
	// The concurrent engines' runs are the longest (their checks may run
	// to the time limit): start them first so that they do not trail.
	slices.SortStableFunc(todo, func(a, b job) int {
		return cmpBool(engines[b.engine].concurrent, engines[a.engine].concurrent)
	})
	jobs := make(chan job)
	var (
		mu      sync.Mutex // guards rows' kills and left
		workers sync.WaitGroup
	)
	for range parallel {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				m, e := mutants[j.row], engines[j.engine]
				p := profileFor(m)
				k := withDeadline(b.perEngine, func() kill { return e.run(m, p, b) })
				mu.Lock()
				rows[j.row].kills[e.name] = k
				if left[j.row]--; left[j.row] == 0 {
					reportRow(w, rows[j.row], engines)
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range todo {
		jobs <- j
	}
	close(jobs)
	workers.Wait()
	return rows
}

// reportRow prints one progress line: who killed the mutant, and what each
// engine spent on it.
func reportRow(w io.Writer, r mutantRow, engines []engine) {
	var spent []string
	for _, e := range engines {
		if k, ran := r.kills[e.name]; ran {
			spent = append(spent, fmt.Sprintf("%s %s", e.name, shortDuration(k.total)))
		}
	}
	fmt.Fprintf(w, "sesslife: %-34s killed by %-18s (%s)\n", r.info.Name, orNone(r.killedBy(engines)), strings.Join(spent, ", "))
}

// writeCorpus saves each fuzz-engine killer input as a go fuzz seed file,
// mutant-<name>, in dir: inputs the correct simulator passes and that sit
// right at a rule's edge.
func writeCorpus(dir string, rows []mutantRow) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range rows {
		in := r.kills["fuzz"].input
		if in == nil {
			continue
		}
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(in)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, "mutant-"+r.info.Name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
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

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
