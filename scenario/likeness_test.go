package scenario

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target/modeltarget"
)

// TestReplaySaysWhichLibraryTheTargetActsLike: replaying finding O1 with
// OpenSSL 3.2's behaviour as the target and the openssl-3.0 model, the
// difference is named where it shows, and the report adds the switch
// under which the model does all the target did, with the rule it
// replaces; against its own profile the target does not differ at all.
func TestReplaySaysWhichLibraryTheTargetActsLike(t *testing.T) {
	src := `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client)
c = SSL_new(cctx)
s = SSL_new(sctx)
handshake(c, s, TLS1_3)
read_ticket(c)
p = SSL_get1_session(c)
SSL_SESSION_set_time(p, now+3600)
c2 = SSL_new(cctx)
s2 = SSL_new(sctx)
SSL_set_session(c2, p)
handshake(c2, s2, TLS1_3)
`
	script, err := Parse("o1.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, checked := range []model.Profile{model.OpenSSL30(), model.OpenSSL32()} {
		tgt := modeltarget.New(model.OpenSSL32(), "model openssl-3.2")
		rep, err := Run(context.Background(), script, Options{Profile: checked, Target: tgt}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if checked.Name == "openssl-3.2" {
			if len(rep.Differences) != 0 {
				t.Errorf("against its own profile: differences %v", rep.Differences)
			}
			continue
		}
		if len(rep.Differences) != 1 {
			t.Fatalf("differences %v, want 1", rep.Differences)
		}
		want := "with TicketAgeFloorsAtZero as in openssl-3.2, the model does what the target did on every call: the target follows OSSL32-TICKET-AGE-FLOOR in place of TKT-HINT-SLACK (docs/findings.md O1)"
		if msg := rep.Differences[0].Msg; !strings.Contains(msg, want) {
			t.Errorf("the difference says %q, want it to say %q", msg, want)
		}
	}
}

// TestReplayNamesTheCallsThatMayHaveMiscounted: a target whose session
// outlives the model's (its SSL_get0_session takes a reference, so
// SSL_free leaves the session alive: no destroyed event) differs by
// REF-DESTROY-AT-ZERO, and the report lists the calls from which one
// reference more explains it, SSL_get0_session among them.
func TestReplayNamesTheCallsThatMayHaveMiscounted(t *testing.T) {
	src := `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client)
c = SSL_new(cctx)
s = SSL_new(sctx)
handshake(c, s, TLS1_2)
p = SSL_get0_session(c)
SSL_shutdown(c)
SSL_free(c)
`
	script, err := Parse("get0.sim", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	f.twist = func(op model.Op, r *model.Result) {
		if op.Kind == model.Get0 {
			// A reference nobody releases, in the fake's own state, so
			// that what it observes agrees with what it returns.
			if _, err := f.s.Step(model.Op{Kind: model.UpRef, Sess: model.Handle(r.Ret)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep, err := Run(context.Background(), script, Options{Target: f}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 {
		t.Fatalf("differences %v, want 1", rep.Differences)
	}
	msg := rep.Differences[0].Msg
	for _, want := range []string{"rule REF-DESTROY-AT-ZERO", "with one reference more on sess1 from ", "call 6 (SSL_get0_session(ssl1); its rules there: SEED-GET0-NOREF)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the difference says %q, want it to say %q", msg, want)
		}
	}
}
