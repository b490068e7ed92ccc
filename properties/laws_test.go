package properties

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/sesslife/sesslife/model"
)

var gopterSeed = flag.Int64("gopter.seed", 20261124, "seed of the gopter properties (printed by every run)")

// The laws below are properties of the model alone: they show the spec is
// consistent with the rules of docs/spec.md it claims (family LAW).

func lawParameters(t *testing.T) *gopter.TestParameters {
	t.Logf("gopter seed %d (replay with -gopter.seed=%d)", *gopterSeed, *gopterSeed)
	p := gopter.DefaultTestParametersWithSeed(*gopterSeed)
	p.MinSuccessfulTests = 300
	if testing.Short() {
		p.MinSuccessfulTests = 60
	}
	return p
}

// walk replays a random legal sequence of n calls from seed, calling each
// after every call with the state before and after it and the result. The
// first non-empty complaint ends the walk; it comes back with the sequence.
func walk(seed int64, n int, each func(before, after *model.State, op model.Op, r model.Result) string) string {
	s := model.New(model.OpenSSL30())
	src := seedSource{rand.New(rand.NewPCG(uint64(seed), 0))}
	all := func(model.Kind) bool { return true }
	var trail []string
	for i := 0; i < n; i++ {
		op := DrawOp(src, s, all, DefaultLimits())
		before := s.Clone()
		r, err := s.Step(op)
		if err != nil {
			return fmt.Sprintf("generator drew an illegal call %s: %v", op, err)
		}
		trail = append(trail, fmt.Sprintf("%4d  %s  # %s", i+1, FormatCall(op, r), r.Format(op)))
		if msg := each(before, s, op, r); msg != "" {
			return msg + "\nsequence:\n" + strings.Join(trail, "\n")
		}
	}
	return ""
}

type seedSource struct{ r *rand.Rand }

func (s seedSource) Intn(n int) int { return s.r.IntN(n) }

// law checks one law on random sequences of up to 120 calls.
func law(t *testing.T, name string, each func(before, after *model.State, op model.Op, r model.Result) string) {
	t.Helper()
	props := gopter.NewProperties(lawParameters(t))
	props.Property(name, prop.ForAll(func(seed int64, n int) string {
		return walk(seed, n, each)
	}, gen.Int64(), gen.IntRange(1, 120)))
	props.TestingRun(t, GopterReporter(t))
}

func refs(s *model.State) map[model.Handle][2]int {
	out := map[model.Handle][2]int{}
	for _, v := range s.Sessions() {
		out[v.Sess] = [2]int{v.Refs, v.AppRefs}
	}
	return out
}

func sameRefs(a, b map[model.Handle][2]int) string {
	for h, r := range a {
		if b[h] != r {
			return fmt.Sprintf("%s: refs %v became %v", model.SessName(h), r, b[h])
		}
	}
	return ""
}

// TestLawGet0NoRef: SSL_get0_session never changes a reference count and
// raises no event (LAW-GET0-NOREF).
func TestLawGet0NoRef(t *testing.T) {
	law(t, "get0 changes no count", func(_, after *model.State, _ model.Op, _ model.Result) string {
		for _, l := range after.SSLs() {
			if !l.Alive {
				continue
			}
			s := after.Clone()
			named := s.Clone()
			r, err := named.Step(model.Op{Kind: model.Get0, SSL: l.SSL})
			if err != nil || len(r.Events) != 0 {
				return fmt.Sprintf("get0(%s): %v %v", model.SSLName(l.SSL), r.Events, err)
			}
			if msg := sameRefs(refs(s), refs(named)); msg != "" {
				return "after SSL_get0_session(" + model.SSLName(l.SSL) + "): " + msg
			}
		}
		return ""
	})
}

// TestLawGet1ThenFree: SSL_get1_session then SSL_SESSION_free restores every
// count (LAW-GET1-FREE).
func TestLawGet1ThenFree(t *testing.T) {
	law(t, "get1+free restores counts", func(_, after *model.State, _ model.Op, _ model.Result) string {
		for _, l := range after.SSLs() {
			if !l.Alive {
				continue
			}
			s := after.Clone()
			r0, _ := s.Step(model.Op{Kind: model.Get0, SSL: l.SSL}) // name it first
			if r0.Ret == 0 {
				continue
			}
			before := refs(s)
			r1, err := s.Step(model.Op{Kind: model.Get1, SSL: l.SSL})
			if err != nil || r1.Ret != r0.Ret {
				return fmt.Sprintf("get1(%s) = %d, get0 said %d (%v)", model.SSLName(l.SSL), r1.Ret, r0.Ret, err)
			}
			r2, err := s.Step(model.Op{Kind: model.SessFree, Sess: model.Handle(r1.Ret)})
			if err != nil || len(r2.Events) != 0 {
				return fmt.Sprintf("free after get1: %v %v", r2.Events, err)
			}
			if msg := sameRefs(before, refs(s)); msg != "" {
				return "after get1+free on " + model.SSLName(l.SSL) + ": " + msg
			}
		}
		return ""
	})
}

// TestLawDestroyedOnce: a session is destroyed exactly once, exactly when its
// count reaches zero; live sessions have a positive count
// (LAW-DESTROY-ONCE).
func TestLawDestroyedOnce(t *testing.T) {
	law(t, "destroyed once at zero", func(before, after *model.State, _ model.Op, r model.Result) string {
		was := map[model.Handle]bool{}
		for _, v := range before.Sessions() {
			was[v.Sess] = v.Alive
		}
		destroyed := map[model.Handle]bool{}
		for _, e := range r.Events {
			if e.Kind != model.EvDestroyed {
				continue
			}
			if destroyed[e.Sess] {
				return fmt.Sprintf("%s destroyed twice in one call", model.SessName(e.Sess))
			}
			if alive, known := was[e.Sess]; known && !alive {
				return fmt.Sprintf("%s destroyed again", model.SessName(e.Sess))
			}
			destroyed[e.Sess] = true
		}
		for _, v := range after.Sessions() {
			died := v.Sess <= model.Handle(len(was)) && was[v.Sess] && !v.Alive
			switch {
			case v.Alive && v.Refs < 1:
				return fmt.Sprintf("%s alive with %d references", model.SessName(v.Sess), v.Refs)
			case !v.Alive && v.Refs != 0:
				return fmt.Sprintf("%s destroyed with %d references", model.SessName(v.Sess), v.Refs)
			case died && !destroyed[v.Sess]:
				return fmt.Sprintf("%s died without a destroyed event", model.SessName(v.Sess))
			case v.Alive && destroyed[v.Sess]:
				return fmt.Sprintf("%s reported destroyed but alive", model.SessName(v.Sess))
			}
		}
		return ""
	})
}

// TestLawCacheCount: SSL_CTX_sess_number is the number of cached sessions,
// and an add that grew the cache left at most max(1, size-1) sessions
// (LAW-CACHE-COUNT).
func TestLawCacheCount(t *testing.T) {
	law(t, "sess_number and capacity", func(_, after *model.State, op model.Op, r model.Result) string {
		for _, c := range after.Ctxs() {
			if !c.AppHeld {
				continue
			}
			n, err := after.Clone().Step(model.Op{Kind: model.SessNumber, Ctx: c.Ctx})
			if err != nil || n.Ret != int64(len(c.Cached)) {
				return fmt.Sprintf("%s: sess_number %d, cache holds %d", model.CtxName(c.Ctx), n.Ret, len(c.Cached))
			}
		}
		if op.Kind != model.AddSession || r.Ret != 1 {
			return ""
		}
		c := after.Ctxs()[op.Ctx-1]
		if c.CacheSize <= 0 {
			return ""
		}
		for _, h := range c.Cached {
			if h > 0 && h != op.Sess && after.Sessions()[h-1].IDLen == 0 {
				return "" // an empty id cannot be evicted (CVE-2024-2511)
			}
		}
		if limit := max(1, int(c.CacheSize)-1); len(c.Cached) > limit {
			return fmt.Sprintf("%s holds %d sessions after an add, size %d", model.CtxName(c.Ctx), len(c.Cached), c.CacheSize)
		}
		return ""
	})
}

// TestLawFlushMonotone: flushing at a later time removes at least what
// flushing at an earlier time removes (LAW-FLUSH-MONOTONE).
func TestLawFlushMonotone(t *testing.T) {
	law(t, "flush monotone", func(_, after *model.State, _ model.Op, _ model.Result) string {
		for _, c := range after.Ctxs() {
			if !c.AppHeld {
				continue
			}
			for _, d := range []int64{0, 1, 10, 100, 10000} {
				t1 := after.Now() + d
				a, b := after.Clone(), after.Clone()
				a.Step(model.Op{Kind: model.Flush, Ctx: c.Ctx, Arg: t1})
				b.Step(model.Op{Kind: model.Flush, Ctx: c.Ctx, Arg: t1 + 50})
				ka, kb := a.Ctxs()[c.Ctx-1].Cached, b.Ctxs()[c.Ctx-1].Cached
				if len(kb) > len(ka) || !slices.Equal(kb, ka[:len(kb)]) {
					return fmt.Sprintf("%s: flush(%d) keeps %v, flush(%d) keeps %v", model.CtxName(c.Ctx), t1, ka, t1+50, kb)
				}
			}
		}
		return ""
	})
}

// TestLawCacheHoldsLive: nothing in a cache is destroyed; every cached
// session is owned by that cache (LAW-CACHE-LIVE).
func TestLawCacheHoldsLive(t *testing.T) {
	law(t, "cached sessions are alive", func(_, after *model.State, _ model.Op, _ model.Result) string {
		sess := after.Sessions()
		for _, c := range after.Ctxs() {
			for i, h := range c.Cached {
				if c.CachedRefs[i] < 1 {
					return fmt.Sprintf("%s caches a session with %d references", model.CtxName(c.Ctx), c.CachedRefs[i])
				}
				if h > 0 && (!sess[h-1].Alive || sess[h-1].Owner != c.Ctx) {
					return fmt.Sprintf("%s caches %s: alive=%v owner=%s", model.CtxName(c.Ctx), model.SessName(h), sess[h-1].Alive, model.CtxName(sess[h-1].Owner))
				}
			}
		}
		return ""
	})
}
