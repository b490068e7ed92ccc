package impl

import (
	"context"
	"testing"

	"github.com/sesslife/sesslife/model"
)

var bg = context.Background()

// world is one universe for library tests, recording what the callbacks and
// the destruction hook saw, in order.
type world struct {
	t         *testing.T
	env       *Env
	news      []*Session
	removes   []*Session
	destroyed []*Session
	log       []string // "new", "remove", "destroyed", in call order
}

func newWorld(t *testing.T) *world {
	w := &world{t: t}
	w.env = NewEnv(model.OpenSSL30(), func(_ context.Context, s *Session) {
		w.destroyed = append(w.destroyed, s)
		w.log = append(w.log, "destroyed")
	})
	return w
}

// ctx makes an SSL_CTX whose callbacks (as cfg installs them) record into w.
func (w *world) ctx(cfg model.CtxConfig) *Ctx {
	w.t.Helper()
	var cb Callbacks
	if cfg.NewCB != model.NewCBNone {
		keep := cfg.NewCB == model.NewCBReturn1
		cb.NewSession = func(_ context.Context, _ *Conn, s *Session) bool {
			w.news = append(w.news, s)
			w.log = append(w.log, "new")
			return keep
		}
	}
	if cfg.RemoveCB {
		cb.RemoveSession = func(_ context.Context, _ *Ctx, s *Session) {
			w.removes = append(w.removes, s)
			w.log = append(w.log, "remove")
		}
	}
	c, err := NewCtx(w.env, cfg, cb)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) handshake(c, s *Conn, v model.Version) {
	w.t.Helper()
	if err := Handshake(bg, c, s, v); err != nil {
		w.t.Fatal(err)
	}
}

// reset forgets what was recorded so far.
func (w *world) reset() { w.news, w.removes, w.destroyed, w.log = nil, nil, nil, nil }

func serverCfg() model.CtxConfig { return model.DefaultConfig(model.Server) }
func clientCfg() model.CtxConfig { return model.DefaultConfig(model.Client) }

// cached returns the sessions in c's list, head (expires last) first.
func cached(c *Ctx) []*Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*Session
	for s := c.cache.head; s != nil; s = s.next {
		out = append(out, s)
	}
	return out
}

// loose makes a session outside any handshake, with an id, created at time
// t with the given timeout.
func (w *world) loose(t, timeout int64) *Session {
	s := w.env.newSession(model.TLS12, timeout)
	s.id = w.env.newSessionID()
	s.time = t
	return s
}
