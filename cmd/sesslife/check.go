package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

type checkConfig struct {
	target      string
	profile     string
	seed        uint64
	sequences   int
	steps       int
	maxFindings int
	jsonPath    string
	shrinkTime  time.Duration
	clients     int
	htmlDir     string
}

func checkFlags(c *checkConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife check", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "impl", "system to check: impl, openssl or exec:PATH")
	fs.StringVar(&c.profile, "profile", "openssl-3.0", "model profile the target must follow")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the random sequences (0: derive one from the clock and print it)")
	fs.IntVar(&c.sequences, "sequences", 1000, "number of random call sequences")
	fs.IntVar(&c.steps, "steps", 100, "maximum calls per sequence (at least half as many are made)")
	fs.IntVar(&c.maxFindings, "max-findings", 8, "after a divergence, keep looking for divergences of other rules, up to this many")
	fs.StringVar(&c.jsonPath, "json", "", "also write the report as JSON to this file (for CI)")
	fs.DurationVar(&c.shrinkTime, "shrink-time", 30*time.Second, "longest time spent shrinking one divergence")
	fs.IntVar(&c.clients, "clients", 0, "also record a concurrent history with this many clients and check it for linearizability (targets that declare concurrency)")
	fs.StringVar(&c.htmlDir, "html", "", "directory for porcupine's visualization of a non-linearizable history (default: the temporary directory)")
	return fs
}

// finding is one group of divergences: the rule it breaks and the shrunk
// reproducer rapid found for it.
type finding struct {
	Rule       string `json:"rule"`
	Seed       uint64 `json:"seed"`
	Calls      int    `json:"calls"`
	Reproducer string `json:"reproducer"`
}

// checkReport is the outcome of a check run (also its JSON form).
type checkReport struct {
	Target      string    `json:"target"`
	Profile     string    `json:"profile"`
	Seed        uint64    `json:"seed"`
	Sequences   int       `json:"sequences"`
	Calls       int       `json:"calls"`
	Seconds     float64   `json:"seconds"`
	Conformant  bool      `json:"conformant"`
	Findings    []finding `json:"findings"`
	Unsupported []string  `json:"unsupported"`
	NotCovered  []string  `json:"not_covered"`
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	var c checkConfig
	fs := checkFlags(&c)
	if code := parseArgs(fs, args, stderr, 0, ""); code != continueRun {
		return code
	}
	prof, ok := lookupProfile(fs, c.profile, stderr)
	if !ok {
		return exitUsage
	}
	if c.sequences < 1 || c.steps < 2 || c.maxFindings < 1 {
		fmt.Fprintln(stderr, "sesslife check: --sequences and --max-findings must be at least 1, --steps at least 2")
		return exitUsage
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano())
	}
	tgt, err := openTarget(c.target)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife check: %v\n", err)
		return exitUsage
	}
	defer tgt.Close()
	info := tgt.Info()

	opts := properties.DefaultOptions()
	opts.Profile = prof
	opts.MaxCalls = c.steps
	opts.MinCalls = max(1, c.steps/2)
	opts.Coverage = &properties.Coverage{}
	opts.OnSequence = progress(opts.Coverage, c.sequences, stderr)
	fmt.Fprintf(stderr, "sesslife: checking %s against the %s model: %d sequences of %d..%d calls, seed %d\n",
		info.Name, prof.Name, c.sequences, opts.MinCalls, opts.MaxCalls, c.seed)

	start := time.Now()
	rep := checkReport{Target: info.Name, Profile: prof.Name, Seed: c.seed}
	seen := map[string]bool{}
	opts.Ignore = func(d *properties.Divergence) bool { return seen[d.Rule.String()] }
	// Each round is one rapid run with its own seed; a divergence ends the
	// round, and the next one looks for divergences of other rules.
	for round := 0; round < c.maxFindings; round++ {
		var last *properties.Divergence
		opts.OnDivergence = func(d *properties.Divergence) { last = d }
		seed := c.seed + uint64(round)
		failure, err := runRapid(map[string]string{
			"rapid.checks":     strconv.Itoa(c.sequences),
			"rapid.seed":       strconv.FormatUint(seed, 10),
			"rapid.shrinktime": c.shrinkTime.String(),
		}, properties.RapidProp(tgt, opts))
		if err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			return exitUsage
		}
		if failure == "" {
			break
		}
		f := finding{Rule: "HARNESS", Seed: seed, Reproducer: failure}
		if last != nil {
			f.Rule, f.Calls, f.Reproducer = last.Rule.String(), len(last.Trail), last.Error()
		}
		rep.Findings = append(rep.Findings, f)
		if last == nil || seen[f.Rule] {
			break // not a divergence rapid can group: stop here
		}
		seen[f.Rule] = true
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.Sequences, rep.Calls, rep.Conformant = opts.Coverage.Sequences, opts.Coverage.Calls, len(rep.Findings) == 0
	for _, k := range info.Unsupported {
		rep.Unsupported = append(rep.Unsupported, k.String())
	}
	rep.NotCovered = opts.Coverage.Missing(info.Supports)
	if c.clients > 0 {
		f, err := checkLinearizable(c, tgt, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			return exitUsage
		}
		if f != nil {
			rep.Findings = append(rep.Findings, *f)
			rep.Conformant = false
		}
	}
	printCheck(stdout, c, rep, countSupported(info.Supports))
	if c.jsonPath != "" {
		if err := writeJSON(c.jsonPath, rep); err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			return exitUsage
		}
	}
	if !rep.Conformant {
		return exitDivergence
	}
	return exitOK
}

// printCheck writes the human report: findings grouped by rule, each with
// its reproducer, then one verdict line.
func printCheck(w io.Writer, c checkConfig, rep checkReport, supported int) {
	elapsed := time.Duration(rep.Seconds * float64(time.Second)).Round(time.Millisecond)
	for i, f := range rep.Findings {
		fmt.Fprintf(w, "== finding %d: rule %s (seed %d, %d calls)\n%s\n\n", i+1, f.Rule, f.Seed, f.Calls, f.Reproducer)
	}
	if len(rep.Unsupported) > 0 {
		fmt.Fprintf(w, "sesslife: unsupported by %s (not checked): %s\n", rep.Target, strings.Join(rep.Unsupported, ", "))
	}
	if len(rep.NotCovered) > 0 {
		fmt.Fprintf(w, "sesslife: never exercised: %s\n", strings.Join(rep.NotCovered, ", "))
	}
	if !rep.Conformant {
		var rules []string
		for _, f := range rep.Findings {
			rules = append(rules, f.Rule)
		}
		fmt.Fprintf(w, "sesslife: FAIL %s diverges from %s: %d finding(s) [%s] (seed %d, %s); replay with: sesslife check --target %s --profile %s --seed %d --sequences %d --steps %d\n",
			rep.Target, rep.Profile, len(rep.Findings), strings.Join(rules, " "), rep.Seed, elapsed, c.target, c.profile, c.seed, c.sequences, c.steps)
		return
	}
	fmt.Fprintf(w, "sesslife: PASS %s conforms to %s: %d sequences, %d calls, %d/%d supported call kinds covered (seed %d, %s, %.0f calls/s)\n",
		rep.Target, rep.Profile, rep.Sequences, rep.Calls, supported-len(rep.NotCovered), supported, rep.Seed, elapsed,
		float64(rep.Calls)/max(rep.Seconds, 1e-9))
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

func countSupported(supports func(model.Kind) bool) int {
	n := 0
	for _, k := range model.Kinds() {
		if supports(k) {
			n++
		}
	}
	return n
}

// runRapid runs prop through rapid outside `go test`: rapid reads its
// settings from the standard flag set, so they are set there. It never
// writes fail files (the command line prints reproducers instead).
func runRapid(settings map[string]string, prop func(*rapid.T)) (failure string, err error) {
	settings["rapid.nofailfile"] = "true"
	for name, value := range settings {
		if err := flag.Set(name, value); err != nil {
			return "", fmt.Errorf("configure rapid: %w", err)
		}
	}
	tb := newCLITB("sesslife-check")
	done := make(chan struct{})
	go func() {
		defer close(done)
		rapid.Check(tb, prop)
	}()
	<-done
	if tb.Failed() {
		return tb.report(), nil
	}
	return "", nil
}

// progress reports on w every few seconds how far a run of total
// sequences has come (call it as each sequence starts).
func progress(cov *properties.Coverage, total int, w io.Writer) func() {
	start, last := time.Now(), time.Time{}
	return func() {
		now := time.Now()
		if now.Sub(last) <= 3*time.Second {
			return
		}
		last = now
		done := cov.Sequences - 1 // the one starting now is not done
		rate := float64(cov.Calls) / now.Sub(start).Seconds()
		switch {
		case done >= total:
			// rapid re-runs sequences while it shrinks a failure.
			fmt.Fprintf(w, "sesslife: shrinking (%d runs so far, %.0f calls/s)\n", done-total, rate)
		case done == 0:
			fmt.Fprintf(w, "sesslife: starting\n")
		default:
			left := time.Duration(float64(now.Sub(start)) / float64(done) * float64(total-done)).Round(time.Second)
			fmt.Fprintf(w, "sesslife: %d/%d sequences, %.0f calls/s, about %s left\n", done, total, rate, left)
		}
	}
}

// checkLinearizable records a concurrent history of tgt with c.clients
// clients and checks it against the model with porcupine. A violation or an
// undecided check is a finding; a target that does not declare concurrency
// is skipped with a note.
func checkLinearizable(c checkConfig, tgt target.Target, stdout io.Writer) (*finding, error) {
	if !tgt.Info().Concurrent {
		fmt.Fprintf(stdout, "sesslife: %s does not declare concurrent use: linearizability not checked\n", tgt.Info().Name)
		return nil, nil
	}
	if c.target == "impl" {
		tgt = impl.NewTarget(impl.WithYields()) // let calls overlap
		defer tgt.Close()
	}
	cfg := linearizability.Config{Clients: c.clients, Seed: c.seed}
	h, err := linearizability.Run(context.Background(), tgt, cfg)
	if err != nil {
		return nil, err
	}
	rep := linearizability.Check(h, linearizability.Options{OutDir: c.htmlDir})
	fmt.Fprintf(stdout, "sesslife: %s\n", rep)
	if rep.Passed() {
		return nil, nil
	}
	return &finding{Rule: "LINEARIZABILITY", Seed: c.seed, Calls: rep.Calls, Reproducer: rep.String()}, nil
}
