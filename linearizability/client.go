package linearizability

import (
	"math/rand/v2"

	"github.com/sesslife/sesslife/model"
)

// client is one concurrent caller. It owns one client SSL (on its private
// SSL_CTX) and one server SSL (on the shared one), the references in held,
// and its random stream. It tracks only what the model says about its own
// SSLs, which no other client can change, so every call it draws is legal
// whatever the interleaving.
type client struct {
	e      *epoch
	id     int
	rng    *rand.Rand
	cc     model.Handle // the private client SSL_CTX
	c, s   conn
	budget int // handshakes it may still make on the shared server SSL_CTX
	held   []ref
	// owed are the references new_session_cb handed over during the
	// client's calls. Whether a handshake calls it can depend on other
	// clients (a lookup target flushed first), so they are kept apart, out
	// of the client's choices, and freed at tear-down.
	owed []model.Handle
}

// sessKind says where a session comes from, which decides what a client
// may do with it (package doc, "what clients may do").
type sessKind uint8

const (
	clientOwn    sessKind = iota // a client-side session of this client's SSL
	serverOwn                    // a server-side session of this client's SSL, cached in cs only by this client's calls
	twin                         // Y^k: pinned, private, cached nowhere
	lookupTarget                 // X^j: pinned, cached in cs, resumed only by client j
	apiServer                    // Z in cs: pinned, never resumed
	apiClient                    // Z in ca: pinned, never resumed
)

// ref is one reference the client owns, or a session it may name.
type ref struct {
	h     model.Handle
	kind  sessKind
	owner int // lookupTarget: the client that resumes it
}

// phase mirrors the model's SSL phases.
type phase uint8

const (
	before phase = iota
	established
	failed
	reset // SSL_set_session after the handshake: no more I/O (model SET-RESETS-CONNECTION)
)

// conn is what the client knows about one of its SSLs.
type conn struct {
	h       model.Handle
	ctx     model.Handle
	client  bool
	phase   phase
	sent    bool // close_notify sent
	reads   int  // SSL_shutdown calls after close_notify was sent
	hasSess bool // the SSL holds a session (what TLS 1.3 needs to know on a server)
	version model.Version
}

// mayHaveRead reports whether close_notify may have been read, after which
// a fatal alert is not modelled.
func (c *conn) mayHaveRead() bool { return c.sent && c.reads > 0 }

func (e *epoch) newClient(k int, budget int) *client {
	rng := rand.New(rand.NewPCG(e.r.cfg.Seed, uint64(e.id)<<32|uint64(k)))
	c := &client{e: e, id: k, rng: rng, budget: budget}
	cfg := e.clientConfig(rng)
	if c.cc = e.newCtx(cfg); c.cc == 0 {
		return nil
	}
	c.c = conn{ctx: c.cc, client: true}
	c.s = conn{ctx: e.cs}
	if !c.renew(&c.c) || !c.renew(&c.s) {
		return nil
	}
	return c
}

// renew gives the client a fresh SSL in place of s (SSL_new).
func (c *client) renew(s *conn) bool {
	h := c.e.r.create(c.id, c.e.id, model.Op{Kind: model.SSLNew, Ctx: s.ctx})
	*s = conn{h: h, ctx: s.ctx, client: s.client}
	return h != 0
}

// do makes one call and takes the references it hands over.
func (c *client) do(op model.Op) (model.Result, bool) {
	res, ok := c.e.r.apply(c.id, c.e.id, op)
	if ok {
		c.e.own(res, &c.owed)
	}
	return res, ok
}

// classify names the kind of a session the client was handed: a pooled one
// keeps its pool's kind.
func (c *client) classify(h model.Handle, def sessKind) ref {
	for j, x := range c.e.xs {
		if x == h {
			return ref{h: h, kind: lookupTarget, owner: j}
		}
	}
	if h == c.e.ys[c.id] {
		return ref{h: h, kind: twin}
	}
	return ref{h: h, kind: def}
}

// run makes n calls.
func (c *client) run(n int) {
	for range n {
		if c.e.r.stopped() {
			return
		}
		var ok bool
		switch w := c.rng.IntN(100); {
		case w < 50:
			ok = c.connStep()
		case w < 85:
			ok = c.sessionStep()
		default:
			ok = c.ctxStep()
		}
		if !ok {
			return
		}
	}
}

// connStep drives the client's own connection one call further.
func (c *client) connStep() bool {
	if c.c.phase == before && c.s.phase == before {
		if c.rng.IntN(4) == 0 {
			return c.setSession(true)
		}
		if c.budget > 0 {
			return c.handshake()
		}
	}
	x := &c.c
	if c.rng.IntN(2) == 0 {
		x = &c.s
	}
	if x.phase == before {
		// Ready for the next handshake: bring the other SSL there too.
		if x == &c.c {
			x = &c.s
		} else {
			x = &c.c
		}
	}
	choices := []func(*conn) bool{c.get0, c.get1, c.reused, c.clear, c.clear}
	if x.phase == established {
		choices = append(choices, c.shutdown, c.shutdown, c.shutdown)
		if !x.mayHaveRead() {
			choices = append(choices, c.fatal)
		}
		if x.client && x.version == model.TLS13 {
			choices = append(choices, c.readTicket, c.readTicket)
		}
		if x.client {
			choices = append(choices, func(*conn) bool { return c.setSession(false) })
		}
	}
	if c.rng.IntN(12) == 0 {
		choices = []func(*conn) bool{c.free}
	}
	return choices[c.rng.IntN(len(choices))](x)
}

func (c *client) handshake() bool {
	v := model.TLS12
	if !c.s.hasSess && c.rng.IntN(2) == 0 {
		v = model.TLS13
	}
	c.budget--
	if c.e.r.handshakes != nil && !c.e.r.acquire(c.e.r.handshakes) {
		return false
	}
	_, ok := c.do(model.Op{Kind: model.Handshake, SSL: c.c.h, Peer: c.s.h, Arg: int64(v)})
	if c.e.r.handshakes != nil {
		<-c.e.r.handshakes
	}
	if !ok {
		return false
	}
	for _, x := range []*conn{&c.c, &c.s} {
		*x = conn{h: x.h, ctx: x.ctx, client: x.client, phase: established, hasSess: true, version: v}
	}
	return c.untie()
}

// untie gives the session the handshake left on the client's server SSL,
// which cs may cache, an expiry of the client's own: sessions made now all
// expire at the same second, so concurrent handshakes would leave them in
// cs's list in the order their adds happened to run, which no call shows
// until a flush or the tear-down (package doc, "no latent order"). Client
// k's sessions expire csTimeout + (k+1)*mod after now: at the residue of
// sessions made now, later than any flush of cs reaches, and apart from
// every other client's. A lookup target, which the handshake may have
// resumed (whether it did depends on other clients' flushes), keeps its
// expiry (it is never re-timed): then the client's own client-side session
// gets the new timeout instead, in its private cache. Either way the client
// makes the same calls (two get0, one set_timeout), so that its calls
// depend on the seed only, not on the interleaving.
func (c *client) untie() bool {
	srv, ok := c.do(model.Op{Kind: model.Get0, SSL: c.s.h})
	if !ok {
		return false
	}
	cli, ok := c.do(model.Op{Kind: model.Get0, SSL: c.c.h})
	if !ok {
		return false
	}
	h := model.Handle(srv.Ret)
	if h <= 0 || h == c.e.xs[c.id] {
		h = model.Handle(cli.Ret)
	}
	if h <= 0 {
		return true // an established SSL holds a session: not reached
	}
	_, ok = c.do(model.Op{Kind: model.SetTimeout, Sess: h, Arg: c.e.csTimeout() + int64(c.id+1)*c.e.mod})
	return ok
}

// setSession gives the client SSL a session to offer: its twin, one it
// holds, or (before a handshake only) NULL.
func (c *client) setSession(nullOK bool) bool {
	var pick []model.Handle
	if y := c.e.ys[c.id]; y != 0 {
		pick = append(pick, y, y)
	}
	for _, r := range c.held {
		if r.kind == clientOwn || r.kind == twin {
			pick = append(pick, r.h)
		}
	}
	var s model.Handle
	if len(pick) > 0 && (!nullOK || c.rng.IntN(5) != 0) {
		s = pick[c.rng.IntN(len(pick))]
	}
	if s == 0 && !nullOK {
		return c.get0(&c.c)
	}
	if _, ok := c.do(model.Op{Kind: model.SetSession, SSL: c.c.h, Sess: s}); !ok {
		return false
	}
	c.c.hasSess = s != 0
	if c.c.phase == established {
		c.c.phase = reset
	}
	return true
}

func (c *client) get0(x *conn) bool {
	_, ok := c.do(model.Op{Kind: model.Get0, SSL: x.h})
	return ok
}

func (c *client) get1(x *conn) bool {
	res, ok := c.do(model.Op{Kind: model.Get1, SSL: x.h})
	if ok && res.Ret != 0 {
		kind := clientOwn
		if !x.client {
			kind = serverOwn
		}
		c.held = append(c.held, c.classify(model.Handle(res.Ret), kind))
	}
	return ok
}

func (c *client) reused(x *conn) bool {
	_, ok := c.do(model.Op{Kind: model.SessionReused, SSL: x.h})
	return ok
}

func (c *client) shutdown(x *conn) bool {
	if _, ok := c.do(model.Op{Kind: model.Shutdown, SSL: x.h}); !ok {
		return false
	}
	if x.sent {
		x.reads++
	}
	x.sent = true
	return true
}

func (c *client) fatal(x *conn) bool {
	if _, ok := c.do(model.Op{Kind: model.FatalAlert, SSL: x.h}); !ok {
		return false
	}
	x.phase = failed
	return true
}

func (c *client) readTicket(x *conn) bool {
	_, ok := c.do(model.Op{Kind: model.ReadTicket, SSL: x.h})
	return ok
}

// clear is SSL_clear: a connection dropped without close_notify loses its
// session (the bad-session rule).
func (c *client) clear(x *conn) bool {
	if _, ok := c.do(model.Op{Kind: model.SSLClear, SSL: x.h}); !ok {
		return false
	}
	if (x.phase == established || x.phase == reset) && !x.sent {
		x.hasSess = false
	}
	*x = conn{h: x.h, ctx: x.ctx, client: x.client, hasSess: x.hasSess}
	return true
}

// free replaces the SSL by a new one (SSL_free, SSL_new).
func (c *client) free(x *conn) bool {
	if _, ok := c.do(model.Op{Kind: model.SSLFree, SSL: x.h}); !ok {
		return false
	}
	return c.renew(x)
}
