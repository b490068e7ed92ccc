package properties

import (
	"github.com/sesslife/sesslife/model"
)

// Source supplies the choices a drawing makes. Intn returns a number in
// [0, n) for n > 0. Smaller numbers must mean simpler choices: shrinkers move
// toward 0, so every list below starts with its plainest entry.
type Source interface {
	Intn(n int) int
}

// Limits bound the universes the generator builds.
type Limits struct {
	MaxCtxs int // application-held SSL_CTXs at once
	MaxSSLs int // live SSLs at once
}

// DefaultLimits keep universes small enough that calls interact.
func DefaultLimits() Limits { return Limits{MaxCtxs: 4, MaxSSLs: 8} }

// DrawOp draws one call that is legal and modelled in state s and that the
// target supports. It never changes s.
func DrawOp(src Source, s *model.State, supports func(model.Kind) bool, lim Limits) model.Op {
	d := drawer{src: src, s: s, supports: supports, lim: lim}
	d.look()
	for try := 0; try < 8; try++ {
		op, ok := d.propose()
		if ok && s.Check(op) == nil {
			return op
		}
	}
	return model.Op{Kind: model.Tick} // always legal: zero seconds pass
}

type drawer struct {
	src      Source
	s        *model.State
	supports func(model.Kind) bool
	lim      Limits

	clientCtxs, serverCtxs, ctxs []model.Handle
	ssls, clients, established   []model.Handle
	freshClients, freshServers   []model.Handle
	sessions, owned              []model.Handle
	pendingTickets               bool
}

// look sorts the universe's objects into the pools the proposals pick from.
func (d *drawer) look() {
	for _, c := range d.s.Ctxs() {
		if !c.AppHeld {
			continue
		}
		d.ctxs = append(d.ctxs, c.Ctx)
		if c.Side == model.Client {
			d.clientCtxs = append(d.clientCtxs, c.Ctx)
		} else {
			d.serverCtxs = append(d.serverCtxs, c.Ctx)
		}
	}
	for _, l := range d.s.SSLs() {
		if !l.Alive {
			continue
		}
		d.ssls = append(d.ssls, l.SSL)
		if l.Client {
			d.clients = append(d.clients, l.SSL)
		}
		switch {
		case l.Phase == "before" && l.Client:
			d.freshClients = append(d.freshClients, l.SSL)
		case l.Phase == "before":
			d.freshServers = append(d.freshServers, l.SSL)
		case l.Phase == "established":
			d.established = append(d.established, l.SSL)
			if l.PendingTickets > 0 {
				d.pendingTickets = true
			}
		}
	}
	for _, v := range d.s.Sessions() {
		if !v.Alive {
			continue
		}
		d.sessions = append(d.sessions, v.Sess)
		if v.AppRefs > 0 {
			d.owned = append(d.owned, v.Sess)
		}
	}
}

type choice struct {
	kind   model.Kind
	weight int
}

// propose picks a call kind by weight among those that can apply now, then
// its arguments.
func (d *drawer) propose() (model.Op, bool) {
	var menu []choice
	add := func(k model.Kind, w int, ok bool) {
		if ok && w > 0 && d.supports(k) {
			menu = append(menu, choice{k, w})
		}
	}
	haveCtx, haveSSL, haveSess := len(d.ctxs) > 0, len(d.ssls) > 0, len(d.sessions) > 0
	// The plainest calls come first so that shrinking turns calls into them.
	add(model.Tick, 3, true)
	add(model.SessNumber, 1, haveCtx)
	add(model.SessHits, 1, haveCtx)
	add(model.SessMisses, 1, haveCtx)
	add(model.SessTimeouts, 1, haveCtx)
	add(model.SessCacheFull, 1, haveCtx)
	add(model.Get0, 5, haveSSL)
	add(model.Get1, 5, haveSSL)
	add(model.SessionReused, 1, haveSSL)
	add(model.IsResumable, 2, haveSess)
	add(model.GetTime, 1, haveSess)
	add(model.GetTimeout, 1, haveSess)
	add(model.CtxNew, 12, len(d.ctxs) < d.lim.MaxCtxs && (len(d.clientCtxs) == 0 || len(d.serverCtxs) == 0))
	add(model.CtxNew, 2, len(d.ctxs) < d.lim.MaxCtxs)
	add(model.SSLNew, 10, haveCtx && len(d.ssls) < d.lim.MaxSSLs)
	add(model.Handshake, 20, len(d.freshClients) > 0 && len(d.freshServers) > 0)
	add(model.ReadTicket, 8, d.pendingTickets)
	add(model.ReadTicket, 1, len(d.established) > 0)
	add(model.Shutdown, 5, len(d.established) > 0)
	add(model.FatalAlert, 2, len(d.established) > 0)
	add(model.SSLClear, 4, haveSSL)
	add(model.SSLFree, 4, haveSSL)
	add(model.UpRef, 2, haveSess)
	add(model.SessFree, 6, len(d.owned) > 0)
	add(model.SetSession, 6, len(d.clients) > 0)
	add(model.SetTime, 2, haveSess)
	add(model.SetTimeout, 2, haveSess)
	add(model.AddSession, 4, haveCtx && haveSess)
	add(model.RemoveSession, 4, haveCtx && haveSess)
	add(model.Flush, 3, haveCtx)
	add(model.CtxSetTimeout, 1, haveCtx)
	add(model.SetCacheSize, 2, haveCtx)
	add(model.CtxFree, 1, haveCtx)
	if len(menu) == 0 {
		return model.Op{}, false
	}
	total := 0
	for _, c := range menu {
		total += c.weight
	}
	n := d.src.Intn(total)
	k := menu[len(menu)-1].kind
	for _, c := range menu {
		if n < c.weight {
			k = c.kind
			break
		}
		n -= c.weight
	}
	return d.args(k), true
}

func (d *drawer) pick(hs []model.Handle) model.Handle {
	if len(hs) == 0 {
		return 0
	}
	return hs[d.src.Intn(len(hs))]
}

func (d *drawer) from(vals ...int64) int64 { return vals[d.src.Intn(len(vals))] }

func (d *drawer) flag() bool { return d.src.Intn(2) == 1 }

// args fills in the arguments of a call of kind k.
func (d *drawer) args(k model.Kind) model.Op {
	op := model.Op{Kind: k}
	now := d.s.Now()
	switch k {
	case model.CtxNew:
		op.Ctx = d.s.NextCtx()
		side := model.Server
		switch {
		case len(d.serverCtxs) == 0:
		case len(d.clientCtxs) == 0:
			side = model.Client
		case d.flag():
			side = model.Client
		}
		op.Config = d.config(side)
	case model.SSLNew:
		op.SSL, op.Ctx = d.s.NextSSL(), d.pick(d.ctxs)
	case model.CtxFree, model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull:
		op.Ctx = d.pick(d.ctxs)
	case model.SSLFree, model.SSLClear, model.Get0, model.Get1, model.SessionReused:
		op.SSL = d.pick(d.ssls)
	case model.Shutdown, model.FatalAlert, model.ReadTicket:
		op.SSL = d.pick(d.established)
	case model.Handshake:
		op.SSL, op.Peer = d.pick(d.freshClients), d.pick(d.freshServers)
		op.Arg = int64(model.TLS13)
		if d.flag() {
			op.Arg = int64(model.TLS12)
		}
	case model.UpRef, model.IsResumable, model.GetTime, model.GetTimeout:
		op.Sess = d.pick(d.sessions)
	case model.SessFree:
		op.Sess = d.pick(d.owned)
	case model.SetSession:
		op.SSL = d.pick(d.clients)
		if d.src.Intn(6) != 0 {
			op.Sess = d.pick(d.sessions)
		}
	case model.SetTime:
		op.Sess = d.pick(d.sessions)
		op.Arg = max(0, now+d.from(0, -10, 10, -100, 100, -7200, 3600))
	case model.SetTimeout:
		op.Sess = d.pick(d.sessions)
		op.Arg = d.from(10, 0, 1, 5, 30, 100, 7200, -1)
	case model.AddSession, model.RemoveSession:
		op.Ctx, op.Sess = d.pick(d.ctxs), d.pick(d.sessions)
	case model.Flush:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = now + d.from(0, 1, 5, 10, 30, 100, 7200, 8000)
		if d.src.Intn(5) == 0 {
			op.Arg = 0
		}
	case model.CtxSetTimeout:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = d.from(10, 0, 1, 5, 30, 100, 7200)
	case model.SetCacheSize:
		op.Ctx = d.pick(d.ctxs)
		op.Arg = d.from(3, 0, 1, 2, 4, 20480)
	case model.Tick:
		op.Arg = d.from(0, 1, 2, 5, 10, 30, 60, 120, 7200)
	}
	return op
}

// config draws an SSL_CTX configuration, leaning on small caches and short
// timeouts so that eviction and expiry happen within a short sequence.
func (d *drawer) config(side model.Side) model.CtxConfig {
	c := model.DefaultConfig(side)
	if d.src.Intn(4) != 0 {
		c.DefaultMode = false
		c.CacheMode = model.CacheMode(d.from(int64(model.CacheServer), int64(model.CacheClient),
			int64(model.CacheClient|model.CacheServer), int64(model.CacheOff)))
		for _, bit := range []model.CacheMode{model.CacheNoAutoClear, model.CacheNoInternalLookup, model.CacheNoInternalStore} {
			if d.src.Intn(5) == 0 {
				c.CacheMode |= bit
			}
		}
	}
	c.CacheSize = d.from(-1, 3, 1, 2, 4, 0)
	c.Timeout = d.from(0, 10, 30, 100, 1)
	if side == model.Server {
		c.NumTickets = d.from(-1, 1, 0, 2, 3)
	}
	c.NoTicket = d.src.Intn(4) == 3
	c.NewCB = model.NewSessionCB(d.src.Intn(3))
	c.RemoveCB = d.flag()
	return c
}
