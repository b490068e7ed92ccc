package mutation

import (
	"fmt"
	"slices"
	"time"
)

// SeedStats sums up the search engine's sequences to kill.
type SeedStats struct {
	// ByMutant has one entry per mutant the search ran on.
	ByMutant map[string]MutantSeeds
	// Median is the median over the mutants of each mutant's median;
	// Worst the most any seed needed on any mutant, and WorstMutants the
	// mutants that needed it. A seed that found nothing counts as its
	// budget plus one.
	Median, Worst int
	WorstMutants  []string
	// OwnRule of the Findings (one per seed that killed) were named by the
	// rule their mutant breaks.
	OwnRule, Findings int
	// Survivors survived at least one seed, in table order.
	Survivors []string
	budget    int
}

// MutantSeeds is one mutant's sequences to kill over its seeds.
type MutantSeeds struct {
	Seeds, Killed int
	// Median and Worst over the seeds (budget plus one for a seed that
	// found nothing); CallsMedian and CallsLongest over the reproducers.
	Median, Worst             int
	CallsMedian, CallsLongest int
}

// SeedStats computes the search engine's figures from the table.
func (t *Table) SeedStats() SeedStats {
	st := SeedStats{ByMutant: map[string]MutantSeeds{}, budget: t.Options.Sequences}
	var medians []int
	for _, r := range t.Rows {
		k, ok := r.Kills["search"]
		if !ok || k.Undecided != "" {
			continue
		}
		var seqs, calls []int
		m := MutantSeeds{Seeds: len(k.Seeds)}
		for _, sk := range k.Seeds {
			if !sk.Killed {
				seqs = append(seqs, st.budget+1)
				continue
			}
			m.Killed++
			seqs = append(seqs, sk.Sequences)
			calls = append(calls, sk.Calls)
			st.Findings++
			if sk.Rule == r.Info.Rule {
				st.OwnRule++
			}
		}
		if len(seqs) == 0 {
			continue
		}
		m.Median, m.Worst = medianInt(seqs), slices.Max(seqs)
		if len(calls) > 0 {
			m.CallsMedian, m.CallsLongest = medianInt(calls), slices.Max(calls)
		}
		if m.Killed < m.Seeds {
			st.Survivors = append(st.Survivors, r.Info.Name)
		}
		switch {
		case m.Worst > st.Worst:
			st.Worst, st.WorstMutants = m.Worst, []string{r.Info.Name}
		case m.Worst == st.Worst:
			st.WorstMutants = append(st.WorstMutants, r.Info.Name)
		}
		st.ByMutant[r.Info.Name] = m
		medians = append(medians, m.Median)
	}
	if len(medians) > 0 {
		st.Median = medianInt(medians)
	}
	return st
}

// count renders a number of sequences, "> budget" for a survivor.
func (st SeedStats) count(n int) string {
	if n > st.budget {
		return fmt.Sprintf("> %d", st.budget)
	}
	return fmt.Sprint(n)
}

// Count renders a number of sequences as the docs do: "> budget" for a
// seed that found nothing.
func (st SeedStats) Count(n int) string { return st.count(n) }

// medianInt is the middle of xs (the upper one of an even count).
func medianInt(xs []int) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func maxDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Max(ds)
}
