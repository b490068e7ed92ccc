package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// TestKindsCountOnlyWhatTheRunChecks: a call the target implements but the
// profile does not model is never sent, so it counts neither as covered
// nor as supported; the verdict names it as not modelled instead of
// claiming every call kind.
func TestKindsCountOnlyWhatTheRunChecks(t *testing.T) {
	prof := model.WolfSSL55()
	info := target.Info{Name: "wolfSSL (a shim that implements every call)", Profile: prof.Name}
	var left []string
	made := map[model.Kind]int{}
	for _, k := range model.Kinds() {
		if prof.LeavesOut(k) {
			left = append(left, k.String())
			continue
		}
		made[k] = 1
	}
	if len(left) == 0 {
		t.Fatalf("the %s profile models every call kind; the test needs one it leaves out", prof.Name)
	}
	c := checkConfig{target: "exec:/opt/wolfshim", profile: prof.Name, seed: 1, sequences: 10, steps: 50}
	rep := newCheckReport(c, info, prof)
	rep.fill(&properties.SearchReport{Sequences: 10, Coverage: &properties.Coverage{ByKind: made}}, info, prof, time.Second)
	rep.decide()
	cov := rep.Coverage
	if cov.KindsSupported != len(made) || cov.KindsCovered != len(made) || len(cov.KindsMissing) != 0 {
		t.Errorf("%d/%d call kinds covered, never made %v; want %d/%d and none", cov.KindsCovered, cov.KindsSupported, cov.KindsMissing, len(made), len(made))
	}
	if !slices.Equal(cov.KindsUnmodelled, left) {
		t.Errorf("not modelled: got %v, want %v", cov.KindsUnmodelled, left)
	}
	var out bytes.Buffer
	printVerdict(&out, c, rep)
	want := "sesslife: not modelled under wolfssl-5.5 (never sent, not checked): " + strings.Join(left, ", ")
	if !strings.Contains(out.String(), want) {
		t.Errorf("the verdict does not say %q:\n%s", want, out.String())
	}
}
