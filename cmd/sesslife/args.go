package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sesslife/sesslife/model"
)

// continueRun is what parseArgs returns when the command should go on.
const continueRun = -1

// parseArgs parses a subcommand's flags (fs is named "sesslife CMD") and
// checks it got exactly nargs operands, naming what they are (what) in the
// message. It returns the exit status to end with, or continueRun.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer, nargs int, what string) int {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() == nargs:
		return continueRun
	case nargs == 0:
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
	default:
		fmt.Fprintf(stderr, "%s: want %s, found %d arguments\n", fs.Name(), what, fs.NArg())
		fs.Usage()
	}
	return exitUsage
}

// lookupProfile finds a model profile by name, or says which exist.
func lookupProfile(fs *flag.FlagSet, name string, stderr io.Writer) (model.Profile, bool) {
	p, ok := model.Profiles()[name]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown profile %q (known: %v)\n", fs.Name(), name, model.ProfileNames())
	}
	return p, ok
}
