package model

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// A divergence is named by the rule behind the first difference the model
// can see (Attribute), which is often where a bug shows rather than what
// it is: a client that never lets a ticket's age go below zero shows as a
// miss counted on the server, long after the decision that caused it. When
// what the target did is what another known library does, there is a
// better name. Likenesses tries, one at a time, every switch of the
// divergence table set to the value another profile gives it, and keeps
// those under which the model does exactly what the target did on the
// whole reproducer: that switch's rules are then the likely cause, and the
// rules of the checked profile it replaces are the ones the target broke.

// Likeness is one switch of the divergence table under which the model
// does, on a whole reproducer, exactly what the target did.
type Likeness struct {
	// Switch is the field of Profile that was set.
	Switch string
	// Like lists the known profiles that have the value it was set to,
	// sorted.
	Like []string
	// Follows lists the rules the target acts by under the switch: the
	// profile's own rules when its value is another library's, OpenSSL's
	// rules when it is OpenSSL 3.0's.
	Follows []Rule
	// Breaks lists the rules of the checked profile the target does not
	// follow, narrowed to those the model applied on the reproducer when
	// it applied any.
	Breaks []Rule
	// Findings are the ids of docs/findings.md behind the switch.
	Findings []string
}

// String says it in one sentence, as reports print it.
func (l Likeness) String() string {
	s := fmt.Sprintf("with %s as in %s, the model does what the target did on every call: the target follows %s in place of %s",
		l.Switch, strings.Join(l.Like, ", "), ruleList(l.Follows), ruleList(l.Breaks))
	if len(l.Findings) > 0 {
		s += " (docs/findings.md " + strings.Join(l.Findings, ", ") + ")"
	}
	return s
}

// Likenesses returns the switches of the divergence table that, set alone
// to the value another known profile has, make the model do what the
// target did on the whole of ops: return every result of got (the
// target's results, one per op), observe what the checked profile p
// observed after every call but the last, and after the last observe seen
// (the target's observation; nil when the last call's result already
// differed, and it was not observed). A sequence the model refuses, or
// a got of the wrong length, has none.
func Likenesses(p Profile, ops []Op, got []Result, seen *Observation) []Likeness {
	if len(ops) == 0 || len(got) != len(ops) {
		return nil
	}
	base := New(p)
	wants := make([]Observation, len(ops))
	var fired RuleSet
	for i, op := range ops {
		if _, err := base.Step(op); err != nil {
			return nil
		}
		fired.Union(base.Fired())
		wants[i] = base.Observe()
	}
	var out []Likeness
	for _, c := range likenessCandidates(p) {
		if doesWhatTargetDid(c.prof, ops, got, wants, seen, nil) {
			out = append(out, describeLikeness(p, c, fired))
		}
	}
	return out
}

// candidate is the checked profile with one switch set to the value the
// profiles in like have.
type candidate struct {
	prof  Profile
	swtch string
	like  []string
	value reflect.Value
}

// likenessCandidates lists, switch by switch in table order, every value
// another known profile gives it, with the profiles that have it.
func likenessCandidates(p Profile) []candidate {
	var out []candidate
	pv := reflect.ValueOf(p)
	for _, s := range tableSwitches() {
		start := len(out)
		for _, name := range ProfileNames() {
			q := Profiles()[name]
			if name == p.Name || !neighbours(p, q) {
				continue
			}
			qf := reflect.ValueOf(q).FieldByName(s)
			if reflect.DeepEqual(pv.FieldByName(s).Interface(), qf.Interface()) {
				continue
			}
			known := false
			for i := start; i < len(out); i++ {
				if reflect.DeepEqual(out[i].value.Interface(), qf.Interface()) {
					out[i].like = append(out[i].like, name)
					known = true
				}
			}
			if known {
				continue
			}
			c := candidate{prof: p, swtch: s, like: []string{name}, value: qf}
			reflect.ValueOf(&c.prof).Elem().FieldByName(s).Set(qf)
			out = append(out, c)
		}
	}
	return out
}

// neighbours says whether the model can run p with one switch set to q's
// value. The model is built for the profiles it knows and for each of
// them with one switch turned back to OpenSSL 3.0's value (the profile
// mutants of the kill table run those on every check), not for any
// mixture: a wolfSSL switch alone under OpenSSL 3.0 would miss the
// settings of wolfSSL's that are not switches (its cache's rows). So q is
// OpenSSL 3.0, or differs from p in switches alone, as OpenSSL 3.2 does
// from 3.0.
func neighbours(p, q Profile) bool {
	if q.Name == OpenSSL30().Name {
		return true
	}
	switches := tableSwitches()
	pv, qv := reflect.ValueOf(p), reflect.ValueOf(q)
	for i := range pv.NumField() {
		name := pv.Type().Field(i).Name
		if name == "Name" || slices.Contains(switches, name) {
			continue
		}
		if !reflect.DeepEqual(pv.Field(i).Interface(), qv.Field(i).Interface()) {
			return false
		}
	}
	return true
}

// tableSwitches lists the distinct switches of the divergence table, in
// table order.
func tableSwitches() []string {
	var out []string
	for _, d := range divergences {
		if !slices.Contains(out, d.Switch) {
			out = append(out, d.Switch)
		}
	}
	return out
}

// doesWhatTargetDid runs ops under profile q, with sk's reference skew
// when sk is not nil (RefSuspects), and says whether it returns got,
// observes wants after every call but the last and seen (when not nil)
// after the last.
func doesWhatTargetDid(q Profile, ops []Op, got []Result, wants []Observation, seen *Observation, sk *trialSkew) bool {
	st := New(q)
	var ob Observation
	for i, op := range ops {
		within := sk != nil && sk.at == i && sk.within
		if within {
			st.skew = refSkew{ref: sk.ref, delta: int32(sk.delta)}
		}
		res, err := st.Step(op)
		if err != nil || (within && st.skew != refSkew{}) {
			return false // refused, or the call released no reference of sk.ref
		}
		if sk != nil && sk.at == i && !sk.within {
			res.Events = append(res.Events, st.skewNow(op, sk.ref, sk.delta)...)
		}
		if len(CompareResult(op, res, got[i])) > 0 {
			return false
		}
		want := &wants[i]
		if i == len(ops)-1 {
			if seen == nil {
				return true
			}
			want = seen
		}
		st.ObserveInto(&ob)
		if sk != nil {
			unnameDangling(&ob)
		}
		if len(CompareObservation(*want, ob)) > 0 {
			return false
		}
	}
	return true
}

// unnameDangling shows an SSL whose session is dead, which only a trial
// with one reference fewer leaves, as holding a session the application
// was never shown ([Unnamed]): a target names no destroyed session, so
// the pointer the SSL still holds is one it has no name for.
func unnameDangling(ob *Observation) {
	for i, l := range ob.SSLs {
		if l.Sess > 0 && !slices.ContainsFunc(ob.Sessions, func(s SessObs) bool { return s.Sess == l.Sess }) {
			ob.SSLs[i].Sess = Unnamed
		}
	}
}

// describeLikeness names the rules on both sides of candidate c's switch.
func describeLikeness(p Profile, c candidate, fired RuleSet) Likeness {
	l := Likeness{Switch: c.swtch, Like: c.like}
	var pAdds, qAdds, pReplaced, qReplaced []Rule
	for _, d := range divergences {
		if d.Switch != c.swtch {
			continue
		}
		pOn, qOn := d.on(p), d.on(c.prof)
		if (pOn || qOn) && !slices.Contains(l.Findings, d.Finding) {
			l.Findings = append(l.Findings, d.Finding)
		}
		if pOn {
			pAdds, qReplaced = appendNew(pAdds, d.Adds...), appendNew(qReplaced, d.Replaces...)
		}
		if qOn {
			qAdds, pReplaced = appendNew(qAdds, d.Adds...), appendNew(pReplaced, d.Replaces...)
		}
	}
	// Under p the switch brings pAdds in place of qReplaced (OpenSSL's
	// rules); under the candidate, qAdds in place of pReplaced.
	l.Breaks, l.Follows = pAdds, qAdds
	if len(pAdds) == 0 {
		l.Breaks = pReplaced
	}
	if len(qAdds) == 0 {
		l.Follows = qReplaced
	}
	var applied []Rule
	for _, r := range l.Breaks {
		if fired.Has(r) {
			applied = append(applied, r)
		}
	}
	if len(applied) > 0 {
		l.Breaks = applied
	}
	return l
}

// appendNew appends the rules of rs that list does not hold yet.
func appendNew(list []Rule, rs ...Rule) []Rule {
	for _, r := range rs {
		if !slices.Contains(list, r) {
			list = append(list, r)
		}
	}
	return list
}
