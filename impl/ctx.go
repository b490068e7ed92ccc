package impl

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sesslife/sesslife/model"
)

// NewSessionFunc is a new_session_cb: called with a reference the library
// took for it. Returning true keeps that reference (the application must
// Free it later, C's return 1); false gives it back (return 0).
type NewSessionFunc func(call context.Context, conn *Conn, s *Session) bool

// RemoveSessionFunc is a remove_session_cb. It may run while the SSL_CTX's
// cache lock is held (flush, eviction), so it must not call that SSL_CTX's
// AddSession, RemoveSession or FlushSessions.
type RemoveSessionFunc func(call context.Context, c *Ctx, s *Session)

// GetSessionFunc is a get_session_cb: asked for a session id that the
// internal cache did not give (or was not asked for), it returns a session
// or nil, and whether the library must take a reference of its own (C's
// *copy left at 1) or takes over the reference returned (*copy = 0).
type GetSessionFunc func(call context.Context, conn *Conn, id SessionID) (s *Session, copy bool)

// Callbacks are the functions an application plugs into an SSL_CTX. Each
// must be set only if the configuration installs that callback; a nil one
// that the configuration installs gets a default.
type Callbacks struct {
	// NewSession runs when a session is offered to the cache. The default
	// keeps the reference if the configuration says new_cb=1.
	NewSession NewSessionFunc
	// RemoveSession runs when a session leaves (or is asked to leave) the
	// cache. The default does nothing.
	RemoveSession RemoveSessionFunc
	// GetSession is the external cache's get_session_cb; it must be set
	// exactly when the configuration installs one (CtxConfig.GetCB).
	GetSession GetSessionFunc
	// Destroyed runs when the SSL_CTX is destroyed, after its final flush
	// (where OpenSSL frees its ex_data); may be nil.
	Destroyed func(call context.Context)
}

// Ctx is an SSL_CTX: configuration shared by connections, and the session
// cache. A Ctx is safe for concurrent use.
type Ctx struct {
	env        *Env
	cfg        model.CtxConfig
	mode       atomic.Uint32 // a model.CacheMode (SSL_CTX_set_session_cache_mode)
	options    atomic.Uint64 // model.Options: the ones a new Conn copies
	numTickets atomic.Int64  // what a new Conn copies
	maxEarly   atomic.Int64  // max_early_data, which a new Conn copies
	sidCtx     atomic.Uint32 // a model.SidCtx: what a new Conn copies
	keyName    uint64        // names the key this SSL_CTX seals stateless tickets with
	onNew      NewSessionFunc
	onRemove   RemoveSessionFunc
	onGet      GetSessionFunc
	destroyed  func(call context.Context)
	sniTo      atomic.Pointer[Ctx] // the servername callback switches to it; nil: none (snicb.go)
	refs       atomic.Int32        // the application's reference plus one per Conn
	size       atomic.Int64
	timeout    atomic.Int64

	mu    sync.Mutex // the cache lock: byKey, the list, sessions' owner and links
	cache cache

	hits, misses, timeouts, cacheFull atomic.Int64
	connectGood, acceptGood           atomic.Int64
	connect, accept                   atomic.Int64 // handshakes started
	cbHits                            atomic.Int64 // sessions get_session_cb returned (none: no callback yet)
}

// NewCtx makes an SSL_CTX configured as cfg says (SSL_CTX_new and the
// set-up calls after it). cfg.NewCB and cfg.RemoveCB say which callbacks
// are installed; cb may supply their functions. An out-of-range
// configuration, or a function for a callback cfg does not install, is an
// error naming the field.
func NewCtx(env *Env, cfg model.CtxConfig, cb Callbacks) (*Ctx, error) {
	if err := checkConfig(cfg, cb); err != nil {
		return nil, err
	}
	p := env.Profile()
	c := &Ctx{env: env, cfg: cfg, keyName: env.newKeyName(), onNew: cb.NewSession, onRemove: cb.RemoveSession,
		onGet: cb.GetSession, destroyed: cb.Destroyed}
	mode, tickets := cfg.CacheMode, cfg.NumTickets
	if cfg.DefaultMode {
		mode = model.CacheServer
	}
	if tickets < 0 {
		tickets = p.DefaultNumTickets
	}
	c.mode.Store(uint32(mode))
	c.numTickets.Store(tickets)
	if cfg.NoTicket {
		c.options.Store(uint64(model.OptNoTicket))
	}
	size := cfg.CacheSize
	if size < 0 {
		size = p.DefaultCacheSize
	}
	c.size.Store(size)
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = env.faults.amount(DefaultTimeout, c, p.DefaultTimeout)
	}
	c.timeout.Store(timeout)
	if cfg.NewCB != model.NewCBNone && c.onNew == nil {
		keep := cfg.NewCB == model.NewCBReturn1
		c.onNew = func(context.Context, *Conn, *Session) bool { return keep }
	}
	if cfg.RemoveCB && c.onRemove == nil {
		c.onRemove = func(context.Context, *Ctx, *Session) {}
	}
	c.cache.init()
	c.refs.Store(1)
	return c, nil
}

func checkConfig(cfg model.CtxConfig, cb Callbacks) error {
	bad := func(field string, v any) error {
		return fmt.Errorf("impl: NewCtx: CtxConfig.%s = %v is out of range", field, v)
	}
	switch {
	case cfg.Side > model.Server:
		return bad("Side", cfg.Side)
	case cfg.CacheMode&^model.CacheModeMask != 0:
		return bad("CacheMode", cfg.CacheMode)
	case cfg.CacheSize < -1:
		return bad("CacheSize", cfg.CacheSize)
	case cfg.Timeout < 0:
		return bad("Timeout", cfg.Timeout)
	case cfg.NumTickets < -1:
		return bad("NumTickets", cfg.NumTickets)
	case cfg.NewCB > model.NewCBReturn1:
		return bad("NewCB", cfg.NewCB)
	case cb.NewSession != nil && cfg.NewCB == model.NewCBNone:
		return fmt.Errorf("impl: NewCtx: Callbacks.NewSession is set but CtxConfig.NewCB installs no new_session_cb")
	case cb.RemoveSession != nil && !cfg.RemoveCB:
		return fmt.Errorf("impl: NewCtx: Callbacks.RemoveSession is set but CtxConfig.RemoveCB is false")
	case cfg.GetCB > model.GetCBFresh0:
		return bad("GetCB", cfg.GetCB)
	case (cb.GetSession != nil) != (cfg.GetCB != model.GetCBNone):
		return fmt.Errorf("impl: NewCtx: Callbacks.GetSession must be set exactly when CtxConfig.GetCB installs a get_session_cb")
	}
	return nil
}

// Config returns the configuration the SSL_CTX was made with.
func (c *Ctx) Config() model.CtxConfig { return c.cfg }

// IsClient reports whether the SSL_CTX was made with a client method.
func (c *Ctx) IsClient() bool { return c.cfg.Side == model.Client }

// Mode returns the session cache mode (SSL_CTX_get_session_cache_mode).
func (c *Ctx) Mode() model.CacheMode { return model.CacheMode(c.mode.Load()) }

// NewConn makes a connection that uses this SSL_CTX and its cache
// (SSL_new). The connection holds a reference to the SSL_CTX and copies
// its options and num_tickets.
func (c *Ctx) NewConn() *Conn {
	c.refs.Add(1)
	return &Conn{ctx: c, client: c.IsClient(), options: c.Options(), numTickets: c.numTickets.Load(), maxEarly: c.maxEarly.Load(),
		modeAtNew: c.Mode(), sidCtx: c.SidCtx()}
}

// Free drops the application's reference (SSL_CTX_free). The SSL_CTX is
// destroyed when no connection uses it either: its whole cache is flushed
// then, calling remove_cb for every session.
func (c *Ctx) Free(call context.Context) { c.release(call) }

func (c *Ctx) release(call context.Context) {
	n := c.refs.Add(-1)
	if n > 0 {
		return
	}
	if n < 0 {
		panic("impl: SSL_CTX_free: reference count below zero (double free)")
	}
	c.FlushSessions(call, 0)
	if c.destroyed != nil {
		c.destroyed(call)
	}
}

// Timeout returns the lifetime given to new sessions; 0 means the default
// (SSL_CTX_get_timeout).
func (c *Ctx) Timeout() int64 { return c.timeout.Load() }

// SetTimeout sets the lifetime of new sessions, 0 meaning the default, and
// returns the previous value (SSL_CTX_set_timeout). Cached sessions keep
// theirs.
func (c *Ctx) SetTimeout(t int64) int64 { return c.timeout.Swap(t) }

// sessionTimeout is what ssl_get_new_session gives a new session.
func (c *Ctx) sessionTimeout() int64 {
	if t := c.timeout.Load(); t != 0 {
		return t
	}
	return c.env.faults.amount(DefaultTimeout, c, c.env.Profile().DefaultTimeout)
}

// CacheSize returns the cache limit, 0 meaning none
// (SSL_CTX_sess_get_cache_size).
func (c *Ctx) CacheSize() int64 { return c.size.Load() }

// SetCacheSize sets the cache limit and returns the previous one
// (SSL_CTX_sess_set_cache_size). Nothing is evicted until the next add.
func (c *Ctx) SetCacheSize(n int64) int64 { return c.size.Swap(n) }

// Stats are the cache counters of an SSL_CTX (SSL_CTX_sess_number,
// SSL_CTX_sess_hits and friends).
type Stats struct {
	Number      int64 // sessions in the cache
	Hits        int64 // resumptions (server lookups, plus client reuses)
	Misses      int64 // server cache misses, plus client offers not taken
	Timeouts    int64 // expired sessions found when resuming
	CacheFull   int64 // evictions
	ConnectGood int64 // client handshakes completed
	AcceptGood  int64 // server handshakes completed
	Connect     int64 // client handshakes started
	Accept      int64 // server handshakes started
	CbHits      int64 // sessions the external cache's get_session_cb returned
}

// Stats returns the counters. Each is exact; together they are a snapshot
// only when no other goroutine uses the SSL_CTX.
func (c *Ctx) Stats() Stats {
	return Stats{Number: c.Number(), Hits: c.hits.Load(), Misses: c.misses.Load(),
		Timeouts: c.timeouts.Load(), CacheFull: c.cacheFull.Load(),
		ConnectGood: c.connectGood.Load(), AcceptGood: c.acceptGood.Load(), Connect: c.connect.Load(),
		Accept: c.accept.Load(), CbHits: c.cbHits.Load()}
}

// Number returns how many sessions the cache holds (SSL_CTX_sess_number).
func (c *Ctx) Number() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.env.faults.amount(SessNumber, Cache{c}, int64(len(c.cache.byKey)))
}
