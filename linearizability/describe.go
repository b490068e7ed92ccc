package linearizability

import (
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// describeOperation renders a call as C, with the target's handles:
// "SSL_CTX_add_session(ctx2, sess7) → 1 remove_cb(ctx2, sess4)".
func describeOperation(i0, _ any) string {
	r := i0.(*input).rec
	switch r.What {
	case Begin:
		return fmt.Sprintf("universe %d begins (clock %d)", r.Universe, r.Clock)
	case Observe:
		return fmt.Sprintf("observe → %d SSL_CTXs, %d SSLs, %d sessions", len(r.Obs.Ctxs), len(r.Obs.SSLs), len(r.Obs.Sessions))
	}
	if r.Failed {
		return fmt.Sprintf("%s → unknown (%s)", r.Op, r.Err)
	}
	return fmt.Sprintf("%s → %s", r.Op, r.Result.Format(r.Op))
}

// describe renders the state with the target's handles: the clock, each
// live SSL_CTX's cache (head first) and counters, each live SSL's session,
// and each live named session's references. A model session not yet paired
// with a target handle shows as m<n>.
func (s *state) describe() string {
	if s.u == nil {
		return "(before the universe begins)"
	}
	m := s.model()
	var b strings.Builder
	fmt.Fprintf(&b, "clock %d\n", m.Now())
	for _, c := range m.Ctxs() {
		if !c.AppHeld {
			continue
		}
		names := make([]string, len(c.Cached))
		for i, h := range c.Cached {
			names[i] = s.sessName(h)
		}
		fmt.Fprintf(&b, "%s: cache [%s] hits %d misses %d timeouts %d cache_full %d\n", model.CtxName(s.ctxName(c.Ctx)),
			strings.Join(names, " "), c.Hits, c.Misses, c.Timeouts, c.CacheFull)
	}
	for _, l := range m.SSLs() {
		if l.Alive {
			fmt.Fprintf(&b, "%s: %s %s\n", model.SSLName(s.u.ssls[l.SSL-1]), l.Phase, s.sessName(l.Sess))
		}
	}
	for _, v := range m.Sessions() {
		if v.Alive {
			fmt.Fprintf(&b, "%s: refs %d (application %d)\n", s.sessName(v.Sess), v.Refs, v.AppRefs)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (s *state) ctxName(local model.Handle) model.Handle { return s.u.ctxs[local-1] }

// sessName renders a model session handle as the target names it.
func (s *state) sessName(m model.Handle) string {
	switch {
	case m == 0:
		return "NULL"
	case m == model.Unnamed:
		return "(unnamed)"
	case int(m) <= len(s.m2t) && s.m2t[m-1] != 0:
		return model.SessName(s.u.global(s.m2t[m-1]))
	}
	return fmt.Sprintf("m%d", m)
}

// targetResult renders a model result with the target's handles, for the
// account of a violation.
func (s *state) targetResult(op model.Op, res model.Result) string {
	var b strings.Builder
	if op.Kind == model.Get0 || op.Kind == model.Get1 {
		b.WriteString(s.sessName(model.Handle(res.Ret)))
	} else {
		b.WriteString(model.FormatRet(op.Kind, res.Ret))
	}
	for _, e := range res.Events {
		if e.Kind == model.EvDestroyed {
			fmt.Fprintf(&b, " destroyed(%s)", s.sessName(e.Sess))
			continue
		}
		fmt.Fprintf(&b, " %s(%s, %s)", e.Kind, model.CtxName(s.ctxName(e.Ctx)), s.sessName(e.Sess))
	}
	return b.String()
}
