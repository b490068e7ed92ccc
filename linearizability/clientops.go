package linearizability

import "github.com/sesslife/sesslife/model"

// candidate is a session the client may name, and where its reference is
// when the client owns it (-1: pinned by the harness, not the client's).
type candidate struct {
	ref
	held int
}

// pick draws a session: half the time one of the shared pools, otherwise
// one the client holds or its twin.
func (c *client) pick() (candidate, bool) {
	e := c.e
	if c.rng.IntN(2) == 0 {
		var pool []candidate
		for j, x := range e.xs {
			if x != 0 {
				pool = append(pool, candidate{ref{x, lookupTarget, j}, -1})
			}
		}
		for i, z := range e.zs {
			pool = append(pool, candidate{ref{z, apiServer, i}, -1})
		}
		for i, z := range e.za {
			pool = append(pool, candidate{ref{z, apiClient, i}, -1})
		}
		if len(pool) > 0 {
			return pool[c.rng.IntN(len(pool))], true
		}
	}
	var own []candidate
	for i, r := range c.held {
		own = append(own, candidate{r, i})
	}
	if y := e.ys[c.id]; y != 0 {
		own = append(own, candidate{ref{y, twin, 0}, -1})
	}
	if len(own) == 0 {
		return candidate{}, false
	}
	return own[c.rng.IntN(len(own))], true
}

// home returns the only SSL_CTX the client may add s to, or 0: a session
// goes into the cache it belongs to, never into a second one, and a lookup
// target is put back only by the client that resumes it. A server session
// of the client's own SSL is not put back: it may have an empty id (a TLS
// 1.2 server that issued a stateless ticket), and such an entry cannot be
// removed by SSL_CTX_remove_session, so the tear-down could not take it
// out before the SSL_CTX's final flush shows the list order.
func (c *client) home(s ref) model.Handle {
	switch s.kind {
	case clientOwn, twin:
		return c.cc
	case apiServer:
		return c.e.cs
	case apiClient:
		return c.e.ca
	case lookupTarget:
		if s.owner == c.id {
			return c.e.cs
		}
	}
	return 0
}

// retime returns a call that changes s's time or timeout, if the client may:
// its own client-side sessions freely; a pooled API session only if it is
// the session's one writer, and only to values that keep the session's
// expiry at its own second (package doc); never a session the shared cache
// may resume, whose expiry a handshake reads at another moment than its
// lookup.
func (c *client) retime(s ref) (model.Op, bool) {
	e := c.e
	T := e.csTimeout()
	switch s.kind {
	case clientOwn, twin:
		if c.rng.IntN(2) == 0 {
			return model.Op{Kind: model.SetTimeout, Sess: s.h, Arg: c.rng.Int64N(2*T) - 1}, true
		}
		return model.Op{Kind: model.SetTime, Sess: s.h, Arg: max(0, e.now-2*T+c.rng.Int64N(3*T))}, true
	case apiServer, apiClient:
		if s.owner%len(e.clients) != c.id {
			return model.Op{}, false
		}
		if c.rng.IntN(2) == 0 {
			return model.Op{Kind: model.SetTimeout, Sess: s.h, Arg: e.zTimeout(s.owner, c.rng)}, true
		}
		return model.Op{Kind: model.SetTime, Sess: s.h, Arg: e.zTime(c.rng)}, true
	}
	return model.Op{}, false
}

// sessionStep makes one call on a session.
func (c *client) sessionStep() bool {
	s, ok := c.pick()
	if !ok {
		return c.connStep()
	}
	switch w := c.rng.IntN(100); {
	case w < 15:
		return c.upRef(s.ref)
	case w < 32:
		if s.held < 0 {
			return c.upRef(s.ref)
		}
		c.held = append(c.held[:s.held], c.held[s.held+1:]...)
		_, ok := c.do(model.Op{Kind: model.SessFree, Sess: s.h})
		return ok
	case w < 45:
		k := []model.Kind{model.GetTime, model.GetTimeout, model.IsResumable}[c.rng.IntN(3)]
		_, ok := c.do(model.Op{Kind: k, Sess: s.h})
		return ok
	case w < 62:
		if op, ok := c.retime(s.ref); ok {
			_, ok := c.do(op)
			return ok
		}
	case w < 82:
		if h := c.home(s.ref); h != 0 {
			_, ok := c.do(model.Op{Kind: model.AddSession, Ctx: h, Sess: s.h})
			return ok
		}
	}
	ctxs := []model.Handle{c.e.cs, c.e.ca, c.cc}
	_, ok = c.do(model.Op{Kind: model.RemoveSession, Ctx: ctxs[c.rng.IntN(len(ctxs))], Sess: s.h})
	return ok
}

func (c *client) upRef(s ref) bool {
	if _, ok := c.do(model.Op{Kind: model.UpRef, Sess: s.h}); !ok {
		return false
	}
	c.held = append(c.held, s)
	return true
}

// counters are the SSL_CTX read-outs.
var counters = []model.Kind{model.SessNumber, model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull}

// ctxStep makes one call on an SSL_CTX. On the shared server SSL_CTX only
// flushes, at times no later than the expiry of a session made now: its
// read-outs and settings wait for the barriers (package doc).
func (c *client) ctxStep() bool {
	e := c.e
	T := e.csTimeout()
	var op model.Op
	switch c.rng.IntN(10) {
	case 0, 1, 2:
		op = model.Op{Kind: model.Flush, Ctx: e.cs, Arg: max(1, e.now-2*T+c.rng.Int64N(3*T+1))}
	case 3:
		op = model.Op{Kind: model.Flush, Ctx: e.ca}
		if c.rng.IntN(3) != 0 {
			op.Arg = max(0, e.now-2*T+c.rng.Int64N(4*T))
		}
	case 4:
		op = model.Op{Kind: model.Flush, Ctx: c.cc, Arg: max(0, e.now-T+c.rng.Int64N(3*T))}
	case 5, 6, 7:
		op = model.Op{Kind: counters[c.rng.IntN(len(counters))], Ctx: []model.Handle{e.ca, c.cc}[c.rng.IntN(2)]}
	case 8:
		op = model.Op{Kind: model.CtxSetTimeout, Ctx: []model.Handle{e.ca, c.cc}[c.rng.IntN(2)], Arg: c.rng.Int64N(2 * T)}
	default:
		op = model.Op{Kind: model.SetCacheSize, Ctx: c.cc, Arg: c.rng.Int64N(6)}
	}
	_, ok := c.do(op)
	return ok
}
