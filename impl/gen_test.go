package impl

import (
	"math/rand/v2"

	"github.com/sesslife/sesslife/model"
)

// gen draws legal random calls for the differential test: it proposes calls
// on live objects, biased toward the interesting ones, and keeps those
// model.State.Check accepts. Throwaway: the real generator lives in
// properties/.
type gen struct {
	r       *rand.Rand
	st      *model.State
	weights [64]int // by Kind
	total   int
	ctxSide []model.Side   // by ctx handle-1
	sslCtx  []model.Handle // by ssl handle-1
	plan    []model.Op     // calls queued by a scenario, each still checked when its turn comes
}

// resumePlan, as a key of a callMix, weighs the scenario that makes
// resumption likely: a handshake, tickets read, both ends shut down and
// cleared, and a second handshake between the same SSLs.
const resumePlan = model.KindInvalid

// callMix is the relative frequency of each call kind.
type callMix map[model.Kind]int

// everyday is the default mix: handshakes, tickets, get/free, cache calls
// and clock ticks.
var everyday = callMix{
	model.CtxNew: 1, model.CtxFree: 1, model.SSLNew: 4, model.SSLFree: 2, model.SSLClear: 6,
	model.Shutdown: 4, model.FatalAlert: 1, model.Handshake: 14, model.ReadTicket: 6,
	model.Get0: 3, model.Get1: 4, model.UpRef: 1, model.SessFree: 4, model.SetSession: 5,
	model.SessionReused: 1, model.IsResumable: 1, model.SetTime: 2, model.SetTimeout: 2,
	model.GetTime: 1, model.GetTimeout: 1, model.CtxSetTimeout: 1, model.SetCacheSize: 1,
	model.AddSession: 4, model.RemoveSession: 2, model.Flush: 2, model.SessNumber: 1,
	model.SessHits: 1, model.SessMisses: 1, model.SessTimeouts: 1, model.SessCacheFull: 1,
	model.Tick: 4, resumePlan: 4,
	model.SessConnect: 1, model.SessConnectGood: 1, model.SessAccept: 1, model.SessAcceptGood: 1,
	model.SessCbHits: 1, model.HasMatchingSessionID: 2,
	model.CtxSetCacheMode: 1, model.CtxSetOptions: 1, model.CtxClearOptions: 1, model.SetOptions: 1,
	model.ClearOptions: 1, model.CtxSetNumTickets: 1, model.SetNumTickets: 1,
	model.RoundTrip: 2, model.SessDup: 1, model.SessNew: 1, model.CopySessionID: 1,
	model.SetQuietShutdown: 1, model.SetShutdown: 1, model.GetShutdown: 1, model.ReadAlert: 1,
	model.CtxSetMaxEarlyData: 1, model.SetMaxEarlyData: 1,
	model.CtxSetSidCtx: 1, model.SetSidCtx: 1, model.SessSetSidCtx: 1,
	model.ClientHello:         4,
	model.SetSSLCtx:           3,
	model.CtxSetServernameCtx: 2,
}

// handshakeHeavy drives many handshakes through few objects, to reach the
// automatic flush of every 256th handshake.
var handshakeHeavy = callMix{
	model.Handshake: 30, model.SSLClear: 8, model.Shutdown: 4, model.ReadTicket: 6,
	model.SetSession: 4, model.Get1: 2, model.SessFree: 2, model.Tick: 4,
	model.SSLNew: 1, model.SSLFree: 1, resumePlan: 20,
}

func newGen(seed uint64, mix callMix) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, 0x5e551)), st: model.New(model.OpenSSL30())}
	for k, w := range mix {
		g.weights[k] = w
		g.total += w
	}
	return g
}

// setup returns the calls that start a sequence: two to four SSL_CTXs of
// both sides with varied configurations, and a few SSLs on them.
func (g *gen) setup() []model.Op {
	var ops []model.Op
	n := 2 + g.r.IntN(3)
	for i := range n {
		side := model.Side(i % 2)
		if i >= 2 {
			side = model.Side(g.r.IntN(2))
		}
		ops = append(ops, g.ctxNew(side))
	}
	for range 3 + g.r.IntN(4) {
		ops = append(ops, model.Op{Kind: model.SSLNew, SSL: model.Handle(len(g.sslCtx) + 1),
			Ctx: model.Handle(1 + g.r.IntN(len(g.ctxSide)))})
		g.sslCtx = append(g.sslCtx, ops[len(ops)-1].Ctx)
	}
	return ops
}

func (g *gen) ctxNew(side model.Side) model.Op {
	cfg := model.CtxConfig{Side: side, CacheSize: -1, NumTickets: -1,
		NoTicket: g.r.IntN(3) == 0, NewCB: model.NewSessionCB(g.r.IntN(3)), RemoveCB: g.r.IntN(2) == 0}
	if g.r.IntN(4) == 0 {
		cfg.DefaultMode = true
	} else {
		for _, b := range []model.CacheMode{model.CacheClient, model.CacheServer, model.CacheNoAutoClear,
			model.CacheNoInternalLookup, model.CacheNoInternalStore} {
			if g.r.IntN(3) == 0 || (b <= model.CacheServer && g.r.IntN(2) == 0) {
				cfg.CacheMode |= b
			}
		}
	}
	if g.r.IntN(4) != 0 {
		cfg.CacheSize = int64(g.r.IntN(5))
	}
	if g.r.IntN(5) != 0 {
		cfg.Timeout = 1 + int64(g.r.IntN(50))
	}
	if g.r.IntN(4) != 0 {
		cfg.NumTickets = int64(g.r.IntN(4))
	}
	if side == model.Server && g.r.IntN(4) == 0 {
		// An external cache (CB-EXT-STORE), filled by new_session_cb.
		cfg.NewCB, cfg.GetCB = model.NewCBReturn1, model.GetSessionCB(1+g.r.IntN(2))
	}
	g.ctxSide = append(g.ctxSide, side)
	return model.Op{Kind: model.CtxNew, Ctx: model.Handle(len(g.ctxSide)), Config: cfg}
}

// next returns a legal call for the current state, or false if none was
// found in a bounded number of tries. The caller steps the model with it.
func (g *gen) next() (model.Op, bool) {
	for len(g.plan) > 0 {
		op := g.plan[0]
		g.plan = g.plan[1:]
		if g.st.Check(op) == nil {
			return op, true
		}
	}
	ob := g.st.Observe()
	for range 64 {
		op := g.propose(ob)
		if op.Kind == model.KindInvalid || g.st.Check(op) != nil {
			continue
		}
		switch op.Kind {
		case model.CtxNew:
			g.ctxSide = append(g.ctxSide, op.Config.Side)
		case model.SSLNew:
			g.sslCtx = append(g.sslCtx, op.Ctx)
		}
		return op, true
	}
	return model.Op{}, false
}

func (g *gen) kind() model.Kind {
	n := g.r.IntN(g.total)
	for k, w := range g.weights {
		if n < w {
			return model.Kind(k)
		}
		n -= w
	}
	return model.Tick
}

func (g *gen) propose(ob model.Observation) model.Op {
	k := g.kind()
	op := model.Op{Kind: k}
	now := g.st.Now()
	switch k {
	case resumePlan:
		c, s := g.pickSSL(ob, model.Client), g.pickSSL(ob, model.Server)
		v, v2 := g.version(), g.version()
		if g.r.IntN(4) != 0 {
			v2 = v
		}
		g.plan = []model.Op{
			{Kind: model.ReadTicket, SSL: c}, {Kind: model.ReadTicket, SSL: c},
			{Kind: model.Shutdown, SSL: c}, {Kind: model.Shutdown, SSL: s},
			{Kind: model.SSLClear, SSL: c}, {Kind: model.SSLClear, SSL: s},
			{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(v2)},
		}
		return model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(v)}
	case model.ClientHello:
		return g.overlap(ob)
	case model.CtxNew:
		if len(ob.Ctxs) >= 4 {
			return model.Op{}
		}
		op = g.ctxNew(model.Side(g.r.IntN(2)))
		g.ctxSide = g.ctxSide[:len(g.ctxSide)-1] // recorded once accepted
	case model.SSLNew:
		if len(ob.SSLs) >= 8 {
			return model.Op{}
		}
		op.SSL, op.Ctx = g.st.NextSSL(), pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
	case model.CtxFree, model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull,
		model.SessConnect, model.SessConnectGood, model.SessAccept, model.SessAcceptGood, model.SessCbHits:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
	case model.CtxSetCacheMode:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		op.Arg = int64([]model.CacheMode{model.CacheOff, model.CacheServer, model.CacheClient,
			model.CacheClient | model.CacheServer, model.CacheServer | model.CacheNoInternalStore}[g.r.IntN(5)])
	case model.CtxSetOptions, model.CtxClearOptions, model.CtxSetNumTickets:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		op.Arg = int64([]model.Options{model.OptNoTicket, model.OptNoAntiReplay, 0}[g.r.IntN(3)])
		if k == model.CtxSetNumTickets {
			op.Arg = int64(g.r.IntN(4))
		}
	case model.SetOptions, model.ClearOptions, model.SetNumTickets:
		op.SSL = g.pickSSL(ob, anySide)
		op.Arg = int64([]model.Options{model.OptNoTicket, model.OptNoAntiReplay, 0}[g.r.IntN(3)])
		if k == model.SetNumTickets {
			op.Arg = int64(g.r.IntN(4))
		}
	case model.CtxSetMaxEarlyData:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		op.Arg = int64(g.r.IntN(2)) * 16384
	case model.SetMaxEarlyData:
		op.SSL = g.pickSSL(ob, anySide)
		op.Arg = int64(g.r.IntN(2)) * 16384
	case model.SetQuietShutdown, model.SetShutdown, model.GetShutdown, model.ReadAlert:
		op.SSL = g.pickSSL(ob, anySide)
		op.Arg = int64(g.r.IntN(2))
		if k == model.SetShutdown {
			op.Arg = int64(g.r.IntN(4))
		} else if k != model.SetQuietShutdown {
			op.Arg = 0
		}
	case model.SetSSLCtx:
		op.SSL = g.pickSSL(ob, model.Server)
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
	case model.CtxSetServernameCtx:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		if g.r.IntN(5) != 0 {
			op.Arg = int64(pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx }))
		}
	case model.CtxSetSidCtx:
		op.Ctx, op.Arg = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx }), int64(g.r.IntN(5))
	case model.SetSidCtx:
		op.SSL, op.Arg = g.pickSSL(ob, model.Server), int64(g.r.IntN(5))
	case model.SessSetSidCtx:
		op.Sess, op.Arg = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess }), int64(g.r.IntN(5))
	case model.HasMatchingSessionID:
		op.SSL = g.pickSSL(ob, anySide)
		op.Sess = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess })
	case model.CtxSetTimeout:
		op.Ctx, op.Arg = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx }), int64(g.r.IntN(51))
	case model.SetCacheSize:
		op.Ctx, op.Arg = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx }), int64(g.r.IntN(5))
	case model.Flush:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		if g.r.IntN(4) != 0 {
			op.Arg = max(1, now+int64(g.r.IntN(121))-60)
		}
	case model.SSLFree, model.SSLClear, model.Shutdown, model.FatalAlert, model.ReadTicket, model.Get0,
		model.Get1, model.SessionReused, model.SetSession:
		op.SSL = g.pickSSL(ob, anySide)
		if k == model.SetSession && g.r.IntN(6) != 0 {
			op.Sess = g.pickResumable(ob)
		}
	case model.Handshake:
		op.SSL, op.Peer, op.Arg = g.pickSSL(ob, model.Client), g.pickSSL(ob, model.Server), int64(g.version())
	case model.RoundTrip, model.SessDup:
		op.Sess = g.pickResumable(ob)
	case model.CopySessionID:
		op.SSL, op.Peer = g.pickSSL(ob, model.Client), g.pickSSL(ob, model.Client)
	case model.UpRef, model.SessFree, model.IsResumable, model.GetTime, model.GetTimeout:
		op.Sess = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess })
	case model.SetTime:
		op.Sess, op.Arg = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess }), now+int64(g.r.IntN(121))-60
	case model.SetTimeout:
		op.Sess, op.Arg = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess }), int64(g.r.IntN(52))-1
	case model.AddSession, model.RemoveSession:
		op.Ctx = pick(g, ob.Ctxs, func(c model.CtxObs) model.Handle { return c.Ctx })
		op.Sess = pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess })
	case model.Tick:
		op.Arg = int64(g.r.IntN(61))
	}
	return op
}

func (g *gen) version() model.Version {
	if g.r.IntN(2) == 0 {
		return model.TLS13
	}
	return model.TLS12
}

// pickResumable prefers a resumable session, the kind worth offering.
func (g *gen) pickResumable(ob model.Observation) model.Handle {
	var hs []model.Handle
	for _, s := range ob.Sessions {
		if s.Resumable {
			hs = append(hs, s.Sess)
		}
	}
	if len(hs) == 0 || g.r.IntN(4) == 0 {
		return pick(g, ob.Sessions, func(s model.SessObs) model.Handle { return s.Sess })
	}
	return hs[g.r.IntN(len(hs))]
}

// anySide asks pickSSL for an SSL of either side.
const anySide = model.Side(255)

// pickSSL returns a live SSL of the given side, or 0 if there is none.
func (g *gen) pickSSL(ob model.Observation, side model.Side) model.Handle {
	var hs []model.Handle
	for _, l := range ob.SSLs {
		if side == anySide || g.ctxSide[g.sslCtx[l.SSL-1]-1] == side {
			hs = append(hs, l.SSL)
		}
	}
	if len(hs) == 0 {
		return 0
	}
	return hs[g.r.IntN(len(hs))]
}

func pick[T any](g *gen, xs []T, h func(T) model.Handle) model.Handle {
	if len(xs) == 0 {
		return 0
	}
	return h(xs[g.r.IntN(len(xs))])
}

// overlap plans two handshakes in steps that overlap, the second client
// offering the first one's session, with the first pair often ended half
// way (a fatal error, SSL_clear or SSL_free on either end) before both
// finish. Its first call is returned, the rest planned.
func (g *gen) overlap(ob model.Observation) model.Op {
	c1, s1 := g.pickSSL(ob, model.Client), g.pickSSL(ob, model.Server)
	c2, s2 := g.pickSSL(ob, model.Client), g.pickSSL(ob, model.Server)
	v := int64(g.version())
	var first []model.Op
	for _, l := range ob.SSLs {
		if l.SSL == c1 && l.Sess != 0 && l.Sess != model.Unnamed {
			first = append(first, model.Op{Kind: model.SetSession, SSL: c2, Sess: l.Sess})
		}
	}
	plan := append(first, model.Op{Kind: model.ClientHello, SSL: c1, Peer: s1, Arg: v},
		model.Op{Kind: model.ClientHello, SSL: c2, Peer: s2, Arg: v})
	if g.r.IntN(4) != 0 {
		end := []model.Handle{c1, s1}[g.r.IntN(2)]
		plan = append(plan, model.Op{Kind: []model.Kind{model.FatalAlert, model.FatalAlert, model.SSLClear, model.SSLFree}[g.r.IntN(4)], SSL: end})
	}
	plan = append(plan, model.Op{Kind: model.HandshakeFinish, SSL: c2, Peer: s2},
		model.Op{Kind: model.HandshakeFinish, SSL: c1, Peer: s1})
	g.plan = plan[1:]
	return plan[0]
}
