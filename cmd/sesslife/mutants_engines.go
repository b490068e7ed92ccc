package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/fuzz"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// budgets are the fixed amounts of work each engine gets per mutant.
type budgets struct {
	seed      uint64
	rapid     int           // sequences of 50..100 calls
	gopter    int           // command sequences
	fuzz      int           // decoded byte inputs
	lin       int           // linearizability runs (linConfig)
	raceRuns  int           // the race engine's runs of the same workload
	linCheck  time.Duration // the time limit of one linearizability check
	shrink    time.Duration // rapid's shrinking time (gopter and the fuzz engine shrink by count)
	perEngine time.Duration // an engine still running after this is abandoned
	// raceBinary is a sesslife built with -race, for the race engine; ""
	// when there is none.
	raceBinary string
}

// kill is what one engine did to one mutant.
type kill struct {
	killed bool
	// first is the time from the engine's start to the first failing
	// sequence it ran.
	first time.Duration
	// total is the engine's whole time, shrinking included.
	total time.Duration
	// calls is the length of the engine's final (shrunk) reproducer, and
	// repro the reproducer as text.
	calls int
	repro string
	note  string // why the engine could not decide (abandoned, harness error)
	// input is the fuzz engine's shrunk byte input (before the call-level
	// shrinking), a seed for FuzzDecodeImpl.
	input []byte
}

// divergenceKill is a kill whose reproducer is a lockstep divergence.
func divergenceKill(first, total time.Duration, d *properties.Divergence) kill {
	return kill{killed: true, first: first, total: total, calls: len(d.Trail), repro: d.Error()}
}

// engine runs against one mutated target factory.
type engine struct {
	name string
	// concurrent: the engine drives several goroutines at once and is meant
	// for the concurrent mutants; the others run one call at a time.
	concurrent bool
	run        func(m mutants.Info, p model.Profile, b budgets) kill
}

// allEngines are the engines the table can run, in table order.
func allEngines() []engine {
	return []engine{
		{"rapid", false, runRapidEngine},
		{"gopter", false, runGopterEngine},
		{"fuzz", false, runFuzzEngine},
		{"linearizability", true, runLinEngine},
		{"race", true, runRaceEngine},
	}
}

func mutantTarget(m mutants.Mutant, p model.Profile) target.Target { return mutants.Target(m, p) }

func profileFor(info mutants.Info) model.Profile { return info.Profile() }

// withDeadline runs f, abandoning it (its goroutine keeps running) after d:
// a hung engine must not hang the table.
func withDeadline(d time.Duration, f func() kill) kill {
	done := make(chan kill, 1)
	go func() { done <- f() }()
	select {
	case k := <-done:
		return k
	case <-time.After(d):
		return kill{note: fmt.Sprintf("abandoned after %v", d), total: d}
	}
}

// recorder is a target wrapper that watches an engine at work: it checks
// every sequence against the model itself (with its own Lockstep, exactly
// as the engines do) and remembers when the first failing sequence came and
// which failing sequence came last. rapid ends by replaying its shrunk case
// and gopter's shrinker keeps the last candidate that failed, so the last
// failing sequence is the engine's reproducer.
type recorder struct {
	inner target.Target
	prof  model.Profile
	start time.Time

	ls     *properties.Lockstep
	failed bool // the current sequence diverged
	first  time.Duration
	last   *properties.Divergence
	err    error // a harness error (an illegal call): the engine is broken
}

func newRecorder(inner target.Target, p model.Profile) *recorder {
	return &recorder{inner: inner, prof: p, start: time.Now()}
}

func (r *recorder) Info() target.Info { return r.inner.Info() }
func (r *recorder) Close() error      { return r.inner.Close() }

// Reset starts a new sequence.
func (r *recorder) Reset(ctx context.Context) error {
	ls, err := properties.NewLockstep(ctx, r.inner, r.prof)
	r.ls, r.failed = ls, false
	return err
}

// Apply runs op through the recorder's lockstep and hands the engine what
// the target returned.
func (r *recorder) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	if r.ls == nil || r.failed {
		return r.inner.Apply(ctx, op)
	}
	err := r.ls.Do(ctx, op)
	trail := r.ls.Trail()
	var d *properties.Divergence
	switch {
	case err == nil:
		return trail[len(trail)-1].Got, nil
	case errors.As(err, &d):
		r.failed = true
		if r.last == nil {
			r.first = time.Since(r.start)
		}
		r.last = d
		if d.Err != nil {
			return model.Result{}, d.Err
		}
		return trail[len(trail)-1].Got, nil
	}
	r.err = err
	return model.Result{}, err
}

func (r *recorder) Observe(ctx context.Context) (model.Observation, error) {
	return r.inner.Observe(ctx)
}

// outcome turns what the recorder saw into a kill.
func (r *recorder) outcome(engineFailed bool) kill {
	k := kill{total: time.Since(r.start)}
	switch {
	case r.err != nil:
		k.note = "harness error: " + r.err.Error()
	case engineFailed && r.last == nil:
		k.note = "the engine failed, but no sequence diverged from the model"
	case engineFailed:
		k = divergenceKill(r.first, k.total, r.last)
	}
	return k
}

// configureRapid sets rapid's flags for the budgets. rapid reads its
// settings from the standard flag set, so this must run once before any
// rapid engine, and not while one runs: the engines then run rapid
// concurrently with the same settings.
func configureRapid(b budgets) error {
	newCLITB("sesslife-mutants") // registers and parses the testing flags rapid asks about
	for name, value := range map[string]string{
		"rapid.checks":     strconv.Itoa(b.rapid),
		"rapid.seed":       strconv.FormatUint(b.seed, 10),
		"rapid.shrinktime": b.shrink.String(),
		"rapid.nofailfile": "true",
	} {
		if err := flag.Set(name, value); err != nil {
			return fmt.Errorf("configure rapid: %w", err)
		}
	}
	return nil
}

// runRapidEngine runs rapid as `sesslife check` does (properties.RapidProp,
// cliTB), with the settings configureRapid made.
func runRapidEngine(m mutants.Info, p model.Profile, _ budgets) kill {
	rec := newRecorder(mutantTarget(m.Mutant, p), p)
	defer rec.Close()
	opts := properties.DefaultOptions()
	opts.Profile = p
	tb := &cliTB{name: "sesslife-mutants"}
	done := make(chan struct{})
	go func() { // FailNow ends this goroutine
		defer close(done)
		rapid.Check(tb, properties.RapidProp(rec, opts))
	}()
	<-done
	return rec.outcome(tb.Failed())
}

func runGopterEngine(m mutants.Info, p model.Profile, b budgets) kill {
	rec := newRecorder(mutantTarget(m.Mutant, p), p)
	defer rec.Close()
	opts := properties.DefaultOptions()
	opts.Profile = p
	params := gopter.DefaultTestParametersWithSeed(int64(b.seed))
	params.MinSuccessfulTests = b.gopter
	params.MaxSize = opts.MaxCalls
	params.Workers = 1
	res := commands.Prop(properties.GopterCommands(rec, opts)).Check(params)
	return rec.outcome(!res.Passed())
}

// runFuzzEngine is the byte decoder outside `go test -fuzz`: seeded random
// inputs, decoded and checked one by one; the first failing one is shrunk
// with fuzz.ShrinkBytes, then properties.Reduce.
func runFuzzEngine(m mutants.Info, p model.Profile, b budgets) kill {
	tgt := mutantTarget(m.Mutant, p)
	defer tgt.Close()
	ctx := context.Background()
	cfg := fuzz.DefaultConfig()
	cfg.Profile = p
	start := time.Now()
	fails := func(ops []model.Op) bool {
		var d *properties.Divergence
		return errors.As(fuzz.Check(ctx, tgt, p, ops), &d)
	}
	rng := rand.New(rand.NewPCG(b.seed, 0x5e551fe))
	for i := 0; i < b.fuzz; i++ {
		data := make([]byte, 64+rng.IntN(960))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		ops, err := fuzz.Decode(data, cfg)
		if err != nil {
			return kill{note: "harness error: " + err.Error(), total: time.Since(start)}
		}
		if !fails(ops) {
			continue
		}
		first := time.Since(start)
		// Budgets by count, not time, so that the reproducer is the same
		// on every machine.
		data = fuzz.ShrinkBytes(data, cfg, fails, 3000)
		if ops, err = fuzz.Decode(data, cfg); err != nil {
			return kill{note: "harness error: " + err.Error(), total: time.Since(start)}
		}
		ops = properties.Reduce(ops, p, fails, 2000).Ops
		var d *properties.Divergence
		if !errors.As(fuzz.Check(ctx, tgt, p, ops), &d) {
			return kill{note: "the shrunk input no longer fails", total: time.Since(start)}
		}
		k := divergenceKill(first, time.Since(start), d)
		k.input = data
		return k
	}
	return kill{total: time.Since(start)}
}

// linConfig sizes the kill table's concurrent runs: 3 clients, 4 epochs of
// 4 rounds of 40 calls each (about 2,000 calls). Fewer clients than the
// runner's default keep porcupine's search short enough to decide within
// the check's time limit.
func linConfig(seed uint64) linearizability.Config {
	return linearizability.Config{Clients: 3, Epochs: 4, Rounds: 4, CallsPerRound: 40, Seed: seed}
}

// runLinEngine runs the linearizability runner (clients sharing SSL_CTXs
// and sessions) and checks the history against the model, up to
// b.lin times with consecutive seeds. A violation kills the mutant, and so
// does a target that fails or hangs during the run (a finding). Concurrent
// runs are not repeatable, so neither is this engine's outcome.
func runLinEngine(m mutants.Info, _ model.Profile, b budgets) kill {
	start := time.Now()
	tgt := mutantTarget(m.Mutant, model.OpenSSL30()) // the runner needs a profile the model knows by name
	defer tgt.Close()
	var notes []string
	for i := 0; i < b.lin; i++ {
		h, err := linearizability.Run(context.Background(), tgt, linConfig(b.seed+uint64(i)))
		if err != nil {
			return kill{note: err.Error(), total: time.Since(start)}
		}
		rep := linearizability.Check(h, linearizability.Options{Timeout: b.linCheck, OutDir: os.TempDir()})
		switch rep.Verdict {
		case linearizability.Violation, linearizability.TargetFailed:
			return kill{killed: true, first: time.Since(start), total: time.Since(start), calls: rep.Calls, repro: rep.String()}
		case linearizability.Linearizable:
		default:
			notes = append(notes, string(rep.Verdict))
		}
	}
	k := kill{total: time.Since(start)}
	if len(notes) > 0 {
		k.note = "checks " + strings.Join(notes, ", ")
	}
	return k
}

// raceExitCode is the status the race-built child exits with on a race.
const raceExitCode = 66

// runRaceEngine runs the same concurrent workload as runLinEngine in a
// child process built with the race detector (b.raceBinary, `sesslife
// mutants --race-probe NAME`), which exits with status 66 at the first data
// race: a race kills the mutant.
func runRaceEngine(m mutants.Info, _ model.Profile, b budgets) kill {
	if b.raceBinary == "" {
		return kill{note: "no race-built sesslife (see --race-binary)"}
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), b.perEngine)
	defer cancel()
	cmd := exec.CommandContext(ctx, b.raceBinary, "mutants", "--race-probe", m.Name,
		"--seed", strconv.FormatUint(b.seed, 10), "--race-runs", strconv.Itoa(b.raceRuns))
	cmd.Env = append(os.Environ(), fmt.Sprintf("GORACE=halt_on_error=1 exitcode=%d", raceExitCode))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	total := time.Since(start)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return kill{total: total}
	case errors.As(err, &exit) && exit.ExitCode() == raceExitCode && strings.Contains(stderr.String(), "DATA RACE"):
		report := stderr.String()
		if lines := strings.Split(report, "\n"); len(lines) > 40 {
			report = strings.Join(lines[:40], "\n") + "\n..."
		}
		return kill{killed: true, first: total, total: total, repro: report}
	}
	tail := stderr.String()
	if len(tail) > 300 {
		tail = "..." + tail[len(tail)-300:]
	}
	return kill{note: fmt.Sprintf("the race probe failed: %v: %s", err, tail), total: total}
}

// runRaceProbe is the child's side: the concurrent workload of mutant name,
// b.raceRuns times, with nothing checked; the race detector does the
// checking. A race shows only when the two accesses happen to come close,
// so the runs are many and cheap.
func runRaceProbe(name string, b budgets, stderr io.Writer) int {
	m, err := mutants.Parse(name)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife mutants: --race-probe: %v\n", err)
		return exitUsage
	}
	tgt := mutantTarget(m, model.OpenSSL30())
	defer tgt.Close()
	for i := 0; i < b.raceRuns; i++ {
		if _, err := linearizability.Run(context.Background(), tgt, linConfig(b.seed+uint64(i))); err != nil {
			fmt.Fprintf(stderr, "sesslife mutants: --race-probe: %v\n", err)
			return exitUsage
		}
	}
	return exitOK
}
