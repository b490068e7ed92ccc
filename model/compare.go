package model

import (
	"fmt"
	"slices"
	"strings"
)

// This file is the one comparison of a target's outcome with the model's:
// every engine (lockstep, gopter, the scenario simulator, linearizability)
// calls CompareResult and CompareObservation and gets typed differences,
// which Explanation.RuleFor turns into the rule of docs/spec.md that was
// broken.

// ObjectKind says what kind of object a handle names.
type ObjectKind uint8

// The object kinds.
const (
	ObjNone ObjectKind = iota
	ObjCtx
	ObjSSL
	ObjSession
)

// Object names one object of a universe.
type Object struct {
	Kind   ObjectKind
	Handle Handle // Unnamed for a session the application has not seen
}

// String renders the object as scenarios name it: "ctx1", "ssl2", "sess3".
func (o Object) String() string {
	switch o.Kind {
	case ObjCtx:
		return CtxName(o.Handle)
	case ObjSSL:
		return SSLName(o.Handle)
	case ObjSession:
		return obsSess(o.Handle)
	}
	return "none"
}

// Field is one observable property of an object (or, for Changes, an
// internal one that explains a change).
type Field uint8

// The fields. The first groups are observed after every call; FieldRefs,
// FieldCached and FieldConnection appear only in Explanation.Changes.
const (
	FieldNone Field = iota
	// SSL_CTX counters.
	FieldSessNumber
	FieldSessHits
	FieldSessMisses
	FieldSessTimeouts
	FieldSessCacheFull
	FieldSessConnect
	FieldSessConnectGood
	FieldSessAccept
	FieldSessAcceptGood
	FieldSessCbHits
	// The object exists (for an SSL_CTX: the application may still use it).
	FieldLive
	// SSL.
	FieldSSLSession
	FieldReused
	// Session.
	FieldResumable
	FieldIDLen
	FieldTime
	FieldTimeout
	FieldSidCtx
	// Internal.
	FieldRefs
	FieldCached
	FieldConnection
)

// fieldNames are the fields' names in reports; a field that is what one
// call reads takes that call's C name from the call table.
var fieldNames = [...]string{
	FieldNone: "none", FieldSessNumber: "sess_number", FieldSessHits: "sess_hits", FieldSessMisses: "sess_misses",
	FieldSessTimeouts: "sess_timeouts", FieldSessCacheFull: "sess_cache_full", FieldSessConnect: "sess_connect",
	FieldSessConnectGood: "sess_connect_good", FieldSessAccept: "sess_accept", FieldSessAcceptGood: "sess_accept_good",
	FieldSessCbHits: "sess_cb_hits", FieldLive: "live",
	FieldSSLSession: "session", FieldReused: SessionReused.String(), FieldResumable: IsResumable.String(),
	FieldIDLen: "id length", FieldTime: GetTime.String(), FieldTimeout: GetTimeout.String(),
	FieldSidCtx: "session id context", FieldRefs: "reference count", FieldCached: "cache", FieldConnection: "connection",
}

// String names the field as reports print it.
func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", uint8(f))
}

// What says which part of a call's outcome differs.
type What uint8

// The parts of an outcome.
const (
	WhatReturn What = iota + 1 // the return value
	WhatEvent                  // an event: missing, extra, or another one
	WhatField                  // a field of an object observed after the call
)

// Difference is one way a target's outcome of a call differs from the
// model's. Got and Want are rendered for people; "none" means absent.
type Difference struct {
	What What `json:"what"`
	// Event is the index of the first event that differs (WhatEvent).
	Event int `json:"event,omitempty"`
	// Object is the object concerned: the event's session, or the object
	// whose field differs. Zero for a return value.
	Object Object `json:"object,omitzero"`
	// Field is the field that differs (WhatField).
	Field Field  `json:"field,omitzero"`
	Got   string `json:"got"`
	Want  string `json:"want"`
	// GotEvent and WantEvent are the events that differ (WhatEvent; nil
	// for none).
	GotEvent  *Event `json:"-"`
	WantEvent *Event `json:"-"`
}

// String renders the difference on one line.
func (d Difference) String() string {
	switch d.What {
	case WhatReturn:
		return fmt.Sprintf("return value %s, want %s", d.Got, d.Want)
	case WhatEvent:
		return fmt.Sprintf("event %d: %s, want %s", d.Event+1, d.Got, d.Want)
	}
	if d.Field == FieldLive {
		return fmt.Sprintf("%s: %s, want %s", d.Object, d.Got, d.Want)
	}
	return fmt.Sprintf("%s: %s = %s, want %s", d.Object, d.Field, d.Got, d.Want)
}

// CompareResult compares what a target returned for op with what the
// model wants: the return value, then the events up to the first that
// differs (after it the lists are out of step and say nothing more).
func CompareResult(op Op, want, got Result) []Difference {
	var out []Difference
	if want.Ret != got.Ret {
		out = append(out, Difference{What: WhatReturn, Got: FormatRet(op.Kind, got.Ret), Want: FormatRet(op.Kind, want.Ret)})
	}
	for i := 0; i < len(want.Events) || i < len(got.Events); i++ {
		var w, g *Event
		if i < len(want.Events) {
			w = &want.Events[i]
		}
		if i < len(got.Events) {
			g = &got.Events[i]
		}
		if w != nil && g != nil && *w == *g {
			continue
		}
		d := Difference{What: WhatEvent, Event: i, Got: eventText(g), Want: eventText(w), GotEvent: g, WantEvent: w}
		if w != nil {
			d.Object = Object{Kind: ObjSession, Handle: w.Sess}
		} else {
			d.Object = Object{Kind: ObjSession, Handle: g.Sess}
		}
		out = append(out, d)
		break
	}
	return out
}

func eventText(e *Event) string {
	if e == nil {
		return "none"
	}
	return e.String()
}

// CompareObservation lists every field that differs between what the
// model observes (want) and what the target does (got), in handle order.
func CompareObservation(want, got Observation) []Difference {
	var out []Difference
	field := func(o Object, f Field, g, w any) {
		out = append(out, Difference{What: WhatField, Object: o, Field: f, Got: fmt.Sprint(g), Want: fmt.Sprint(w)})
	}
	presence := func(o Object, gotLive bool) {
		live, gone := "alive", "destroyed"
		if o.Kind != ObjSession {
			live, gone = "live", "freed"
		}
		g, w := live, gone
		if !gotLive {
			g, w = gone, live
		}
		out = append(out, Difference{What: WhatField, Object: o, Field: FieldLive, Got: g, Want: w})
	}
	diffSlices(want.Ctxs, got.Ctxs, func(c CtxObs) Handle { return c.Ctx }, func(w, g *CtxObs) {
		switch {
		case w == nil:
			presence(Object{ObjCtx, g.Ctx}, true)
		case g == nil:
			presence(Object{ObjCtx, w.Ctx}, false)
		default:
			o := Object{ObjCtx, w.Ctx}
			for _, f := range []struct {
				field Field
				w, g  int64
			}{{FieldSessNumber, w.Number, g.Number}, {FieldSessHits, w.Hits, g.Hits}, {FieldSessMisses, w.Misses, g.Misses},
				{FieldSessTimeouts, w.Timeouts, g.Timeouts}, {FieldSessCacheFull, w.CacheFull, g.CacheFull},
				{FieldSessConnect, w.Connect, g.Connect}, {FieldSessConnectGood, w.ConnectGood, g.ConnectGood},
				{FieldSessAccept, w.Accept, g.Accept}, {FieldSessAcceptGood, w.AcceptGood, g.AcceptGood},
				{FieldSessCbHits, w.CbHits, g.CbHits}} {
				if f.w != f.g {
					field(o, f.field, f.g, f.w)
				}
			}
		}
	})
	diffSlices(want.SSLs, got.SSLs, func(s SSLObs) Handle { return s.SSL }, func(w, g *SSLObs) {
		switch {
		case w == nil:
			presence(Object{ObjSSL, g.SSL}, true)
		case g == nil:
			presence(Object{ObjSSL, w.SSL}, false)
		default:
			o := Object{ObjSSL, w.SSL}
			if w.Sess != g.Sess {
				field(o, FieldSSLSession, obsSess(g.Sess), obsSess(w.Sess))
			}
			if w.Reused != g.Reused {
				field(o, FieldReused, g.Reused, w.Reused)
			}
		}
	})
	diffSlices(want.Sessions, got.Sessions, func(s SessObs) Handle { return s.Sess }, func(w, g *SessObs) {
		switch {
		case w == nil:
			presence(Object{ObjSession, g.Sess}, true)
		case g == nil:
			presence(Object{ObjSession, w.Sess}, false)
		default:
			o := Object{ObjSession, w.Sess}
			if w.Resumable != g.Resumable {
				field(o, FieldResumable, g.Resumable, w.Resumable)
			}
			if w.IDLen != g.IDLen {
				field(o, FieldIDLen, g.IDLen, w.IDLen)
			}
			if w.Time != g.Time {
				field(o, FieldTime, g.Time, w.Time)
			}
			if w.Timeout != g.Timeout {
				field(o, FieldTimeout, g.Timeout, w.Timeout)
			}
			if w.SidCtx != g.SidCtx && w.SidCtx != SidCtxUnknown && g.SidCtx != SidCtxUnknown {
				field(o, FieldSidCtx, sidCtxText(g.SidCtx), sidCtxText(w.SidCtx))
			}
		}
	})
	return out
}

// Diff lists the differences between two observations (want is o), one per
// line, or returns "" when they agree.
func (o Observation) Diff(got Observation) string {
	var lines []string
	for _, d := range CompareObservation(o, got) {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

// Attribution is the rule a difference is named by, the rules the model
// applied to the object concerned, and how sure the naming is.
type Attribution struct {
	Rule    Rule
	Applied []Rule
	// Quality: 2 when Rule is behind the model's own effect that the
	// target did not reproduce (the return value, the event at that place,
	// the last change of that field of that object, in this call or, for a
	// field the call left alone, the call that last set it); 1 when it is
	// the rule that governs the field (a counter's rule) or that decided
	// against what the target did; 0 for the fallback, the rule behind the
	// call's return value.
	Quality int
}

// RuleFor names the rule of docs/spec.md that a target broke when its
// outcome of the explained call differs by d, and lists every rule the
// call applied to d's object (in order of application). See Attribute,
// which also looks at the calls before.
func (e *Explanation) RuleFor(d Difference) (Rule, []Rule) {
	a := e.attribute(d)
	return a.Rule, a.Applied
}

// attribute names d from this call alone.
//
// The rule is the one behind the model's own effect where there is one:
// the return value, the event at that place, the last change of that field
// of that object. A target that did what the model did not do broke the
// rule that decided against it: for an extra event, the rule that decided
// the object gets no such event; otherwise the first rule that decided the
// object's fate in the call; for a counter the call left alone, the
// counter's rule; else the last rule that changed the object, else the
// rule behind the call's return value.
func (e *Explanation) attribute(d Difference) Attribution {
	var cands []Rule
	addCand := func(r Rule) {
		for _, c := range cands {
			if c == r {
				return
			}
		}
		cands = append(cands, r)
	}
	var lastChange, lastField, firstDecision, lastDecision, noEvent, noEventAny Rule
	extra := d.What == WhatEvent && d.WantEvent == nil && d.GotEvent != nil
	for _, c := range e.Changes {
		if extra && c.NoEvent == d.GotEvent.Kind && c.EventCtx == d.GotEvent.Ctx && noEventAny == RuleNone {
			noEventAny = c.Rule // a target may name the session otherwise
		}
		if c.Object != d.Object {
			continue
		}
		addCand(c.Rule)
		switch {
		case c.Field != FieldNone:
			lastChange = c.Rule
			if d.What == WhatField && c.Field == d.Field {
				lastField = c.Rule
			}
		case c.NoEvent != 0:
			if extra && noEvent == RuleNone && c.NoEvent == d.GotEvent.Kind {
				noEvent = c.Rule
			}
		default:
			if firstDecision == RuleNone {
				firstDecision = c.Rule
			}
			lastDecision = c.Rule
		}
	}
	for i, ev := range e.Result.Events {
		if d.Object.Kind == ObjSession && ev.Sess == d.Object.Handle && i < len(e.Events) {
			addCand(e.Events[i])
		}
	}
	at := func(r Rule, q int) Attribution { return Attribution{Rule: r, Applied: cands, Quality: q} }
	switch {
	case d.What == WhatReturn:
		return at(e.Ret, 2)
	case d.What == WhatEvent && !extra && d.Event < len(e.Events):
		return at(e.Events[d.Event], 2)
	case d.What == WhatField && ownRuleField[d.Field] && lastField != RuleNone:
		// A counter of handshakes has a rule of its own, which the model
		// applies where it counts; so has a session's id context, which
		// the SSL that made the session gave it.
		return at(lastField, 2)
	case d.What == WhatField && ownRuleField[d.Field]:
		return at(e.fieldRule(d.Field), 1)
	case d.Object.Kind == ObjCtx && lastDecision != RuleNone:
		// A counter is the sum of what the call did to the cache: the
		// last decision about the cache explains it better than the last
		// change of the count.
		return at(lastDecision, 2)
	case lastField != RuleNone:
		return at(lastField, 2)
	case noEvent != RuleNone:
		return at(noEvent, 1)
	case noEventAny != RuleNone:
		return at(noEventAny, 1)
	case firstDecision != RuleNone:
		return at(firstDecision, 1)
	case d.What == WhatField && e.fieldRule(d.Field) != RuleNone:
		return at(e.fieldRule(d.Field), 1)
	case lastChange != RuleNone:
		return at(lastChange, 0)
	}
	return at(e.Ret, 0)
}

// fieldRules name the rule that governs a field a call should have left
// alone: a counter moved by a call that counts nothing breaks that
// counter's rule. Under a profile that replaces the first rule, the first
// of the others that the profile has governs it (profile_rules.go).
var fieldRules = [...][3]Rule{
	FieldSessNumber: {RuleCntNumber, RuleWolfStatsStubs}, FieldSessHits: {RuleCntHits, RuleWolfStatsStubs, RuleBoringStatsStubs},
	FieldSessMisses: {RuleCntMisses, RuleWolfStatsStubs, RuleBoringStatsStubs}, FieldSessTimeouts: {RuleCntTimeouts, RuleWolfStatsStubs, RuleBoringStatsStubs},
	FieldSessCacheFull: {RuleCntCacheFull, RuleWolfStatsStubs, RuleBoringStatsStubs}, FieldReused: {RuleReusedReportsHit, RuleWolfReusedSticky},
	FieldSessConnect: {RuleCntConnect, RuleWolfStatsStubs, RuleBoringStatsStubs}, FieldSessConnectGood: {RuleCntConnectGood, RuleWolfStatsStubs, RuleBoringStatsStubs},
	FieldSessAccept: {RuleCntAccept, RuleWolfStatsStubs, RuleBoringStatsStubs}, FieldSessAcceptGood: {RuleCntAcceptGood, RuleWolfStatsStubs, RuleBoringStatsStubs},
	FieldSessCbHits: {RuleCntCBHits, RuleWolfStatsStubs, RuleBoringStatsStubs}, FieldTimeout: {},
	FieldSidCtx: {RuleSidctxNewSession, RuleWolfSidctxRecorded},
}

// ownRuleField marks the fields a difference in which is named by their
// own rule (fieldRules) unless the call changed them: the counters that
// count handshakes or callback hits rather than what a call did to the
// cache, and a session's id context, which a session shown for the
// first time got from the SSL that made it (SIDCTX-NEW-SESSION) rather
// than from whatever made the object.
var ownRuleField = map[Field]bool{FieldSessConnect: true, FieldSessConnectGood: true, FieldSessAccept: true,
	FieldSessAcceptGood: true, FieldSessCbHits: true, FieldSidCtx: true}

// fieldRule is the rule that governs field f under the explained call's
// profile, or RuleNone.
func (e *Explanation) fieldRule(f Field) Rule {
	if int(f) >= len(fieldRules) {
		return RuleNone
	}
	r := fieldRules[f]
	for _, alt := range r[1:] {
		if !e.differs.Has(r[0]) {
			break
		}
		if alt != RuleNone && !e.differs.Has(alt) {
			return alt
		}
	}
	return r[0]
}

// fieldOfGetter is the session field a getter's return value reads.
var fieldOfGetter = map[Kind]Field{GetTime: FieldTime, GetTimeout: FieldTimeout, IsResumable: FieldResumable}

// Attribute names the rule a target broke when its outcome of the last
// call of a sequence differs by diffs (as CompareResult or
// CompareObservation list them); exps explain every call of the sequence
// (ExplainSequence). Of the differences, the one the model can explain
// best names the rule, the first of them on a tie. A field of a session
// the last call showed for the first time is named by the rule of the
// call that last set it.
func Attribute(exps []Explanation, diffs []Difference) Attribution {
	if len(exps) == 0 || len(diffs) == 0 {
		return Attribution{}
	}
	last := &exps[len(exps)-1]
	best := Attribution{Quality: -1}
	for _, d := range diffs {
		a := last.attribute(d)
		if lifetime(d) && !a.Rule.profileOwn() {
			// When a session dies is the sum of every reference taken and
			// dropped before: a session that dies too early or too late
			// breaks the reference count, whichever call showed it. The
			// rules of that call stay in Applied. A profile's own rule
			// (wolfSSL's SSL_clear frees the session) names the death
			// itself, so it stands.
			a.Applied = append([]Rule{a.Rule}, a.Applied...)
			a.Rule, a.Quality = RuleRefDestroyAtZero, 2
		}
		if a.Quality < 2 {
			if r, q := lookBack(exps, d); q > a.Quality {
				a.Rule, a.Quality = r, q
			}
		}
		if a.Quality > best.Quality {
			best = a
		}
		if best.Quality == 2 {
			break
		}
	}
	return best
}

// lifetime reports whether d is about when a session was destroyed: a
// destroyed event one side raised and the other did not, or a session
// alive on one side only.
func lifetime(d Difference) bool {
	switch d.What {
	case WhatEvent:
		return (d.WantEvent != nil && d.WantEvent.Kind == EvDestroyed) || (d.GotEvent != nil && d.GotEvent.Kind == EvDestroyed)
	case WhatField:
		return d.Field == FieldLive && d.Object.Kind == ObjSession
	}
	return false
}

// lookBack finds, for a session the last call showed for the first time
// (so nothing was observed of it before), the rule of the last change of
// the field d is about (quality 2), else of the last decision about that
// session (quality 1); RuleNone (0) when there is none.
func lookBack(exps []Explanation, d Difference) (Rule, int) {
	last := exps[len(exps)-1]
	obj, field := d.Object, d.Field
	if d.What == WhatReturn {
		f, ok := fieldOfGetter[last.Op.Kind]
		if !ok {
			return RuleNone, 0
		}
		obj, field = Object{Kind: ObjSession, Handle: last.Op.Sess}, f
	}
	if obj.Kind != ObjSession || obj.Handle <= 0 || field == FieldNone || field == FieldLive || field == FieldRefs {
		return RuleNone, 0
	}
	if !slices.Contains(last.Named, obj.Handle) {
		// The session was observed, and agreed, after the calls before:
		// what differs now, this call did.
		return RuleNone, 0
	}
	decision := RuleNone
	for i := len(exps) - 1; i >= 0; i-- {
		changes := exps[i].Changes
		for j := len(changes) - 1; j >= 0; j-- {
			c := changes[j]
			switch {
			case c.Object != obj:
			case c.Field == field:
				return c.Rule, 2
			case c.Field == FieldNone && c.NoEvent == 0 && decision == RuleNone:
				decision = c.Rule
			}
		}
	}
	if decision != RuleNone {
		return decision, 1
	}
	return RuleNone, 0
}
