package model_test

// Tests of the divergence table (model/profile_rules.go): it is consistent
// with Profile and docs/spec.md, the rules each profile's steps apply are
// the rules the table gives it, and a target that behaves like OpenSSL
// where wolfSSL or BoringSSL does not is named by the library's rule it
// broke.

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// library is a profile of a library other than OpenSSL 3.0: the section of
// docs/spec.md with its own rules and the prefix of its findings.
type library struct {
	p       model.Profile
	section string
	finding string
}

func libraries() []library {
	return []library{{model.WolfSSL55(), "wolfSSL 5.5 profile", "W"}, {model.BoringSSL(), "BoringSSL profile", "B"},
		{model.OpenSSL32(), "OpenSSL 3.2 profile", "O"}}
}

// ownSection returns the library whose section of docs/spec.md holds r,
// if any.
func ownSection(r model.Rule) (library, bool) {
	for _, l := range libraries() {
		if strings.HasPrefix(r.Info().Family, l.section) {
			return l, true
		}
	}
	return library{}, false
}

func TestDivergenceTable(t *testing.T) {
	openssl := model.OpenSSL30()
	if len(openssl.Divergences()) != 0 {
		t.Errorf("openssl-3.0 departs from itself: %v", openssl.Divergences())
	}
	pt := reflect.TypeOf(openssl)
	for _, lib := range libraries() {
		// Every row belongs to a real field of Profile, and flipping that
		// field alone, from OpenSSL 3.0's value to the library's, turns
		// the row on.
		covered := map[string]bool{}
		for _, d := range lib.p.Divergences() {
			f, ok := pt.FieldByName(d.Switch)
			if !ok {
				t.Errorf("%s: divergence %s/%s names no field of model.Profile", lib.p.Name, d.Switch, d.Finding)
				continue
			}
			covered[d.Switch] = true
			p := openssl
			reflect.ValueOf(&p).Elem().FieldByIndex(f.Index).Set(reflect.ValueOf(lib.p).FieldByIndex(f.Index))
			found := false
			for _, e := range p.Divergences() {
				found = found || (e.Switch == d.Switch && e.Finding == d.Finding)
			}
			if !found {
				t.Errorf("%s: divergence %s/%s does not follow its field", lib.p.Name, d.Switch, d.Finding)
			}
			if !strings.HasPrefix(d.Finding, lib.finding) || len(d.Finding) > 3 {
				t.Errorf("%s: divergence %s: finding %q is not one of %s1..", lib.p.Name, d.Switch, d.Finding, lib.finding)
			}
			for _, r := range d.Adds {
				if l, ok := ownSection(r); !ok || l.p.Name != lib.p.Name {
					t.Errorf("%s: divergence %s/%s adds %s, which is not a rule of its section", lib.p.Name, d.Switch, d.Finding, r)
				}
			}
			for _, r := range append(append([]model.Rule(nil), d.Replaces...), d.Unsupported...) {
				if _, ok := ownSection(r); ok {
					t.Errorf("%s: divergence %s/%s replaces %s, a library's own rule", lib.p.Name, d.Switch, d.Finding, r)
				}
			}
		}
		// Every field in which the library differs says what it does to
		// the rules, except the limits of what the model claims.
		// (LacksOptions only leaves calls out: no rule depends on the
		// options a library lacks; Unchecked leaves out calls nothing has
		// compared with the library yet, whose rules the findings table
		// marks "not checked".)
		limits := map[string]bool{"Name": true, "ClockLimit": true, "LacksOptions": true, "Unchecked": true}
		for i := range pt.NumField() {
			f := pt.Field(i)
			same := reflect.DeepEqual(reflect.ValueOf(openssl).Field(i).Interface(), reflect.ValueOf(lib.p).Field(i).Interface())
			if !same && !covered[f.Name] && !limits[f.Name] {
				t.Errorf("%s differs in Profile.%s, but no divergence says which rules that replaces", lib.p.Name, f.Name)
			}
		}
	}
	// Every rule of a library's section is that library's own and foreign
	// to every other profile; every other rule is OpenSSL 3.0's.
	for _, r := range model.Rules() {
		if own, ok := ownSection(r); ok {
			for _, p := range []model.Profile{openssl, model.OpenSSL32(), model.WolfSSL55(), model.BoringSSL()} {
				want := model.Foreign
				if p.Name == own.p.Name {
					want = model.Own
				}
				if v := p.Status(r).Verdict; v != want {
					t.Errorf("%s: %s says %s, want %s", r, p.Name, v, want)
				}
			}
			continue
		}
		if os := openssl.Status(r); os.Verdict != model.Same {
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
		{model.BoringSSL(), model.RuleShutInInit, "replaced by BORING-SHUT-IN-INIT (ShutdownInInitSucceeds, B14)"},
		{model.BoringSSL(), model.RuleSeedGetNULL, ""},
		{model.BoringSSL(), model.RuleWolfSharedCache, "not in boringssl (SharedCopyCache, W8)"},
		{model.WolfSSL55(), model.RuleBoringStatsStubs, "not in wolfssl-5.5 (CountersAreStubs, B13)"},
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
	openssl := model.GenerableRules(model.OpenSSL30())
	for _, lib := range libraries() {
		gen := model.GenerableRules(lib.p)
		for _, r := range model.Rules() {
			own, isOwn := ownSection(r)
			switch {
			case isOwn && in(openssl, r):
				t.Errorf("openssl-3.0 can generate %s", r)
			case isOwn && own.p.Name == lib.p.Name && r.Info().Unreachable == "" && !in(gen, r):
				t.Errorf("%s cannot generate its own %s", lib.p.Name, r)
			case in(gen, r) && lib.p.Status(r).Verdict != model.Same && lib.p.Status(r).Verdict != model.Own:
				t.Errorf("%s can generate %s, which it does not apply", lib.p.Name, r)
			}
		}
	}
	wolf := model.GenerableRules(model.WolfSSL55())
	if in(wolf, model.RuleSeedGetNULL) || !in(wolf, model.RuleSeedGet0Noref) {
		t.Errorf("wolfssl-5.5 must drop SEED-GET-NULL and keep SEED-GET0-NOREF")
	}
	boring := model.GenerableRules(model.BoringSSL())
	if in(boring, model.RuleAutoEvery256) || !in(boring, model.RuleBoringAutoFlush255) || !in(boring, model.RuleSeedGetNULL) {
		t.Errorf("boringssl must drop AUTO-EVERY-256 for BORING-AUTO-FLUSH-255 and keep SEED-GET-NULL")
	}
}

// TestProfileFiresItsOwnRules plays random sequences on each profile and
// explains every call: every rule a call applies is one the profile has
// (Same or Own), and, under wolfssl-5.5 and boringssl, every event,
// changed field and return value is attributed to a rule. (Under openssl-3.0 the session a
// client without one gets at the start of a handshake is attributed to no
// rule yet: handshake.go opens no scope before its first replaceSession.)
func TestProfileFiresItsOwnRules(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55(), model.BoringSSL()} {
		complete := p.Name != model.OpenSSL30().Name
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
	return divergeOn(t, model.WolfSSL55(), ops, edit)
}

// divergeOn is divergeWolf on profile p.
func divergeOn(t *testing.T, p model.Profile, ops []model.Op, edit func(*model.Result, *model.Observation)) model.Attribution {
	t.Helper()
	exps, err := model.ExplainSequence(p, ops)
	if err != nil {
		t.Fatal(err)
	}
	st := model.New(p)
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

// TestBoringAttribution: a BoringSSL target that does what OpenSSL does on
// a path where BoringSSL does not is named by the BoringSSL rule it broke.
func TestBoringAttribution(t *testing.T) {
	full := []model.Op{newCtx(1, server(noTicket, removeCB)), newCtx(2, client()), newSSL(1, 2), newSSL(2, 1), hs(1, 2, tls12)}
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
		{"SSL_shutdown fails before a handshake", []model.Op{newCtx(1, client()), newSSL(1, 1), shutdown(1)},
			func(r *model.Result, _ *model.Observation) { r.Ret = -1 }, model.RuleBoringShutInInit},
		{"an unclean SSL_free removes the session", append(full[:5:5], get1(2), freeSSL(2)),
			func(r *model.Result, _ *model.Observation) { r.Events = append(r.Events, rmCB(1, 1)) }, model.RuleBoringNoBadSession},
		{"SSL_CTX_sess_hits counts", append(full[:5:5], hits(1)),
			func(r *model.Result, _ *model.Observation) { r.Ret = 1 }, model.RuleBoringStatsStubs},
		{"SSL_clear keeps a server's session", append(full[:5:5], get0(2), clearSSL(2)),
			func(_ *model.Result, ob *model.Observation) { sslOf(ob, 2).Sess = 1 }, model.RuleBoringClear},
		{"SSL_CTX_remove_session calls remove_cb for another object", append(full[:5:5], get1(1), remove(1, 1)),
			func(r *model.Result, _ *model.Observation) { r.Events = []model.Event{rmCB(1, 1)} }, model.RuleBoringRemoveExact},
		{"a ticket replaces the SSL's session",
			[]model.Op{newCtx(1, server()), newCtx(2, client(mode(model.CacheClient), newCB1)), newSSL(1, 2), newSSL(2, 1),
				hs(1, 2, tls13), get0(1), readTicket(1)},
			func(_ *model.Result, ob *model.Observation) { sslOf(ob, 1).Sess = 3 }, model.RuleBoringTicketsToCallback},
	} {
		t.Run(c.name, func(t *testing.T) {
			if a := divergeOn(t, model.BoringSSL(), c.ops, c.edit); a.Rule != c.want {
				t.Errorf("named %s (quality %d, applied %v), want %s", a.Rule, a.Quality, a.Applied, c.want)
			}
		})
	}
}
