package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/scenario"
	"github.com/sesslife/sesslife/target/targets"
)

// simFlags declares the flags of `sesslife sim`.
func simFlags(profile, tgt *string, shim *shimFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("sesslife sim", flag.ContinueOnError)
	fs.StringVar(profile, "profile", "", "model profile to simulate: "+strings.Join(model.ProfileNames(), ", ")+
		" (default: the one the target names, as for check; openssl-3.0 without --target)")
	fs.StringVar(tgt, "target", "", "also run every call on this system and mark differences: "+strings.Join(targets.Names(), ", "))
	shim.register(fs)
	return fs
}

// runSim implements `sesslife sim [--profile NAME] [--target SPEC] FILE|-`:
// it runs a scenario on the model (and a target) and prints what every
// call does. Exit status: 0 clean, 1 undefined behaviour, leaks, calls the
// model does not cover or differences from the target, 2 bad input.
func runSim(args []string, stdout, stderr io.Writer) int {
	return simMain(args, os.Stdin, stdout, stderr)
}

// simMain is runSim with the standard input given, for "-".
func simMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var profileName, tgtSpec string
	var shim shimFlags
	fs := simFlags(&profileName, &tgtSpec, &shim)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sesslife sim [--profile NAME] [--target "+strings.Join(targets.Names(), "|")+"] FILE|-")
		fs.PrintDefaults()
	}
	if code := parseArgs(fs, args, stdout, stderr, 1, "one scenario file (or - for standard input)"); code != continueRun {
		return code
	}
	var prof model.Profile
	if profileName != "" {
		var ok bool
		if prof, ok = lookupProfile(fs, profileName, stderr); !ok {
			return exitUsage
		}
	} else {
		prof = model.OpenSSL30()
	}
	name := fs.Arg(0)
	var src []byte
	var err error
	if name == "-" {
		name = "stdin"
		src, err = io.ReadAll(stdin)
	} else {
		src, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sesslife sim: %v\n", err)
		return exitUsage
	}
	script, err := scenario.Parse(name, src)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	opts := scenario.Options{Profile: prof, CallTimeout: callTimeout}
	if tgtSpec != "" {
		o := shim.options()
		shimLog := newShimStderr()
		o.Stderr = shimLog
		tgt, err := targets.Open(tgtSpec, o)
		if err != nil {
			fmt.Fprintf(stderr, "sesslife sim: %v\n", err)
			return exitUsage
		}
		defer printShimStderr(stderr, shimLog) // after Close, which lets the shim finish
		defer tgt.Close()
		opts.Target = tgt
		if profileName == "" {
			opts.Profile = targetProfile(tgt.Info(), stderr) // the rule check follows
		} else {
			noteOtherProfile(tgt.Info(), prof, "--profile", stderr)
		}
	}
	report, err := scenario.Run(context.Background(), script, opts, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife sim: %v\n", err)
		return exitUsage
	}
	if !report.Clean() {
		return exitDivergence
	}
	return exitOK
}
