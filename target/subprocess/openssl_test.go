package subprocess

import (
	"context"
	"debug/elf"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// Tests of the OpenSSL shim itself: its hello, the virtual clock, lanes,
// and the planted bugs the harness must catch.

func TestOpenSSLHello(t *testing.T) {
	t.Parallel()
	tg := newOpenSSL(t, "sesslife-shim-openssl")
	info := tg.Info()
	if !strings.HasPrefix(info.Name, "OpenSSL 3.0.") || info.Profile != "openssl-3.0" || !info.Concurrent ||
		len(info.Unsupported) != 0 {
		t.Errorf("Info = %+v", info)
	}
}

// apply runs ops and returns their results, failing the test on an error.
func apply(t *testing.T, tg interface {
	Apply(context.Context, model.Op) (model.Result, error)
}, ops ...model.Op) []model.Result {
	t.Helper()
	var out []model.Result
	for _, op := range ops {
		r, err := tg.Apply(context.Background(), op)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		out = append(out, r)
	}
	return out
}

// TestTimeIsInterposed checks that libssl reads the virtual clock: a
// session made after a tick has the ticked time, and a ticked session
// expires.
func TestTimeIsInterposed(t *testing.T) {
	t.Parallel()
	tg := newOpenSSL(t, "sesslife-shim-openssl")
	start := model.OpenSSL30().StartTime
	r := apply(t, tg, ctxNewOp(1, client(nil)), ctxNewOp(2, server(nil)), sslNew(1, 1), sslNew(2, 2),
		tick(123_456), hs(1, 2, model.TLS12), onSSL(model.Get0, 2), onSess(model.GetTime, 1))
	if got := r[len(r)-1].Ret; got != start+123_456 {
		t.Errorf("SSL_SESSION_get_time = %d, want %d (the virtual clock)", got, start+123_456)
	}
	if err := tg.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = apply(t, tg, ctxNewOp(1, client(nil)), ctxNewOp(2, server(nil)), sslNew(1, 1), sslNew(2, 2),
		hs(1, 2, model.TLS12), onSSL(model.Get0, 2), onSess(model.GetTime, 1))
	if got := r[len(r)-1].Ret; got != start {
		t.Errorf("after Reset SSL_SESSION_get_time = %d, want %d", got, start)
	}
}

// TestShimsDefineBothClocks: OpenSSL 3.0 asks time() for "now", OpenSSL
// 3.2 and later gettimeofday() (ossl_time_now), wolfSSL both. A C shim
// follows the virtual clock only if its executable defines each of them
// for the dynamic linker to bind the library's calls to; without
// gettimeofday, a shim built against OpenSSL 3.2+ gave every session the
// real time and every check a stream of false findings. OpenSSL 3.0
// itself cannot show the difference, so the test reads the symbol table.
func TestShimsDefineBothClocks(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sesslife-shim-openssl", wolfShim} {
		f, err := elf.Open(needShim(t, name))
		if err != nil {
			t.Fatal(err)
		}
		syms, err := f.DynamicSymbols()
		_ = f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, clock := range []string{"time", "gettimeofday"} {
			if !slices.ContainsFunc(syms, func(s elf.Symbol) bool {
				return s.Name == clock && s.Section != elf.SHN_UNDEF && elf.ST_TYPE(s.Info) == elf.STT_FUNC
			}) {
				t.Errorf("%s does not define %s() for the libraries to bind to", name, clock)
			}
		}
	}
}

// TestConcurrentLanes runs eight connections at once on shared SSL_CTXs.
func TestConcurrentLanes(t *testing.T) {
	t.Parallel()
	tg := newOpenSSL(t, "sesslife-shim-openssl")
	const pairs = 8
	newCB := server(func(c *model.CtxConfig) { c.NewCB = model.NewCBReturn0 })
	apply(t, tg, ctxNewOp(1, client(nil)), ctxNewOp(2, newCB))
	for i := range pairs {
		apply(t, tg, sslNew(model.Handle(2*i+1), 1), sslNew(model.Handle(2*i+2), 2))
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		named []int
		errs  []error
	)
	for i := range pairs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, s := model.Handle(2*i+1), model.Handle(2*i+2)
			want := []int64{1, 0, 0, 0, 1, 0, 0}
			for j, op := range []model.Op{hs(c, s, model.TLS13), onSSL(model.SessionReused, c),
				onSSL(model.Shutdown, c), onSSL(model.Shutdown, s), onSSL(model.Shutdown, c),
				onSSL(model.SSLFree, c), onSSL(model.SSLFree, s)} {
				r, err := tg.Apply(context.Background(), op)
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, fmt.Errorf("%s: %v", op, err))
				case r.Ret != want[j]:
					errs = append(errs, fmt.Errorf("%s = %d, want %d", op, r.Ret, want[j]))
				}
				for _, e := range r.Events {
					if e.Kind == model.EvNewSession {
						named = append(named, int(e.Sess))
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	// Two tickets per handshake, each a new session, named 1..2*pairs.
	sort.Ints(named)
	for i, h := range named {
		if h != i+1 {
			t.Fatalf("new_session_cb sessions %v, want 1..%d", named, 2*pairs)
		}
	}
	if len(named) != 2*pairs {
		t.Errorf("%d new_session_cb events, want %d", len(named), 2*pairs)
	}
	ob, err := tg.Observe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ob.SSLs) != 0 || len(ob.Ctxs) != 2 {
		t.Errorf("observation after all SSLs were freed: %+v", ob)
	}
}

func TestASanBuildIsClean(t *testing.T) {
	t.Parallel()
	tg := newOpenSSL(t, "sesslife-shim-openssl-asan") // Close fails on a leak report
	ctx := context.Background()
	for name, ops := range scenarios() {
		if d, err := lockstep(ctx, tg, ops, 1); err != nil || d != nil {
			t.Errorf("%s: %v %v", name, err, d)
		}
	}
}
