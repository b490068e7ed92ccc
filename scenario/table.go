package scenario

import (
	"fmt"
	"strings"

	"github.com/sesslife/sesslife/model"
)

// row is one line of the state table: an object (or the clock) and how it
// stands.
type row struct {
	key   string // the handle name, or "clock"
	label string // the handle with its variables
	text  string
	dead  bool // freed or destroyed
}

// snapshot is the state table at one moment, with the application's
// reference counts by session handle.
type snapshot struct {
	rows      []row
	appRefs   []int
	resumable []bool
	unnamed   int // model.State.UnnamedAppRefs
}

// snapshot renders the whole universe.
func (r *runner) snapshot() snapshot {
	var s snapshot
	s.rows = append(s.rows, row{key: "clock", label: "clock", text: "now " + r.clock(r.st.Now())})
	ssls := r.st.SSLs()
	for _, c := range r.st.Ctxs() {
		s.rows = append(s.rows, r.ctxRow(c, ssls))
	}
	for _, l := range ssls {
		s.rows = append(s.rows, r.sslRow(l))
	}
	for _, v := range r.st.Sessions() {
		s.rows = append(s.rows, r.sessRow(v))
		s.appRefs = append(s.appRefs, v.AppRefs)
		s.resumable = append(s.resumable, v.Alive && v.Resumable)
	}
	s.unnamed = r.st.UnnamedAppRefs()
	return s
}

func (r *runner) ctxRow(c model.CtxView, ssls []model.SSLView) row {
	rw := row{key: model.CtxName(c.Ctx), label: r.label(ArgCtx, c.Ctx)}
	if !c.Alive {
		rw.text, rw.dead = "destroyed", true
		return rw
	}
	var parts []string
	if !c.AppHeld {
		users := 0
		for _, l := range ssls {
			if l.Alive && (l.Ctx == c.Ctx || l.Cur == c.Ctx) {
				users++
			}
		}
		parts = append(parts, fmt.Sprintf("freed by the application, still used by %d SSL%s", users, plural(users)))
	}
	cfg := fmt.Sprintf("%s mode=%s size=%d timeout=%d", c.Side, c.Mode, c.CacheSize, c.Timeout)
	if c.Side == model.Server {
		cfg += fmt.Sprintf(" tickets=%d", c.NumTickets)
	}
	if c.Options&model.OptNoTicket != 0 {
		cfg += " no_ticket"
	}
	if c.Options&model.OptNoAntiReplay != 0 {
		cfg += " no_anti_replay"
	}
	if c.SidCtx != model.SidCtxEmpty {
		cfg += fmt.Sprintf(" sid_ctx=%d", c.SidCtx)
	}
	switch c.Config.NewCB {
	case model.NewCBReturn0:
		cfg += " new_cb=0"
	case model.NewCBReturn1:
		cfg += " new_cb=1"
	}
	if c.Config.RemoveCB {
		cfg += " remove_cb"
	}
	switch c.Config.GetCB {
	case model.GetCBCopy1:
		cfg += " get_cb=1"
	case model.GetCBCopy0:
		cfg += " get_cb=0"
	case model.GetCBFresh1:
		cfg += " get_cb=d2i1"
	case model.GetCBFresh0:
		cfg += " get_cb=d2i0"
	}
	parts = append(parts, cfg)
	cached := make([]string, len(c.Cached))
	for i, h := range c.Cached {
		cached[i] = r.label(ArgSess, h)
		if h == model.Unnamed {
			cached[i] = fmt.Sprintf("(unseen, refs %d)", c.CachedRefs[i])
		}
	}
	parts = append(parts, "cache ["+strings.Join(cached, ", ")+"]")
	if c.Config.GetCB != model.GetCBNone {
		stored := make([]string, len(c.Store))
		for i, e := range c.Store {
			stored[i] = r.label(ArgSess, e.Sess)
			if e.Bytes {
				stored[i] = "i2d bytes"
			} else if !e.Owned {
				stored[i] += " (handed over)"
			}
		}
		parts = append(parts, "store ["+strings.Join(stored, ", ")+"]")
	}
	var counters []string
	for _, n := range []struct {
		name string
		v    int64
	}{{"hits", c.Hits}, {"misses", c.Misses}, {"timeouts", c.Timeouts}, {"cache_full", c.CacheFull}} {
		if n.v != 0 {
			counters = append(counters, fmt.Sprintf("%s=%d", n.name, n.v))
		}
	}
	if len(counters) > 0 {
		parts = append(parts, strings.Join(counters, " "))
	}
	rw.text = strings.Join(parts, "  ")
	return rw
}

func (r *runner) sslRow(l model.SSLView) row {
	rw := row{key: model.SSLName(l.SSL), label: r.label(ArgSSL, l.SSL)}
	if !l.Alive {
		rw.text, rw.dead = "freed", true
		return rw
	}
	side := "server"
	if l.Client {
		side = "client"
	}
	parts := []string{side + " of " + r.label(ArgCtx, l.Ctx)}
	if l.Cur != 0 {
		parts[0] += " (now " + r.label(ArgCtx, l.Cur) + ")"
	}
	switch l.Phase {
	case model.PhaseBefore:
		parts = append(parts, "not connected")
	case model.PhaseEstablished:
		conn := "established " + l.Version.String()
		if l.Reused {
			conn += ", resumed"
		}
		parts = append(parts, conn)
	case model.PhaseHello:
		conn := "half way through a " + l.Version.String() + " handshake"
		if l.Reused {
			conn += ", resuming"
		}
		parts = append(parts, conn)
	default:
		parts = append(parts, "failed (fatal alert)")
	}
	parts = append(parts, r.ownSettings(l)...)
	if l.Sess == 0 {
		parts = append(parts, "no session")
	} else {
		parts = append(parts, "session "+r.label(ArgSess, l.Sess))
	}
	switch {
	case l.SentShutdown && l.ReceivedShutdown:
		parts = append(parts, "close_notify sent and received")
	case l.SentShutdown:
		parts = append(parts, "close_notify sent")
	case l.ReceivedShutdown:
		parts = append(parts, "close_notify received")
	}
	if l.PendingTickets > 0 {
		parts = append(parts, fmt.Sprintf("%d ticket%s waiting", l.PendingTickets, plural(l.PendingTickets)))
	}
	rw.text = strings.Join(parts, "  ")
	return rw
}

// ownSettings lists the settings an SSL holds that differ from its
// SSL_CTX's now (SSL_new copied them; either may have changed since).
func (r *runner) ownSettings(l model.SSLView) []string {
	c := r.st.Ctxs()[l.Ctx-1]
	var out []string
	if d := l.Options ^ c.Options; d != 0 {
		out = append(out, "options "+l.Options.String())
	}
	if !l.Client && l.NumTickets != c.NumTickets {
		out = append(out, fmt.Sprintf("tickets=%d", l.NumTickets))
	}
	if l.SidCtx != c.SidCtx {
		out = append(out, fmt.Sprintf("sid_ctx=%d", l.SidCtx))
	}
	return out
}

func (r *runner) sessRow(v model.SessView) row {
	rw := row{key: model.SessName(v.Sess), label: r.label(ArgSess, v.Sess)}
	if !v.Alive {
		rw.text, rw.dead = "destroyed", true
		return rw
	}
	resumable := "not resumable"
	if v.Resumable {
		resumable = "resumable"
	}
	kind := v.Version.String()
	switch {
	case v.IDLen > 0 && v.HasTicket:
		kind += " id+ticket"
	case v.IDLen > 0:
		kind += " id"
	case v.HasTicket:
		kind += " ticket"
	default:
		kind += " no id"
	}
	cached := "not cached"
	if v.Owner != 0 {
		cached = "cached in " + r.label(ArgCtx, v.Owner)
	}
	parts := []string{
		fmt.Sprintf("refs %d (app %d)", v.Refs, v.AppRefs), resumable, kind, cached,
		fmt.Sprintf("time %s timeout %d (valid until %s)", r.clock(v.Time), v.Timeout, r.clock(v.Time+v.Timeout)),
	}
	if v.SidCtx != model.SidCtxEmpty {
		parts = append(parts, fmt.Sprintf("sid_ctx=%d", v.SidCtx))
	}
	rw.text = strings.Join(parts, "  ")
	return rw
}

// changes prints the rows that differ from before: + for a new object,
// - for one freed or destroyed, ~ for one that changed.
func (r *runner) changes(before snapshot) {
	after := r.snapshot()
	var show []row
	var marks []string
	for i, m := range changeMarks(before, after) {
		if m != "" {
			show = append(show, after.rows[i])
			marks = append(marks, m)
		}
	}
	r.table(show, marks)
}

// table prints rows with their labels in one column.
func (r *runner) table(rows []row, marks []string) {
	width := 0
	for _, rw := range rows {
		width = max(width, len(rw.label))
	}
	for i, rw := range rows {
		r.out.printf("    %s %-*s  %s\n", marks[i], width, rw.label, rw.text)
	}
}

// finish prints the live objects, the leaks and the verdict.
func (r *runner) finish() {
	r.out.printf("\nstate at the end:\n")
	var live []row
	var marks []string
	for _, rw := range r.snapshot().rows {
		if !rw.dead {
			live = append(live, rw)
			marks = append(marks, " ")
		}
	}
	r.table(live, marks)
	r.leaks()
	if len(r.report.Leaks) > 0 {
		r.out.printf("\nleaks:\n")
		for _, l := range r.report.Leaks {
			r.out.printf("    %s: %s\n", l.Object, l.Msg)
		}
	}
	r.printNotSent()
	r.out.printf("\nverdict: %s\n", r.report.Verdict())
}
