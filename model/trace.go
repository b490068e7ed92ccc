package model

import "fmt"

// Every step records which rules of docs/spec.md it applied. The stepper
// keeps one current rule: the rule whose effects it is applying now. A
// function that implements a rule opens a scope for it,
//
//	defer st.leave(st.enter(RuleEvictEvents))
//
// and a branch inside it that decides between rules names the one it
// takes with st.because(r). Everything the call does meanwhile (an event,
// a changed field of an object, the return value) is the effect of the
// current rule. A plain Step only collects the set of rules applied, which
// costs a few bit operations; [State.Explain] also attributes every effect
// to its rule, which is what a divergence report needs to name the rule a
// target broke.

// enter makes r the current rule and returns the rule it replaces, for
// leave.
func (st *stepper) enter(r Rule) Rule {
	prev := st.rule
	st.because(r)
	return prev
}

// leave ends a scope opened by enter, making prev current again.
func (st *stepper) leave(prev Rule) {
	if st.trace != nil {
		st.trace.boundary(st)
	}
	st.rule = prev
}

// because makes r the current rule until the enclosing scope ends.
func (st *stepper) because(r Rule) {
	if st.trace != nil {
		st.trace.boundary(st)
	}
	st.rule = r
	st.fired.Add(r)
	if st.trace != nil {
		st.trace.fired = append(st.trace.fired, r)
	}
}

// mark records that rule r applied, without making it current: for rules
// that hold by construction (naming, destruction at zero), whose effects
// belong to the rule that caused them.
func (st *stepper) mark(r Rule) {
	st.fired.Add(r)
	if st.trace != nil {
		st.trace.fired = append(st.trace.fired, r)
	}
}

// concerns records that the current rule decided the fate of session r
// even where it changes nothing about it (a session that stays cached, a
// session resumed as it is), so that a target which does change it is
// named by that rule.
func (st *stepper) concerns(r sessRef) {
	if st.trace != nil {
		st.trace.boundary(st)
		st.trace.changes = append(st.trace.changes, rawChange{obj: rawObject{ObjSession, r}, field: FieldNone, rule: st.rule})
	}
}

// concernsCtx records that the current rule decided what SSL_CTX h's
// cache and counters do in this call even where they do not change.
func (st *stepper) concernsCtx(h Handle) {
	if st.trace != nil {
		st.trace.boundary(st)
		st.trace.changes = append(st.trace.changes, rawChange{obj: rawObject{ObjCtx, int32(h)}, rule: st.rule})
	}
}

// noEvent records that the current rule decided that session r gets no
// event of kind k from SSL_CTX ctx in this call (it stays cached, it is not
// passed to new_session_cb), so that a target which raises one is named by
// it.
func (st *stepper) noEvent(r sessRef, k EventKind, ctx Handle) {
	if st.trace != nil {
		st.trace.boundary(st)
		st.trace.changes = append(st.trace.changes, rawChange{obj: rawObject{ObjSession, r}, event: k, ctx: ctx, rule: st.rule})
	}
}

// returns says that the call's return value is decided by rule r, when
// the function that decides it runs in a scope of its own (by default the
// rule current when the call ends decides it).
func (st *stepper) returns(r Rule) {
	st.fired.Add(r)
	st.ret = r
}

// Fired returns the rules the last successful Step or Explain applied.
func (s *State) Fired() RuleSet { return s.fired }

// Explanation is a step with every effect attributed to the rule of
// docs/spec.md that caused it.
type Explanation struct {
	Op     Op
	Result Result
	// Ret is the rule behind the return value.
	Ret Rule
	// Events holds the rule behind each of Result.Events.
	Events []Rule
	// Changes lists every change to an object the call made, in order,
	// each with its rule; objects the call only created are left out.
	Changes []Change
	// Applied lists the rules the call applied, in order of application
	// (a rule applied twice appears twice).
	Applied []Rule
	// Named lists the sessions the call showed the application for the
	// first time.
	Named []Handle

	differs RuleSet // the rules the profile does not apply (fieldRule)
}

// Change is one field of one object that a call changed, and the rule
// that changed it. A Change with Field FieldNone records a decision rather
// than a change: the rule decided the object's fate in this call (it was
// resumed as it is, it stays cached) or, when NoEvent is set, that the
// object gets no event of that kind.
type Change struct {
	Object   Object
	Field    Field
	NoEvent  EventKind
	EventCtx Handle // the SSL_CTX of the event NoEvent rules out
	Rule     Rule
}

// Explain is Step with every effect attributed to its rule. It costs a
// copy of the state per rule applied, so engines call it only to explain a
// divergence, on a copy of the state before the diverging call.
func (s *State) Explain(op Op) (Explanation, error) {
	e, raw, err := s.explain(op)
	if err != nil {
		return e, err
	}
	s.resolve(&e, raw)
	return e, nil
}

// ExplainSequence runs ops on an empty universe of profile p and explains
// every call. Sessions are named as the application knows them at the end
// of the sequence, so a session changed before a later call named it is
// the same object in every explanation.
func ExplainSequence(p Profile, ops []Op) ([]Explanation, error) {
	s := New(p)
	out := make([]Explanation, len(ops))
	raws := make([][]rawChange, len(ops))
	for i, op := range ops {
		e, raw, err := s.explain(op)
		if err != nil {
			return nil, fmt.Errorf("call %d: %w", i+1, err)
		}
		out[i], raws[i] = e, raw
	}
	for i := range out {
		s.resolve(&out[i], raws[i])
	}
	return out, nil
}

// resolve fills e.Changes from raw changes, naming objects as s knows them.
func (s *State) resolve(e *Explanation, raw []rawChange) {
	e.Changes = make([]Change, 0, len(raw))
	for _, c := range raw {
		e.Changes = append(e.Changes, Change{Object: s.objectOf(c.obj), Field: c.field, NoEvent: c.event, EventCtx: c.ctx, Rule: c.rule})
	}
}

// explain is Explain with the changes left raw.
func (s *State) explain(op Op) (Explanation, []rawChange, error) {
	if err := s.Check(op); err != nil {
		return Explanation{}, nil, err
	}
	tr := &tracer{snap: s.Clone()}
	st := stepper{State: s, trace: tr, op: op}
	ret := st.apply(op)
	tr.boundary(&st)
	s.fired = st.fired
	e := Explanation{Op: op, Result: Result{Ret: ret, Events: st.events}, Ret: st.retRule(), Events: tr.events, Applied: tr.fired,
		Named: tr.named, differs: s.differs}
	return e, tr.changes, nil
}

// retRule is the rule behind the return value: the one named by returns,
// else the rule current when the call ended.
func (st *stepper) retRule() Rule {
	if st.ret != RuleNone {
		return st.ret
	}
	return st.rule
}

// tracer collects what Explain needs: the state at the last rule
// boundary, and the effects seen so far.
type tracer struct {
	snap    *State
	changes []rawChange
	events  []Rule // rule of each event emitted so far
	fired   []Rule
	named   []Handle
}

// rawChange is a change before objects have their final handles: sessions
// are named by their object ref, since a call may name a session after it
// changed it.
type rawChange struct {
	obj   rawObject
	field Field
	event EventKind
	ctx   Handle
	rule  Rule
}

type rawObject struct {
	kind ObjectKind
	ref  int32 // SSL_CTX or SSL handle, or session object ref
}

// objectOf names a raw object as the application knows it.
func (s *State) objectOf(o rawObject) Object {
	if o.kind != ObjSession {
		return Object{Kind: o.kind, Handle: Handle(o.ref)}
	}
	return Object{Kind: ObjSession, Handle: s.viewHandle(o.ref)}
}

// boundary attributes everything that changed since the last boundary to
// the current rule, and takes a new snapshot.
func (t *tracer) boundary(st *stepper) {
	for len(t.events) < len(st.events) {
		t.events = append(t.events, st.rule)
	}
	add := func(kind ObjectKind, ref int32, f Field) {
		t.changes = append(t.changes, rawChange{obj: rawObject{kind, ref}, field: f, rule: st.rule})
	}
	old, now := t.snap, st.State
	for i := range min(len(old.ctxs), len(now.ctxs)) {
		a, b := &old.ctxs[i], &now.ctxs[i]
		h := int32(i + 1)
		sa, sb := old.ctxStats(a), now.ctxStats(b)
		for _, f := range []struct {
			field Field
			x, y  int64
		}{{FieldSessNumber, sa.number, sb.number}, {FieldSessHits, sa.hits, sb.hits}, {FieldSessMisses, sa.misses, sb.misses},
			{FieldSessTimeouts, sa.timeouts, sb.timeouts}, {FieldSessCacheFull, sa.cacheFull, sb.cacheFull},
			{FieldSessConnect, sa.connect, sb.connect}, {FieldSessConnectGood, sa.connectGood, sb.connectGood},
			{FieldSessAccept, sa.accept, sb.accept}, {FieldSessAcceptGood, sa.acceptGood, sb.acceptGood},
			{FieldSessCbHits, sa.cb, sb.cb}} {
			if f.x != f.y {
				add(ObjCtx, h, f.field)
			}
		}
		if a.appHeld != b.appHeld || a.alive != b.alive {
			add(ObjCtx, h, FieldLive)
		}
		if !equalRefs(a.list, b.list) {
			add(ObjCtx, h, FieldCached)
		}
	}
	for i := range min(len(old.ssls), len(now.ssls)) {
		a, b := &old.ssls[i], &now.ssls[i]
		h := int32(i + 1)
		if a.sess != b.sess {
			add(ObjSSL, h, FieldSSLSession)
		}
		if a.hit != b.hit {
			add(ObjSSL, h, FieldReused)
		}
		if a.alive != b.alive {
			add(ObjSSL, h, FieldLive)
		}
		if a.phase != b.phase || a.sent != b.sent || a.recv != b.recv || len(a.pending) != len(b.pending) || a.method != b.method || a.hello != b.hello {
			add(ObjSSL, h, FieldConnection)
		}
	}
	for i := range min(len(old.objs), len(now.objs)) {
		a, b := &old.objs[i], &now.objs[i]
		if *a == *b {
			continue
		}
		r := int32(i + 1)
		if a.alive != b.alive {
			add(ObjSession, r, FieldLive)
		}
		if a.resumable() != b.resumable() {
			add(ObjSession, r, FieldResumable)
		}
		if idLen(a.id) != idLen(b.id) || a.id != b.id {
			add(ObjSession, r, FieldIDLen)
		}
		if a.time != b.time {
			add(ObjSession, r, FieldTime)
		}
		if a.timeout != b.timeout {
			add(ObjSession, r, FieldTimeout)
		}
		if a.sidCtx != b.sidCtx || a.sidUnknown != b.sidUnknown {
			add(ObjSession, r, FieldSidCtx)
		}
		if a.refs != b.refs || a.appRefs != b.appRefs {
			add(ObjSession, r, FieldRefs)
		}
		if a.owner != b.owner {
			add(ObjSession, r, FieldCached)
		}
	}
	t.snap = now.Clone()
}

func equalRefs(a, b []sessRef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
