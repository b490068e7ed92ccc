package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

type checkConfig struct {
	target    string
	profile   string
	seed      uint64
	sequences int
	steps     int
}

func checkFlags(c *checkConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife check", flag.ContinueOnError)
	fs.StringVar(&c.target, "target", "impl", "system to check: impl, openssl or exec:PATH")
	fs.StringVar(&c.profile, "profile", "openssl-3.0", "model profile the target must follow")
	fs.Uint64Var(&c.seed, "seed", 0, "seed of the random sequences (0: derive one from the clock and print it)")
	fs.IntVar(&c.sequences, "sequences", 1000, "number of random call sequences")
	fs.IntVar(&c.steps, "steps", 100, "maximum calls per sequence (at least half as many are made)")
	return fs
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	var c checkConfig
	fs := checkFlags(&c)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesslife check: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	prof, ok := model.Profiles()[c.profile]
	if !ok {
		fmt.Fprintf(stderr, "sesslife check: unknown profile %q (known: %v)\n", c.profile, model.ProfileNames())
		return exitUsage
	}
	if c.sequences < 1 || c.steps < 2 {
		fmt.Fprintln(stderr, "sesslife check: --sequences must be at least 1 and --steps at least 2")
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

	opts := properties.DefaultOptions()
	opts.Profile = prof
	opts.MaxCalls = c.steps
	opts.MinCalls = max(1, c.steps/2)
	opts.Coverage = &properties.Coverage{}
	fmt.Fprintf(stderr, "sesslife: checking %s against the %s model: %d sequences of %d..%d calls, seed %d\n",
		tgt.Info().Name, prof.Name, c.sequences, opts.MinCalls, opts.MaxCalls, c.seed)

	start := time.Now()
	failure, err := runRapid(map[string]string{
		"rapid.checks": strconv.Itoa(c.sequences),
		"rapid.seed":   strconv.FormatUint(c.seed, 10),
	}, properties.RapidProp(&progressTarget{Target: tgt, cov: opts.Coverage, total: c.sequences, w: stderr, start: start}, opts))
	elapsed := time.Since(start).Round(time.Millisecond)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife check: %v\n", err)
		return exitUsage
	}
	info := tgt.Info()
	if failure != "" {
		fmt.Fprintf(stdout, "%s\nsesslife: FAIL %s diverges from %s (seed %d, %s); replay with: sesslife check --target %s --seed %d --sequences %d --steps %d\n",
			failure, info.Name, prof.Name, c.seed, elapsed, c.target, c.seed, c.sequences, c.steps)
		return exitDivergence
	}
	missing := opts.Coverage.Missing(info.Supports)
	fmt.Fprintf(stdout, "sesslife: PASS %s conforms to %s: %d sequences, %d calls, %d/%d supported call kinds covered (seed %d, %s, %.0f calls/s)\n",
		info.Name, prof.Name, opts.Coverage.Sequences, opts.Coverage.Calls, countSupported(info.Supports)-len(missing),
		countSupported(info.Supports), c.seed, elapsed, float64(opts.Coverage.Calls)/time.Since(start).Seconds())
	if len(info.Unsupported) > 0 {
		fmt.Fprintf(stdout, "sesslife: unsupported by %s: %v\n", info.Name, info.Unsupported)
	}
	if len(missing) > 0 {
		fmt.Fprintf(stdout, "sesslife: never exercised: %v\n", missing)
	}
	return exitOK
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

// progressTarget reports progress on stderr every few seconds as sequences
// go by (each Reset starts one).
type progressTarget struct {
	target.Target
	cov   *properties.Coverage
	total int
	w     io.Writer
	start time.Time
	last  time.Time
}

func (p *progressTarget) Reset(ctx context.Context) error {
	if now := time.Now(); now.Sub(p.last) > 3*time.Second {
		p.last = now
		done := p.cov.Sequences
		rate := float64(p.cov.Calls) / now.Sub(p.start).Seconds()
		switch {
		case done >= p.total:
			// rapid re-runs sequences while it shrinks a failure.
			fmt.Fprintf(p.w, "sesslife: shrinking (%d runs so far, %.0f calls/s)\n", done-p.total, rate)
		case done == 0:
			fmt.Fprintf(p.w, "sesslife: starting\n")
		default:
			left := time.Duration(float64(now.Sub(p.start)) / float64(done) * float64(p.total-done)).Round(time.Second)
			fmt.Fprintf(p.w, "sesslife: %d/%d sequences, %.0f calls/s, about %s left\n", done, p.total, rate, left)
		}
	}
	return p.Target.Reset(ctx)
}
