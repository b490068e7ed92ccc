package linearizability

import (
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/sesslife/sesslife/model"
)

// epoch is one universe of a run: its SSL_CTXs, the harness's SSLs and
// pinned sessions, and the clients. The harness goroutine owns it, except
// that clients read the fields set up before the concurrent phases.
type epoch struct {
	r   *runner
	id  int
	rng *rand.Rand
	now int64 // the clock, frozen for the whole universe

	ch, cs, ca model.Handle // harness client SSL_CTX, shared server SSL_CTX, API-only SSL_CTX
	csCfg      model.CtxConfig
	cfgs       map[model.Handle]model.CtxConfig
	hc, hs     model.Handle // the harness's client and server SSLs

	xs   []model.Handle // lookup targets in cs: X^k, resumed only by client k
	ys   []model.Handle // their client-side twins: Y^k, private to client k
	zs   []model.Handle // API pool homed in cs: never resumed
	za   []model.Handle // API pool homed in ca: client-side twins of zs
	pins []model.Handle // references the harness holds until tear-down

	// mod spaces expiry times so that no two pooled sessions of one cache
	// ever expire at the same second (package doc, "no latent order"):
	// zs[i] and za[i] expire at i modulo mod, xs[k] at len(zs)+k, sessions
	// made now at mod-1.
	mod int64

	clients []*client
}

// harness is the client number of the harness's own calls.
func (e *epoch) harness() int { return e.r.cfg.Clients }

// call makes one sequential harness call; it returns the result and
// whether the call was made and answered.
func (e *epoch) call(op model.Op) (model.Result, bool) {
	res, ok := e.r.apply(e.harness(), e.id, op)
	if ok {
		e.own(res, &e.pins)
	}
	return res, ok
}

// own takes the references new_session_cb hands over when it returns 1:
// whoever made the call owns them (the callback ran on its thread).
func (e *epoch) own(res model.Result, into *[]model.Handle) {
	for _, ev := range res.Events {
		if ev.Kind == model.EvNewSession && e.cfgs[ev.Ctx].NewCB == model.NewCBReturn1 {
			*into = append(*into, ev.Sess)
		}
	}
}

// epoch runs universe id: set-up, the rounds with their barriers, and
// tear-down. It gives up as soon as the run has stopped.
func (r *runner) epoch(id int) {
	e := &epoch{r: r, id: id, cfgs: map[model.Handle]model.CtxConfig{},
		rng: rand.New(rand.NewPCG(r.cfg.Seed, uint64(id)<<32|0xffff_ffff))}
	r.begin(id)
	if id > 0 {
		// Time passes only here, between universes: see the package doc.
		d := 1 + e.rng.Int64N(600)
		if _, ok := e.call(model.Op{Kind: model.Tick, Arg: d}); !ok {
			return
		}
		r.clock += d
	}
	e.now = r.clock
	if !e.setup() {
		return
	}
	for round := 0; round < r.cfg.Rounds && !r.stopped(); round++ {
		r.round(e.clients, r.cfg.CallsPerRound)
		e.barrier(round == r.cfg.Rounds-1)
	}
	e.teardown()
}

// newCtx makes an SSL_CTX; 0 when the call failed.
func (e *epoch) newCtx(cfg model.CtxConfig) model.Handle {
	h := e.r.create(e.harness(), e.id, model.Op{Kind: model.CtxNew, Config: cfg})
	if h != 0 {
		e.cfgs[h] = cfg
	}
	return h
}

// setup makes the SSL_CTXs and SSLs and seeds the pools. It reports false
// when the run stopped.
func (e *epoch) setup() bool {
	nz := max(2, e.r.cfg.Clients/2)
	e.mod = int64(nz + e.r.cfg.Clients + 1)
	e.ch = e.newCtx(model.CtxConfig{Side: model.Client, CacheMode: model.CacheOff, CacheSize: -1, NumTickets: -1, NoTicket: true})
	e.csCfg = e.serverConfig()
	e.cs = e.newCtx(e.csCfg)
	e.ca = e.newCtx(e.apiConfig())
	if e.ch == 0 || e.cs == 0 || e.ca == 0 {
		return false
	}
	e.hc = e.r.create(e.harness(), e.id, model.Op{Kind: model.SSLNew, Ctx: e.ch})
	e.hs = e.r.create(e.harness(), e.id, model.Op{Kind: model.SSLNew, Ctx: e.cs})
	if e.hs == 0 {
		return false
	}
	for k := range e.r.cfg.Clients + nz {
		twin, srv, ok := e.seed()
		if !ok {
			return false
		}
		if twin == 0 || srv == 0 {
			e.r.fail("set-up of universe %d: a TLS 1.2 handshake left an SSL without a session", e.id)
			return false
		}
		if k < e.r.cfg.Clients {
			e.ys, e.xs = append(e.ys, twin), append(e.xs, srv)
			// Unexpired now, but flushable by a flush at a time before the
			// expiry of sessions made now (package doc), at its own second.
			e.call(model.Op{Kind: model.SetTimeout, Sess: srv, Arg: e.csTimeout() - int64(e.r.cfg.Clients-k)})
			continue
		}
		i := len(e.zs)
		e.zs, e.za = append(e.zs, srv), append(e.za, twin)
		for _, z := range []model.Handle{srv, twin} {
			e.call(model.Op{Kind: model.SetTimeout, Sess: z, Arg: e.zTimeout(i, e.rng)})
			e.call(model.Op{Kind: model.SetTime, Sess: z, Arg: e.zTime(e.rng)})
		}
		if e.rng.IntN(2) == 0 {
			e.call(model.Op{Kind: model.AddSession, Ctx: e.ca, Sess: twin})
		}
	}
	budget := (autoFlushBudget - e.r.cfg.Clients - nz) / e.r.cfg.Clients
	for k := range e.r.cfg.Clients {
		c := e.newClient(k, budget)
		if c == nil {
			return false
		}
		e.clients = append(e.clients, c)
	}
	return !e.r.stopped()
}

// autoFlushBudget bounds the handshakes on the shared server SSL_CTX in one
// universe: below 255 its automatic flush never runs (which handshake
// triggers it depends on a counter read outside any lock).
const autoFlushBudget = 250

// seed runs one TLS 1.2 full handshake between the harness's SSLs and pins
// both sessions: the client's (uncached anywhere, as ch caches nothing) and
// the server's (cached in cs). A zero handle means the SSL had no session.
func (e *epoch) seed() (twin, srv model.Handle, ok bool) {
	steps := []model.Op{
		{Kind: model.SetSession, SSL: e.hc},
		{Kind: model.Handshake, SSL: e.hc, Peer: e.hs, Arg: int64(model.TLS12)},
		{Kind: model.Get1, SSL: e.hc},
		{Kind: model.Get1, SSL: e.hs},
		{Kind: model.Shutdown, SSL: e.hc},
		{Kind: model.Shutdown, SSL: e.hs},
		{Kind: model.Shutdown, SSL: e.hc},
		{Kind: model.SSLClear, SSL: e.hc},
		{Kind: model.SSLClear, SSL: e.hs},
	}
	for i, op := range steps {
		res, ok := e.call(op)
		if !ok {
			return 0, 0, false
		}
		switch i {
		case 2:
			twin = model.Handle(res.Ret)
		case 3:
			srv = model.Handle(res.Ret)
		}
	}
	for _, h := range []model.Handle{twin, srv} {
		if h != 0 {
			e.pins = append(e.pins, h)
		}
	}
	return twin, srv, true
}

func (e *epoch) csTimeout() int64 { return e.csCfg.Timeout }

// zTime draws a time for a pooled API session: a multiple of mod, from two
// session lifetimes ago to one ahead.
func (e *epoch) zTime(rng *rand.Rand) int64 {
	T := e.csTimeout()
	t := max(0, e.now-2*T+rng.Int64N(3*T))
	return t - t%e.mod
}

// zTimeout draws a timeout for the i-th pooled API session pair: i modulo
// mod, so that with a zTime its expiry falls at i modulo mod.
func (e *epoch) zTimeout(i int, rng *rand.Rand) int64 {
	t := e.mod + rng.Int64N(2*e.csTimeout())
	return t - t%e.mod + int64(i)
}

// barrier runs between rounds, with every client idle: it observes the
// target and makes the calls that must not overlap others.
func (e *epoch) barrier(last bool) {
	e.r.observe(e.id)
	if last {
		return
	}
	e.call(model.Op{Kind: model.SetCacheSize, Ctx: e.ca, Arg: 2 + e.rng.Int64N(5)})
	for _, x := range e.xs {
		if x != 0 && e.rng.IntN(2) == 0 {
			e.call(model.Op{Kind: model.AddSession, Ctx: e.cs, Sess: x})
		}
	}
}

// teardown frees everything the universe holds, so that the model can
// predict every destruction, and observes the result. Sessions still cached
// in the shared SSL_CTXs are taken out one by one in handle order before
// those SSL_CTXs are freed: freeing an SSL_CTX flushes its cache in list
// order, and among sessions that expire at the same second that order is
// the order concurrent calls linked them in, which no call showed.
func (e *epoch) teardown() {
	for _, c := range e.clients {
		for _, ref := range c.held {
			e.call(model.Op{Kind: model.SessFree, Sess: ref.h})
		}
		for _, h := range c.owed {
			e.call(model.Op{Kind: model.SessFree, Sess: h})
		}
		c.held, c.owed = nil, nil
		for _, s := range []*conn{&c.c, &c.s} {
			if s.h != 0 {
				e.call(model.Op{Kind: model.SSLFree, SSL: s.h})
			}
		}
	}
	for _, h := range []model.Handle{e.hc, e.hs} {
		if h != 0 {
			e.call(model.Op{Kind: model.SSLFree, SSL: h})
		}
	}
	if live, ok := e.r.observe(e.id); ok {
		// Pin every live named session first: taking one out of a cache
		// may destroy another (the twin cached under the same id).
		var named []model.Handle
		for _, s := range live.Sessions {
			if e.r.owns(e.id, s.Sess) {
				named = append(named, s.Sess)
			}
		}
		for _, h := range named {
			if _, ok := e.call(model.Op{Kind: model.UpRef, Sess: h}); ok {
				e.pins = append(e.pins, h)
			}
		}
		for _, h := range named {
			e.call(model.Op{Kind: model.RemoveSession, Ctx: e.cs, Sess: h})
		}
		for _, h := range e.za {
			e.call(model.Op{Kind: model.RemoveSession, Ctx: e.ca, Sess: h})
		}
	}
	// Freeing a pin hands no reference over, so the list is stable.
	for _, h := range e.pins {
		e.call(model.Op{Kind: model.SessFree, Sess: h})
	}
	e.pins = nil
	for _, h := range slices.Sorted(maps.Keys(e.cfgs)) {
		e.call(model.Op{Kind: model.CtxFree, Ctx: h})
	}
	e.r.observe(e.id)
}

// serverConfig draws the shared server SSL_CTX: a server-side cache with no
// size limit and at most one cached session per TLS 1.3 handshake, so that
// every handshake touches the shared cache at most once (package doc).
func (e *epoch) serverConfig() model.CtxConfig {
	c := model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: 0,
		Timeout: 120 + e.rng.Int64N(1000), NoTicket: e.rng.IntN(3) == 0,
		NewCB: model.NewSessionCB(e.rng.IntN(3)), RemoveCB: true}
	// Sessions made now expire at mod-1 modulo mod.
	c.Timeout += (e.mod - 1 - (e.now+c.Timeout)%e.mod + e.mod) % e.mod
	if e.rng.IntN(2) == 0 {
		c.CacheMode |= model.CacheNoAutoClear
	}
	if c.RemoveCB || c.NoTicket {
		c.NumTickets = int64(e.rng.IntN(4)+1) / 2 // 0 or 1, mostly 1
	} else {
		c.NumTickets = int64(e.rng.IntN(4))
	}
	return c
}

// apiConfig draws the SSL_CTX that no handshake uses: a small cache, so
// that concurrent adds evict.
func (e *epoch) apiConfig() model.CtxConfig {
	return model.CtxConfig{Side: model.Server, CacheMode: model.CacheServer, CacheSize: 2 + e.rng.Int64N(4),
		Timeout: 300, NumTickets: -1, RemoveCB: true}
}

// clientConfig draws a client's private SSL_CTX. It always caches on the
// client side with a new_session_cb, so that whether a TLS 1.2 handshake
// resumed shows in the handshake's own events (new_session_cb after a full
// handshake, none after a resumption): another client can take the lookup
// target out of cs while the handshake runs, and an outcome that showed
// only later would leave porcupine to try every order of everything in
// between.
func (e *epoch) clientConfig(rng *rand.Rand) model.CtxConfig {
	modes := []model.CacheMode{model.CacheClient, model.CacheClient | model.CacheNoAutoClear}
	sizes := []int64{-1, 0, 2, 3, 5}
	return model.CtxConfig{Side: model.Client, CacheMode: modes[rng.IntN(len(modes))],
		CacheSize: sizes[rng.IntN(len(sizes))], Timeout: []int64{0, 60, 600}[rng.IntN(3)], NumTickets: -1,
		NoTicket: rng.IntN(2) == 0, NewCB: model.NewSessionCB(1 + rng.IntN(2)), RemoveCB: rng.IntN(2) == 0}
}
