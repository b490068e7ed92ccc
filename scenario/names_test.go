package scenario

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// TestRunHandleNamedVariableMustBeThatHandle: a variable named like a
// handle (ctxN, sslN, sessN) may only be bound to that handle; anything
// else stops the run with an error naming the place.
func TestRunHandleNamedVariableMustBeThatHandle(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
		stmts           int
	}{
		{"another session", pair + "sess2 = SSL_get1_session(s)\n",
			"t.sim:5:1: sess2 cannot be bound to sess1, which SSL_get1_session returned: a variable named like a handle must be that handle (choose a name not of the form sessN)", 6},
		{"NULL", "ctx1 = SSL_CTX_new(client)\nssl1 = SSL_new(ctx1)\n  sess1 = SSL_get0_session(ssl1)\n",
			"t.sim:3:3: sess1 cannot be bound to NULL, which SSL_get0_session returned: a variable named like a handle must be that handle (choose a name not of the form sessN)", 3},
		{"another SSL_CTX", "ctx2 = SSL_CTX_new(server)\n",
			"t.sim:1:1: ctx2 cannot be bound to ctx1, which SSL_CTX_new returned: a variable named like a handle must be that handle (choose a name not of the form ctxN)", 1},
		{"another SSL", "x = SSL_CTX_new(server)\nssl1 = SSL_new(x)\nssl1 = SSL_new(x)\n",
			"t.sim:3:1: ssl1 cannot be bound to ssl2, which SSL_new returned: a variable named like a handle must be that handle (choose a name not of the form sslN)", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse("t.sim", []byte(tc.src))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), s, Options{}, &out)
			var e *Error
			if !errors.As(err, &e) || err.Error() != tc.want {
				t.Fatalf("Run returned %v\nwant %s", err, tc.want)
			}
			if rep == nil || rep.Statements != tc.stmts {
				t.Errorf("the run went on past the binding: %+v", rep)
			}
			if !strings.HasSuffix(out.String(), "    !! "+e.Msg+"; the run stops here\n") {
				t.Errorf("the output does not end with the error:\n%s", out.String())
			}
		})
	}
}

// TestRunHandleNamedVariablesAsReproducersWriteThem: binding a handle's own
// name, again and again, is what the engines' reproducers do.
func TestRunHandleNamedVariablesAsReproducersWriteThem(t *testing.T) {
	out, rep := run(t, `ctx1 = SSL_CTX_new(server, no_ticket)
ctx2 = SSL_CTX_new(client)
ssl1 = SSL_new(ctx2); ssl2 = SSL_new(ctx1)
handshake(ssl1, ssl2, TLS1_2)
sess1 = SSL_get1_session(ssl1)
sess1 = SSL_get1_session(ssl1)
SSL_SESSION_free(sess1)
`, Options{})
	if len(rep.Undefined)+len(rep.Skipped) != 0 {
		t.Fatalf("%s\n%s", rep.Verdict(), out)
	}
	if len(rep.Leaks) == 0 || rep.Leaks[0].Object != "sess1" {
		t.Errorf("leaks = %+v, want sess1 first, without a variable", rep.Leaks)
	}
}

// TestRunLabelsAreUnambiguous: whatever a script names its variables, no
// printed line shows a handle under another handle's name.
func TestRunLabelsAreUnambiguous(t *testing.T) {
	out, rep := run(t, pair+`p = SSL_get1_session(s); sess1 = SSL_get0_session(s)
SSL_free(s)
`, Options{})
	if m := misnamed.FindString(out); m != "" {
		t.Errorf("a label reads %q:\n%s", m, out)
	}
	want := "p=sess1: reference taken at t.sim:5 (SSL_get1_session) never freed with SSL_SESSION_free"
	if len(rep.Leaks) == 0 || rep.Leaks[0].Object+": "+rep.Leaks[0].Msg != want {
		t.Errorf("leaks = %+v, want first %q", rep.Leaks, want)
	}
}

// TestRunNullSessionVariable: a variable holding the NULL that get0 or get1
// returned flows into every call that takes a session. Each call that
// dereferences it is UB-NULL-SESSION at its line, saying where the NULL
// came from; SSL_set_session accepts it and SSL_SESSION_free ignores it.
func TestRunNullSessionVariable(t *testing.T) {
	for _, get := range []string{"SSL_get0_session", "SSL_get1_session"} {
		src := "cctx = SSL_CTX_new(client)\nc = SSL_new(cctx)\nn = " + get + "(c)\n"
		lines := map[int]model.Kind{}
		line := 3
		for _, k := range model.Kinds() {
			sig := signature(k)
			if k == model.KindInvalid || !slices.Contains(sig, ArgSess) {
				continue
			}
			var args []string
			for _, a := range sig {
				args = append(args, map[ArgType]string{ArgCtx: "cctx", ArgSSL: "c", ArgSess: "n", ArgInt: "5"}[a])
			}
			src += fmt.Sprintf("%s(%s)\n", k, strings.Join(args, ", "))
			line++
			lines[line] = k
		}
		out, rep := run(t, src, Options{})
		flagged := map[int]bool{}
		for _, f := range rep.Undefined {
			flagged[f.Pos.Line] = true
			if f.Rule != model.RuleUBNULLSession {
				t.Errorf("%s: line %d flagged %s, want UB-NULL-SESSION", get, f.Pos.Line, f.Rule)
			}
			want := fmt.Sprintf("!! undefined behaviour UB-NULL-SESSION (t.sim:%d): the session pointer is NULL (n holds the NULL that %s returned at t.sim:3); the call is skipped", f.Pos.Line, get)
			if !strings.Contains(block(out, f.Pos.Line), want) {
				t.Errorf("%s: line %d printed:\n%s\nwant %s", get, f.Pos.Line, block(out, f.Pos.Line), want)
			}
		}
		for l, k := range lines {
			legal := k == model.SetSession || k == model.SessFree
			if flagged[l] == legal {
				t.Errorf("%s: %s(n) with n NULL: flagged %v, want %v\n%s", get, k, flagged[l], !legal, block(out, l))
			}
		}
		if len(rep.Skipped)+len(rep.Unmodelled) != 0 {
			t.Errorf("%s: %s", get, rep.Verdict())
		}
	}
}
