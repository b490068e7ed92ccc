package model

import (
	"fmt"
	"slices"
	"testing"
)

// get0Sequence: a TLS 1.2 connection, the client's session borrowed with
// SSL_get0_session (call 6, which shows it as sess1), then both SSLs freed
// after a clean shutdown: the model destroys the client's session with its
// SSL (call 8).
func get0Sequence() []Op {
	return []Op{
		{Kind: CtxNew, Ctx: 1, Config: DefaultConfig(Server)}, {Kind: CtxNew, Ctx: 2, Config: DefaultConfig(Client)},
		{Kind: SSLNew, SSL: 1, Ctx: 2}, {Kind: SSLNew, SSL: 2, Ctx: 1},
		{Kind: Handshake, SSL: 1, Peer: 2, Arg: int64(TLS12)},
		{Kind: Get0, SSL: 1},
		{Kind: Shutdown, SSL: 1},
		{Kind: SSLFree, SSL: 1},
	}
}

// runSkewed runs ops under p as a target that gives session object r one
// reference more or fewer after call at (from 0) would: its results, and
// its observation after the last call.
func runSkewed(t *testing.T, p Profile, ops []Op, at int, r sessRef, delta int) ([]Result, Observation) {
	t.Helper()
	st := New(p)
	var got []Result
	for i, op := range ops {
		res, err := st.Step(op)
		if err != nil {
			t.Fatalf("call %d (%s): %v", i+1, op, err)
		}
		if i == at {
			res.Events = append(res.Events, st.skewNow(op, r, delta)...)
		}
		got = append(got, res)
	}
	return got, st.Observe()
}

// lastDiffs compares the model's last call with a target's as the lockstep
// does: its result, else its observation after it.
func lastDiffs(t *testing.T, p Profile, ops []Op, got []Result, seen *Observation) []Difference {
	t.Helper()
	want, wantObs := runSkewed(t, p, ops, -1, 0, 0)
	n := len(ops) - 1
	if d := CompareResult(ops[n], want[n], got[n]); len(d) > 0 {
		return d
	}
	return CompareObservation(wantObs, *seen)
}

// TestRefSuspectsFindTheCallThatMiscounted: a target whose SSL_get0_session
// takes a reference keeps the session alive after its SSL is freed; the
// suspects are the calls from which one reference more explains that,
// SSL_get0_session among them, and none before the session existed or
// after the call that should have destroyed it.
func TestRefSuspectsFindTheCallThatMiscounted(t *testing.T) {
	p := OpenSSL30()
	ops := get0Sequence()
	const get0Call = 5 // from 0
	base := New(p)
	for _, op := range ops[:get0Call+1] {
		if _, err := base.Step(op); err != nil {
			t.Fatal(err)
		}
	}
	r := base.ssl(1).sess
	got, seen := runSkewed(t, p, ops, get0Call, r, +1)
	want, _ := runSkewed(t, p, ops, -1, 0, 0)
	if len(CompareResult(ops[len(ops)-1], want[len(ops)-1], got[len(ops)-1])) == 0 {
		t.Fatalf("the extra reference changes nothing the last call shows: the sequence tests nothing")
	}
	ss := RefSuspects(p, ops, got, &seen, lastDiffs(t, p, ops, got, &seen))
	var calls []string
	found := false
	for _, s := range ss {
		calls = append(calls, fmt.Sprintf("%d%+d", s.Call, s.Delta))
		if s.Call <= 4 || s.Call > len(ops) || s.Delta != +1 || s.Sess != 1 {
			t.Errorf("suspect %+v: the session did not exist then, or the wrong direction or session", s)
		}
		if s.Call == get0Call+1 {
			found = true
			if len(s.Rules) != 1 || s.Rules[0] != RuleSeedGet0Noref {
				t.Errorf("SSL_get0_session's rules %v, want [SEED-GET0-NOREF]", s.Rules)
			}
		}
	}
	if !found {
		t.Errorf("suspects %v lack call %d, SSL_get0_session", calls, get0Call+1)
	}
	lines := SuspectsText(ss)
	if len(lines) != 1 {
		t.Errorf("suspects of one session and one direction in %d lines: %q", len(lines), lines)
	}

	// A target that does what no single reference explains (it destroys
	// the session twice) has no suspect; nor has a difference that is not
	// about when a session dies.
	odd := append([]Result(nil), want...)
	last := &odd[len(odd)-1]
	last.Events = append(slices.Clone(last.Events), last.Events...)
	if d := lastDiffs(t, p, ops, odd, &seen); len(d) == 0 || !lifetime(d[0]) {
		t.Fatalf("the doubled destruction shows as %v", d)
	}
	if ss := RefSuspects(p, ops, odd, nil, lastDiffs(t, p, ops, odd, &seen)); len(ss) != 0 {
		t.Errorf("a session destroyed twice: suspects %+v", ss)
	}
	other := []Difference{{What: WhatField, Field: FieldSessHits, Object: Object{Kind: ObjCtx, Handle: 1}}}
	if ss := RefSuspects(p, ops, got, &seen, other); ss != nil {
		t.Errorf("a counter's difference: suspects %+v", ss)
	}
	if ss := RefSuspects(p, ops, got[:3], &seen, lastDiffs(t, p, ops, got, &seen)); ss != nil {
		t.Errorf("results of the wrong length: suspects %+v", ss)
	}
}

// TestRefSuspectsOneFewer: a target whose SSL_get1_session takes no
// reference destroys the session with its SSL, which the application
// still owns; SSL_get1_session is among the calls from which one
// reference fewer explains it.
func TestRefSuspectsOneFewer(t *testing.T) {
	p := OpenSSL30()
	ops := get0Sequence()
	const get1Call = 5
	ops[get1Call] = Op{Kind: Get1, SSL: 1}
	base := New(p)
	for _, op := range ops[:get1Call+1] {
		if _, err := base.Step(op); err != nil {
			t.Fatal(err)
		}
	}
	got, seen := runSkewed(t, p, ops, get1Call, base.ssl(1).sess, -1)
	found := false
	diffs := lastDiffs(t, p, ops, got, &seen)
	for _, s := range RefSuspects(p, ops, got, &seen, diffs) {
		if s.Delta != -1 {
			t.Errorf("suspect %+v: one reference more cannot destroy a session earlier", s)
		}
		if s.Call == get1Call+1 && len(s.Rules) == 1 && s.Rules[0] == RuleSeedGet1Ref {
			found = true
		}
	}
	if !found {
		t.Errorf("SSL_get1_session (SEED-GET1-REF) is not among the suspects %+v", RefSuspects(p, ops, got, &seen, diffs))
	}
}

// TestRefSuspectsNameWolfSSLFree: under wolfSSL, an SSL_free that finds a
// reference too many on its session (SSL_get0_session took one) shows
// first as a missing remove_cb (WOLF-REMOVECB-ON-FREE), its destruction
// only after it. The session is still a suspect's, SSL_get0_session among
// its calls, and the divergence is named by the reference count, unless a
// switch explains it as well.
func TestRefSuspectsNameWolfSSLFree(t *testing.T) {
	p := WolfSSL55()
	cfg := DefaultConfig(Client)
	cfg.RemoveCB = true
	ops := []Op{{Kind: CtxNew, Ctx: 1, Config: cfg}, {Kind: SSLNew, SSL: 1, Ctx: 1}, {Kind: Get0, SSL: 1}, {Kind: SSLFree, SSL: 1}}
	const get0Call = 2
	base := New(p)
	for _, op := range ops[:get0Call+1] {
		if _, err := base.Step(op); err != nil {
			t.Fatal(err)
		}
	}
	got, seen := runSkewed(t, p, ops, get0Call, base.ssl(1).sess, +1)
	diffs := lastDiffs(t, p, ops, got, &seen)
	if len(diffs) != 1 || lifetime(diffs[0]) || diffs[0].WantEvent == nil || diffs[0].WantEvent.Kind != EvRemove {
		t.Fatalf("the first difference is %+v, want the missing remove_cb", diffs)
	}
	exps, err := ExplainSequence(p, ops)
	if err != nil {
		t.Fatal(err)
	}
	a := Attribute(exps, diffs)
	if a.Rule != RuleWolfRemovecbOnFree {
		t.Fatalf("the call's rule is %s, want WOLF-REMOVECB-ON-FREE", a.Rule)
	}
	ss := RefSuspects(p, ops, got, &seen, diffs)
	if !slices.ContainsFunc(ss, func(s RefSuspect) bool { return s.Call == get0Call+1 && s.Delta == +1 }) {
		t.Fatalf("SSL_get0_session is not among the suspects %+v", ss)
	}
	if like := Likenesses(p, ops, got, &seen); len(like) != 0 {
		t.Fatalf("a switch explains a miscounted reference: %+v", like)
	}
	named := a.ByRefCount(ss, nil)
	if named.Rule != RuleRefDestroyAtZero || len(named.Applied) == 0 || named.Applied[0] != RuleWolfRemovecbOnFree {
		t.Errorf("named %s, applied %v; want REF-DESTROY-AT-ZERO, WOLF-REMOVECB-ON-FREE first", named.Rule, named.Applied)
	}
	if kept := a.ByRefCount(ss, []Likeness{{Switch: "RemoveCBOnDestroy"}}); kept.Rule != a.Rule {
		t.Errorf("with a likeness too: named %s, want the call's rule %s", kept.Rule, a.Rule)
	}
	if kept := a.ByRefCount(nil, nil); kept.Rule != a.Rule {
		t.Errorf("without suspects: named %s, want the call's rule %s", kept.Rule, a.Rule)
	}
}
