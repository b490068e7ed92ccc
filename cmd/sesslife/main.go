// Command sesslife checks TLS libraries against the executable model of
// OpenSSL's SSL_SESSION lifetimes.
//
//	sesslife check [flags]   conformance run against a target
//	sesslife sim FILE        run a scenario on the model, explain every step
//	sesslife replay FILE     re-run a saved counterexample on a target
//	sesslife mutants         run every engine against every planted mutant
//	sesslife help            this text
//
// Exit status: 0 conformant, 1 divergences found, 2 usage or infrastructure
// error.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK         = 0
	exitDivergence = 1
	exitUsage      = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "sim":
		return runSim(args[1:], stdout, stderr)
	case "replay":
		return runReplay(args[1:], stdout, stderr)
	case "mutants":
		return runMutants(args[1:], stdout, stderr)
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
                            the model side by side; print a verdict and, on a
                            divergence, the shrunk reproducer
  sesslife sim [--profile NAME] [--target SPEC] FILE|-
                            run a scenario (one C-like call per line) on the
                            model and print, after each line, the result, the
                            events and the state that changed; flag undefined
                            behaviour and leaks; with --target, run it on a
                            target side by side and mark differences
  sesslife replay [--target SPEC] [--profile NAME] FILE
                            re-run a saved counterexample (a scenario, the
                            reproducer printed by check or a failing test, or
                            a rapid fail file) on a target; print every step
                            with expected and actual results; exit 1 while it
                            still fails
  sesslife mutants [--check|--markdown FILE]
                            run every engine (rapid, gopter, fuzz decoder,
                            linearizability, race) against every mutant of
                            the reference simulator with a fixed budget and
                            seed; print the kill table; exit 1 if any survives
  sesslife help             show this text

Flags of check:
`)
	fs := checkFlags(new(checkConfig))
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, `
Targets:
  impl        the reference simulator (Go, in this repository)
  openssl     OpenSSL 3.0 through bin/sesslife-shim-openssl (make shim)
  wolfssl     wolfSSL 5.5 through bin/sesslife-shim-wolfssl (make shim-wolfssl);
              check it with --profile wolfssl-5.5
  exec:PATH   any shim executable speaking docs/protocol.md

Exit status: 0 conformant, 1 divergences found, 2 usage or infrastructure error.
`)
}
