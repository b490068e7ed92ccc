package properties

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/internal/shimtest"
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

// TestPlantedWolfSSLShimBugs is TestPlantedShimBugs for wolfSSL: the
// search engine of sesslife check runs against the wolfSSL shim builds
// with a planted bug (make shim-variants: the OpenSSL shim's planted bugs,
// which live in shim/common and so plant the same bug in every C shim) and
// must name every finding by the rule of the reference count,
// REF-DESTROY-AT-ZERO, with the call that miscounted among its suspects:
// not by the wolfSSL rule of the call where the wrong count shows
// (WOLF-REMOVECB-ON-FREE for an SSL_free that finds a reference left,
// WOLF-CLEAR-RENEWS-UNFINISHED for an SSL_clear), nor as another
// library's switch. Each seed and number of sequences is one under which
// the naming at the diverging call alone met the bug under a wolfSSL rule
// as well (bug1: WOLF-REMOVECB-ON-FREE in sequence 0,
// WOLF-CLEAR-RENEWS-UNFINISHED in 5, REF-DESTROY-AT-ZERO in 6; bug3:
// WOLF-REMOVECB-ON-FREE in 1, WOLF-CLEAR-RENEWS-UNFINISHED in 2). Every
// budget is a count, so the findings do not depend on the machine.
func TestPlantedWolfSSLShimBugs(t *testing.T) {
	if testing.Short() {
		t.Skip("slow (a search and its reductions through a wolfSSL shim process): make test runs it in its conformance step")
	}
	for _, bug := range []struct {
		name      string
		seed      uint64
		sequences int
		// suspect lists the kinds of call that miscount: a finding must
		// name one such call among its reference suspects, with one
		// reference more (delta +1) or fewer (-1), or diverge at one (bug2's
		// early destruction shows at SSL_get0_session itself).
		suspect []model.Kind
		delta   int
	}{
		// SSL_get0_session takes a reference.
		{"bug1", 11, 7, []model.Kind{model.Get0}, +1},
		// SSL_get0_session frees the borrowed session.
		{"bug2", 11, 1, []model.Kind{model.Get0}, -1},
		// new_session_cb claims a reference the application drops.
		{"bug3", 2, 3, []model.Kind{model.Handshake, model.HandshakeFinish}, +1},
	} {
		t.Run(bug.name, func(t *testing.T) {
			path := shimtest.Path(t, "sesslife-shim-wolfssl-"+bug.name)
			opts := DefaultSearchOptions()
			opts.Profile, opts.Seed, opts.Sequences = model.WolfSSL55(), bug.seed, bug.sequences
			rep, err := Search(context.Background(), func() (target.Target, error) { return subprocess.New(path) }, opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) == 0 {
				t.Fatalf("planted %s: no finding in %d sequences of seed %d", bug.name, bug.sequences, bug.seed)
			}
			for _, f := range rep.Findings {
				d := f.Divergence
				if f.Rule != model.RuleRefDestroyAtZero {
					t.Errorf("planted %s: finding named %s, want %s:\n%s", bug.name, f.Rule, model.RuleRefDestroyAtZero, d)
					continue
				}
				if like := d.Likenesses(); len(like) > 0 {
					t.Errorf("planted %s: the finding acts as %s:\n%s", bug.name, like[0].Like, d)
				}
				if last := d.Trail[len(d.Trail)-1].Op; slices.Contains(bug.suspect, last.Kind) {
					continue
				}
				found := false
				for _, s := range d.RefSuspects() {
					found = found || (slices.Contains(bug.suspect, s.Op.Kind) && s.Delta == bug.delta)
				}
				if !found {
					t.Errorf("planted %s: no reference suspect at %s (delta %+d):\n%s", bug.name, bug.suspect, bug.delta, d)
				}
			}
			t.Logf("planted %s: %d finding(s), the first of %d calls:\n%s", bug.name, len(rep.Findings), len(rep.Findings[0].Divergence.Trail), rep.Findings[0].Divergence)
		})
	}
}
