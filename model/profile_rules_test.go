package model_test

// Tests of the divergence table (model/profile_rules.go): it is consistent
// with Profile and docs/spec.md, the rules each profile's steps apply are
// the rules the table gives it, and a target that behaves like OpenSSL
// where wolfSSL does not is named by the wolfSSL rule it broke.

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// isWolf reports whether r is a rule of the wolfssl-5.5 section of
// docs/spec.md.
func isWolf(r model.Rule) bool { return strings.HasPrefix(r.Info().Family, "wolfSSL 5.5 profile") }

func TestDivergenceTable(t *testing.T) {
	openssl, wolf := model.OpenSSL30(), model.WolfSSL55()
	if len(openssl.Divergences()) != 0 {
		t.Errorf("openssl-3.0 departs from itself: %v", openssl.Divergences())
	}
	// Every row belongs to a real field of Profile, and flipping that field
	// alone, from OpenSSL 3.0's value to wolfSSL's, turns the row on.
	pt := reflect.TypeOf(openssl)
	covered := map[string]bool{}
	for _, d := range wolf.Divergences() {
		f, ok := pt.FieldByName(d.Switch)
		if !ok {
			t.Errorf("divergence %s/%s names no field of model.Profile", d.Switch, d.Finding)
			continue
		}
		covered[d.Switch] = true
		p := openssl
		reflect.ValueOf(&p).Elem().FieldByIndex(f.Index).Set(reflect.ValueOf(wolf).FieldByIndex(f.Index))
		found := false
		for _, e := range p.Divergences() {
			found = found || (e.Switch == d.Switch && e.Finding == d.Finding)
		}
		if !found {
			t.Errorf("divergence %s/%s does not follow its field", d.Switch, d.Finding)
		}
		if d.Finding < "W1" || len(d.Finding) > 3 {
			t.Errorf("divergence %s: finding %q is not one of W1..W18", d.Switch, d.Finding)
		}
		for _, r := range d.Adds {
			if !isWolf(r) {
				t.Errorf("divergence %s/%s adds %s, which is not a wolfSSL rule", d.Switch, d.Finding, r)
			}
		}
		for _, r := range append(append([]model.Rule(nil), d.Replaces...), d.Unsupported...) {
			if isWolf(r) {
				t.Errorf("divergence %s/%s replaces %s, a wolfSSL rule", d.Switch, d.Finding, r)
			}
		}
	}
	// Every field in which wolfSSL differs says what it does to the rules,
	// except the limits of what the model claims.
	limits := map[string]bool{"Name": true, "ClockLimit": true}
	for i := range pt.NumField() {
		f := pt.Field(i)
		same := reflect.DeepEqual(reflect.ValueOf(openssl).Field(i).Interface(), reflect.ValueOf(wolf).Field(i).Interface())
		if !same && !covered[f.Name] && !limits[f.Name] {
			t.Errorf("wolfssl-5.5 differs in Profile.%s, but no divergence says which rules that replaces", f.Name)
		}
	}
	// Every rule of the wolfSSL section is wolfSSL's own and foreign to
	// OpenSSL 3.0; every other rule is OpenSSL 3.0's.
	for _, r := range model.Rules() {
		os, ws := openssl.Status(r), wolf.Status(r)
		if isWolf(r) {
			if os.Verdict != model.Foreign || ws.Verdict != model.Own {
				t.Errorf("%s: openssl-3.0 %s, wolfssl-5.5 %s; want foreign and own", r, os.Verdict, ws.Verdict)
			}
			continue
		}
		if os.Verdict != model.Same {
			t.Errorf("%s: openssl-3.0 says %s", r, os.Verdict)
		}
	}
}

func TestDiffers(t *testing.T) {
	for _, c := range []struct {
		p    model.Profile
		r    model.Rule
		want string
	}{
		{model.WolfSSL55(), model.RuleSeedGetNULL, "replaced by WOLF-SSL-OWNS-SESSION (SSLOwnsSession, W1)"},
		{model.WolfSSL55(), model.RuleTimeSetters, "replaced by WOLF-SESSION-SET-TIMEOUT (SetTimeoutBadArg, W17); a call the library lacks (Lacks, W17)"},
		{model.WolfSSL55(), model.RuleSeedGet0Noref, ""},
		{model.WolfSSL55(), model.RuleWolfSharedCache, ""},
		{model.OpenSSL30(), model.RuleWolfSharedCache, "not in openssl-3.0 (SharedCopyCache, W8)"},
		{model.OpenSSL30(), model.RuleSeedGetNULL, ""},
	} {
		differs, why := c.p.Differs(c.r)
		if differs != (c.want != "") || why != c.want {
			t.Errorf("%s.Differs(%s) = %v, %q; want %q", c.p.Name, c.r, differs, why, c.want)
		}
	}
}

func TestGenerableRules(t *testing.T) {
	in := func(rs []model.Rule, r model.Rule) bool {
		for _, x := range rs {
			if x == r {
				return true
			}
		}
		return false
	}
	openssl, wolf := model.GenerableRules(model.OpenSSL30()), model.GenerableRules(model.WolfSSL55())
	for _, r := range model.Rules() {
		switch {
		case isWolf(r) && in(openssl, r):
			t.Errorf("openssl-3.0 can generate %s", r)
		case isWolf(r) && r.Info().Unreachable == "" && !in(wolf, r):
			t.Errorf("wolfssl-5.5 cannot generate its own %s", r)
		case in(wolf, r) && model.WolfSSL55().Status(r).Verdict != model.Same && model.WolfSSL55().Status(r).Verdict != model.Own:
			t.Errorf("wolfssl-5.5 can generate %s, which it does not apply", r)
		}
	}
	if in(wolf, model.RuleSeedGetNULL) || !in(wolf, model.RuleSeedGet0Noref) {
		t.Errorf("wolfssl-5.5 must drop SEED-GET-NULL and keep SEED-GET0-NOREF")
	}
}

// TestProfileFiresItsOwnRules plays random sequences on each profile and
// explains every call: every rule a call applies is one the profile has
// (Same or Own), and, under wolfssl-5.5, every event, changed field and
// return value is attributed to a rule. (Under openssl-3.0 the session a
// client without one gets at the start of a handshake is attributed to no
// rule yet: handshake.go opens no scope before its first replaceSession.)
func TestProfileFiresItsOwnRules(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55()} {
		complete := p.Name == model.WolfSSL55().Name
		t.Run(p.Name, func(t *testing.T) {
			src := rand.New(rand.NewSource(20261124))
			fired := map[model.Rule]bool{}
			for seq := 0; seq < 120; seq++ {
				st := model.New(p)
				for range 50 {
					op := properties.DrawOp(src, st, func(model.Kind) bool { return true }, properties.DefaultLimits())
					e, err := st.Explain(op)
					if err != nil {
						t.Fatalf("sequence %d: %s: %v", seq, op, err)
					}
					for _, r := range e.Applied {
						fired[r] = true
						if v := p.Status(r).Verdict; v != model.Same && v != model.Own {
							t.Fatalf("sequence %d: %s applies %s, which %s does not have (%s)", seq, op, r, p.Name, v)
						}
					}
					if e.Ret == model.RuleNone {
						t.Fatalf("sequence %d: %s: no rule behind the return value", seq, op)
					}
					for i, r := range e.Events {
						if r == model.RuleNone {
							t.Fatalf("sequence %d: %s: no rule behind event %s", seq, op, e.Result.Events[i])
						}
					}
					for _, c := range e.Changes {
						if complete && c.Rule == model.RuleNone {
							t.Fatalf("sequence %d: %s: no rule behind the change of %s %s", seq, op, c.Object, c.Field)
						}
					}
				}
			}
			t.Logf("%s: %d rules applied", p.Name, len(fired))
		})
	}
}

// divergeWolf plays ops on the wolfssl-5.5 profile and names the rule a
// target breaks whose outcome of the last call is the model's changed by
// edit (its result, then what is observed after it), as the engines do:
// the result's differences first, else the observation's.
func divergeWolf(t *testing.T, ops []model.Op, edit func(*model.Result, *model.Observation)) model.Attribution {
	t.Helper()
	exps, err := model.ExplainSequence(model.WolfSSL55(), ops)
	if err != nil {
		t.Fatal(err)
	}
	st := model.New(model.WolfSSL55())
	var want model.Result
	for _, op := range ops {
		if want, err = st.Step(op); err != nil {
			t.Fatal(err)
		}
	}
	wantOb := st.Observe()
	got, gotOb := want, st.Observe()
	got.Events = append([]model.Event(nil), want.Events...)
	edit(&got, &gotOb)
	diffs := model.CompareResult(ops[len(ops)-1], want, got)
	if len(diffs) == 0 {
		diffs = model.CompareObservation(wantOb, gotOb)
	}
	if len(diffs) == 0 {
		t.Fatalf("the edit changes nothing")
	}
	return model.Attribute(exps, diffs)
}

// TestWolfAttribution: a wolfSSL target that does what OpenSSL does on a
// path where wolfSSL does not is named by the wolfSSL rule it broke.
func TestWolfAttribution(t *testing.T) {
	hs12 := []model.Op{newCtx(1, server(removeCB)), newCtx(2, client()), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls12)}
	sslOf := func(ob *model.Observation, h model.Handle) *model.SSLObs {
		for i := range ob.SSLs {
			if ob.SSLs[i].SSL == h {
				return &ob.SSLs[i]
			}
		}
		t.Fatalf("%s is not observed", model.SSLName(h))
		return nil
	}
	for _, c := range []struct {
		name string
		ops  []model.Op
		edit func(*model.Result, *model.Observation)
		want model.Rule
	}{
		{"SSL_new leaves the session NULL", []model.Op{newCtx(1, client()), newSSL(1, 1)},
			func(_ *model.Result, ob *model.Observation) { sslOf(ob, 1).Sess = 0 }, model.RuleWolfSSLOwnsSession},
		{"an unclean SSL_free removes the session", append(hs12[:5:5], get1(2), freeSSL(2)),
			func(r *model.Result, _ *model.Observation) { r.Events = append(r.Events, rmCB(1, 1)) }, model.RuleWolfNoBadSession},
		{"a fatal alert removes the session", append(hs12[:5:5], get1(2), fatal(2)),
			func(r *model.Result, _ *model.Observation) { r.Events = append(r.Events, rmCB(1, 1)) }, model.RuleWolfNoBadSession},
		{"SSL_CTX_remove_session returns 1", append(hs12[:5:5], get1(2), remove(1, 1)),
			func(r *model.Result, _ *model.Observation) { r.Ret = 1 }, model.RuleWolfRemoveExpires},
		{"SSL_CTX_sess_number counts", hs12,
			func(_ *model.Result, ob *model.Observation) { ob.Ctxs[0].Number = 1 }, model.RuleWolfStatsStubs},
		{"the client's callback needs CLIENT mode",
			[]model.Op{newCtx(1, server()), newCtx(2, client(newCB0)), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls13), get0(1), readTicket(1)},
			func(r *model.Result, _ *model.Observation) { r.Events = nil }, model.RuleWolfCacheMode},
		{"a ticket makes a new session",
			[]model.Op{newCtx(1, server()), newCtx(2, client(mode(model.CacheClient), newCB0)), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls13), get0(1), readTicket(1)},
			func(r *model.Result, _ *model.Observation) { r.Events = []model.Event{newCB(2, 2)} }, model.RuleWolfTicketInPlace},
		{"another SSL_CTX does not resume",
			[]model.Op{newCtx(1, server()), newCtx(2, client()), newCtx(3, server()), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls12),
				get1(1), newSSL(3, 2), newSSL(4, 3), setSess(3, 1), hs(3, 4, tls12)},
			func(_ *model.Result, ob *model.Observation) { sslOf(ob, 3).Reused, sslOf(ob, 4).Reused = false, false },
			model.RuleWolfHS12Resume},
		{"SSL_set_session takes the session itself",
			[]model.Op{newCtx(1, server()), newCtx(2, client()), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls12), get1(1),
				newSSL(3, 2), get0(3), setSess(3, 1)},
			func(_ *model.Result, ob *model.Observation) { l := sslOf(ob, 3); l.Sess, l.Reused = 1, false },
			model.RuleWolfSetSessionCopies},
		{"SSL_clear keeps an unfinished session", []model.Op{newCtx(1, client()), newSSL(1, 1), get0(1), clearSSL(1)},
			func(r *model.Result, _ *model.Observation) { r.Events = nil }, model.RuleWolfClearRenewsUnfinished},
		{"SSL_shutdown fails before a handshake", []model.Op{newCtx(1, client()), newSSL(1, 1), shutdown(1)},
			func(r *model.Result, _ *model.Observation) { r.Ret = -1 }, model.RuleWolfShutBeforeHandshake},
		{"SSL_free calls no remove_cb for a clean session", []model.Op{newCtx(1, client(removeCB)), newSSL(1, 1), get0(1), freeSSL(1)},
			func(r *model.Result, _ *model.Observation) { r.Events = r.Events[1:] }, model.RuleWolfRemovecbOnFree},
	} {
		t.Run(c.name, func(t *testing.T) {
			if a := divergeWolf(t, c.ops, c.edit); a.Rule != c.want {
				t.Errorf("named %s (quality %d, applied %v), want %s", a.Rule, a.Quality, a.Applied, c.want)
			}
		})
	}
}
