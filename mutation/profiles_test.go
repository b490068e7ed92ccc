package mutation

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestProfileMutantsRevertOneSwitch: there is one profile mutant per
// divergence switch of the wolfSSL and BoringSSL profiles, and each
// differs from its profile in that field alone, which holds OpenSSL 3.0's
// value; every reason of an equivalent mutant names one that exists.
func TestProfileMutantsRevertOneSwitch(t *testing.T) {
	ms := ProfileMutants()
	names := map[string]bool{}
	for _, m := range ms {
		names[m.Name] = true
		// A switch that only leaves calls out brings no rule of its own.
		if m.Name != m.Profile.Name+":"+m.Switch || (len(m.Rules) == 0 && m.Equivalent == "") || len(m.Findings) == 0 {
			t.Errorf("%s: %+v", m.Name, m)
		}
		got, want := reflect.ValueOf(m.Mutated()), reflect.ValueOf(m.Profile)
		for i := range got.NumField() {
			field := got.Type().Field(i).Name
			same := reflect.DeepEqual(got.Field(i).Interface(), want.Field(i).Interface())
			switch {
			case field == m.Switch && same:
				t.Errorf("%s: the switch was not turned back", m.Name)
			case field == m.Switch && !reflect.DeepEqual(got.Field(i).Interface(), reflect.ValueOf(model.OpenSSL30()).Field(i).Interface()):
				t.Errorf("%s: %s is not OpenSSL 3.0's", m.Name, field)
			case field != m.Switch && !same:
				t.Errorf("%s: %s changed too", m.Name, field)
			}
		}
	}
	for _, p := range []model.Profile{model.WolfSSL55(), model.BoringSSL(), model.OpenSSL32()} {
		for _, d := range p.Divergences() {
			if !names[p.Name+":"+d.Switch] {
				t.Errorf("no profile mutant for %s's switch %s", p.Name, d.Switch)
			}
		}
	}
	for name := range equivalent {
		if !names[name] {
			t.Errorf("the equivalent mutant %s does not exist", name)
		}
	}
	if _, err := SelectProfileMutants("boringssl:NoSuchSwitch"); err == nil || !strings.Contains(err.Error(), "unknown profile mutant") {
		t.Errorf("SelectProfileMutants of an unknown name: %v", err)
	}
}

// TestProfileMutantsKillEveryRule: the search kills every profile mutant
// that is not marked equivalent, on every seed, so every rule only the
// wolfSSL or BoringSSL profile has and random sequences can make fire is
// brought by a killed mutant, unless every mutant that brings it is
// equivalent (docs/mutants.md lists the rule with the reason). The budget
// is smaller than make mutants-docs's, which also shows the equivalent
// ones surviving.
func TestProfileMutantsKillEveryRule(t *testing.T) {
	var ms []ProfileMutant
	for _, m := range ProfileMutants() {
		if m.Equivalent == "" {
			ms = append(ms, m)
		}
	}
	o := small()
	o.Seeds, o.ProfileSequences, o.ProfileNaming = 2, DefaultOptions().ProfileSequences, false
	if testing.Short() {
		o.Seeds = 1
	}
	rows, err := RunProfiles(context.Background(), ms, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Expected() || len(r.Kill.Seeds) != o.Seeds || r.Kill.Repro == "" {
			t.Errorf("%s: the search did not kill it on every seed: %+v", r.Mutant.Name, r.Kill)
		}
		// The mutant is its profile with one switch at OpenSSL 3.0's value,
		// which is one of the likenesses a finding tries: its report must
		// say so. (A mutant model that refuses a call the profile's model
		// runs, a combination the model was not built for, is a finding
		// with no result to compare.)
		if r.Kill.Rule != model.RuleRefused && !strings.Contains(r.Kill.Repro, "with "+r.Mutant.Switch+" as in ") {
			t.Errorf("%s: the finding does not say that the target acts with %s as in openssl-3.0:\n%s", r.Mutant.Name, r.Mutant.Switch, r.Kill.Repro)
		}
	}
	for _, c := range CoverRules(rows) {
		if !strings.HasPrefix(c.Rule.String(), "WOLF-") && !strings.HasPrefix(c.Rule.String(), "BORING-") {
			t.Errorf("%s is said to be a rule only %s has", c.Rule, c.Profile)
		}
		if !c.Generable || c.Killed {
			continue
		}
		if !strings.Contains(c.Why, "is equivalent") || strings.Contains(c.Why, "survived") {
			t.Errorf("%s (%s): no killed mutant brings it: %s", c.Rule, c.Profile, c.Why)
		}
	}
	tb := &Table{Options: o, Profiles: rows}
	doc := tb.Markdown()
	for _, want := range []string{"## Profile mutants", "### Rules of the profiles", "### Rules no profile mutant kills",
		"## Reproducers of the profile mutants", "### boringssl:ImmutableSessions", "BORING-SET-AFTER-HANDSHAKE-ABORTS (boringssl): no random sequence"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the markdown lacks %q", want)
		}
	}
}

// TestProfileProgressIsNotSilent: the profile phase says what it will run,
// then how each mutant's first seed went as soon as it is done, then each
// mutant's verdict once its last seed is, so a long phase is never silent.
func TestProfileProgressIsNotSilent(t *testing.T) {
	ms, err := SelectProfileMutants("wolfssl-5.5:SSLOwnsSession")
	if err != nil {
		t.Fatal(err)
	}
	o := small()
	o.Seeds, o.ProfileSequences, o.ProfileNaming = 2, 50, false
	var out strings.Builder
	o.Progress = &out
	if _, err := RunProfiles(context.Background(), ms, o); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"sesslife: 1 profile mutants, 2 seeds each, up to 50 sequences per seed",
		"sesslife: wolfssl-5.5:SSLOwnsSession         first seed: killed after ",
		"sesslife: wolfssl-5.5:SSLOwnsSession         killed on 2/2 seeds",
	}
	if len(lines) != len(want) {
		t.Fatalf("progress:\n%s\nwant %d lines", out.String(), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d: got %q, want it to start with %q", i+1, lines[i], w)
		}
	}
}
