package impl

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// NewTarget returns a [target.Target] that runs every call on this library,
// following the openssl-3.0 profile unless an option says otherwise. It is
// safe for concurrent use under OpenSSL's threading rules
// (Info().Concurrent is true).
func NewTarget(opts ...Option) target.Target {
	c := targetConfig{prof: model.OpenSSL30()}
	for _, o := range opts {
		o(&c)
	}
	a := &adapter{prof: c.prof, faults: c.faults}
	a.u = a.newUniverse()
	return a
}

// Option configures NewTarget.
type Option func(*targetConfig)

type targetConfig struct {
	prof   model.Profile
	faults *Faults // see WithFaults
}

// WithProfile makes the target follow profile p instead of openssl-3.0 (for
// example one with a smaller AutoFlushMask, so that short sequences reach the
// automatic flush).
func WithProfile(p model.Profile) Option {
	return func(c *targetConfig) { c.prof = p }
}

// adapter maps the handles of model ops onto library objects.
type adapter struct {
	prof   model.Profile
	faults *Faults    // see WithFaults; nil for the reference
	mu     sync.Mutex // guards u
	u      *universe
}

// universe is one Env and its handle tables. Callbacks capture the universe
// they were made for, so a Reset never mixes old objects into new tables.
type universe struct {
	env      *Env
	mu       sync.Mutex // guards the tables; never held across a library call that runs callbacks
	ctxs     []*Ctx     // by handle-1; nil once the application freed it
	conns    []*Conn    // by handle-1; nil once freed
	sessions []*Session // named sessions by handle-1; nil once destroyed
	names    map[*Session]model.Handle
}

// callLog collects the events of one Apply; only its goroutine touches it.
type callLog struct{ events []model.Event }

type logKey struct{}

func (a *adapter) newUniverse() *universe {
	u := &universe{names: make(map[*Session]model.Handle)}
	u.env = NewEnv(a.prof, u.destroyed)
	u.env.faults = a.faults
	return u
}

func (a *adapter) universe() *universe {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.u
}

// Info describes the simulator.
func (a *adapter) Info() target.Info {
	name := "impl"
	if a.faults != nil {
		name += " (" + a.faults.Name + ")"
	}
	return target.Info{Name: name, Profile: a.prof.Name, Concurrent: true}
}

// Reset starts an empty universe.
func (a *adapter) Reset(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.u = a.newUniverse()
	return nil
}

// Close releases nothing: the simulator holds no outside resources.
func (a *adapter) Close() error { return nil }

// Apply performs op. A panic inside the library is returned as an error, so
// that a broken simulator is a finding and not a crashed harness.
func (a *adapter) Apply(ctx context.Context, op model.Op) (res model.Result, err error) {
	u := a.universe()
	log := &callLog{}
	call := context.WithValue(ctx, logKey{}, log)
	defer func() {
		if r := recover(); r != nil {
			res, err = model.Result{}, fmt.Errorf("impl: %s panicked: %v", op, r)
		}
	}()
	ret, err := u.applyCall(call, op)
	if err != nil {
		return model.Result{}, err
	}
	return model.Result{Ret: ret, Events: log.events}, nil
}

// record is what the installed callbacks do: name the session (the model's
// rule: in the order the events happen) and log the event for the call.
func (u *universe) record(call context.Context, k model.EventKind, s *Session, ctx model.Handle) {
	u.mu.Lock()
	h := u.nameLocked(s)
	u.mu.Unlock()
	if log, ok := call.Value(logKey{}).(*callLog); ok {
		log.events = append(log.events, model.Event{Kind: k, Sess: h, Ctx: ctx})
	}
}

// destroyed is the universe's destruction hook: only named sessions are
// reported, and their handles stop resolving.
func (u *universe) destroyed(call context.Context, s *Session) {
	u.mu.Lock()
	h, ok := u.names[s]
	if ok {
		delete(u.names, s)
		u.sessions[h-1] = nil
	}
	u.mu.Unlock()
	if !ok {
		return
	}
	if log, ok := call.Value(logKey{}).(*callLog); ok {
		log.events = append(log.events, model.Event{Kind: model.EvDestroyed, Sess: h})
	}
}

// name returns s's handle, naming it now if the application has not seen
// it; nil is 0.
func (u *universe) name(s *Session) int64 {
	if s == nil {
		return 0
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return int64(u.nameLocked(s))
}

func (u *universe) nameLocked(s *Session) model.Handle {
	if h, ok := u.names[s]; ok {
		return h
	}
	u.sessions = append(u.sessions, s)
	h := model.Handle(len(u.sessions))
	u.names[s] = h
	return h
}

func (u *universe) ctx(h model.Handle) (*Ctx, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if h < 1 || int(h) > len(u.ctxs) || u.ctxs[h-1] == nil {
		return nil, fmt.Errorf("impl: %s does not exist (never created, or freed)", model.CtxName(h))
	}
	return u.ctxs[h-1], nil
}

func (u *universe) conn(h model.Handle) (*Conn, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if h < 1 || int(h) > len(u.conns) || u.conns[h-1] == nil {
		return nil, fmt.Errorf("impl: %s does not exist (never created, or freed)", model.SSLName(h))
	}
	return u.conns[h-1], nil
}

func (u *universe) sess(h model.Handle) (*Session, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if h < 1 || int(h) > len(u.sessions) || u.sessions[h-1] == nil {
		return nil, fmt.Errorf("impl: %s does not exist (never named, or destroyed)", model.SessName(h))
	}
	return u.sessions[h-1], nil
}

// Observe reports the universe without naming anything. The tables are
// copied under the lock and the objects read outside it, since reading a
// Ctx's cache takes that Ctx's lock, which callbacks hold while they wait for
// the table lock.
func (a *adapter) Observe(context.Context) (model.Observation, error) {
	u := a.universe()
	u.mu.Lock()
	ctxs, conns, sessions := slices.Clone(u.ctxs), slices.Clone(u.conns), slices.Clone(u.sessions)
	u.mu.Unlock()

	ob := model.Observation{Ctxs: make([]model.CtxObs, 0, len(ctxs)), SSLs: make([]model.SSLObs, 0, len(conns)),
		Sessions: make([]model.SessObs, 0, len(sessions))}
	for i, c := range ctxs {
		if c == nil {
			continue
		}
		st := c.Stats()
		ob.Ctxs = append(ob.Ctxs, model.CtxObs{Ctx: model.Handle(i + 1), Number: st.Number, Hits: st.Hits,
			Misses: st.Misses, Timeouts: st.Timeouts, CacheFull: st.CacheFull, Connect: st.Connect,
			ConnectGood: st.ConnectGood, Accept: st.Accept, AcceptGood: st.AcceptGood, CbHits: st.CbHits})
	}
	held := make([]*Session, 0, len(conns))
	for i, conn := range conns {
		if conn == nil {
			continue
		}
		held = append(held, conn.Get0Session())
		ob.SSLs = append(ob.SSLs, model.SSLObs{SSL: model.Handle(i + 1), Reused: conn.SessionReused()})
	}
	for i, s := range sessions {
		if s == nil {
			continue
		}
		t, timeout := s.times()
		ob.Sessions = append(ob.Sessions, model.SessObs{Sess: model.Handle(i + 1), Resumable: s.IsResumable(), SidCtx: s.IDContext(),
			IDLen: s.ID().Len(), Time: t, Timeout: timeout})
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	for i, s := range held {
		switch h, ok := u.names[s]; {
		case s == nil:
		case ok:
			ob.SSLs[i].Sess = h
		default:
			ob.SSLs[i].Sess = model.Unnamed
		}
	}
	return ob, nil
}
