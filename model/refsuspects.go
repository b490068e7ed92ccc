package model

import (
	"fmt"
	"slices"
	"strings"
)

// When a session dies too early or too late, the trace names the rule that
// destroys a session at its last reference (REF-DESTROY-AT-ZERO): the
// moment of death is the sum of every reference taken and dropped before,
// and the call that shows it is rarely the one that miscounted. No target
// reports its reference counts, so which call that was is a question of
// what fits: RefSuspects reruns the reproducer once per call and session
// that call concerned, with the session holding one reference more (or
// one fewer) from that call on and nothing else changed, and keeps the
// calls under which the model then does exactly what the target did.

// RefSuspect is a call after which one reference more or one fewer on one
// session, and nothing else, makes the model do what the target did on a
// whole reproducer.
type RefSuspect struct {
	// Call is the call's number, from 1, and Op the call.
	Call int
	Op   Op
	// Sess is the session as the application knows it at the end of the
	// reproducer ([Unnamed] for one it was never shown).
	Sess Handle
	// Delta is +1 when the session holds one reference more from the call
	// on (the call took one the model does not take, or dropped none where
	// the model drops one), -1 when it holds one fewer.
	Delta int
	// Rules are the rules that changed the session or decided its fate in
	// the call, and the one behind the return value when the call returned
	// it, each once, in order of application; every rule the call applied
	// when none did.
	Rules []Rule
}

// RefSuspects returns the calls under which one reference more or one
// fewer on a session makes the model do what the target did on the whole
// of ops, with got and seen as for Likenesses, in call order. Only the
// sessions whose lifetime differs at the last call are tried: those of
// diffs (the differences at the last call) that are about a lifetime (a
// destroyed event on one side only, or a session alive on one side only),
// and, when diffs are about the last call's result, those it destroyed on
// one side only further down its events than the first event that
// differs (wolfSSL's SSL_free calls the remove callback before it
// destroys: the callback is the first event that differs). Each is tried
// only at the calls that concerned it: that made, changed (its reference
// count included), took it as their argument or returned it. A sequence
// the model refuses, or a got of the wrong length, has none.
func RefSuspects(p Profile, ops []Op, got []Result, seen *Observation, diffs []Difference) []RefSuspect {
	if len(ops) == 0 || len(got) != len(ops) {
		return nil
	}
	var dying []Handle
	inResult := false // the last call's result differed: its events are compared in full below
	for _, d := range diffs {
		inResult = inResult || d.What == WhatEvent || d.What == WhatReturn
		if lifetime(d) && d.Object.Kind == ObjSession && d.Object.Handle > 0 && !slices.Contains(dying, d.Object.Handle) {
			dying = append(dying, d.Object.Handle)
		}
	}
	type site struct {
		call   int
		ref    sessRef
		within bool // the skew is the first release of ref in the call, else right after the call
	}
	// The base run steps without a trace (a trace copies the state at
	// every rule); only the calls that turn out to be suspects are
	// explained, at the end.
	base := New(p)
	wants := make([]Observation, len(ops))
	var sites []site
	for i, op := range ops {
		before := slices.Clone(base.objs)
		res, err := base.Step(op)
		if err != nil {
			return nil
		}
		if i == len(ops)-1 && inResult {
			for _, h := range destroyedOnOneSide(res, got[i], shownBy(ops, got), len(base.named)) {
				if !slices.Contains(dying, h) {
					dying = append(dying, h)
				}
			}
		}
		for j := range base.objs {
			o, r := &base.objs[j], sessRef(j+1)
			// Every session is kept here: which ones die on one side
			// only is known once the last call ran, and a session not
			// named yet only shows its name at the end.
			changed := j >= len(before) || before[j] != *o
			if !changed && !returnedBy(op, res, o.handle) && (o.handle == 0 || op.Sess != o.handle) {
				continue
			}
			if changed {
				sites = append(sites, site{i, r, true})
			}
			if o.alive {
				sites = append(sites, site{i, r, false})
			}
		}
		wants[i] = base.Observe()
	}
	if len(dying) == 0 {
		return nil
	}
	var out []RefSuspect
	var refs []sessRef
	for _, s := range sites {
		if !slices.Contains(dying, base.obj(s.ref).handle) {
			continue
		}
		for _, delta := range []int{+1, -1} {
			sus := RefSuspect{Call: s.call + 1, Op: ops[s.call], Sess: base.viewHandle(s.ref), Delta: delta}
			if n := len(out); n > 0 && out[n-1].Call == sus.Call && out[n-1].Sess == sus.Sess && out[n-1].Delta == delta {
				continue // already a suspect the other way
			}
			if doesWhatTargetDid(p, ops, got, wants, seen, &trialSkew{at: s.call, ref: s.ref, delta: delta, within: s.within}) {
				out, refs = append(out, sus), append(refs, s.ref)
			}
		}
	}
	explainSuspects(p, ops, out, refs)
	return out
}

// destroyedOnOneSide lists the sessions that have a destroyed event in one
// of want and got only, and that the other side has shown too (the target
// showed sessions 1..targetShown, the model 1..modelShown): a session a
// side never named dies silently there, so its missing destroyed event
// says nothing of when it died (wolfSSL's remove_cb names the session it
// is called with; without it the session may well be gone).
func destroyedOnOneSide(want, got Result, targetShown, modelShown int) []Handle {
	var out []Handle
	for k, side := range [2][2]Result{{want, got}, {got, want}} {
		shown := targetShown // want's destroyed, missing from got
		if k == 1 {
			shown = modelShown
		}
		for _, e := range side[0].Events {
			if e.Kind != EvDestroyed || e.Sess <= 0 || int(e.Sess) > shown || slices.Contains(out, e.Sess) {
				continue
			}
			if !slices.ContainsFunc(side[1].Events, func(f Event) bool { return f.Kind == EvDestroyed && f.Sess == e.Sess }) {
				out = append(out, e.Sess)
			}
		}
	}
	return out
}

// shownBy returns how many sessions a target showed in its results got
// of ops: the highest session handle an event or a returned session names
// (handles are numbered as sessions are first shown).
func shownBy(ops []Op, got []Result) int {
	n := 0
	for i := range got {
		for _, e := range got[i].Events {
			n = max(n, int(e.Sess))
		}
		if CallOf(ops[i].Kind).Ret == RetSession {
			n = max(n, int(got[i].Ret))
		}
	}
	return n
}

// returnedBy says whether op returned the session named h (0: none).
func returnedBy(op Op, res Result, h Handle) bool {
	return h != 0 && CallOf(op.Kind).Ret == RetSession && res.Ret == int64(h)
}

// explainSuspects fills each suspect's Rules (refs[i] is ss[i]'s session
// object): the rules of its call that changed the session or decided its
// fate, and the one behind the return value when the call returned it;
// every rule the call applied when none did.
func explainSuspects(p Profile, ops []Op, ss []RefSuspect, refs []sessRef) {
	if len(ss) == 0 {
		return
	}
	st := New(p)
	for i, op := range ops[:ss[len(ss)-1].Call] {
		var k []int // the suspects of this call
		for j := range ss {
			if ss[j].Call == i+1 {
				k = append(k, j)
			}
		}
		if len(k) == 0 {
			st.Step(op) // ran before, in the base run
			continue
		}
		e, raw, _ := st.explain(op)
		for _, j := range k {
			var rules []Rule
			for _, c := range raw {
				if c.obj == (rawObject{ObjSession, int32(refs[j])}) {
					rules = appendNew(rules, c.rule)
				}
			}
			if returnedBy(op, e.Result, st.obj(refs[j]).handle) {
				rules = appendNew(rules, e.Ret)
			}
			if len(rules) == 0 {
				rules = appendNew(nil, e.Applied...)
			}
			ss[j].Rules = rules
		}
	}
}

// refSkew makes the next release of session object ref drop no reference
// (delta +1) or two (delta -1); the zero value does nothing.
type refSkew struct {
	ref   sessRef
	delta int32
}

// trialSkew is one trial of RefSuspects: session object ref holds delta
// references more in call at (from 0): within, by the call's first release
// of it dropping none or two; else right after the call. One reference
// fewer that leaves none destroys the session there, with its event, as
// the last release would.
type trialSkew struct {
	at     int
	ref    sessRef
	delta  int
	within bool
}

// skewNow gives session object r delta references more right away, after
// op, and returns the events that raises (its destruction, for one fewer
// that leaves none).
func (s *State) skewNow(op Op, r sessRef, delta int) []Event {
	st := stepper{State: s, op: op}
	if delta > 0 {
		st.retain(r)
	} else {
		st.release(r)
	}
	return st.events
}

// SuspectsText groups suspects by session and direction, one line each, as
// reports print them: "with one reference more on sess1 from call 5 (...)
// or call 6 (...), the model does what the target did on every call".
func SuspectsText(ss []RefSuspect) []string {
	type key struct {
		sess  Handle
		delta int
	}
	var order []key
	groups := map[key][]RefSuspect{}
	for _, s := range ss {
		k := key{s.Sess, s.Delta}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], s)
	}
	var out []string
	for _, k := range order {
		what := "one reference more"
		if k.delta < 0 {
			what = "one reference fewer"
		}
		var calls []string
		for _, s := range groups[k] {
			calls = append(calls, fmt.Sprintf("call %d (%s; its rules there: %s)", s.Call, s.Op, ruleList(s.Rules)))
		}
		out = append(out, fmt.Sprintf("with %s on %s from %s, the model does what the target did on every call",
			what, obsSess(k.sess), strings.Join(calls, " or ")))
	}
	return out
}

// ByRefCount is a's naming once the whole reproducer is known: when one
// reference more or one fewer on a session whose lifetime differs makes
// the model do what the target did on every call (ss, from RefSuspects)
// and no switch of the divergence table does (like, from Likenesses), the
// target miscounted a reference, and the divergence is named by the rule
// of the reference count, REF-DESTROY-AT-ZERO, whatever rule the call
// that showed it applied: a profile's own rule there (wolfSSL's SSL_free
// that calls the remove callback for the last reference, its SSL_clear
// that renews an unfinished session) is only where an extra reference
// taken calls before shows. That call's rule goes first in Applied. When
// a switch explains the target as well, or nothing does, a stands: the
// rule at the call is then as likely as a miscount.
func (a Attribution) ByRefCount(ss []RefSuspect, like []Likeness) Attribution {
	if a.Rule == RuleRefDestroyAtZero || len(ss) == 0 || len(like) > 0 {
		return a
	}
	applied := a.Applied
	if a.Rule != RuleNone {
		applied = append([]Rule{a.Rule}, slices.DeleteFunc(slices.Clone(applied), func(r Rule) bool { return r == a.Rule })...)
	}
	return Attribution{Rule: RuleRefDestroyAtZero, Applied: applied, Quality: 2}
}
