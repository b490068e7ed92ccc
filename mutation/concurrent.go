package mutation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/model"
)

// The concurrent engines. Goroutines interleave as the scheduler pleases,
// so a run catches a mutant only when its clients meet at the wrong moment:
// an engine runs until its first kill, up to its budget of runs, and a
// concurrent mutant runs only under the engine meant for it (Catcher), the
// one that catches it within a few runs (package linearizability's tests
// measure how many). What no engine decides is never a verdict.

// concurrentRun is the i-th concurrent run tried on a mutant: small
// universes, so that porcupine exhausts the orders of a failing one within
// moments (a reference count gone wrong shows only at tear-down), rounds
// alternating in length to give the other races more chances (the runs of
// linearizability's TestMutantsCaught).
func concurrentRun(seed uint64) linearizability.Config {
	return linearizability.Config{Clients: 4, Epochs: 6, Rounds: 1 + int(seed%2), CallsPerRound: 20 + 10*int(seed%3), Seed: seed}
}

// raceRun is the i-th run of the race engine's child: nothing is checked,
// so the universes can be larger than the linearizability engine's, which
// gives the racing calls more chances to meet.
func raceRun(seed uint64) linearizability.Config {
	return linearizability.Config{Clients: 3, Epochs: 4, Rounds: 4, CallsPerRound: 40, Seed: seed}
}

// linCheckGuard bounds one linearizability check only against a hang: the
// checks of these small universes take milliseconds and a few thousand
// model steps, and the check's own budgets are counts (Options.StepBudget,
// MemoryBudget). A check that reaches it, like one that outgrows a budget,
// has not decided, and the engine tries a fresh history instead.
const linCheckGuard = 10 * time.Minute

// linMemory bounds the states the search of one universe keeps (several
// universes, and two checks, may be searched at once).
const linMemory = 256 << 20

// runLin runs the linearizability runner (clients sharing SSL_CTXs and
// sessions) and checks each history against the model, up to o.LinRuns runs
// with consecutive seeds from o.Seed. A violation kills the mutant, and so
// does a target that fails or hangs during a run (a finding).
func runLin(ctx context.Context, m mutants.Info, o Options) Kill {
	tgt := mutants.Target(m.Mutant, model.OpenSSL30()) // the runner needs a profile the model knows by name
	defer tgt.Close()
	undecided := 0
	for i := 0; i < o.LinRuns; i++ {
		cfg := concurrentRun(o.Seed + uint64(i))
		cfg.CallTimeout = o.LinCallTimeout
		h, err := linearizability.Run(ctx, tgt, cfg)
		if err != nil {
			return Kill{Undecided: "harness error: " + err.Error(), Tries: i + 1}
		}
		rep := linearizability.Check(h, linearizability.Options{Timeout: linCheckGuard, MemoryBudget: linMemory,
			OutDir: os.TempDir()})
		switch rep.Verdict {
		case linearizability.Violation, linearizability.TargetFailed:
			return Kill{Killed: true, Tries: i + 1, Calls: rep.Calls, Repro: rep.String()}
		case linearizability.Linearizable:
		case linearizability.Undecided:
			undecided++
		default:
			return Kill{Undecided: rep.String(), Tries: i + 1}
		}
	}
	k := Kill{Tries: o.LinRuns}
	if undecided > 0 {
		// Survival is a verdict only when every history was decided.
		k.Undecided = fmt.Sprintf("%d of %d checks could not decide", undecided, o.LinRuns)
	}
	return k
}

// raceExitCode is the status the race-built child exits with on a race.
const raceExitCode = 66

// raceGuard bounds the race engine's child only against a hang.
const raceGuard = 10 * time.Minute

// runRace runs the concurrent workload of the linearizability engine in a
// child process built with the race detector (`sesslife mutants
// --race-probe NAME`, o.RaceBinary), which exits with status 66 at the first
// data race: a race kills the mutant.
func runRace(ctx context.Context, m mutants.Info, o Options) Kill {
	if o.RaceBinary == "" {
		return Kill{Undecided: "no race-built sesslife (see --race-binary)"}
	}
	ctx, cancel := context.WithTimeout(ctx, raceGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.RaceBinary, "mutants", "--race-probe", m.Name,
		"--seed", strconv.FormatUint(o.Seed, 10), "--race-runs", strconv.Itoa(o.RaceRuns))
	cmd.Env = append(os.Environ(), fmt.Sprintf("GORACE=halt_on_error=1 exitcode=%d", raceExitCode))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return Kill{Tries: o.RaceRuns}
	case errors.As(err, &exit) && exit.ExitCode() == raceExitCode && strings.Contains(stderr.String(), "DATA RACE"):
		report := stderr.String()
		if lines := strings.Split(report, "\n"); len(lines) > 40 {
			report = strings.Join(lines[:40], "\n") + "\n..."
		}
		return Kill{Killed: true, Tries: 1, Repro: report}
	}
	tail := stderr.String()
	if len(tail) > 300 {
		tail = "..." + tail[len(tail)-300:]
	}
	return Kill{Undecided: fmt.Sprintf("the race probe failed: %v: %s", err, tail)}
}

// RaceProbe is the race engine's child: the concurrent workload of the
// named mutant, runs times from seed, with nothing checked; the race
// detector of a -race build does the checking. A race shows only when the
// two accesses come close, so the runs are many and cheap.
func RaceProbe(ctx context.Context, name string, seed uint64, runs int) error {
	m, err := mutants.Parse(name)
	if err != nil {
		return err
	}
	tgt := mutants.Target(m, model.OpenSSL30())
	defer tgt.Close()
	for i := range runs {
		if _, err := linearizability.Run(ctx, tgt, raceRun(seed+uint64(i))); err != nil {
			return err
		}
	}
	return nil
}
