package impl_test

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
)

// A client resumes a TLS 1.2 session from a server's cache, after shutting
// down cleanly and clearing its SSL so that it keeps the session. At the end
// the client's copy dies with the client, and the server's with the server,
// which is freed without close_notify and so takes it out of the cache.
func Example() {
	call := context.Background()
	env := impl.NewEnv(model.OpenSSL30(), func(context.Context, *impl.Session) { fmt.Println("session destroyed") })

	ccfg := model.DefaultConfig(model.Client)
	ccfg.NoTicket = true // resume by session id, so the server caches the session
	scfg := model.DefaultConfig(model.Server)
	scfg.NewCB = model.NewCBReturn0
	cctx, err := impl.NewCtx(env, ccfg, impl.Callbacks{})
	if err != nil {
		panic(err)
	}
	sctx, err := impl.NewCtx(env, scfg, impl.Callbacks{
		NewSession: func(_ context.Context, _ *impl.Conn, s *impl.Session) bool {
			fmt.Println("new_session_cb: id of", s.ID().Len(), "bytes")
			return false // the library keeps its reference
		},
	})
	if err != nil {
		panic(err)
	}

	client, server := cctx.NewConn(), sctx.NewConn()
	if err := impl.Handshake(call, client, server, model.TLS12); err != nil {
		panic(err)
	}
	fmt.Println("first handshake reused:", client.SessionReused(), "cached:", sctx.Number())

	// Both ends send close_notify, so neither drops the session from a cache.
	client.Shutdown(call)
	server.Shutdown(call)
	client.Clear(call)
	server.Free(call)
	server = sctx.NewConn()
	if err := impl.Handshake(call, client, server, model.TLS12); err != nil {
		panic(err)
	}
	fmt.Println("second handshake reused:", client.SessionReused(), "hits:", sctx.Stats().Hits)

	client.Free(call)
	server.Free(call)
	cctx.Free(call)
	sctx.Free(call)
	fmt.Println("live sessions:", env.LiveSessions())
	// Output:
	// new_session_cb: id of 32 bytes
	// first handshake reused: false cached: 1
	// second handshake reused: true hits: 1
	// session destroyed
	// session destroyed
	// live sessions: 0
}
