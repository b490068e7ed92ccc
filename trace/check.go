package trace

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/sesslife/sesslife/model"
)

// TLS versions and cache mode bits as libssl numbers them.
const (
	tls13       = 0x0304
	cacheClient = 0x0001
)

// item is one point of the run's timeline: a record, or the return of a
// call or callback (exit).
type item struct {
	seq  uint64
	s    *Stream
	rec  *Record
	exit bool
}

type forkKey struct {
	pid int
	seq uint64
}

// checker follows every stream of a trace in the run's global order.
type checker struct {
	tr       *Trace
	procs    map[*Stream]*proc
	forks    map[forkKey]*proc
	nextID   int
	findings []*finding
	counts   Counts
}

// finding is a Finding before its sites are resolved.
type finding struct {
	rule, because model.Rule
	kind          string
	s             *Stream
	sess          *session
	msg           string
	fix           uint32
	seq           uint64
	skipped       bool
}

// Finding kinds.
const (
	KindUB         = "undefined behaviour"
	KindLeak       = "leak"
	KindNoResume   = "cannot resume"
	KindDisagree   = "model disagrees"
	kindNoExitNote = "no exit"
)

func newChecker(tr *Trace) *checker {
	return &checker{tr: tr, procs: map[*Stream]*proc{}, forks: map[forkKey]*proc{},
		counts: Counts{Calls: map[string]int{}, Callbacks: map[string]int{}, Events: map[string]int{}}}
}

// timeline merges the streams' records in sequence order.
func (c *checker) timeline() []item {
	var items []item
	for _, s := range c.tr.Streams {
		for i := range s.Records {
			r := &s.Records[i]
			items = append(items, item{seq: r.Seq, s: s, rec: r})
			if r.Kind == "call" || r.Kind == "cb" {
				items = append(items, item{seq: max(r.End, r.Seq), s: s, rec: r, exit: true})
			}
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if c := cmp.Compare(a.seq, b.seq); c != 0 {
			return c
		}
		// A call that returned at once has the same seq at both ends:
		// its entry comes first.
		return cmp.Compare(boolInt(a.exit), boolInt(b.exit))
	})
	return items
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (c *checker) proc(s *Stream) *proc {
	if p, ok := c.procs[s]; ok {
		return p
	}
	var p *proc
	if parent, ok := c.forks[forkKey{s.Start.PPid, s.Start.Fork}]; ok && s.Start.Fork != 0 {
		p = parent.fork(s)
	} else {
		p = newProc(s)
	}
	c.procs[s] = p
	return p
}

func (c *checker) run() {
	for _, it := range c.timeline() {
		p := c.proc(it.s)
		r := it.rec
		switch {
		case r.Kind == "call" && !it.exit:
			c.counts.Calls[r.Fn]++
			p.stacks[r.Tid] = append(p.stacks[r.Tid], open{r})
			c.callEnter(p, r)
		case r.Kind == "call":
			p.pop(r)
			c.callExit(p, r)
		case r.Kind == "cb" && !it.exit:
			c.counts.Callbacks[r.CB]++
			p.stacks[r.Tid] = append(p.stacks[r.Tid], open{r})
			c.callbackEnter(p, r)
		case r.Kind == "cb":
			p.pop(r)
			c.callback(p, r)
		default:
			c.counts.Events[r.Kind]++
			c.event(p, r)
		}
	}
	for _, s := range c.tr.Streams {
		if !s.Exited {
			c.counts.NoExit = append(c.counts.NoExit, s.Start.Pid)
		}
	}
}

// pop closes r on its thread (and anything left open above it).
func (p *proc) pop(r *Record) {
	st := p.stacks[r.Tid]
	for i := len(st) - 1; i >= 0; i-- {
		if st[i].rec == r {
			p.stacks[r.Tid] = st[:i]
			return
		}
	}
}

// born starts a new session at ptr.
func (c *checker) born(p *proc, r *Record) *session {
	c.nextID++
	s := &session{id: c.nextID, ptr: r.Sess}
	p.sessions[r.Sess] = s
	what := "created"
	if in := p.inside(r.Tid); in != nil {
		what += " inside " + describe(in)
	}
	s.history = append(s.history, step{Seq: r.Seq, Tid: r.Tid, What: what, site: siteOf(p, r.Tid)})
	return s
}

// siteOf is the call site of the innermost application call open on tid.
func siteOf(p *proc, tid int) uint32 {
	st := p.stacks[tid]
	for i := len(st) - 1; i >= 0; i-- {
		if st[i].rec.Kind == "call" {
			return st[i].rec.Site
		}
	}
	return 0
}

// at returns the session at ptr, making an unknown one (a session whose
// birth the recorder did not see) if needed.
func (c *checker) at(p *proc, ptr uint64, r *Record) *session {
	if s, ok := p.sessions[ptr]; ok {
		return s
	}
	s := c.born(p, &Record{Seq: r.Seq, Tid: r.Tid, Sess: ptr})
	s.history[0].What = "first seen (its creation was not recorded)"
	return s
}

func (c *checker) event(p *proc, r *Record) {
	switch r.Kind {
	case "born":
		c.born(p, r)
	case "dead":
		s := c.at(p, r.Sess, r)
		s.dead = true
		what := "destroyed: its last reference was dropped"
		if in := p.inside(r.Tid); in != nil {
			what += " inside " + describe(in)
		}
		s.history = append(s.history, step{Seq: r.Seq, Tid: r.Tid, What: what, site: siteOf(p, r.Tid)})
	case "fork":
		c.forks[forkKey{p.s.Start.Pid, r.Seq}] = p.fork(nil)
	case "hs":
		c.handshake(p, r)
	case "newsess":
		if r.Sess != 0 {
			s := c.at(p, r.Sess, r)
			s.ticketless13 = false
			s.history = append(s.history, step{Seq: r.Seq, Tid: r.Tid, site: r.Site,
				What: fmt.Sprintf("became SSL %#x's session during %s (a ticket read)", r.SSL, r.Via)})
		}
	case "exit":
		c.leaks(p, r)
	}
}

// handshake follows a completed (or failed) handshake of the application's.
func (c *checker) handshake(p *proc, r *Record) {
	cn := p.conns[r.SSL]
	if cn == nil {
		cn = &conn{ctx: r.Ctx}
		p.conns[r.SSL] = cn
	}
	if r.OK == 0 {
		if cn.offered != nil {
			cn.offered.history = append(cn.offered.history, step{Seq: r.Seq, Tid: r.Tid, site: r.Site,
				What: fmt.Sprintf("offered by SSL %#x, whose handshake failed in %s (SSL_get_error %d)", r.SSL, r.Via, r.Err)})
		}
		return
	}
	if r.Reused != 0 {
		c.counts.Events["resumed"]++
	}
	cur := c.at(p, r.Sess, r)
	off := cn.offered
	what := fmt.Sprintf("%s handshake of SSL %#x completed in %s: TLS %s, %s", side(r.Server), r.SSL, r.Via, version(r.Version), reusedWord(r.Reused))
	if off != nil && off != cur {
		off.history = append(off.history, step{Seq: r.Seq, Tid: r.Tid, site: r.Site, What: "offered: " + what})
	}
	cur.history = append(cur.history, step{Seq: r.Seq, Tid: r.Tid, site: r.Site, What: "the SSL's session after the " + what})
	if r.Server != 0 {
		return
	}
	if r.Version == tls13 && r.Reused == 0 {
		cur.ticketless13 = true
	}
	if off == nil {
		return
	}
	switch {
	case r.Reused != 0 && !cn.offerOK:
		c.add(&finding{rule: model.RuleResumableWhen, kind: KindDisagree, s: p.s, sess: off, fix: r.Site, seq: r.Seq,
			msg: "the handshake resumed a session that was not resumable when it was offered"})
	case r.Reused == 0 && r.Sess == off.ptr && !off.dead:
		c.add(&finding{rule: model.RuleSetMissRelease, kind: KindDisagree, s: p.s, sess: off, fix: r.Site, seq: r.Seq,
			msg: "the offered session was not resumed, yet the client kept it instead of taking a fresh one"})
	}
	if r.Version == tls13 && r.Reused != 0 && r.Mode&cacheClient != 0 {
		st := step{Seq: r.Seq, Tid: r.Tid, site: r.Site, What: "used once by a TLS 1.3 client with CLIENT caching: libssl removes it and marks it not resumable"}
		off.singleUse = &st
		if r.Resumable != nil && *r.Resumable != 0 && r.Sess == off.ptr {
			c.add(&finding{rule: model.RuleHS13ClientSingleUse, kind: KindDisagree, s: p.s, sess: off, fix: r.Site, seq: r.Seq,
				msg: "after a TLS 1.3 resumption with CLIENT caching the session is still resumable"})
		}
	}
}

func side(server int) string {
	if server != 0 {
		return "server"
	}
	return "client"
}

func reusedWord(reused int) string {
	if reused != 0 {
		return "resumed"
	}
	return "full handshake"
}

func version(v int) string {
	switch v {
	case tls13:
		return "1.3"
	case 0x0303:
		return "1.2"
	case 0x0302:
		return "1.1"
	case 0x0301:
		return "1.0"
	}
	return fmt.Sprintf("%#x", v)
}

func (c *checker) add(f *finding) { c.findings = append(c.findings, f) }

// Check follows every session of tr from the application's side and
// returns what it found, with the counts of what it saw.
func Check(tr *Trace) *Report {
	c := newChecker(tr)
	c.run()
	return c.report()
}
