package mutation

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Print writes the table as text, one line per mutant: its rule, the
// engines that killed it and each engine's outcome. A one-goroutine
// engine's cell is "tries/calls": the sequences (inputs for the fuzz
// engine; the median over the seeds for the search) up to the first failure
// and the length of the reproducer; "-" where it found nothing, "n/a" where
// it did not run, "?" where it could not decide. A concurrent engine's cell
// is "killed" or "-": how many runs it needed varies from run to run. Like
// the markdown, the text depends only on the seed and the budgets.
func (t *Table) Print(w io.Writer) {
	fmt.Fprintf(w, "%-34s %-26s %-24s", "mutant", "rule", "killed by")
	for _, e := range t.Engines {
		fmt.Fprintf(w, " %-16s", e.Name)
	}
	fmt.Fprintln(w)
	st := t.SeedStats()
	for _, r := range t.Rows {
		fmt.Fprintf(w, "%-34s %-26s %-24s", r.Info.Name, r.Info.Rule, orNone(r.KilledBy(t.Engines)))
		for _, e := range t.Engines {
			k, ran := r.Kills[e.Name]
			c := "-"
			switch {
			case !ran:
				c = "n/a"
			case k.Undecided != "":
				c = "?"
			case k.Killed && e.Concurrent:
				c = "killed"
			case k.Killed && e.Name == "search":
				c = st.count(st.ByMutant[r.Info.Name].Median) + "/" + strconv.Itoa(k.Calls)
			case k.Killed:
				c = fmt.Sprintf("%d/%d", k.Tries, k.Calls)
			}
			fmt.Fprintf(w, " %-16s", c)
		}
		fmt.Fprintln(w)
	}
}

// Perf writes the comparison of the engines in this run, with times, as
// the markdown docs/perf.md keeps under "## Mutants and engines". Unlike
// everything else here, it depends on the machine.
func (t *Table) Perf(w io.Writer) {
	o := t.Options
	fmt.Fprintf(w, "One run of `sesslife mutants --perf` (seed %d; search %d seeds of up to %d sequences, gopter %d,\n",
		o.Seed, o.Seeds, o.Sequences, o.Gopter)
	fmt.Fprintf(w, "fuzz %d inputs; %d mutants, %d engine runs at once; %d CPUs, %s/%s, %s) took %s.\n\n", o.Fuzz, len(t.Rows),
		o.Parallel, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), t.Elapsed.Round(100*time.Millisecond))
	fmt.Fprintln(w, "| engine | killed | tries to the first failure: median / worst | time per mutant: median / worst | reproducer calls: median / longest |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	st := t.SeedStats()
	for _, e := range t.Engines {
		var tries, lens []int
		var times []time.Duration
		ran, killed := 0, 0
		for _, r := range t.Rows {
			k, ok := r.Kills[e.Name]
			if !ok {
				continue
			}
			ran++
			times = append(times, k.Elapsed)
			if k.Killed {
				killed++
				if m, ok := st.ByMutant[r.Info.Name]; ok && e.Name == "search" {
					tries = append(tries, m.Median) // over the seeds
				} else {
					tries = append(tries, k.Tries)
				}
				if k.Calls > 0 {
					lens = append(lens, k.Calls)
				}
			}
		}
		fmt.Fprintf(w, "| %s | %d/%d | %s / %s | %s / %s | %s / %s |\n", e.Name, killed, ran,
			medianOrDash(tries), maxOrDash(tries), shortDuration(medianDuration(times)), shortDuration(maxDuration(times)),
			medianOrDash(lens), maxOrDash(lens))
	}
	if len(st.ByMutant) > 0 {
		fmt.Fprintf(w, "\nSearch, sequences to kill over %d mutants: median %s (of each mutant's median over its seeds), worst %s (one seed on one mutant)",
			len(st.ByMutant), st.count(st.Median), st.count(st.Worst))
		if len(st.WorstMutants) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(st.WorstMutants, ", "))
		}
		fmt.Fprintf(w, "; survived on some seed: %d.\n", len(st.Survivors))
	}
}

func medianOrDash(xs []int) string {
	if len(xs) == 0 {
		return "-"
	}
	return strconv.Itoa(medianInt(xs))
}

func maxOrDash(xs []int) string {
	if len(xs) == 0 {
		return "-"
	}
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return strconv.Itoa(m)
}

// WriteCorpus saves each fuzz-engine killer input as a go fuzz seed file,
// mutant-<name>, in dir: inputs the correct simulator passes and that sit
// right at a rule's edge.
func (t *Table) WriteCorpus(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range t.Rows {
		in := r.Kills["fuzz"].Input
		if in == nil {
			continue
		}
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(string(in)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, "mutant-"+r.Info.Name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}
