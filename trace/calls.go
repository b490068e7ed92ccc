package trace

import (
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// modelled lists the calls of the model's call table the checker
// understands beyond "takes a session": what they do to the application's
// references or the SSL. Their names come from the table (model.ParseKind).
var modelled = map[model.Kind]bool{
	model.SessFree: true, model.UpRef: true, model.Get0: true, model.Get1: true, model.SetSession: true,
	model.AddSession: true, model.RemoveSession: true, model.SSLNew: true, model.SSLFree: true, model.SSLClear: true,
	model.Shutdown: true, model.Flush: true, model.CtxFree: true, model.IsResumable: true, model.GetTime: true,
	model.GetTimeout: true, model.SetTime: true, model.SetTimeout: true,
	model.SessNew: true, model.SessDup: true, model.CopySessionID: true,
	// It changes no reference: the checker only checks the session it takes.
	model.SessSetSidCtx: true,
	// It changes no session reference; the recorder already files the
	// callbacks under the SSL's session_ctx.
	model.SetSSLCtx: true,
}

// others lists the functions the recorder sees that the model's call table
// does not have, and the checker understands. Any other function is still
// recorded, shown in the history of the sessions it takes, and checked for
// a destroyed or NULL session.
var others = map[string]bool{
	"d2i_SSL_SESSION": true, "d2i_SSL_SESSION_bio": true,
	"PEM_read_bio_SSL_SESSION": true, "PEM_read_SSL_SESSION": true,
	"SSL_SESSION_get_id": true, "SSL_SESSION_get_protocol_version": true,
	"SSL_SESSION_has_ticket": true, "SSL_SESSION_get_ticket_lifetime_hint": true, "i2d_SSL_SESSION": true,
	"PEM_write_bio_SSL_SESSION": true, "PEM_write_SSL_SESSION": true, "SSL_SESSION_print": true,
	"SSL_SESSION_set1_id": true, "SSL_SESSION_get0_hostname": true,
	"SSL_SESSION_get0_peer": true, "SSL_SESSION_get0_cipher": true, "SSL_SESSION_get_max_early_data": true,
}

// makesSession lists the functions outside the call table that return a
// new session the application owns (the table's SSL_SESSION_new and
// SSL_SESSION_dup do too: makesNew).
var makesSession = map[string]bool{
	"d2i_SSL_SESSION": true, "d2i_SSL_SESSION_bio": true, "PEM_read_bio_SSL_SESSION": true, "PEM_read_SSL_SESSION": true,
}

// makesNew reports whether the recorded function returns a new session the
// application owns.
func makesNew(r *Record) bool {
	k := callOf(r)
	return makesSession[r.Fn] || k == model.SessNew || k == model.SessDup
}

// callOf is the call table's kind of the recorded function, or
// model.KindInvalid for a function outside it.
func callOf(r *Record) model.Kind {
	k, _ := model.ParseKind(r.Fn)
	return k
}

// known reports whether the checker understands the recorded function.
func known(r *Record) bool { return modelled[callOf(r)] || others[r.Fn] }

// borrowedWhat is the history line of a session SSL_get0_session lent.
var borrowedWhat = "returned by " + model.Get0.String() + " (borrowed, no reference)"

// describe names a call or callback for a history line.
func describe(r *Record) string {
	if r.Kind == "cb" {
		return r.CB + "_session_cb"
	}
	return r.Fn
}

// callEnter checks a call's arguments as the call starts.
func (c *checker) callEnter(p *proc, r *Record) {
	if !known(r) && !c.counts.unknownSeen(r.Fn) {
		c.counts.Unknown = append(c.counts.Unknown, r.Fn)
	}
	var s *session
	kind := callOf(r)
	if r.Sess != 0 && kind != model.SSLFree && kind != model.SSLClear && kind != model.CopySessionID {
		// SSL_copy_session_id takes two SSLs: the session pointer the
		// recorder logs for it is the source SSL's.
		s = c.use(p, r)
	} else if r.Sess == 0 && r.UB == "null" {
		c.add(&finding{rule: model.RuleUBNULLSession, kind: KindUB, s: p.s, fix: r.Site, seq: r.Seq, skipped: r.Skipped != 0,
			msg: fmt.Sprintf("%s was given a NULL session, which it dereferences", r.Fn)})
	}
	switch kind {
	case model.SessFree:
		if s == nil || s.dead {
			return
		}
		if s.appRefs == 0 {
			c.add(&finding{rule: model.RuleUBOverRelease, kind: KindUB, s: p.s, sess: s, fix: r.Site, seq: r.Seq, skipped: r.Skipped != 0,
				msg: fmt.Sprintf("%s on session #%d, to which the application holds no reference%s", r.Fn, s.id, borrowed(s))})
			return
		}
		s.appRefs--
		s.takes = s.takes[:len(s.takes)-1]
	case model.AddSession:
		if s != nil && r.Other != 0 {
			c.add(&finding{rule: model.RuleUBCrossContext, kind: KindUB, s: p.s, sess: s, fix: r.Site, seq: r.Seq, skipped: r.Skipped != 0,
				msg: fmt.Sprintf("%s(%#x, session #%d) while the cache of SSL_CTX %#x holds it", r.Fn, r.Ctx, s.id, r.Other)})
		}
	case model.SetSession:
		cn := p.conns[r.SSL]
		if cn == nil {
			cn = &conn{ctx: r.Ctx}
			p.conns[r.SSL] = cn
		}
		if r.Skipped != 0 {
			return
		}
		cn.offered, cn.offerOK = s, true
		if s != nil && r.Resumable != nil && *r.Resumable == 0 && !s.dead {
			cn.offerOK = false
			c.cannotResume(p, r, s)
		}
	}
}

// borrowed explains, for an over-release, where the pointer came from.
func borrowed(s *session) string {
	for i := len(s.history) - 1; i >= 0; i-- {
		if s.history[i].What == borrowedWhat {
			return " (it came from SSL_get0_session, which lends a pointer without a reference)"
		}
	}
	return ""
}

// use resolves the session a call takes and checks it is still there.
func (c *checker) use(p *proc, r *Record) *session {
	cur := c.at(p, r.Sess, r)
	seen := p.lastSeen[r.Sess]
	what := "passed to " + r.Fn
	if r.Skipped != 0 {
		what += " (not forwarded by the recorder)"
	}
	switch {
	case cur.dead:
		cur.history = append(cur.history, step{Seq: r.Seq, Tid: r.Tid, What: what, site: r.Site})
		c.add(&finding{rule: model.RuleUBDanglingSession, kind: KindUB, s: p.s, sess: cur, fix: r.Site, seq: r.Seq, skipped: r.Skipped != 0,
			msg: fmt.Sprintf("%s on session #%d, which was destroyed before (the application kept a pointer past its last reference)", r.Fn, cur.id)})
		return cur
	case seen != nil && seen != cur && seen.dead && !p.s.Exited:
		// The trace of a killed process has lost the records of the calls
		// and callbacks still open when it died (each is written when it
		// returns): one of them may have handed cur over, as a
		// new_session_cb does before the calls made inside it.
		c.counts.CutUnchecked++
		cur.history = append(cur.history, step{Seq: r.Seq, Tid: r.Tid, What: what + " (not checked: the trace ends without an exit)", site: r.Site})
		return cur
	case seen != nil && seen != cur && seen.dead:
		seen.history = append(seen.history, step{Seq: r.Seq, Tid: r.Tid, What: what + fmt.Sprintf(" (the address now holds session #%d)", cur.id), site: r.Site})
		c.add(&finding{rule: model.RuleUBDanglingSession, kind: KindUB, s: p.s, sess: seen, fix: r.Site, seq: r.Seq, skipped: r.Skipped != 0,
			msg: fmt.Sprintf("%s on the address of session #%d, which was destroyed; the memory now holds session #%d, which the application was never given", r.Fn, seen.id, cur.id)})
		return cur
	}
	cur.history = append(cur.history, step{Seq: r.Seq, Tid: r.Tid, What: what, site: r.Site})
	return cur
}

// handed records that the application was given session ptr.
func (c *checker) handed(p *proc, ptr uint64, r *Record, what string, site uint32) *session {
	s := c.at(p, ptr, r)
	s.seen = true
	p.lastSeen[ptr] = s
	seq := r.Seq
	if strings.HasPrefix(what, "returned") {
		seq = max(r.End, r.Seq) // known when the call returned
	}
	s.history = append(s.history, step{Seq: seq, Tid: r.Tid, What: what, site: site})
	return s
}

// own gives the application one reference to s.
func (c *checker) own(p *proc, s *session, r *Record, how string, rule model.Rule, site uint32) {
	s.appRefs++
	t := take{seq: r.Seq, how: how, rule: rule, site: site}
	if cb := p.insideGetCB(r.Tid); cb != nil {
		t.inGetCB = cb.Seq
	}
	s.takes = append(s.takes, t)
}

// callExit applies what a call returned.
func (c *checker) callExit(p *proc, r *Record) {
	if r.Skipped != 0 {
		return
	}
	ret := uint64(r.Ret)
	if makesNew(r) {
		if ret != 0 && ret != r.Into {
			s := c.handed(p, ret, r, "returned by "+r.Fn+" (a new session the application owns)", r.Site)
			c.own(p, s, r, r.Fn, model.RuleNone, r.Site)
		}
		return
	}
	switch callOf(r) {
	case model.Get0:
		if ret != 0 {
			c.handed(p, ret, r, borrowedWhat, r.Site)
		}
	case model.Get1:
		if ret != 0 {
			s := c.handed(p, ret, r, "returned by "+r.Fn+" (the application owns a reference)", r.Site)
			c.own(p, s, r, r.Fn, model.RuleSeedGet1Ref, r.Site)
		}
	case model.UpRef:
		if r.Ret == 1 && r.Sess != 0 {
			if s := p.sessions[r.Sess]; s != nil && !s.dead {
				c.own(p, s, r, r.Fn, model.RuleRefUpref, r.Site)
			}
		}
	case model.SSLNew:
		p.conns[ret] = &conn{ctx: r.Ctx}
	case model.SSLFree:
		delete(p.conns, r.SSL)
		if s := p.sessions[r.Sess]; s != nil && r.Sess != 0 {
			s.history = append(s.history, step{Seq: r.Seq, Tid: r.Tid, What: fmt.Sprintf("its SSL %#x was freed (%s drops the SSL's reference)", r.SSL, r.Fn), site: r.Site})
		}
	case model.RemoveSession:
		if s := p.sessions[r.Sess]; s != nil && !s.dead {
			st := step{Seq: r.Seq, Tid: r.Tid, What: fmt.Sprintf("%s(%#x) returned %d: removed from the cache, marked not resumable", r.Fn, r.Ctx, r.Ret), site: r.Site}
			s.removed = &st
		}
	}
}

// callbackEnter hands the callback's session argument to the application:
// what the callback does with it runs before it returns.
func (c *checker) callbackEnter(p *proc, r *Record) {
	switch r.CB {
	case "new":
		c.handed(p, r.Sess, r, fmt.Sprintf("given to new_session_cb, which returned %d", r.Ret), r.FnSite)
	case "remove":
		s := c.handed(p, r.Sess, r, fmt.Sprintf("given to remove_cb of SSL_CTX %#x: out of the cache, not resumable", r.Ctx), r.FnSite)
		st := s.history[len(s.history)-1]
		s.removed = &st
	}
}

// callback applies what an application callback did, once it returned.
func (c *checker) callback(p *proc, r *Record) {
	switch r.CB {
	case "new":
		if s := p.sessions[r.Sess]; s != nil && r.Ret == 1 {
			c.own(p, s, r, "new_session_cb returned 1", model.RuleCBNewRet1, r.FnSite)
		}
	case "get":
		c.getCallback(p, r)
	}
}

// getCallback checks the *copy a get_session_cb chose (CB-GET-COPY).
func (c *checker) getCallback(p *proc, r *Record) {
	ret := uint64(r.Ret)
	if ret == 0 {
		return
	}
	s := c.handed(p, ret, r, fmt.Sprintf("returned by get_session_cb with *copy = %d", r.Copy), r.FnSite)
	if r.UB == "dangling" {
		c.add(&finding{rule: model.RuleUBDanglingSession, kind: KindUB, s: p.s, sess: s, fix: r.FnSite, seq: r.Seq, skipped: r.Skipped != 0,
			msg: fmt.Sprintf("get_session_cb returned session #%d, which was destroyed", s.id)})
		return
	}
	if r.Copy == 0 {
		if s.appRefs == 0 {
			c.add(&finding{rule: model.RuleCBGetCopy, kind: KindUB, s: p.s, sess: s, fix: r.FnSite, seq: r.Seq, skipped: r.Repaired != 0,
				msg: fmt.Sprintf("get_session_cb set *copy = 0 for session #%d without owning a reference to it: libssl would free a reference nobody took", s.id)})
			return
		}
		s.appRefs--
		s.takes = s.takes[:len(s.takes)-1]
		return
	}
	for i := range s.takes {
		if s.takes[i].inGetCB == r.Seq {
			s.takes[i].getCopy1 = true
		}
	}
}

// cannotResume reports an offered session that cannot resume, naming the
// rule that made it so when the trace shows which.
func (c *checker) cannotResume(p *proc, r *Record, s *session) {
	f := &finding{rule: model.RuleResumableWhen, kind: KindNoResume, s: p.s, sess: s, fix: r.Site, seq: r.Seq,
		msg: fmt.Sprintf("%s offers session #%d, which is not resumable: the handshake will be a full one", r.Fn, s.id)}
	switch {
	case s.singleUse != nil:
		f.rule = model.RuleHS13ClientSingleUse
		f.msg = fmt.Sprintf("%s offers session #%d again after a TLS 1.3 resumption with CLIENT caching used it up (seq %d): it is no longer resumable; offer the session of the latest ticket instead", r.Fn, s.id, s.singleUse.Seq)
	case s.ticketless13:
		f.rule = model.RuleSeedTLS13NotResumable
		f.msg = fmt.Sprintf("%s offers session #%d, the session of a full TLS 1.3 handshake before any ticket was read: it has nothing to resume with; take the session after reading the tickets (new_session_cb, or %s after the first SSL_read)", r.Fn, s.id, model.Get1)
	case s.removed != nil:
		f.msg += fmt.Sprintf(" (it was removed from a cache at seq %d)", s.removed.Seq)
	}
	c.add(f)
}

// leaks reports, when a process exits, the references it still owns.
func (c *checker) leaks(p *proc, r *Record) {
	for _, s := range p.sessions {
		if s.dead || s.appRefs == 0 {
			continue
		}
		for _, t := range s.takes {
			f := &finding{rule: model.RuleAppLeakRef, because: t.rule, kind: KindLeak, s: p.s, sess: s, fix: t.site, seq: t.seq,
				msg: fmt.Sprintf("the reference to session #%d taken by %s is still owned when the process exits: it is never given back with SSL_SESSION_free", s.id, t.how)}
			if t.getCopy1 {
				f.rule, f.because = model.RuleCBGetCopy, model.RuleNone
				f.msg = fmt.Sprintf("get_session_cb returned session #%d, which it made with %s, leaving *copy = 1: libssl took its own reference and the callback's is never freed (set *copy = 0 to hand it over)", s.id, t.how)
			}
			c.add(f)
		}
	}
}
