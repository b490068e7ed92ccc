package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// runMerge implements `sesslife merge [--json OUT] REPORT.json...`: it
// merges the JSON reports of the shards of one run (check --shard K/N on
// the same target, profile and seed) into the report of the whole run, and
// prints its verdict. Findings of the same rule keep the one found in the
// earliest sequence. Exit status: as check's (0 pass, 1 fail), 2 when the
// reports are not shards of one run.
func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife merge", flag.ContinueOnError)
	out := fs.String("json", "", "write the merged report to this file")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: sesslife merge [--json OUT] REPORT.json...")
			return exitOK
		}
		fmt.Fprintf(stderr, "sesslife merge: %v\n", err)
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "sesslife merge: want the JSON reports of the shards of one run")
		return exitUsage
	}
	var reps []checkReport
	for _, path := range fs.Args() {
		rep, err := readCheckReport(path)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife merge: %v\n", err)
			return exitUsage
		}
		reps = append(reps, rep)
	}
	merged, err := mergeReports(reps)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife merge: %v\n", err)
		return exitUsage
	}
	if *out != "" {
		if err := writeJSON(*out, merged); err != nil {
			fmt.Fprintf(stderr, "sesslife merge: %v\n", err)
			return exitUsage
		}
	}
	fmt.Fprintf(stdout, "sesslife: %s of %s against %s, seed %d, %d shards: %d sequences, %d calls, rules exercised %d/%d, %d finding(s) %s\n",
		strings.ToUpper(merged.Verdict), merged.Run.Target, merged.Run.Profile, merged.Run.Seed, len(reps),
		merged.Run.Sequences, merged.Run.Calls, merged.Coverage.RulesExercised, merged.Coverage.RulesTotal, len(merged.Findings), ruleList(merged))
	if !merged.Conformant {
		return exitDivergence
	}
	return exitOK
}

// mergeReports merges the reports of the shards of one run.
func mergeReports(reps []checkReport) (*checkReport, error) {
	m := reps[0]
	m.Run.Shard, m.Run.Sequences, m.Run.Calls, m.Run.Replays, m.Run.Seconds = "", 0, 0, 0, 0
	cov := coverageReport{Fires: map[string]int{}, FirstSequence: map[string]int{}, Calls: map[string]int{},
		Outcomes: map[string]int{}, RulesTotal: m.Coverage.RulesTotal, KindsSupported: m.Coverage.KindsSupported,
		KindsUnmodelled: m.Coverage.KindsUnmodelled}
	seen := map[string]bool{}
	var findings []findingReport
	expected := map[string]*expectedReport{}
	for i := range m.Expected {
		e := m.Expected[i]
		e.Seen = 0
		expected[e.Rule] = &e
	}
	for _, r := range reps {
		if r.Run.TargetSpec != m.Run.TargetSpec || r.Run.Profile != m.Run.Profile || r.Run.Seed != m.Run.Seed {
			return nil, fmt.Errorf("reports of different runs (%s/%s/seed %d and %s/%s/seed %d)",
				m.Run.TargetSpec, m.Run.Profile, m.Run.Seed, r.Run.TargetSpec, r.Run.Profile, r.Run.Seed)
		}
		if r.Run.Shard == "" && len(reps) > 1 {
			return nil, errors.New("a report of an unsharded run cannot be merged with others")
		}
		if seen[r.Run.Shard] {
			return nil, fmt.Errorf("shard %s given twice", r.Run.Shard)
		}
		seen[r.Run.Shard] = true
		m.Run.Sequences += r.Run.Sequences
		m.Run.Calls += r.Run.Calls
		m.Run.Replays += r.Run.Replays
		m.Run.Seconds = max(m.Run.Seconds, r.Run.Seconds)
		m.Run.Interrupted = m.Run.Interrupted || r.Run.Interrupted
		for k, n := range r.Coverage.Fires {
			cov.Fires[k] += n
		}
		for k, n := range r.Coverage.FirstSequence {
			if f, ok := cov.FirstSequence[k]; !ok || n < f {
				cov.FirstSequence[k] = n
			}
		}
		for k, n := range r.Coverage.Calls {
			cov.Calls[k] += n
		}
		for k, n := range r.Coverage.Outcomes {
			cov.Outcomes[k] += n
		}
		findings = append(findings, r.Findings...)
		for _, e := range r.Expected {
			if x, ok := expected[e.Rule]; ok {
				x.Seen += e.Seen
			}
		}
		m.Unconfirmed = append(m.Unconfirmed, r.Unconfirmed...)
		if m.Quit == nil {
			m.Quit = r.Quit
		}
		m.Details = append(m.Details, r.Details...)
	}
	m.Details = []detail{}
	// One finding per rule: the one of the earliest sequence.
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Sequence < findings[j].Sequence })
	m.Findings = []findingReport{}
	for _, f := range findings {
		if !slices.ContainsFunc(m.Findings, func(g findingReport) bool { return g.Rule == f.Rule }) {
			f.N = len(m.Findings) + 1
			m.Findings = append(m.Findings, f)
		}
	}
	m.Expected = []expectedReport{}
	for _, e := range reps[0].Expected {
		m.Expected = append(m.Expected, *expected[e.Rule])
	}
	cov.NeverExercised = []string{}
	for _, r := range reps[0].Coverage.NeverExercised {
		if cov.Fires[r] == 0 {
			cov.NeverExercised = append(cov.NeverExercised, r)
		}
	}
	cov.RulesExercised = cov.RulesTotal - len(cov.NeverExercised)
	cov.KindsMissing = []string{}
	for _, k := range reps[0].Coverage.KindsMissing {
		if cov.Calls[k] == 0 {
			cov.KindsMissing = append(cov.KindsMissing, k)
		}
	}
	cov.KindsCovered = cov.KindsSupported - len(cov.KindsMissing)
	if cov.KindsUnmodelled == nil {
		cov.KindsUnmodelled = []string{} // a report of an older sesslife
	}
	m.Coverage = cov
	m.Error = ""
	m.Linearizability = nil
	m.decide()
	return &m, nil
}
