package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// reportSchema names the version of the JSON report (docs/report.md).
const reportSchema = "sesslife-report/1"

// checkReport is the outcome of a check run, and its JSON form
// (docs/report.md). Everything under findings depends only on the seed,
// the flags and the target's behaviour; run.seconds and details do not.
type checkReport struct {
	Schema          string           `json:"schema"`
	Run             runInfo          `json:"run"`
	Verdict         string           `json:"verdict"`
	Conformant      bool             `json:"conformant"`
	Coverage        coverageReport   `json:"coverage"`
	Linearizability *linReport       `json:"linearizability,omitempty"`
	Expected        []expectedReport `json:"expected"`
	Findings        []findingReport  `json:"findings"`
	Unconfirmed     []unconfirmed    `json:"unconfirmed"`
	// Details holds what differs from run to run: a crashed shim's stderr.
	Details []detail `json:"details"`
	Error   string   `json:"error,omitempty"`
	// Quit is how the target failed when told to quit at the end of a run
	// without findings (docs/protocol.md §1); it fails the run.
	Quit *quitFailure `json:"quit_failure,omitempty"`

	config checkConfig // the run's flags, for the commands the report prints
}

type runInfo struct {
	Target      string   `json:"target"`
	TargetSpec  string   `json:"target_spec"`
	Profile     string   `json:"profile"`
	Seed        uint64   `json:"seed"`
	Shard       string   `json:"shard,omitempty"`
	Sequences   int      `json:"sequences"`
	Calls       int      `json:"calls"`
	Replays     int      `json:"replays"`
	Seconds     float64  `json:"seconds"`
	Interrupted bool     `json:"interrupted"`
	Unsupported []string `json:"unsupported"`
	Command     string   `json:"command"`
}

type coverageReport struct {
	// RulesExercised of RulesTotal: the rules the profile can fire under
	// generation (docs/spec.md) that fired at least once.
	RulesExercised int            `json:"rules_exercised"`
	RulesTotal     int            `json:"rules_total"`
	NeverExercised []string       `json:"never_exercised"`
	Fires          map[string]int `json:"fires"`
	FirstSequence  map[string]int `json:"first_sequence"`
	Calls          map[string]int `json:"calls"`
	Outcomes       map[string]int `json:"outcomes"`
	// KindsCovered of KindsSupported: the call kinds the target
	// implements and the profile models (the ones a run can check) that
	// were made at least once; KindsMissing the others.
	KindsCovered   int      `json:"call_kinds_covered"`
	KindsSupported int      `json:"call_kinds_supported"`
	KindsMissing   []string `json:"call_kinds_never_made"`
	// KindsUnmodelled are the call kinds the target implements but the
	// profile does not model: never sent, so not checked.
	KindsUnmodelled []string `json:"call_kinds_not_modelled"`
	// BelowMinimum lists, with --min-fires, the reachable rules that fired
	// fewer times than asked ("RULE (n)"); they fail the run.
	BelowMinimum []string         `json:"below_minimum,omitempty"`
	Extra        map[string]int64 `json:"-"`
}

type linReport struct {
	Checked       bool   `json:"checked"`
	Clients       int    `json:"clients"`
	Verdict       string `json:"verdict"`
	Calls         int    `json:"calls"`
	Summary       string `json:"summary"`
	Visualization string `json:"visualization,omitempty"`
}

type expectedReport struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	Seen   int    `json:"seen"`
	Where  string `json:"where"`
}

type findingReport struct {
	N         int    `json:"n"`
	Rule      string `json:"rule"`
	Statement string `json:"statement"`
	Sequence  int    `json:"sequence"`
	FoundAt   int    `json:"found_at_length"`
	Replays   int    `json:"replays"`
	Minimal   bool   `json:"minimal"`
	// Corrupting: the target crashed or hung on the reproducer or while
	// discarding it; the search stopped there.
	Corrupting bool               `json:"corrupting"`
	Call       int                `json:"call"`
	Teardown   bool               `json:"teardown"`
	Calls      []model.Op         `json:"calls"`
	Want       []model.Result     `json:"want"`
	Got        *model.Result      `json:"got,omitempty"`
	Diffs      []model.Difference `json:"differences"`
	Observed   bool               `json:"after_call"`
	Applied    []string           `json:"rules_applied"`
	Like       []likeReport       `json:"like"`
	Suspects   []suspectReport    `json:"ref_suspects"`
	Error      string             `json:"error,omitempty"`
	Text       string             `json:"text"`
	Replay     string             `json:"replay"`
}

// likeReport is one switch of the model's divergence table under which
// the model does what the target did on the whole reproducer
// (model.Likeness).
type likeReport struct {
	Switch   string   `json:"switch"`
	Like     []string `json:"like"`
	Follows  []string `json:"follows"`
	Breaks   []string `json:"breaks"`
	Findings []string `json:"findings"`
}

// newLikeReport turns a likeness into its report.
func newLikeReport(l model.Likeness) likeReport {
	names := func(rs []model.Rule) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.String())
		}
		return out
	}
	return likeReport{Switch: l.Switch, Like: l.Like, Follows: names(l.Follows), Breaks: names(l.Breaks),
		Findings: append([]string{}, l.Findings...)}
}

// suspectReport is a call after which one reference more or fewer on a
// session makes the model do what the target did (model.RefSuspect).
type suspectReport struct {
	Call  int      `json:"call"`
	Sess  int      `json:"sess"`
	Delta int      `json:"delta"`
	Rules []string `json:"rules"`
}

// unconfirmed is a divergence that did not reproduce on a fresh target:
// what the target did depended on what its process ran before (state a
// reset left behind, memory an earlier call corrupted). It fails the run
// unless it is a HANG, which a loaded machine can cause: a correct target
// answers the same calls the same way whatever it ran before. Rerun
// reaches it again; Error is the target's whole report of it.
type unconfirmed struct {
	Rule     string     `json:"rule"`
	Sequence int        `json:"sequence"`
	Calls    []model.Op `json:"calls"`
	Text     string     `json:"text"`
	Error    string     `json:"error,omitempty"`
	Rerun    string     `json:"rerun"`
}

// quitFailure is a target that crashed or exited non-zero when told to
// quit after its last sequence, Sequence (from 0); Rerun runs to it again.
type quitFailure struct {
	Sequence int    `json:"sequence"`
	Error    string `json:"error"`
	Rerun    string `json:"rerun"`
}

// crashed reports whether the target crashed there.
func (u unconfirmed) crashed() bool { return u.Rule == model.RuleCrash.String() }

// fails reports whether it fails the run: everything but a timeout.
func (u unconfirmed) fails() bool { return u.Rule != model.RuleHang.String() }

type detail struct {
	Finding int    `json:"finding"`
	Text    string `json:"text"`
}

func newCheckReport(c checkConfig, info target.Info, prof model.Profile) *checkReport {
	r := &checkReport{Schema: reportSchema, Expected: []expectedReport{}, Findings: []findingReport{},
		Unconfirmed: []unconfirmed{}, Details: []detail{}, config: c}
	r.Run = runInfo{Target: info.Name, TargetSpec: c.target, Profile: prof.Name, Seed: c.seed, Shard: c.shard,
		Unsupported: []string{}, Command: strings.Join(append([]string{"sesslife"}, os.Args[1:]...), " ")}
	for _, k := range info.Unsupported {
		r.Run.Unsupported = append(r.Run.Unsupported, k.String())
	}
	return r
}

func newFinding(n int, f properties.Finding, replay string) findingReport {
	d := f.Divergence
	jf := findingReport{N: n, Rule: f.Rule.String(), Statement: f.Rule.Info().Statement, Sequence: f.Sequence,
		FoundAt: f.Found, Replays: f.Replays, Minimal: f.Minimal, Corrupting: f.Corrupting, Call: d.Call(), Teardown: d.Teardown,
		Calls: d.Ops(), Diffs: d.Diffs, Observed: d.Observed, Text: d.Brief(), Replay: replay, Applied: []string{},
		Like: []likeReport{}}
	for _, l := range d.Likenesses() {
		jf.Like = append(jf.Like, newLikeReport(l))
	}
	jf.Suspects = []suspectReport{}
	for _, s := range d.RefSuspects() {
		sr := suspectReport{Call: s.Call, Sess: int(s.Sess), Delta: s.Delta, Rules: []string{}}
		for _, r := range s.Rules {
			sr.Rules = append(sr.Rules, r.String())
		}
		jf.Suspects = append(jf.Suspects, sr)
	}
	if jf.Diffs == nil {
		jf.Diffs = []model.Difference{}
	}
	for _, s := range d.Trail {
		jf.Want = append(jf.Want, s.Want)
	}
	if len(d.Trail) > 0 && d.Err == nil && !d.Teardown {
		got := d.Trail[len(d.Trail)-1].Got
		jf.Got = &got
	}
	for _, r := range d.Applied {
		jf.Applied = append(jf.Applied, r.String())
	}
	if d.Err != nil {
		jf.Error, _, _ = strings.Cut(d.Err.Error(), "\n")
	}
	return jf
}

// fill records what the search did.
func (r *checkReport) fill(res *properties.SearchReport, info target.Info, prof model.Profile, took time.Duration) {
	r.Run.Sequences, r.Run.Calls, r.Run.Replays = res.Sequences, res.Calls, res.Replays
	r.Run.Seconds, r.Run.Interrupted = took.Seconds(), res.Interrupted
	for i, f := range res.Findings {
		if f.Divergence.Err != nil && strings.Contains(f.Divergence.Err.Error(), "\n") && i < len(r.Findings) {
			r.Details = append(r.Details, detail{Finding: i + 1, Text: f.Divergence.Err.Error()})
		}
	}
	for _, u := range res.Unconfirmed {
		uc := unconfirmed{Rule: u.Rule.String(), Sequence: u.Sequence, Calls: u.Ops(), Text: u.Brief(), Rerun: rerunCommand(r.config, u.Sequence+1)}
		if u.Err != nil {
			uc.Error = u.Err.Error()
		}
		r.Unconfirmed = append(r.Unconfirmed, uc)
	}
	if res.Quit != nil {
		r.Quit = &quitFailure{Sequence: res.QuitAfter, Error: res.Quit.Error(), Rerun: rerunCommand(r.config, res.QuitAfter+1)}
	}
	cov := res.Coverage
	set := model.GenerableRules(prof)
	cr := coverageReport{RulesTotal: len(set), RulesExercised: cov.Exercised(set), NeverExercised: []string{},
		Fires: map[string]int{}, FirstSequence: map[string]int{}, Calls: map[string]int{}, Outcomes: cov.Outcomes,
		KindsMissing: cov.Missing(properties.Checkable(info, prof))}
	if cr.Outcomes == nil {
		cr.Outcomes = map[string]int{}
	}
	if cr.KindsMissing == nil {
		cr.KindsMissing = []string{}
	}
	for _, rl := range cov.Rare(set, 1) {
		cr.NeverExercised = append(cr.NeverExercised, rl.String())
	}
	for rl, n := range cov.Fires {
		cr.Fires[rl.String()] = n
	}
	for rl, n := range cov.First {
		cr.FirstSequence[rl.String()] = n
	}
	for k, n := range cov.ByKind {
		cr.Calls[k.String()] = n
	}
	checkable := properties.Checkable(info, prof)
	cr.KindsUnmodelled = []string{}
	for _, k := range model.Kinds() {
		switch {
		case checkable(k):
			cr.KindsSupported++
		case info.Supports(k):
			cr.KindsUnmodelled = append(cr.KindsUnmodelled, k.String())
		}
	}
	cr.KindsCovered = cr.KindsSupported - len(cr.KindsMissing)
	r.Coverage = cr
}

// decide sets the verdict: conformant when there are no findings, no
// stale expectations and no failed linearizability check.
func (r *checkReport) decide() {
	r.Conformant = len(r.Findings) == 0 && r.Error == "" && len(r.Coverage.BelowMinimum) == 0 && r.Quit == nil &&
		!slices.ContainsFunc(r.Unconfirmed, unconfirmed.fails)
	for _, e := range r.Expected {
		if e.Seen == 0 {
			r.Conformant = false
		}
	}
	if r.Linearizability != nil && r.Linearizability.Checked && r.Linearizability.Verdict != string(linearizability.Linearizable) {
		r.Conformant = false
	}
	switch {
	case r.Run.Interrupted:
		r.Verdict = "interrupted"
	case r.Conformant:
		r.Verdict = "pass"
	default:
		r.Verdict = "fail"
	}
}

// printFinding prints one finding as soon as it is confirmed.
func printFinding(w io.Writer, jf findingReport, f properties.Finding) {
	reduced := fmt.Sprintf("%d calls, reduced from %d in %d replays", len(jf.Calls), jf.FoundAt, jf.Replays)
	if !jf.Minimal {
		reduced += "; the replay budget ran out before it was minimal"
	}
	fmt.Fprintf(w, "== finding %d: rule %s (sequence %d; %s)\n", jf.N, jf.Rule, jf.Sequence, reduced)
	if s := jf.Statement; s != "" {
		fmt.Fprintf(w, "   %s: %s\n", jf.Rule, s)
	}
	for _, l := range f.Divergence.Likenesses() {
		// The rule named above is where the difference shows; when the
		// target does what another library does, the rule it breaks is
		// the one that library replaces.
		for _, r := range l.Breaks {
			fmt.Fprintf(w, "   acts as %s (%s), breaking %s: %s\n", strings.Join(l.Like, ", "), l.Switch, r, r.Info().Statement)
		}
	}
	fmt.Fprintln(w, f.Divergence.Brief())
	if err := f.Divergence.Err; err != nil {
		if _, rest, ok := strings.Cut(err.Error(), "\n"); ok {
			fmt.Fprintf(w, "details:\n\t%s\n", strings.ReplaceAll(strings.TrimRight(rest, "\n"), "\n", "\n\t"))
		}
	}
	if jf.Corrupting {
		fmt.Fprintf(w, "the target crashed or hung on this reproducer or while discarding it: its memory may be corrupt, so the search stops here (fix this, then run again)\n")
	}
	fmt.Fprintf(w, "replay: %s\n\n", jf.Replay)
}

// printVerdict prints the summary and the verdict line, which ends with
// the command that replays the findings.
func printVerdict(w io.Writer, c checkConfig, r *checkReport) {
	elapsed := time.Duration(r.Run.Seconds * float64(time.Second)).Round(time.Millisecond)
	if len(r.Run.Unsupported) > 0 {
		fmt.Fprintf(w, "sesslife: calls %s does not support (left out of its hello's list, never sent, not checked): %s\n", r.Run.Target, strings.Join(r.Run.Unsupported, ", "))
	}
	if len(r.Coverage.KindsUnmodelled) > 0 {
		fmt.Fprintf(w, "sesslife: not modelled under %s (never sent, not checked): %s\n", r.Run.Profile, strings.Join(r.Coverage.KindsUnmodelled, ", "))
	}
	if len(r.Coverage.KindsMissing) > 0 && r.Verdict == "pass" {
		fmt.Fprintf(w, "sesslife: calls never made: %s\n", strings.Join(r.Coverage.KindsMissing, ", "))
	}
	if n := len(r.Coverage.NeverExercised); n > 0 && r.Verdict == "pass" {
		fmt.Fprintf(w, "sesslife: rules never exercised (%d): %s\n", n, strings.Join(r.Coverage.NeverExercised, ", "))
	}
	if len(r.Coverage.BelowMinimum) > 0 {
		fmt.Fprintf(w, "sesslife: rules that fired fewer than %d times: %s (mark a rule unreachable in docs/spec.md, with the reason, or make the generator reach it)\n",
			c.minFires, strings.Join(r.Coverage.BelowMinimum, ", "))
	}
	for _, u := range r.Unconfirmed {
		if !u.fails() {
			fmt.Fprintf(w, "sesslife: a timeout (HANG) in sequence %d did not happen again on a fresh target: most likely a loaded machine; not reported. To run to it again: %s\n", u.Sequence, u.Rerun)
			continue
		}
		if !u.crashed() {
			fmt.Fprintf(w, "sesslife: %s in sequence %d, not reduced: the target diverged there, but neither the reduced calls nor the whole sequence diverge again on a fresh target, "+
				"so what the target did depended on what its process ran before (state its reset left behind, or memory an earlier call corrupted); a correct target answers the same calls the same way. To run to it again: %s\n", u.Rule, u.Sequence, u.Rerun)
			fmt.Fprintf(w, "\t%s\n", strings.ReplaceAll(strings.TrimRight(u.Text, "\n"), "\n", "\n\t"))
			continue
		}
		fmt.Fprintf(w, "sesslife: CRASH in sequence %d, not reduced: the target crashed, but the calls of that sequence alone do not crash a fresh one, "+
			"so what crashed it was done before, by an earlier sequence its process ran (a double free or a use after free shows only later; "+
			"a build of the shim with AddressSanitizer names the first bad access). To run to the crash again: %s\n", u.Sequence, u.Rerun)
		fmt.Fprintf(w, "\t%s\n", strings.ReplaceAll(strings.TrimRight(u.Error, "\n"), "\n", "\n\t"))
	}
	if q := r.Quit; q != nil {
		fmt.Fprintf(w, "sesslife: the target did not end cleanly when told to quit after sequence %d (a shim exits 0 after quit, docs/protocol.md §1); to run to it again: %s\n\t%s\n",
			q.Sequence, q.Rerun, strings.ReplaceAll(strings.TrimRight(q.Error, "\n"), "\n", "\n\t"))
	}
	for _, e := range r.Expected {
		if e.Seen == 0 {
			fmt.Fprintf(w, "sesslife: expected divergence %s (%s) no longer shows in this run: remove it from %s\n", e.Rule, e.Reason, e.Where)
		} else {
			fmt.Fprintf(w, "sesslife: expected divergence %s seen in %d sequences (%s)\n", e.Rule, e.Seen, e.Reason)
		}
	}
	if l := r.Linearizability; l != nil {
		fmt.Fprintf(w, "sesslife: %s\n", l.Summary)
	}
	what := fmt.Sprintf("%d sequences, %d calls, rules exercised %d/%d, %d/%d call kinds (seed %d%s, %s, %.0f calls/s)",
		r.Run.Sequences, r.Run.Calls, r.Coverage.RulesExercised, r.Coverage.RulesTotal, r.Coverage.KindsCovered,
		r.Coverage.KindsSupported, r.Run.Seed, shardText(c.shard), elapsed, float64(r.Run.Calls)/max(r.Run.Seconds, 1e-9))
	switch r.Verdict {
	case "interrupted":
		fmt.Fprintf(w, "sesslife: INTERRUPTED %s against %s after %s: %d finding(s) %s\n", r.Run.Target, r.Run.Profile, what, len(r.Findings), ruleList(r))
	case "pass":
		fmt.Fprintf(w, "sesslife: PASS %s conforms to %s: %s\n", r.Run.Target, r.Run.Profile, what)
	default:
		replay := rerunCommand(c, c.sequences)
		switch {
		case c.jsonPath != "" && len(r.Findings) > 0:
			replay = fmt.Sprintf("sesslife replay --target %s --profile %s %s", shellQuote(c.target), c.profile, shellQuote(c.jsonPath))
		case len(r.Findings) > 0:
			replay = r.Findings[0].Replay
		}
		if len(r.Findings) == 0 {
			// Failed on coverage, a stale expectation or linearizability.
			fmt.Fprintf(w, "sesslife: FAIL %s against %s: no finding, but %s; %s; run again with: %s\n",
				r.Run.Target, r.Run.Profile, failReasons(r), what, replay)
			return
		}
		fmt.Fprintf(w, "sesslife: FAIL %s diverges from %s: %d finding(s) %s; %s; replay with: %s\n",
			r.Run.Target, r.Run.Profile, len(r.Findings), ruleList(r), what, replay)
	}
}

// failReasons says why a run without findings failed.
func failReasons(r *checkReport) string {
	var why []string
	if n := len(r.Coverage.BelowMinimum); n > 0 {
		why = append(why, fmt.Sprintf("%d rule(s) fired too rarely", n))
	}
	for _, e := range r.Expected {
		if e.Seen == 0 {
			why = append(why, "expected divergence "+e.Rule+" no longer shows")
		}
	}
	if l := r.Linearizability; l != nil && l.Checked && l.Verdict != string(linearizability.Linearizable) {
		why = append(why, "the concurrent history is "+l.Verdict)
	}
	for _, u := range r.Unconfirmed {
		switch {
		case u.crashed():
			why = append(why, fmt.Sprintf("the target crashed in sequence %d, after something an earlier sequence did", u.Sequence))
		case u.fails():
			why = append(why, fmt.Sprintf("the target diverged under %s in sequence %d only after what earlier sequences did", u.Rule, u.Sequence))
		}
	}
	if q := r.Quit; q != nil {
		why = append(why, fmt.Sprintf("the target did not end cleanly when told to quit after sequence %d", q.Sequence))
	}
	if r.Error != "" {
		why = append(why, r.Error)
	}
	return strings.Join(why, ", ")
}

func ruleList(r *checkReport) string {
	var rules []string
	for _, f := range r.Findings {
		rules = append(rules, f.Rule)
	}
	return "[" + strings.Join(rules, " ") + "]"
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
