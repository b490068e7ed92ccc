// Command sesslife-lincheck runs the linearizability checks (package
// linearizability) against every available target and prints one verdict
// per run: the reference simulator (impl, yielding between the steps of
// its calls so that they overlap), and OpenSSL through bin/sesslife-shim-openssl
// when `make shim` has built it.
//
//	sesslife-lincheck [--target impl|openssl|exec:PATH]... [--runs 3] [--seed 1]
//	                  [--clients 8] [--epochs 4] [--rounds 2] [--calls 50]
//	                  [--steps N] [--memory MiB] [--handshakes N] [--timeout D]
//	                  [--out DIR] [--mutant NAME]
//
// Every bound of a check is a count (--steps, --memory: per universe), so
// that a verdict is the same on every machine; --timeout only guards
// against a hang (default none). --handshakes bounds the clients in a
// handshake at once (default none: all of them may be).
//
// Exit status: 0 when every run is linearizable; 1 when one is not, or its
// check is undecided, or the target failed; 2 on a usage or set-up error
// (also when CI=true and the OpenSSL shim is missing).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/linearizability"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/targets"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// targetList collects repeated --target flags.
type targetList []string

func (t *targetList) String() string     { return strings.Join(*t, ",") }
func (t *targetList) Set(v string) error { *t = append(*t, v); return nil }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife-lincheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var ts targetList
	fs.Var(&ts, "target", "impl, openssl or exec:PATH (repeatable; default: impl, and openssl when its shim is built)")
	runs := fs.Int("runs", 3, "runs per target, with seeds seed, seed+1, ...")
	seed := fs.Uint64("seed", 1, "seed of the first run")
	clients := fs.Int("clients", linearizability.DefaultClients, "concurrent clients")
	epochs := fs.Int("epochs", linearizability.DefaultEpochs, "universes per run")
	rounds := fs.Int("rounds", linearizability.DefaultRounds, "concurrent rounds per universe")
	calls := fs.Int("calls", linearizability.DefaultCallsPerRound, "calls per client and round")
	steps := fs.Int64("steps", linearizability.DefaultStepBudget, "step budget of the search of each universe")
	memory := fs.Int64("memory", linearizability.DefaultMemoryBudget>>20, "memory budget of the search of each universe, in MiB")
	handshakes := fs.Int("handshakes", 0, "clients in a handshake at once (0: no bound)")
	timeout := fs.Duration("timeout", 0, "guard against a check that hangs (0: none); a check that reaches it is unknown")
	out := fs.String("out", "", "directory for the visualizations of violations (default: the temporary directory)")
	mutant := fs.String("mutant", "", "run the impl target with this mutant of package impl (to see a violation)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sesslife-lincheck: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *runs < 1 {
		fmt.Fprintf(stderr, "sesslife-lincheck: --runs %d: want at least 1\n", *runs)
		return 2
	}
	var opts []impl.Option
	if *mutant != "" {
		m, err := mutants.Parse(*mutant)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife-lincheck: --mutant: %v\n", err)
			return 2
		}
		opts = append(opts, mutants.Option(m))
	} else {
		opts = append(opts, mutants.Yields())
	}
	if len(ts) == 0 {
		ts = targetList{"impl"}
		if _, err := targets.FindShim(opensslShim); err == nil || os.Getenv("CI") == "true" {
			ts = append(ts, "openssl")
		} else {
			fmt.Fprintf(stdout, "openssl: skipped: %v\n", err)
		}
	}
	status := 0
	for _, spec := range ts {
		tg, err := open(spec, opts)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife-lincheck: %v\n", err)
			return 2
		}
		for i := range *runs {
			cfg := linearizability.Config{Clients: *clients, Epochs: *epochs, Rounds: *rounds, CallsPerRound: *calls,
				Seed: *seed + uint64(i), Handshakes: *handshakes}
			h, err := linearizability.Run(context.Background(), tg, cfg)
			if err != nil {
				fmt.Fprintf(stderr, "sesslife-lincheck: %s: %v\n", spec, err)
				_ = tg.Close()
				return 2
			}
			rep := linearizability.Check(h, linearizability.Options{StepBudget: *steps, MemoryBudget: *memory << 20,
				Timeout: *timeout, OutDir: *out})
			fmt.Fprintf(stdout, "seed %d: %s\n", cfg.Seed, rep)
			if !rep.Passed() {
				status = 1
			}
		}
		if err := tg.Close(); err != nil {
			fmt.Fprintf(stdout, "%s: closing the target: %v\n", spec, err)
			status = 1
		}
	}
	return status
}

// opensslShim is the shim binary the default run looks for.
const opensslShim = "sesslife-shim-openssl"

// open makes the target a --target value names (package targets, the one
// place that knows where shims live), with a call timeout that only
// guards against a hang.
func open(spec string, opts []impl.Option) (target.Target, error) {
	return targets.Open(spec, targets.Options{Timeout: 20 * time.Second, Impl: opts})
}
