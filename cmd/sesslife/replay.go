package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"github.com/sesslife/sesslife/target/targets"
)

// runReplay implements `sesslife replay [--target SPEC] FILE`: it re-runs
// saved counterexamples on a target and on the model. Exit status: 1 when
// one still diverges, 0 when none does, 2 when FILE cannot be read or
// holds no calls, or the target cannot start.
//
// FILE is one of
//   - a JSON report of `sesslife check` (docs/report.md): every finding in
//     it is replayed on the report's target and profile unless --target
//     and --profile say otherwise;
//   - a scenario (docs/scenarios/*.sim, or a reproducer check saved) or
//     the reproducer printed by check or a failing go test (its numbered
//     call lines are replayed, the rest is ignored);
//
// Without --profile a scenario, which names no profile, is replayed against
// the profile the target names, as check does (targetProfile).
//
// A rapid fail file (testdata/rapid/TEST/*.fail) belongs to the go test
// that wrote it; replay says so and names the command.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife replay", flag.ContinueOnError)
	tgtSpec := fs.String("target", "impl", "system to replay on: "+strings.Join(targets.Names(), ", ")+" (for a JSON report: the report's target)")
	profileName := fs.String("profile", "", "model profile: "+strings.Join(model.ProfileNames(), ", ")+
		" (default: for a JSON report the report's profile, else the one the target names, as for check)")
	var shim shimFlags
	shim.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sesslife replay [--target "+strings.Join(targets.Names(), "|")+"] [--profile NAME] FILE")
		fs.PrintDefaults()
	}
	if code := parseArgs(fs, args, stdout, stderr, 1, "one file"); code != continueRun {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	path := fs.Arg(0)
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	var rep replayReport
	jsonErr := json.Unmarshal(src, &rep)
	isReport := jsonErr == nil && rep.Schema != ""
	if !isReport && bytes.HasPrefix(bytes.TrimSpace(src), []byte("{")) {
		// No scenario starts with a brace: this was meant as a report.
		where, why := path, "it has no \"schema\""
		if jsonErr != nil {
			where, why = jsonPlace(path, src, jsonErr), jsonWhy(jsonErr)
		}
		fmt.Fprintf(stderr, "sesslife replay: %s: JSON but not a sesslife check report (%s); give a report that check --json wrote, or a scenario file\n", where, why)
		return exitUsage
	}
	by := "--profile"
	if isReport {
		if !set["target"] {
			*tgtSpec = rep.Run.TargetSpec
		}
		if !set["profile"] {
			*profileName, by = rep.Run.Profile, "the report"
		}
	}
	var prof model.Profile
	if *profileName != "" {
		var ok bool
		if prof, ok = lookupProfile(fs, *profileName, stderr); !ok {
			return exitUsage
		}
	}
	if isReport {
		if rep.Schema != reportSchema {
			fmt.Fprintf(stderr, "sesslife replay: %s: report schema %q, want %q\n", path, rep.Schema, reportSchema)
			return exitUsage
		}
		if len(rep.Findings) == 0 {
			fmt.Fprintf(stderr, "sesslife replay: %s: the report holds no findings, so nothing to replay\n", path)
			return exitUsage
		}
	}
	opts := shim.options()
	shimLog := newShimStderr()
	opts.Stderr = shimLog
	tgt, err := targets.Open(*tgtSpec, opts)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	// Deferred first, so run last: after Close has let the shim finish.
	defer printShimStderr(stderr, shimLog)
	defer tgt.Close()
	if *profileName == "" {
		prof = targetProfile(tgt.Info(), stderr) // the rule check follows
	} else {
		noteOtherProfile(tgt.Info(), prof, by, stderr)
	}

	switch {
	case isReport:
		return replayReportFile(ctx, path, rep, tgt, prof, stdout, stderr)
	case rapidFailFile.Match(src):
		fmt.Fprintf(stderr, "sesslife replay: %s is a rapid fail file: replay it with the go test command rapid printed (go test -run TEST -rapid.failfile=%s)\n", path, path)
		return exitUsage
	}
	script, err := scenario.Parse(path, reproducerCalls(src))
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitUsage
	}
	if len(script.Stmts) == 0 {
		fmt.Fprintf(stderr, "sesslife replay: %s holds no calls: nothing to replay\n", path)
		return exitUsage
	}
	res, err := scenario.Run(ctx, script, scenario.Options{Profile: prof, Target: tgt, CallTimeout: callTimeout}, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife replay: %v\n", err)
		return exitUsage
	}
	if len(res.Differences) > 0 || res.TargetFailure != nil {
		fmt.Fprintf(stdout, "sesslife: FAIL %s still diverges from %s on %s\n", tgt.Info().Name, prof.Name, path)
		return exitDivergence
	}
	if !quitCleanly(tgt, stdout) {
		return exitDivergence
	}
	fmt.Fprintf(stdout, "sesslife: PASS %s agrees with %s on %s%s\n", tgt.Info().Name, prof.Name, path, notSent(res))
	return exitOK
}

// quitCleanly tells a target that agreed on every call to quit, and says
// so when it does not end cleanly (a crash in its last frees, a non-zero
// exit: docs/protocol.md §1), which fails the replay.
func quitCleanly(tgt target.Target, stdout io.Writer) bool {
	err := tgt.Close()
	if err == nil {
		return true
	}
	fmt.Fprintf(stdout, "sesslife: FAIL %s agreed on every call but did not end cleanly when told to quit (a shim exits 0 after quit, docs/protocol.md §1):\n\t%s\n",
		tgt.Info().Name, strings.ReplaceAll(strings.TrimRight(err.Error(), "\n"), "\n", "\n\t"))
	return false
}

// notSent says which calls of a passing replay never reached the target:
// the scenario's own undefined behaviour and what the model leaves out
// are skipped, so the target's agreement does not cover them.
func notSent(res *scenario.Report) string {
	n := len(res.Undefined) + len(res.Unmodelled) + len(res.Skipped)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d call(s) not sent to it: the scenario's undefined behaviour, or calls the model leaves out; listed above)", n)
}

// replayReport is what replay reads of a JSON report.
type replayReport struct {
	Schema string `json:"schema"`
	Run    struct {
		TargetSpec string `json:"target_spec"`
		Profile    string `json:"profile"`
	} `json:"run"`
	Findings []struct {
		N     int        `json:"n"`
		Rule  string     `json:"rule"`
		Calls []model.Op `json:"calls"`
	} `json:"findings"`
}

// replayReportFile replays every finding of a report; exit 1 when any
// still diverges.
func replayReportFile(ctx context.Context, path string, rep replayReport, tgt target.Target, prof model.Profile, stdout, stderr io.Writer) int {
	still := 0
	for _, f := range rep.Findings {
		if len(f.Calls) == 0 {
			fmt.Fprintf(stderr, "sesslife replay: %s: finding %d holds no calls\n", path, f.N)
			return exitUsage
		}
		if !properties.Legal(prof, f.Calls) {
			fmt.Fprintf(stderr, "sesslife replay: %s: finding %d is not a legal sequence under %s\n", path, f.N, prof.Name)
			return exitUsage
		}
		err := properties.RunOps(ctx, tgt, prof, f.Calls, properties.DefaultWindow)
		var d *properties.Divergence
		switch {
		case errors.As(err, &d):
			still++
			same := "the same rule"
			if d.Rule.String() != f.Rule {
				same = "now rule " + d.Rule.String()
			}
			fmt.Fprintf(stdout, "finding %d (rule %s): still diverges (%s)\n%s\n\n", f.N, f.Rule, same, d.Brief())
		case err != nil:
			fmt.Fprintf(stderr, "sesslife replay: finding %d: %v\n", f.N, err)
			return exitUsage
		default:
			fmt.Fprintf(stdout, "finding %d (rule %s): no longer diverges (%d calls)\n", f.N, f.Rule, len(f.Calls))
		}
	}
	if still > 0 {
		fmt.Fprintf(stdout, "sesslife: FAIL %s still diverges from %s on %d of %d findings of %s\n", tgt.Info().Name, prof.Name, still, len(rep.Findings), path)
		return exitDivergence
	}
	if !quitCleanly(tgt, stdout) {
		return exitDivergence
	}
	fmt.Fprintf(stdout, "sesslife: PASS %s agrees with %s on every finding of %s\n", tgt.Info().Name, prof.Name, path)
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
	if !bytes.Contains(src, []byte("sesslife: ")) || bytes.HasPrefix(src, []byte("# sesslife finding")) {
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
