package scenario

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// run parses and runs src on the model and returns the output and report.
func run(t *testing.T, src string, opt Options) (string, *Report) {
	t.Helper()
	s, err := Parse("t.sim", []byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	var out bytes.Buffer
	rep, err := Run(context.Background(), s, opt, &out)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out.String(), rep
}

// block returns the output lines printed for the statement at line n.
func block(out string, n int) string {
	head := "t.sim:" + strconv.Itoa(n) + "  "
	i := strings.Index(out, head)
	if i < 0 {
		return ""
	}
	rest := out[i:]
	if j := strings.Index(rest, "\n\n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

const pair = `sctx = SSL_CTX_new(server, no_ticket, remove_cb)
cctx = SSL_CTX_new(client)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_2)
`

func TestRunFlagsUndefinedBehaviourAndGoesOn(t *testing.T) {
	out, rep := run(t, pair+`p = SSL_get0_session(s)
SSL_SESSION_free(p)
SSL_CTX_sess_number(sctx)
`, Options{})
	if len(rep.Undefined) != 1 || rep.Undefined[0].Rule != model.RuleUBOverRelease || rep.Undefined[0].Pos.Line != 6 {
		t.Fatalf("undefined = %+v, want one UB-OVER-RELEASE at line 6", rep.Undefined)
	}
	if !strings.Contains(block(out, 6), "!! undefined behaviour UB-OVER-RELEASE (t.sim:6): the application holds no reference to p=sess1") {
		t.Errorf("statement 6 printed:\n%s", block(out, 6))
	}
	// The state did not change: the cache still holds the session.
	if b := block(out, 7); !strings.Contains(b, "=> 1") {
		t.Errorf("the run did not go on with the state unchanged:\n%s", b)
	}
	if rep.Clean() || !strings.Contains(out, "verdict: 1 undefined behaviour (UB-OVER-RELEASE at t.sim:6)") {
		t.Errorf("verdict wrong:\n%s", out)
	}
}

func TestRunNotModelled(t *testing.T) {
	out, rep := run(t, pair+"handshake(c, s, TLS1_2)\n", Options{})
	if len(rep.Unmodelled) != 1 || rep.Clean() {
		t.Fatalf("unmodelled = %+v", rep.Unmodelled)
	}
	if b := block(out, 5); !strings.Contains(b, "!! not modelled: both SSLs must be new or SSL_clear'ed (renegotiation is not modelled); the call is skipped") {
		t.Errorf("statement 5 printed:\n%s", b)
	}
}

func TestRunSkipsStatementsReadingAnUnboundVariable(t *testing.T) {
	out, rep := run(t, "ctx = SSL_CTX_new(client)\nSSL_CTX_free(ctx)\nc = SSL_new(ctx)\nSSL_free(c)\n", Options{})
	if len(rep.Undefined) != 1 || rep.Undefined[0].Rule != model.RuleUBDanglingCTX {
		t.Fatalf("undefined = %+v", rep.Undefined)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].Pos.Line != 4 {
		t.Fatalf("skipped = %+v", rep.Skipped)
	}
	if b := block(out, 4); !strings.Contains(b, "!! skipped: c has no value (the call that was to bind it did not run)") {
		t.Errorf("statement 4 printed:\n%s", b)
	}
}

func TestRunNullFreeIsANoOp(t *testing.T) {
	out, rep := run(t, "SSL_SESSION_free(NULL); SSL_free(NULL); SSL_CTX_free(NULL)\nSSL_SESSION_is_resumable(NULL)\n", Options{})
	if !strings.Contains(out, "=> void (SSL_SESSION_free(NULL) does nothing)") || !strings.Contains(out, "=> void (SSL_CTX_free(NULL) does nothing)") {
		t.Errorf("output:\n%s", out)
	}
	if len(rep.Undefined) != 1 || rep.Undefined[0].Rule != model.RuleUBNULLSession {
		t.Errorf("SSL_SESSION_is_resumable(NULL) flagged %+v, want UB-NULL-SESSION", rep.Undefined)
	}
}

func TestRunTimesRelativeToNow(t *testing.T) {
	out, _ := run(t, pair+"p = SSL_get0_session(s)\ntick(100)\nSSL_SESSION_set_time(p, now-30)\nSSL_SESSION_get_time(p)\n", Options{})
	start := model.OpenSSL30().StartTime
	if b := block(out, 7); !strings.Contains(b, "=> "+strconv.FormatInt(start+70, 10)+" (T+70)") {
		t.Errorf("set_time(now-30) after tick(100):\n%s", b)
	}
	if b := block(out, 8); !strings.Contains(b, "=> "+strconv.FormatInt(start+70, 10)+" (T+70)") {
		t.Errorf("get_time:\n%s", b)
	}
}

func TestRunNowOverflowIsSkipped(t *testing.T) {
	_, rep := run(t, "tick(now+9223372036854775807)\n", Options{})
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0].Msg, "overflows") {
		t.Fatalf("skipped = %+v", rep.Skipped)
	}
}

func TestRunLeaksSayWhereEachReferenceWasTaken(t *testing.T) {
	src := `cctx = SSL_CTX_new(client, mode=CLIENT|NO_INTERNAL_STORE, new_cb=1)
sctx = SSL_CTX_new(server)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_3)
read_ticket(c)
p = SSL_get1_session(c)
SSL_SESSION_up_ref(p)
SSL_SESSION_free(p)
SSL_SESSION_free(p)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
SSL_CTX_free(sctx)
`
	out, rep := run(t, src, Options{})
	want := []string{
		"p=sess1: reference taken at t.sim:5 (new_session_cb returned 1) never freed with SSL_SESSION_free",
		"cctx=ctx1: SSL_CTX made at t.sim:1 never freed with SSL_CTX_free",
	}
	if len(rep.Leaks) != len(want) {
		t.Fatalf("leaks = %+v\n%s", rep.Leaks, out)
	}
	for i, w := range want {
		if got := rep.Leaks[i].Object + ": " + rep.Leaks[i].Msg; got != w {
			t.Errorf("leak %d = %q, want %q", i, got, w)
		}
	}
}

func TestRunClean(t *testing.T) {
	out, rep := run(t, pair+"SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)\nSSL_CTX_free(cctx); SSL_CTX_free(sctx)\n", Options{})
	if !rep.Clean() || !strings.HasSuffix(out, "verdict: clean\n") {
		t.Errorf("not clean: %s\n%s", rep.Verdict(), out)
	}
	if rep.Statements != 11 {
		t.Errorf("statements = %d, want 11", rep.Statements)
	}
}

func TestRunAnnotatesVariables(t *testing.T) {
	out, _ := run(t, pair+"p = SSL_get1_session(s); q = SSL_get0_session(s)\nSSL_free(s)\n", Options{})
	if b := block(out, 6); !strings.Contains(b, "event remove_cb(sctx=ctx1, p,q=sess1)") {
		t.Errorf("events not annotated:\n%s", b)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n--; f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestRunReportsWriteErrors(t *testing.T) {
	s, err := Parse("t.sim", []byte(pair))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), s, Options{}, &failWriter{n: 3}); err == nil || err.Error() != "disk full" {
		t.Errorf("Run on a failing writer returned %v", err)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	s, err := Parse("t.sim", []byte(pair))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := Run(ctx, s, Options{}, io.Discard)
	if !errors.Is(err, context.Canceled) || rep.Statements != 0 {
		t.Errorf("cancelled run: %v after %d statements", err, rep.Statements)
	}
}

type randSource struct{ r *rand.Rand }

func (s randSource) Intn(n int) int { return s.r.IntN(n) }

// TestEngineReproducersReplay: sequences drawn by the engines' generator,
// printed as the engines print reproducers (step numbers, bindings, result
// comments), parse back and replay to exactly the same universe.
func TestEngineReproducersReplay(t *testing.T) {
	sequences := 150
	if testing.Short() {
		sequences = 30
	}
	all := func(model.Kind) bool { return true }
	for seed := range uint64(sequences) {
		st := model.New(model.OpenSSL30())
		src := randSource{rand.New(rand.NewPCG(seed, 7))}
		var lines []string
		for i := range 80 {
			op := properties.DrawOp(src, st, all, properties.DefaultLimits())
			res, err := st.Step(op)
			if err != nil {
				t.Fatalf("seed %d: generator drew an illegal call %s: %v", seed, op, err)
			}
			lines = append(lines, "  "+strconv.Itoa(i%10)+"  "+properties.FormatCall(op, res)+"   # "+res.Format(op))
		}
		script, err := Parse("replay.sim", []byte(strings.Join(lines, "\n")))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, strings.Join(lines, "\n"))
		}
		rep, err := Run(context.Background(), script, Options{}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Undefined)+len(rep.Unmodelled)+len(rep.Skipped) > 0 {
			t.Fatalf("seed %d: replay flagged %s\n%s", seed, rep.Verdict(), strings.Join(lines, "\n"))
		}
		if !rep.State.Equal(st) {
			t.Fatalf("seed %d: replay ended in another state\n%s", seed, strings.Join(lines, "\n"))
		}
	}
}
