package model_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// runAs runs ops under p as a target would and returns its results and its
// observation after the last call.
func runAs(t *testing.T, p model.Profile, ops []model.Op) ([]model.Result, model.Observation) {
	t.Helper()
	st := model.New(p)
	var got []model.Result
	for i, op := range ops {
		res, err := st.Step(op)
		if err != nil {
			t.Fatalf("%s: call %d (%s): %v", p.Name, i+1, op, err)
		}
		got = append(got, res)
	}
	return got, st.Observe()
}

// TestLikenessesNameTheOtherLibrarysSwitch: OpenSSL 3.2 checked against
// the openssl-3.0 model (and 3.0 against openssl-3.2) differs first in
// the counters and the reused flag of the second handshake, which the
// trace names by the counters' rules; the likeness names the switch that
// explains all of it and the rule that switch replaces.
func TestLikenessesNameTheOtherLibrarysSwitch(t *testing.T) {
	var ops []model.Op
	for _, s := range futureOffer() {
		ops = append(ops, s.op)
	}
	for _, tc := range []struct {
		target, checked model.Profile
		want            string
	}{
		{model.OpenSSL32(), model.OpenSSL30(), "TicketAgeFloorsAtZero like [openssl-3.2] follows [OSSL32-TICKET-AGE-FLOOR] breaks [TKT-HINT-SLACK] findings [O1]"},
		{model.OpenSSL30(), model.OpenSSL32(), "TicketAgeFloorsAtZero like [openssl-3.0] follows [TKT-HINT-SLACK] breaks [OSSL32-TICKET-AGE-FLOOR] findings [O1]"},
	} {
		got, seen := runAs(t, tc.target, ops)
		_, want := runAs(t, tc.checked, ops)
		if len(model.CompareObservation(want, seen)) == 0 {
			t.Fatalf("%s and %s agree on the sequence: it shows nothing", tc.target.Name, tc.checked.Name)
		}
		var names []string
		for _, l := range model.Likenesses(tc.checked, ops, got, &seen) {
			names = append(names, fmt.Sprintf("%s like %v follows %v breaks %v findings %v", l.Switch, l.Like, l.Follows, l.Breaks, l.Findings))
		}
		if len(names) != 1 || names[0] != tc.want {
			t.Errorf("%s checked against %s: likenesses %q, want [%s]", tc.target.Name, tc.checked.Name, names, tc.want)
		}
	}
}

// TestLikenessesNeedEveryCall: a target that does what no switch does,
// anywhere in the sequence, has no likeness, even where a switch explains
// the rest.
func TestLikenessesNeedEveryCall(t *testing.T) {
	var ops []model.Op
	for _, s := range futureOffer() {
		ops = append(ops, s.op)
	}
	got, seen := runAs(t, model.OpenSSL32(), ops)
	p := model.OpenSSL30()
	if l := model.Likenesses(p, ops, got, &seen); len(l) != 1 {
		t.Fatalf("the unchanged 3.2 run has %d likenesses, want 1", len(l))
	}
	odd := seen
	odd.Ctxs = slices.Clone(seen.Ctxs)
	odd.Ctxs[0].Timeouts++
	if l := model.Likenesses(p, ops, got, &odd); len(l) != 0 {
		t.Errorf("a timeout no switch counts: likenesses %v, want none", l)
	}
	early := slices.Clone(got)
	early[0].Ret++ // SSL_CTX_new returning another handle
	if l := model.Likenesses(p, ops, early, &seen); len(l) != 0 {
		t.Errorf("a first call no switch explains: likenesses %v, want none", l)
	}
	if l := model.Likenesses(p, ops, got[:len(got)-1], &seen); l != nil {
		t.Errorf("results of the wrong length: likenesses %v, want none", l)
	}
}

// TestLikenessesOnlyRunProfilesTheModelKnows: the candidates are the
// checked profile with one switch set to OpenSSL 3.0's value, or to the
// value of a profile that differs from it in switches alone, never a
// switch of another library's on top of OpenSSL's code (the model would
// lack that library's other settings).
func TestLikenessesOnlyRunProfilesTheModelKnows(t *testing.T) {
	var ops []model.Op
	for _, s := range futureOffer() {
		ops = append(ops, s.op)
	}
	for _, target := range model.Profiles() {
		for _, checked := range model.Profiles() {
			if target.Name == checked.Name {
				continue
			}
			st := model.New(target)
			var got []model.Result
			ok := true
			for _, op := range ops {
				res, err := st.Step(op)
				if err != nil {
					ok = false
					break
				}
				got = append(got, res)
			}
			if !ok {
				continue
			}
			seen := st.Observe()
			for _, l := range model.Likenesses(checked, ops, got, &seen) {
				for _, name := range l.Like {
					if name != "openssl-3.0" && name != "openssl-3.2" {
						t.Errorf("%s against %s: a likeness to %s (%s), a profile the checked one is no neighbour of", target.Name, checked.Name, name, l.Switch)
					}
				}
			}
		}
	}
}
