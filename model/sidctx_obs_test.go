package model_test

import (
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// sidCtxSteps, after idPair, gives server SSL_CTX ctx1 context 1 and names
// the server session of one more TLS 1.2 handshake (ssl3 to ssl4).
func sidCtxSteps() []model.Op {
	return append([]model.Op{ctxSid(1, model.SidCtx1)}, append(opsOf(conn(3, 4, tls12)), get1(4))...)
}

// TestObservationComparesSidCtx: a session's id context is observed after
// every call, and a target whose session holds another context diverges,
// the difference naming the session and the field; an unknown context on
// either side is never a difference.
func TestObservationComparesSidCtx(t *testing.T) {
	st := model.New(model.OpenSSL30())
	for _, op := range append(opsOf(idPair()), sidCtxSteps()...) {
		if _, err := st.Step(op); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	want := st.Observe()
	h := model.Handle(len(want.Sessions))
	if got := sessObs(t, want, h).SidCtx; got != model.SidCtx1 {
		t.Fatalf("sess%d's context is observed as %d, want 1", h, got)
	}
	for _, c := range []struct {
		got   model.SidCtx
		diffs int
	}{{model.SidCtx1, 0}, {model.SidCtx2, 1}, {model.SidCtxEmpty, 1}, {model.SidCtxOther, 1}, {model.SidCtxUnknown, 0}} {
		got := st.Observe()
		got.Sessions[len(got.Sessions)-1].SidCtx = c.got
		ds := model.CompareObservation(want, got)
		if len(ds) != c.diffs {
			t.Errorf("a target context %d: differences %v, want %d", c.got, ds, c.diffs)
			continue
		}
		if c.diffs == 0 {
			continue
		}
		d := ds[0]
		if d.Object != (model.Object{Kind: model.ObjSession, Handle: h}) || d.Field != model.FieldSidCtx {
			t.Errorf("a target context %d: difference %+v, want sess%d's session id context", c.got, d, h)
		}
		if s := d.String(); !strings.Contains(s, model.SessName(h)) || !strings.Contains(s, "session id context") {
			t.Errorf("difference reads %q", s)
		}
	}
	unknown := st.Observe()
	unknown.Sessions[len(unknown.Sessions)-1].SidCtx = model.SidCtxUnknown
	got := st.Observe()
	got.Sessions[len(got.Sessions)-1].SidCtx = model.SidCtx2
	if ds := model.CompareObservation(unknown, got); len(ds) != 0 {
		t.Errorf("a context the model does not know is compared: %v", ds)
	}
}

// TestRuleForWrongSidCtx: a new session that holds another context than
// its SSL's breaks SIDCTX-NEW-SESSION.
func TestRuleForWrongSidCtx(t *testing.T) {
	e := explainLast(t, append(opsOf(idPair()), sidCtxSteps()...)...)
	h := e.Named[len(e.Named)-1]
	d := model.Difference{What: model.WhatField, Object: model.Object{Kind: model.ObjSession, Handle: h},
		Field: model.FieldSidCtx, Got: "0", Want: "1"}
	if r, _ := e.RuleFor(d); r != model.RuleSidctxNewSession {
		t.Errorf("%s is named %s, want SIDCTX-NEW-SESSION", d, r)
	}
}

// TestDecodedSidCtxKept: i2d_d2i keeps the session id context (OpenSSL's
// encoding carries it, SER-ROUNDTRIP-NEW), and the observation shows it.
func TestDecodedSidCtxKept(t *testing.T) {
	st := model.New(model.OpenSSL30())
	ops := append(opsOf(idPair()), sidCtxSteps()...)
	for _, op := range ops {
		if _, err := st.Step(op); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	h := model.Handle(len(st.Observe().Sessions))
	want := sessObs(t, st.Observe(), h).SidCtx
	if want != model.SidCtx1 {
		t.Fatalf("the server's session has context %d, want 1", want)
	}
	r, err := st.Step(roundTrip(h))
	if err != nil || r.Ret == 0 {
		t.Fatalf("i2d_d2i: %v %v", r, err)
	}
	d := model.Handle(r.Ret)
	if got := sessObs(t, st.Observe(), d).SidCtx; got != want {
		t.Errorf("the decoded session's context is observed as %d, want the original's %d", got, want)
	}
	if _, err := st.Step(sessSid(d, model.SidCtx2)); err != nil {
		t.Fatal(err)
	}
	if got := sessObs(t, st.Observe(), d).SidCtx; got != model.SidCtx2 {
		t.Errorf("after set1_id_context the context is observed as %d, want 2", got)
	}
}
