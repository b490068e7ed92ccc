package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/targets"
)

// checkConfig holds the flags of `sesslife check`.
type checkConfig struct {
	target       string
	profile      string
	seed         uint64
	sequences    int
	steps        int
	maxFindings  int
	reduceBudget int
	jsonPath     string
	htmlDir      string
	saveDir      string
	expectPath   string
	shard        string
	clients      int
	minFires     int
	shim         shimFlags
}

func checkFlags(c *checkConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife check", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "impl", "system to check: "+strings.Join(targets.Names(), ", "))
	fs.StringVar(&c.profile, "profile", "", "model profile the target must follow: "+strings.Join(model.ProfileNames(), ", ")+
		" (default: the one the target names, e.g. openssl-3.2 for a shim running with OpenSSL 3.2 or later)")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the random sequences (0: derive one from the clock and print it)")
	fs.IntVar(&c.sequences, "sequences", 1000, "number of random call sequences")
	fs.IntVar(&c.steps, "steps", 100, "maximum calls per sequence (at least half as many are made)")
	fs.IntVar(&c.maxFindings, "max-findings", 8, "stop after this many findings (each of a different rule; a divergence that does not reproduce alone counts as one)")
	fs.IntVar(&c.reduceBudget, "reduce-budget", properties.DefaultSearchOptions().ReduceBudget, "most replays spent reducing one finding to a minimal reproducer")
	fs.StringVar(&c.jsonPath, "json", "", "also write the report as JSON to this file (docs/report.md)")
	fs.StringVar(&c.htmlDir, "html", "", "also write the report as HTML into this directory: index.html, each finding step by step (docs/report.md)")
	fs.StringVar(&c.saveDir, "save", "", "directory for the reproducers of findings, one scenario file each (default: sesslife-SEED in the temporary directory)")
	fs.StringVar(&c.expectPath, "expect", "", "file of known divergences, one rule id and its reason per line: reported as expected, and the run fails if one no longer shows")
	fs.StringVar(&c.shard, "shard", "", "K/N: draw only the sequences whose index is K modulo N, so that N runs share one seed's budget")
	fs.IntVar(&c.minFires, "min-fires", 0, "fail when a rule the profile's random runs can reach (docs/spec.md) fired fewer than this many times")
	fs.IntVar(&c.clients, "clients", 0, "also record a concurrent history with this many clients and check it for linearizability (targets that declare concurrency)")
	c.shim.register(fs)
	return fs
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c checkConfig
	fs := checkFlags(&c)
	if code := parseArgs(fs, args, stdout, stderr, 0, ""); code != continueRun {
		return code
	}
	var prof model.Profile
	if c.profile != "" {
		var ok bool
		if prof, ok = lookupProfile(fs, c.profile, stderr); !ok {
			return exitUsage
		}
	}
	if c.sequences < 1 || c.steps < 2 || c.maxFindings < 1 || c.reduceBudget < 0 {
		fmt.Fprintln(stderr, "sesslife check: --sequences and --max-findings must be at least 1, --steps at least 2, --reduce-budget at least 0")
		return exitUsage
	}
	shard, shards, err := parseShard(c.shard)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife check: --shard: %v\n", err)
		return exitUsage
	}
	var expect *expectations
	if c.expectPath != "" {
		if expect, err = readExpectations(c.expectPath); err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			return exitUsage
		}
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano())
	}
	open := targets.Factory(c.target, c.shim.options())
	probe, err := open()
	if err != nil {
		fmt.Fprintf(stderr, "sesslife check: %v\n", err)
		return exitUsage
	}
	info := probe.Info()
	_ = probe.Close()
	if c.profile == "" {
		// The target says which profile it follows (docs/protocol.md §2);
		// the replay commands printed below name it.
		prof = targetProfile(info, stderr)
		c.profile = prof.Name
	} else {
		noteOtherProfile(info, prof, "--profile", stderr)
	}

	opts := properties.DefaultSearchOptions()
	opts.Profile, opts.Seed, opts.Sequences = prof, c.seed, c.sequences
	opts.Shard, opts.Shards = shard, shards
	opts.MaxCalls, opts.MinCalls = c.steps, max(1, c.steps/2)
	opts.MaxFindings, opts.ReduceBudget = c.maxFindings, c.reduceBudget
	if expect != nil {
		opts.Known = expect.has
	}
	rep := newCheckReport(c, info, prof)
	saver := &reproducerSaver{dir: c.saveDir, seed: c.seed}
	opts.OnFinding = func(f properties.Finding) {
		n := len(rep.Findings) + 1
		path, err := saver.save(n, f, rep)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife check: saving the reproducer: %v\n", err)
		}
		jf := newFinding(n, f, replayCommand(c, path))
		rep.Findings = append(rep.Findings, jf)
		printFinding(stdout, jf, f)
	}
	opts.OnProgress = newProgress(stderr)
	fmt.Fprintf(stderr, "sesslife: checking %s against the %s model: %d sequences of %d..%d calls%s, seed %d\n",
		info.Name, prof.Name, c.sequences, opts.MinCalls, opts.MaxCalls, shardText(c.shard), c.seed)

	start := time.Now()
	res, err := properties.Search(ctx, open, opts)
	rep.fill(res, info, prof, time.Since(start))
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "sesslife check: %v\n", err)
		rep.Error = err.Error()
	}
	if c.clients > 0 && ctx.Err() == nil && err == nil {
		lin, err := checkLinearizable(ctx, c, open, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			rep.Error = err.Error()
		}
		rep.Linearizability = lin
	}
	if expect != nil {
		rep.Expected = expect.judge(res)
	}
	if c.minFires > 0 && ctx.Err() == nil && err == nil {
		for _, r := range res.Coverage.Rare(model.GenerableRules(prof), c.minFires) {
			rep.Coverage.BelowMinimum = append(rep.Coverage.BelowMinimum, fmt.Sprintf("%s (%d)", r, res.Coverage.Fires[r]))
		}
	}
	rep.decide()
	printVerdict(stdout, c, rep)
	status := writeOutputs(c, rep, stderr)
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case rep.Error != "":
		return exitUsage
	case !rep.Conformant:
		return exitDivergence
	}
	return status
}

// writeOutputs writes the JSON and HTML reports the flags ask for.
func writeOutputs(c checkConfig, rep *checkReport, stderr io.Writer) int {
	status := exitOK
	if c.jsonPath != "" {
		if err := writeJSON(c.jsonPath, rep); err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			status = exitUsage
		}
	}
	if c.htmlDir != "" {
		if err := writeHTML(c.htmlDir, rep); err != nil {
			fmt.Fprintf(stderr, "sesslife check: %v\n", err)
			status = exitUsage
		}
	}
	return status
}

// parseShard reads K/N (0 <= K < N); "" is the whole run.
func parseShard(s string) (shard, shards int, err error) {
	if s == "" {
		return 0, 1, nil
	}
	k, n, ok := strings.Cut(s, "/")
	shard, err1 := strconv.Atoi(k)
	shards, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || shards < 1 || shard < 0 || shard >= shards {
		return 0, 0, fmt.Errorf("%q: want K/N with 0 <= K < N", s)
	}
	return shard, shards, nil
}

func shardText(s string) string {
	if s == "" {
		return ""
	}
	return " (shard " + s + ")"
}

// rerunCommand is the command that runs the first n sequences of c's run
// again: the same draws, the same findings.
func rerunCommand(c checkConfig, n int) string {
	parts := []string{"sesslife", "check", "--target", shellQuote(c.target), "--profile", c.profile,
		"--seed", strconv.FormatUint(c.seed, 10), "--sequences", strconv.Itoa(n), "--steps", strconv.Itoa(c.steps)}
	if c.shard != "" {
		parts = append(parts, "--shard", c.shard)
	}
	return strings.Join(append(parts, c.shim.args()...), " ")
}

// replayCommand is the command that replays a saved reproducer.
func replayCommand(c checkConfig, path string) string {
	parts := []string{"sesslife", "replay", "--target", shellQuote(c.target), "--profile", c.profile}
	parts = append(parts, c.shim.args()...)
	return strings.Join(append(parts, shellQuote(path)), " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == ':' || r == '=' || r == ',' ||
			(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// reproducerSaver writes each finding's reproducer as a scenario file.
type reproducerSaver struct {
	dir  string
	seed uint64
}

func (s *reproducerSaver) save(n int, f properties.Finding, rep *checkReport) (string, error) {
	if s.dir == "" {
		s.dir = filepath.Join(os.TempDir(), fmt.Sprintf("sesslife-%d", s.seed))
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, fmt.Sprintf("%d-%s.sim", n, f.Rule))
	return path, os.WriteFile(path, []byte(reproducerScenario(f, rep)), 0o644)
}

// reproducerScenario renders a finding as a scenario file: what it is as
// comments, then its calls.
func reproducerScenario(f properties.Finding, rep *checkReport) string {
	var b strings.Builder
	d := f.Divergence
	fmt.Fprintf(&b, "# sesslife finding: rule %s (docs/spec.md)\n", f.Rule)
	fmt.Fprintf(&b, "# %s against the %s model, seed %d, sequence %d\n", rep.Run.Target, rep.Run.Profile, rep.Run.Seed, f.Sequence)
	for _, line := range strings.Split(d.Detail(), "\n") {
		b.WriteString("# " + line + "\n")
	}
	for _, s := range d.Trail {
		b.WriteString(properties.FormatCall(s.Op, s.Want) + "\n")
	}
	return b.String()
}

// progress prints, every few seconds, where the search stands.
func newProgress(w io.Writer) func(properties.Progress) {
	start, last := time.Now(), time.Time{}
	return func(p properties.Progress) {
		now := time.Now()
		if now.Sub(last) < 3*time.Second {
			return
		}
		last = now
		switch p.Phase {
		case properties.Searching:
			rate := float64(p.Calls) / max(now.Sub(start).Seconds(), 1e-9)
			left := ""
			if p.Done > 0 {
				left = ", about " + time.Duration(float64(now.Sub(start))/float64(p.Done)*float64(p.Total-p.Done)).Round(time.Second).String() + " left"
			}
			fmt.Fprintf(w, "sesslife: searching: %d/%d sequences, %.0f calls/s%s\n", p.Done, p.Total, rate, left)
		case properties.Reducing:
			fmt.Fprintf(w, "sesslife: reducing a divergence of %s: replay %d of at most %d, %d calls so far\n", p.Rule, p.Tries, p.Budget, p.Length)
		case properties.Verifying:
			fmt.Fprintf(w, "sesslife: confirming %s on a fresh target (%d calls)\n", p.Rule, p.Length)
		}
	}
}

// interface check: the factory type the search takes.
var _ target.Factory = targets.Factory("impl", targets.Options{})
