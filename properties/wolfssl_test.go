package properties

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// wolfsslShim starts bin/sesslife-shim-wolfssl (make shim-wolfssl). On a
// developer's machine without it the test is skipped; under CI=true a
// missing shim is a failure, never a silent skip.
func wolfsslShim(t *testing.T) target.Target {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join("..", "bin", "sesslife-shim-wolfssl"))
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sesslife: %s is missing under CI=true: run make shim-wolfssl (it needs libwolfssl-dev): %v", path, err)
		}
		t.Skipf("sesslife: %s not built (make shim-wolfssl); skipping the wolfSSL conformance run", path)
	}
	tgt, err := subprocess.New(path, subprocess.WithTimeout(testwait.Budget(t))) // only a hang reaches it
	if err != nil {
		t.Fatalf("sesslife: start %s: %v", path, err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt
}

// TestConformanceWolfSSL checks Debian's wolfSSL 5.5 through its shim
// against the wolfssl-5.5 profile with the rapid engine (-rapid.checks
// sequences; make check-wolfssl asks for 2,000), and requires every call the
// shim implements to be exercised.
func TestConformanceWolfSSL(t *testing.T) {
	tgt := wolfsslShim(t)
	if got := tgt.Info().Profile; got != "wolfssl-5.5" {
		t.Fatalf("sesslife: the wolfSSL shim claims profile %q, want wolfssl-5.5", got)
	}
	opts := DefaultOptions()
	opts.Profile = model.WolfSSL55()
	opts.Coverage = &Coverage{}
	rapid.Check(t, RapidProp(tgt, opts))
	t.Logf("sesslife: %s agrees with %s on %s", tgt.Info().Name, opts.Profile.Name, opts.Coverage)
	requireEveryCall(t, opts.Coverage, Checkable(tgt.Info(), opts.Profile))
}

// TestWolfSSLIsNotOpenSSL is the oracle telling two libraries apart: the
// openssl-3.0 profile must find a divergence in wolfSSL within a few
// sequences.
func TestWolfSSLIsNotOpenSSL(t *testing.T) {
	tgt := wolfsslShim(t)
	setFlag(t, "rapid.shrinktime", "5s")
	opts := DefaultOptions()
	opts.MinCalls, opts.MaxCalls = 10, 30
	msg := failureOf(t, RapidProp(tgt, opts))
	if n := reproducerLength(msg); n == 0 || n > 10 {
		t.Fatalf("want a reproducer of 1..10 calls, got %d:\n%s", n, msg)
	}
	t.Logf("sesslife: openssl-3.0 rejects wolfSSL with a reproducer of %d calls", reproducerLength(msg))
}

// TestWolfSSLResetEmptiesCache checks the shim's reset: wolfSSL's session
// cache is one static table per process that no call empties, so the shim
// replaces its process image. Three handshakes by a server with a remove
// callback leave three entries owning their ex_data (three cannot evict
// each other); forty handshakes in the next universe go round all 33
// places, so had those entries survived the reset, overwriting them would
// raise remove_cb with a NULL SSL_CTX.
func TestWolfSSLResetEmptiesCache(t *testing.T) {
	tgt := wolfsslShim(t)
	ctx := context.Background()
	universe := func(n model.Handle, removeCB bool) []model.Event {
		if err := tgt.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		srv := model.DefaultConfig(model.Server)
		srv.RemoveCB = removeCB
		ops := []model.Op{{Kind: model.CtxNew, Ctx: 1, Config: srv},
			{Kind: model.CtxNew, Ctx: 2, Config: model.DefaultConfig(model.Client)}}
		for i := model.Handle(1); i <= n; i++ {
			c, s := 2*i-1, 2*i
			ops = append(ops, model.Op{Kind: model.SSLNew, SSL: c, Ctx: 2}, model.Op{Kind: model.SSLNew, SSL: s, Ctx: 1},
				model.Op{Kind: model.Handshake, SSL: c, Peer: s, Arg: int64(model.TLS12)},
				model.Op{Kind: model.SSLFree, SSL: c}, model.Op{Kind: model.SSLFree, SSL: s})
		}
		var evs []model.Event
		for _, op := range ops {
			res, err := tgt.Apply(ctx, op)
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			evs = append(evs, res.Events...)
		}
		return evs
	}
	universe(3, true)
	if evs := universe(40, false); len(evs) != 0 {
		t.Fatalf("entries of the previous universe survived the reset: %v", evs)
	}
}

// TestWolfSSLShimAnswersBadRequests: bad requests get clear errors naming
// the field or handle, never a crash, and a call wolfSSL lacks is
// "unimplemented".
func TestWolfSSLShimAnswersBadRequests(t *testing.T) {
	wolfsslShim(t) // the skip/fail policy
	path, _ := filepath.Abs(filepath.Join("..", "bin", "sesslife-shim-wolfssl"))
	cases := []struct{ line, want string }{
		{`{"id":1 "op":"tick"}`, `{"id":0,"error":"byte 8: expected ',' or '}'"}`},
		{`{"id":5,"op":"tick"}`, `{"id":5,"error":"\"now\" is missing"}`},
		{`{"id":7,"op":"SSL_SESSION_set_time","now":1,"sess":1,"arg":5}`, `{"id":7,"unimplemented":true}`},
		{`{"id":8,"op":"SSL_new","now":1,"ctx":1,"ssl":1}`, `{"id":8,"error":"ctx 1 is not a live SSL_CTX"}`},
		{`{"id":9,"op":"SSL_SESSION_free","now":1,"sess":3}`, `{"id":9,"error":"sess 3 is not a live named session"}`},
		{`{"id":10,"op":"SSL_CTX_new","now":1,"ctx":1}`, `{"id":10,"error":"SSL_CTX_new needs a \"config\" object"}`},
		{`{"id":11,"op":"SSL_CTX_new","now":1,"ctx":1,"config":{"side":"client"}}`, `{"id":11,"ret":0,"events":[]}`},
		{`{"id":12,"op":"SSL_CTX_new","now":1,"ctx":1,"config":{"side":"server"}}`, `{"id":12,"error":"ctx 1 is taken (or not a handle)"}`},
		{`{"id":13,"op":"SSL_new","now":1,"ctx":1,"ssl":1}`, `{"id":13,"ret":0,"events":[]}`},
		{`{"id":14,"op":"handshake","now":1,"ssl":1,"peer":1,"arg":13}`, `{"id":14,"error":"handshake needs two different SSLs"}`},
		{`{"id":15,"op":"quit"}`, `{"id":15,"ret":0,"events":[]}`},
	}
	var in strings.Builder
	for _, c := range cases {
		in.WriteString(c.line + "\n")
	}
	cmd := exec.Command(path)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the shim failed: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(cases)+1 {
		t.Fatalf("want a hello and %d replies, got:\n%s", len(cases), out)
	}
	for i, c := range cases {
		if got := lines[i+1]; got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.line, got, c.want)
		}
	}
}
