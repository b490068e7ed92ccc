// Command sesslife checks TLS libraries against the executable model of
// OpenSSL's SSL_SESSION lifetimes.
//
//	sesslife check [flags]   conformance run against a target
//	sesslife sim FILE        run a scenario on the model, explain every step
//	sesslife replay FILE     re-run a saved reproducer or JSON report on a target
//	sesslife mutants         run every engine against every planted mutant
//	sesslife trace -- PROG   check a real program's use of sessions
//	sesslife help            this text
//
// Exit status: 0 conformant, 1 divergences found (a crash or a hang of the
// target is a divergence too), 2 usage or infrastructure error, 130 when
// interrupted (SIGINT or SIGTERM: the findings so far are printed and the
// reports written, and every child process ends).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sesslife/sesslife/target/targets"
)

// Exit statuses.
const (
	exitOK          = 0
	exitDivergence  = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "sim":
		return runSim(args[1:], stdout, stderr)
	case "replay":
		return runReplay(ctx, args[1:], stdout, stderr)
	case "mutants":
		return runMutants(args[1:], stdout, stderr)
	case "coverage":
		return runCoverage(args[1:], stdout, stderr)
	case "merge":
		return runMerge(args[1:], stdout, stderr)
	case "trace":
		return runTrace(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "sesslife: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `sesslife checks implementations of OpenSSL's SSL_SESSION lifetime rules
against an executable model.

Usage:
  sesslife check [flags]    run random legal call sequences on a target and on
                            the model side by side; print each finding (the
                            rule it breaks, a minimal reproducer, got and
                            want, the command that replays it) as soon as it
                            is found, then a verdict with rule coverage
  sesslife sim [--profile NAME] [--target SPEC] FILE|-
                            run a scenario (one C-like call per line) on the
                            model and print, after each line, the result, the
                            events and the state that changed; flag undefined
                            behaviour and leaks; with --target, run it on a
                            target side by side and mark differences
  sesslife replay [--target SPEC] [--profile NAME] FILE
                            re-run a saved reproducer (a scenario, the
                            reproducer printed by check, a JSON report of
                            check with every finding in it, or a rapid fail
                            file) on a target; exit 1 when a finding still
                            reproduces, 0 when none does, 2 when the file
                            holds no calls or cannot be read
  sesslife mutants [--check|--markdown FILE]
                            run every engine against every mutant of the
                            reference simulator with a fixed budget and
                            seeds; print the kill table; exit 1 if any
                            survives
  sesslife coverage [--markdown FILE|--check FILE] REPORT.json...
                            the rule coverage table of docs/coverage.md
                            from the JSON reports of check runs
  sesslife merge [--json OUT] REPORT.json...
                            merge the JSON reports of the shards of one run
                            (check --shard K/N) into the whole run's report
  sesslife trace [--json FILE] [--html DIR] -- PROGRAM ARGS...
                            run a program with the session-call recorder
                            preloaded (make trace) and check its own use of
                            sessions: dangling and over-released sessions,
                            leaks, one session in two caches, get_session_cb
                            *copy, sessions offered that cannot resume; each
                            finding with its rule, line to fix and history
                            (docs/trace.md)
  sesslife help             show this text

Flags of check:
`)
	fs := checkFlags(new(checkConfig))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nTargets:\n"+targets.Usage+`
Exit status: 0 conformant, 1 divergences found (crashes and hangs of the
target included), 2 usage or infrastructure error, 130 interrupted.
`)
}
