package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/targets"
)

// continueRun is what parseArgs returns when the command should go on.
const continueRun = -1

// parseArgs parses a subcommand's flags (fs is named "sesslife CMD") and
// checks it got exactly nargs operands, naming what they are (what) in the
// message. Help (-h, --help) goes to stdout, errors to stderr. It returns
// the exit status to end with, or continueRun.
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, nargs int, what string) int {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return exitOK
		}
		fmt.Fprintf(stderr, "%s: %v\n", fs.Name(), err)
		fs.SetOutput(stderr)
		fs.Usage()
		return exitUsage
	}
	fs.SetOutput(stderr)
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

// targetProfile is the profile check, replay and sim follow when neither
// --profile nor a JSON report names one: the one the target names (a
// shim's hello, docs/protocol.md §2). A target that names none, or one the
// model does not know, is held to openssl-3.0's, with a note on stderr for
// a name the model does not know.
func targetProfile(info target.Info, stderr io.Writer) model.Profile {
	p, known := model.Profiles()[info.Profile]
	if !known {
		p = model.OpenSSL30()
		if info.Profile != "" {
			fmt.Fprintf(stderr, "sesslife: note: %s names the profile %q, which the model does not know (known: %v); checking against %s\n",
				info.Name, info.Profile, model.ProfileNames(), p.Name)
		}
	}
	return p
}

// noteOtherProfile says on stderr that the run follows prof, which by
// (--profile, or a report) chose, while the target names another.
func noteOtherProfile(info target.Info, prof model.Profile, by string, stderr io.Writer) {
	if info.Profile != prof.Name {
		fmt.Fprintf(stderr, "sesslife: note: %s names the profile %q; checking it against %q as %s says\n", info.Name, info.Profile, prof.Name, by)
	}
}

// shimFlags are the flags that pass arguments and environment to a shim.
type shimFlags struct {
	argList, envList listFlag
}

func (s *shimFlags) register(fs *flag.FlagSet) {
	fs.Var(&s.argList, "shim-arg", "pass this argument to the shim (repeatable, in order)")
	fs.Var(&s.envList, "shim-env", "add KEY=VALUE to the shim's environment (repeatable)")
}

func (s *shimFlags) options() targets.Options {
	return targets.Options{ShimArgs: s.argList, ShimEnv: s.envList, Timeout: callTimeout}
}

// callTimeout bounds one call to a target before it counts as a hang, in
// every command (0: each layer's default, 10 s). The package's tests set
// it near their own deadline (main_test.go), so that a loaded machine
// cannot turn a correct shim into a HANG finding.
var callTimeout time.Duration

// args renders the flags again, for replay commands.
func (s *shimFlags) args() []string {
	var out []string
	for _, a := range s.argList {
		out = append(out, "--shim-arg", shellQuote(a))
	}
	for _, e := range s.envList {
		out = append(out, "--shim-env", shellQuote(e))
	}
	return out
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
