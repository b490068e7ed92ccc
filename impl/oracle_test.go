package impl_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/scenario"
	"github.com/sesslife/sesslife/target"
)

// The lockstep oracle as a test of its own: the simulator against the
// model, through properties.Search (the engine of `sesslife check`), with a
// fixed seed and a fixed number of sequences. `make mutants-auto` runs an
// automatic mutation tool on this package with this test alone (its go
// test runs get -run=^TestLockstepOracle$), so that the score it reports is
// the oracle's and not the unit tests' (docs/mutants.md, "Automatic
// mutants").

// oracleSeed, oracleSequences and flushSequences are the oracle's budget
// under the mutation tool: counts, so that a mutant's verdict does not
// depend on the machine. With -short (make unit) the test draws a tenth of
// them.
const (
	oracleSeed      = 20261124
	oracleSequences = 2000
	flushSequences  = 500
)

// TestLockstepOracle fails on the first sequence on which the simulator
// and the model disagree, with the reduced reproducer. It searches twice:
// under openssl-3.0, and under the same profile with the automatic flush
// every 4th handshake instead of every 256th (model and simulator alike,
// as the built-in AUTO- mutants are checked). Under the real mask only the
// search's marathons reach the flush, and no time passes in a marathon, so
// the flush never finds an expired session to drop: a simulator that
// never flushed, or flushed on the wrong side's counter, would pass
// (docs/mutants.md, "Automatic mutants"). Then it runs directedScript.
func TestLockstepOracle(t *testing.T) {
	flush := model.OpenSSL30()
	flush.AutoFlushMask = 0x3
	flush.Name += " (AutoFlushMask 0x3)"
	for _, run := range []struct {
		prof      model.Profile
		sequences int
	}{{model.OpenSSL30(), oracleSequences}, {flush, flushSequences}} {
		t.Run(run.prof.Name, func(t *testing.T) { oracle(t, run.prof, run.sequences) })
	}
	t.Run("directed", directed)
}

// directedScript reaches, side by side with the model, four places the
// search never drew (docs/mutants.md, "Automatic mutants"). First a TLS 1.3
// ticket whose lifetime hint the week's cap cuts (the search's timeouts
// stay under two hours): the client leaves out a ticket two seconds past a
// week (its age is rounded down by one) that its server, and its own
// timeout, would still take. Then the ticket of a resumed TLS 1.3
// connection, offered ten seconds later: it carries the session's hint
// (only a TLS 1.2 ticket renewing a resumed session carries none), so it
// resumes. Last, a session that only the external cache holds (the
// context stored nothing internally when it was made, then lets the
// internal cache store again): get_session_cb hands it back on the
// internal miss, and libssl adds it to the internal cache
// (SSL_CTX_sess_number 1), which a simulator that never stored what the
// callback returned would miss (docs/mutants.md, "Automatic mutants",
// cache.go's askGetCB). Then SSL_set_SSL_CTX between SSL_CTXs of different
// session id contexts: a server SSL that had its first SSL_CTX's context
// takes the new one's and refuses the session made under the old; one given
// a context of its own keeps it, and refuses too, though the new SSL_CTX's
// context is the session's (SWITCH-SIDCTX; sslctx.go's SetSSLCtx).
const directedScript = `sctx = SSL_CTX_new(server, timeout=691200)
cctx = SSL_CTX_new(client, timeout=691200)
c1 = SSL_new(cctx); s1 = SSL_new(sctx)
handshake(c1, s1, TLS1_3)
read_ticket(c1)
p = SSL_get1_session(c1)
tick(604802)
c2 = SSL_new(cctx); s2 = SSL_new(sctx)
SSL_set_session(c2, p)
handshake(c2, s2, TLS1_3)
SSL_session_reused(c2)
SSL_SESSION_free(p)
sctx2 = SSL_CTX_new(server)
cctx2 = SSL_CTX_new(client)
c3 = SSL_new(cctx2); s3 = SSL_new(sctx2)
handshake(c3, s3, TLS1_3)
read_ticket(c3)
q = SSL_get1_session(c3)
c4 = SSL_new(cctx2); s4 = SSL_new(sctx2)
SSL_set_session(c4, q)
handshake(c4, s4, TLS1_3)
read_ticket(c4)
r = SSL_get1_session(c4)
tick(10)
c5 = SSL_new(cctx2); s5 = SSL_new(sctx2)
SSL_set_session(c5, r)
handshake(c5, s5, TLS1_3)
SSL_session_reused(c5)
SSL_SESSION_free(q)
SSL_SESSION_free(r)
ectx = SSL_CTX_new(server, mode=SERVER|NO_INTERNAL_STORE, no_ticket, new_cb=1, get_cb=1)
c6 = SSL_new(cctx2); s6 = SSL_new(ectx)
handshake(c6, s6, TLS1_2)
e = SSL_get1_session(c6)
SSL_CTX_set_session_cache_mode(ectx, SERVER)
c7 = SSL_new(cctx2); s7 = SSL_new(ectx)
SSL_set_session(c7, e)
handshake(c7, s7, TLS1_2)
SSL_session_reused(s7)
SSL_CTX_sess_cb_hits(ectx)
SSL_CTX_sess_number(ectx)
SSL_SESSION_free(e)
actx = SSL_CTX_new(server, no_ticket)
SSL_CTX_set_session_id_context(actx, 1)
bctx = SSL_CTX_new(server, no_ticket)
SSL_CTX_set_session_id_context(bctx, 2)
dctx = SSL_CTX_new(server, no_ticket)
SSL_CTX_set_session_id_context(dctx, 1)
c8 = SSL_new(cctx2); s8 = SSL_new(actx)
handshake(c8, s8, TLS1_2)
g = SSL_get1_session(c8)
c9 = SSL_new(cctx2); s9 = SSL_new(actx)
SSL_set_SSL_CTX(bctx, s9)
SSL_set_session(c9, g)
handshake(c9, s9, TLS1_2)
SSL_session_reused(s9)
c10 = SSL_new(cctx2); s10 = SSL_new(actx)
SSL_set_session_id_context(s10, 2)
SSL_set_SSL_CTX(dctx, s10)
SSL_set_session(c10, g)
handshake(c10, s10, TLS1_2)
SSL_session_reused(s10)
SSL_SESSION_free(g)
`

// directed runs directedScript on the simulator beside the model.
func directed(t *testing.T) {
	s, err := scenario.Parse("directed", []byte(directedScript))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep, err := scenario.Run(context.Background(), s, scenario.Options{Target: impl.NewTarget()}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(rep.Differences) > 0 || rep.TargetFailure != nil || len(rep.Undefined) > 0 || len(rep.Unmodelled) > 0 || len(rep.Skipped) > 0 {
		t.Errorf("the simulator and the model differ, or the script is wrong:\n%s", out.String())
	}
}

// oracle searches sequences call sequences under prof.
func oracle(t *testing.T, prof model.Profile, sequences int) {
	opts := properties.DefaultSearchOptions()
	opts.Seed, opts.Sequences, opts.Profile = oracleSeed, sequences, prof
	if testing.Short() {
		opts.Sequences /= 10
	}
	// One finding fails the test; a small reduction budget keeps a killed
	// mutant cheap and still prints a readable reproducer.
	opts.MaxFindings, opts.ReduceBudget = 1, 200
	open := func() (target.Target, error) { return impl.NewTarget(impl.WithProfile(prof)), nil }
	rep, err := properties.Search(context.Background(), open, opts)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	for _, f := range rep.Findings {
		t.Errorf("sequence %d: %v", f.Sequence, f.Divergence)
	}
	for _, d := range rep.Unconfirmed {
		t.Errorf("a divergence did not reproduce on a fresh simulator: %s", d.Brief())
	}
	rules := model.GenerableRules(opts.Profile)
	t.Logf("%d sequences, %d calls, rules exercised %d/%d", rep.Sequences, rep.Calls,
		rep.Coverage.Exercised(rules), len(rules))
}
