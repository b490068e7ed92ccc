package model_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/model/internal/gencalls"
	"github.com/sesslife/sesslife/model/internal/genrules"
)

// explainLast plays every op but the last on a fresh openssl-3.0 universe,
// then explains the last.
func explainLast(t *testing.T, ops ...model.Op) model.Explanation {
	t.Helper()
	st := model.New(model.OpenSSL30())
	for i, op := range ops[:len(ops)-1] {
		if _, err := st.Step(op); err != nil {
			t.Fatalf("call %d %s: %v", i+1, op, err)
		}
	}
	e, err := st.Explain(ops[len(ops)-1])
	if err != nil {
		t.Fatalf("explain %s: %v", ops[len(ops)-1], err)
	}
	return e
}

// dropEvent is the difference a target makes by not raising want's event i.
func dropEvent(t *testing.T, e model.Explanation, i int) model.Difference {
	t.Helper()
	got := e.Result
	got.Events = append(append([]model.Event(nil), got.Events[:i]...), got.Events[i+1:]...)
	ds := model.CompareResult(e.Op, e.Result, got)
	if len(ds) != 1 || ds[0].What != model.WhatEvent {
		t.Fatalf("dropping event %d of %s gives %v", i+1, e.Result.Format(e.Op), ds)
	}
	return ds[0]
}

// TestRuleForEviction: a server cache of size 2 evicts the first session
// when the second handshake caches its own; a target that does not report
// the eviction's remove_cb breaks EVICT-EVENTS (it was once named after
// TLS 1.3 client single use, from the call's kind).
func TestRuleForEviction(t *testing.T) {
	ops := []model.Op{
		newCtx(1, server(noTicket, size(2), removeCB)), newCtx(2, client()),
		newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls12),
		newSSL(3, 2), newSSL(4, 1), hs(3, 4, tls12),
	}
	e := explainLast(t, ops...)
	for i, ev := range e.Result.Events {
		if ev.Kind != model.EvRemove {
			continue
		}
		if r, _ := e.RuleFor(dropEvent(t, e, i)); r != model.RuleEvictEvents {
			t.Errorf("missing %s is named %s, want EVICT-EVENTS (events %v)", ev, r, e.Events)
		}
		return
	}
	t.Fatalf("no eviction in %s", e.Result.Format(e.Op))
}

// TestRuleForFlushZero: flush(0) empties the cache; a missing remove_cb
// breaks FLUSH-ZERO, not FLUSH-STRICT.
func TestRuleForFlushZero(t *testing.T) {
	e := explainLast(t, append(opsOf(idPair(removeCB)), flush(1, 0))...)
	if len(e.Result.Events) == 0 {
		t.Fatalf("flush(0) raised nothing")
	}
	if r, _ := e.RuleFor(dropEvent(t, e, 0)); r != model.RuleFlushZero {
		t.Errorf("missing %s is named %s, want FLUSH-ZERO", e.Result.Events[0], r)
	}
}

// TestRuleForZeroedResumedID: a library that zeroes the id of the session
// a TLS 1.2 handshake resumed breaks HS12-RESUME-ID (it was once named
// HS12-STATELESS-EMPTY-ID from the observation's wording).
func TestRuleForZeroedResumedID(t *testing.T) {
	ops := append(opsOf(idPair()), get1(1), newSSL(3, 2), newSSL(4, 1), setSess(3, 1), hs(3, 4, tls12))
	st := model.New(model.OpenSSL30())
	for _, op := range ops[:len(ops)-1] {
		if _, err := st.Step(op); err != nil {
			t.Fatal(err)
		}
	}
	e, err := st.Explain(ops[len(ops)-1])
	if err != nil {
		t.Fatal(err)
	}
	want := st.Observe()
	got := st.Observe()
	zeroed := false
	for i := range got.Sessions {
		if got.Sessions[i].Sess == 1 {
			got.Sessions[i].IDLen, zeroed = 0, true
		}
	}
	if !zeroed {
		t.Fatalf("sess1 is not observed after the resumption: %+v", want)
	}
	ds := model.CompareObservation(want, got)
	if len(ds) != 1 {
		t.Fatalf("differences %v", ds)
	}
	if r, _ := e.RuleFor(ds[0]); r != model.RuleHS12ResumeID {
		t.Errorf("%s is named %s, want HS12-RESUME-ID (changes %+v)", ds[0], r, e.Changes)
	}
}

// TestRuleForReturnValue: a wrong return value is named by the rule that
// decided it.
func TestRuleForReturnValue(t *testing.T) {
	for _, c := range []struct {
		ssl  model.Handle // the SSL whose session is added to the server cache
		want model.Rule
	}{{2, model.RuleCacheAddSame}, {1, model.RuleCacheAddReplace}} {
		e := explainLast(t, append(opsOf(idPair()), get0(c.ssl), add(1, 1))...)
		ds := model.CompareResult(e.Op, e.Result, model.Result{Ret: 1 - e.Result.Ret, Events: e.Result.Events})
		if r, _ := e.RuleFor(ds[0]); r != c.want {
			t.Errorf("wrong return of %s (session of ssl%d) is named %s, want %s", e.Op, c.ssl, r, c.want)
		}
	}
}

func opsOf(steps []step) []model.Op {
	var out []model.Op
	for _, s := range steps {
		out = append(out, s.op)
	}
	return out
}

// TestRulesGenCurrent: rules_gen.go is what go generate makes of
// docs/spec.md today.
func TestRulesGenCurrent(t *testing.T) {
	src, err := os.ReadFile("../docs/spec.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := genrules.Generate("docs/spec.md", src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("rules_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("model/rules_gen.go is stale: run go generate ./model")
	}
}

// TestDifferenceJSONRoundTrip: a report's differences read back as written.
func TestDifferenceJSONRoundTrip(t *testing.T) {
	for _, d := range []model.Difference{
		{What: model.WhatReturn, Got: "1", Want: "0"},
		{What: model.WhatEvent, Event: 2, Object: model.Object{Kind: model.ObjSession, Handle: 3}, Got: "none", Want: "remove_cb(ctx1, sess3)"},
		{What: model.WhatField, Object: model.Object{Kind: model.ObjCtx, Handle: 2}, Field: model.FieldSessHits, Got: "1", Want: "0"},
		{What: model.WhatField, Object: model.Object{Kind: model.ObjSSL, Handle: 4}, Field: model.FieldSSLSession, Got: "(unnamed session)", Want: "NULL"},
	} {
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back model.Difference
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if back != d {
			t.Errorf("%s read back as %+v, want %+v", data, back, d)
		}
	}
}

// TestCallsGenCurrent: shim/common/calls.h and the call list of
// docs/protocol.md are what go generate makes of the call table today.
func TestCallsGenCurrent(t *testing.T) {
	header, err := os.ReadFile("../shim/common/calls.h")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(header, gencalls.Header()) {
		t.Error("shim/common/calls.h is stale: run go generate ./model")
	}
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := gencalls.Splice(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != want {
		t.Error("the call list of docs/protocol.md is stale: run go generate ./model")
	}
}
