package impl

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/model"
)

// apply runs one op on the library and returns its C return value; events
// reach the call's log through the callbacks.
func (u *universe) apply(call context.Context, op model.Op) (int64, error) {
	switch op.Kind {
	case model.CtxNew:
		return 0, u.newCtxAny(op)
	case model.SSLNew:
		return 0, u.newConn(op)
	case model.Tick:
		return 0, u.env.Advance(op.Arg)
	case model.CtxFree, model.CtxSetTimeout, model.SetCacheSize, model.Flush, model.SessNumber,
		model.SessHits, model.SessMisses, model.SessTimeouts, model.SessCacheFull, model.SessConnect,
		model.SessConnectGood, model.SessAccept, model.SessAcceptGood, model.SessCbHits, model.CtxSetCacheMode,
		model.CtxSetOptions, model.CtxClearOptions, model.CtxSetNumTickets, model.CtxSetMaxEarlyData, model.CtxSetSidCtx:
		c, err := u.ctx(op.Ctx)
		if err != nil {
			return 0, err
		}
		return u.applyCtx(call, op, c), nil
	case model.SSLFree, model.SSLClear, model.Shutdown, model.FatalAlert, model.ReadTicket,
		model.Get0, model.Get1, model.SessionReused, model.SetOptions, model.ClearOptions, model.SetNumTickets,
		model.SetQuietShutdown, model.SetShutdown, model.GetShutdown, model.ReadAlert, model.SetMaxEarlyData,
		model.SetSidCtx:
		conn, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		return u.applyConn(call, op, conn), nil
	case model.UpRef, model.SessFree, model.IsResumable, model.SetTime, model.SetTimeout,
		model.GetTime, model.GetTimeout, model.SessSetSidCtx:
		s, err := u.sess(op.Sess)
		if err != nil {
			return 0, err
		}
		return applySession(call, op, s), nil
	case model.Handshake:
		client, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		server, err := u.conn(op.Peer)
		if err != nil {
			return 0, err
		}
		if err := Handshake(call, client, server, model.Version(op.Arg)); err != nil {
			return 0, err
		}
		return 1, nil
	case model.ClientHello, model.HandshakeFinish:
		client, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		server, err := u.conn(op.Peer)
		if err != nil {
			return 0, err
		}
		if op.Kind == model.ClientHello {
			err = ClientHello(call, client, server, model.Version(op.Arg))
		} else {
			err = HandshakeFinish(call, client, server)
		}
		if err != nil {
			return 0, err
		}
		return 1, nil
	case model.SetSession:
		conn, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		var s *Session
		if op.Sess != 0 {
			if s, err = u.sess(op.Sess); err != nil {
				return 0, err
			}
		}
		conn.SetSession(call, s)
		return 1, nil // SSL_set_session cannot fail here
	case model.RoundTrip, model.SessDup:
		s, err := u.sess(op.Sess)
		if err != nil {
			return 0, err
		}
		if op.Kind == model.RoundTrip {
			return u.name(s.RoundTrip()), nil
		}
		return u.name(s.Dup()), nil
	case model.SessNew:
		return u.name(u.env.NewSession()), nil
	case model.CopySessionID:
		to, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		from, err := u.conn(op.Peer)
		if err != nil {
			return 0, err
		}
		return to.CopySessionID(call, from), nil
	case model.HasMatchingSessionID:
		conn, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		s, err := u.sess(op.Sess)
		if err != nil {
			return 0, err
		}
		return b2i(conn.HasMatchingSessionID(s.ID())), nil
	case model.SetSSLCtx:
		c, err := u.ctx(op.Ctx)
		if err != nil {
			return 0, err
		}
		conn, err := u.conn(op.SSL)
		if err != nil {
			return 0, err
		}
		return b2i(conn.SetSSLCtx(call, c) == c), nil
	case model.AddSession, model.RemoveSession:
		c, err := u.ctx(op.Ctx)
		if err != nil {
			return 0, err
		}
		s, err := u.sess(op.Sess)
		if err != nil {
			return 0, err
		}
		if op.Kind == model.AddSession {
			return b2i(c.AddSession(call, s)), nil
		}
		return b2i(c.RemoveSession(call, s)), nil
	}
	return 0, fmt.Errorf("impl: %s: unknown call kind", op)
}

func (u *universe) newCtx(op model.Op) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if int(op.Ctx) != len(u.ctxs)+1 {
		return fmt.Errorf("impl: %s: the new SSL_CTX must be %s", op, model.CtxName(model.Handle(len(u.ctxs)+1)))
	}
	h := op.Ctx
	var cb Callbacks
	var store *extStore
	if op.Config.GetCB != model.GetCBNone {
		store = newExtStore(op.Config, u.env.faults)
		cb.GetSession = store.get
		cb.Destroyed = store.close
	}
	if op.Config.NewCB != model.NewCBNone {
		keep := op.Config.NewCB == model.NewCBReturn1
		cb.NewSession = func(call context.Context, _ *Conn, s *Session) bool {
			u.record(call, model.EvNewSession, s, h)
			if keep && store != nil {
				store.put(call, s)
			}
			return keep
		}
	}
	if op.Config.RemoveCB {
		cb.RemoveSession = func(call context.Context, c *Ctx, s *Session) {
			u.record(call, model.EvRemove, s, h)
			if store != nil {
				store.removed(call, c, s)
			}
		}
	}
	c, err := NewCtx(u.env, op.Config, cb)
	if err != nil {
		return err
	}
	u.ctxs = append(u.ctxs, c)
	return nil
}

func (u *universe) newConn(op model.Op) error {
	c, err := u.ctx(op.Ctx)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if int(op.SSL) != len(u.conns)+1 {
		return fmt.Errorf("impl: %s: the new SSL must be %s", op, model.SSLName(model.Handle(len(u.conns)+1)))
	}
	u.conns = append(u.conns, c.NewConn())
	return nil
}

func (u *universe) applyCtx(call context.Context, op model.Op, c *Ctx) int64 {
	switch op.Kind {
	case model.CtxFree:
		u.mu.Lock()
		u.ctxs[op.Ctx-1] = nil
		u.mu.Unlock()
		c.Free(call)
	case model.CtxSetTimeout:
		return c.SetTimeout(op.Arg)
	case model.SetCacheSize:
		return c.SetCacheSize(op.Arg)
	case model.Flush:
		c.FlushSessions(call, op.Arg)
	case model.SessNumber:
		return c.Number()
	case model.SessHits:
		return c.Stats().Hits
	case model.SessMisses:
		return c.Stats().Misses
	case model.SessTimeouts:
		return c.Stats().Timeouts
	case model.SessCacheFull:
		return c.Stats().CacheFull
	case model.SessConnect:
		return c.Stats().Connect
	case model.SessConnectGood:
		return c.Stats().ConnectGood
	case model.SessAccept:
		return c.Stats().Accept
	case model.SessAcceptGood:
		return c.Stats().AcceptGood
	case model.SessCbHits:
		return c.Stats().CbHits
	case model.CtxSetCacheMode:
		return int64(c.SetSessionCacheMode(model.CacheMode(op.Arg)))
	case model.CtxSetOptions, model.CtxClearOptions:
		return int64(c.SetOptions(model.Options(op.Arg), op.Kind == model.CtxSetOptions) & model.OptionsMask)
	case model.CtxSetMaxEarlyData:
		c.SetMaxEarlyData(op.Arg)
		return 1
	case model.CtxSetNumTickets:
		c.SetNumTickets(op.Arg)
		return 1
	case model.CtxSetSidCtx:
		return b2i(c.SetSessionIDContext(model.SidCtx(op.Arg)))
	}
	return 0
}

func (u *universe) applyConn(call context.Context, op model.Op, conn *Conn) int64 {
	switch op.Kind {
	case model.SSLFree:
		u.mu.Lock()
		u.conns[op.SSL-1] = nil
		u.mu.Unlock()
		conn.Free(call)
	case model.SSLClear:
		conn.Clear(call)
		return 1 // SSL_clear cannot fail here
	case model.Shutdown:
		return int64(conn.Shutdown(call))
	case model.FatalAlert:
		conn.FatalAlert(call)
	case model.ReadTicket:
		return b2i(conn.ReadTicket(call))
	case model.Get0:
		s := conn.Get0Session()
		u.env.faults.reach(Get0Returned, s)
		return u.name(s)
	case model.Get1:
		return u.name(conn.Get1Session())
	case model.SessionReused:
		return b2i(conn.SessionReused())
	case model.SetOptions, model.ClearOptions:
		return int64(conn.SetOptions(model.Options(op.Arg), op.Kind == model.SetOptions) & model.OptionsMask)
	case model.SetNumTickets:
		conn.SetNumTickets(op.Arg)
		return 1
	case model.SetQuietShutdown:
		conn.SetQuietShutdown(op.Arg != 0)
	case model.SetShutdown:
		conn.SetShutdown(int(op.Arg))
	case model.GetShutdown:
		return int64(conn.GetShutdown())
	case model.ReadAlert:
		conn.ReadAlert(call)
	case model.SetMaxEarlyData:
		conn.SetMaxEarlyData(op.Arg)
		return 1
	case model.SetSidCtx:
		return b2i(conn.SetSessionIDContext(model.SidCtx(op.Arg)))
	}
	return 0
}

func applySession(call context.Context, op model.Op, s *Session) int64 {
	switch op.Kind {
	case model.UpRef:
		s.UpRef()
		return 1 // SSL_SESSION_up_ref reports success; a failure panics
	case model.SessFree:
		s.Free(call)
	case model.IsResumable:
		return b2i(s.IsResumable())
	case model.SetTime:
		s.SetTime(op.Arg)
		return op.Arg // SSL_SESSION_set_time returns its argument
	case model.SetTimeout:
		return b2i(s.SetTimeout(op.Arg))
	case model.GetTime:
		return s.Time()
	case model.GetTimeout:
		return s.Timeout()
	case model.SessSetSidCtx:
		return b2i(s.SetIDContext(model.SidCtx(op.Arg)))
	}
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
