package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/scenario"
	"github.com/sesslife/sesslife/target"
)

// runReplay implements `sesslife replay [--target SPEC] FILE`: it re-runs a
// saved counterexample on a target and on the model and prints every step
// with what the model expects and what the target did. Exit status: 1 while
// the target still diverges, 0 once it agrees, 2 for bad input.
//
// FILE is one of
//   - a scenario (docs/scenarios/*.sim) or the reproducer printed by
//     `sesslife check` or a failing go test (its numbered call lines are
//     replayed, the rest is ignored);
//   - a rapid fail file (testdata/rapid/TEST/*.fail), replayed through the
//     same property the tests use (properties.DefaultOptions).
func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife replay", flag.ContinueOnError)
	tgtSpec := fs.String("target", "impl", "system to replay on: impl, openssl or exec:PATH")
	profileName := fs.String("profile", "openssl-3.0", "model profile")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sesslife replay [--target impl|openssl|exec:PATH] [--profile NAME] FILE")
		fs.PrintDefaults()
	}
	if code := parseArgs(fs, args, stderr, 1, "one file"); code != continueRun {
		return code
	}
	prof, ok := lookupProfile(fs, *profileName, stderr)
	if !ok {
		return exitUsage
	}
	path := fs.Arg(0)
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	tgt, err := openTarget(*tgtSpec)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	defer tgt.Close()

	if rapidFailFile.Match(src) {
		return replayRapid(path, tgt, prof, stdout)
	}
	script, err := scenario.Parse(path, reproducerCalls(src))
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	rep, err := scenario.Run(context.Background(), script, scenario.Options{Profile: prof, Target: tgt}, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	if len(rep.Differences) > 0 || rep.TargetFailure != nil {
		fmt.Fprintf(stdout, "sesslife: FAIL %s still diverges from %s on %s\n", tgt.Info().Name, prof.Name, path)
		return exitDivergence
	}
	fmt.Fprintf(stdout, "sesslife: PASS %s agrees with %s on %s\n", tgt.Info().Name, prof.Name, path)
	return exitOK
}

// rapidFailFile matches the version#seed line of a rapid fail file.
var rapidFailFile = regexp.MustCompile(`(?m)^v\d+\.\d+\.\d+#\d+$`)

// reproducerLine matches a numbered call line of a printed reproducer:
// "  12  sess2 = SSL_get1_session(ssl1)   # sess2".
var reproducerLine = regexp.MustCompile(`^\s*\d+\s{2,}(\S.*)$`)

// reproducerCalls returns the scenario text of src: src itself, or the
// numbered call lines when src is a printed divergence report. Lines are
// kept in place (others blanked) so that error positions match the file.
func reproducerCalls(src []byte) []byte {
	if !bytes.Contains(src, []byte("sesslife: ")) {
		return src
	}
	lines := strings.Split(string(src), "\n")
	for i, l := range lines {
		if m := reproducerLine.FindStringSubmatch(l); m != nil {
			lines[i] = m[1]
		} else {
			lines[i] = ""
		}
	}
	return []byte(strings.Join(lines, "\n"))
}

// replayRapid re-runs a rapid fail file with the property the tests use.
func replayRapid(path string, tgt target.Target, prof model.Profile, stdout io.Writer) int {
	opts := properties.DefaultOptions()
	opts.Profile = prof
	failure, err := runRapid(map[string]string{"rapid.failfile": path, "rapid.checks": "0"}, properties.RapidProp(tgt, opts))
	if err != nil {
		fmt.Fprintf(stdout, "sesslife replay: %v\n", err)
		return exitUsage
	}
	if failure != "" {
		fmt.Fprintf(stdout, "%s\nsesslife: FAIL %s still diverges from %s on %s\n", failure, tgt.Info().Name, prof.Name, path)
		return exitDivergence
	}
	fmt.Fprintf(stdout, "sesslife: PASS %s agrees with %s on %s\n", tgt.Info().Name, prof.Name, path)
	return exitOK
}
