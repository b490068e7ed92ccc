package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// TestUnreducedCrashFailsTheRun: a crash whose sequence, reduced and run
// alone on a fresh target, does not crash again still fails the run (no
// correct library crashes; an earlier sequence's double free did it),
// with the target's own report of the crash and the command that runs to
// it again. So does any other divergence that does not reproduce alone (a
// correct target answers the same calls the same way whatever it ran
// before), except a timeout, which a loaded machine can cause: that one is
// only mentioned, and the run passes.
func TestUnreducedCrashFailsTheRun(t *testing.T) {
	prof := model.OpenSSL30()
	info := target.Info{Name: "OpenSSL 3.0.19 (a shim)", Profile: prof.Name}
	c := checkConfig{target: "exec:/opt/my shim", profile: prof.Name, seed: 18, sequences: 3000, steps: 100}
	c.shim.argList = []string{"--verbose"}
	trail := []properties.Step{{Op: model.Op{Kind: model.CtxNew, Ctx: 1}}}
	crash := &properties.Divergence{Target: info.Name, Profile: prof.Name, Trail: trail, Rule: model.RuleCrash,
		Err: errors.New("shim crashed during SSL_CTX_new(server) (signal: aborted)\nshim stderr: free(): double free detected in tcache 2")}
	other := &properties.Divergence{Target: info.Name, Profile: prof.Name, Trail: trail, Rule: model.RuleSeedGet0Noref}
	hang := &properties.Divergence{Target: info.Name, Profile: prof.Name, Trail: trail, Rule: model.RuleHang}

	for _, tc := range []struct {
		name     string
		seen     properties.Unconfirmed
		verdict  string
		printed  []string
		rerunLen string
	}{
		{"crash", properties.Unconfirmed{Sequence: 601, Divergence: crash}, "fail", []string{
			"sesslife: CRASH in sequence 601, not reduced",
			"To run to the crash again: sesslife check --target 'exec:/opt/my shim' --profile openssl-3.0 --seed 18 --sequences 602 --steps 100 --shim-arg --verbose",
			"\tshim stderr: free(): double free detected in tcache 2",
			"sesslife: FAIL OpenSSL 3.0.19 (a shim) against openssl-3.0: no finding, but the target crashed in sequence 601",
		}, "--sequences 602"},
		{"divergence", properties.Unconfirmed{Sequence: 7, Divergence: other}, "fail", []string{
			"sesslife: SEED-GET0-NOREF in sequence 7, not reduced",
			"what the target did depended on what its process ran before",
			"To run to it again: sesslife check --target 'exec:/opt/my shim' --profile openssl-3.0 --seed 18 --sequences 8 --steps 100 --shim-arg --verbose",
			"sesslife: FAIL OpenSSL 3.0.19 (a shim) against openssl-3.0: no finding, but the target diverged under SEED-GET0-NOREF in sequence 7 only after what earlier sequences did",
		}, "--sequences 8"},
		{"hang", properties.Unconfirmed{Sequence: 9, Divergence: hang}, "pass", []string{
			"sesslife: a timeout (HANG) in sequence 9 did not happen again on a fresh target",
			"sesslife: PASS OpenSSL 3.0.19 (a shim) conforms to openssl-3.0",
		}, "--sequences 10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := newCheckReport(c, info, prof)
			res := &properties.SearchReport{Sequences: 3000, Coverage: &properties.Coverage{}, Unconfirmed: []properties.Unconfirmed{tc.seen}}
			rep.fill(res, info, prof, time.Second)
			rep.decide()
			if rep.Verdict != tc.verdict || rep.Conformant != (tc.verdict == "pass") {
				t.Errorf("verdict %q, conformant %v; want %q", rep.Verdict, rep.Conformant, tc.verdict)
			}
			var out bytes.Buffer
			printVerdict(&out, c, rep)
			for _, want := range tc.printed {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the verdict does not say %q:\n%s", want, out.String())
				}
			}
			if u := rep.Unconfirmed[0]; !strings.Contains(u.Rerun, tc.rerunLen) || u.Sequence != tc.seen.Sequence {
				t.Errorf("unconfirmed %+v: want sequence %d and a rerun with %s", u, tc.seen.Sequence, tc.rerunLen)
			}
		})
	}
}
