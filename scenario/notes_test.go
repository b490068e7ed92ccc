package scenario

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// singleUse resumes p once on a TLS 1.3 client with cache mode CLIENT (line
// 7), then offers it again (line 10).
const singleUse = `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client, mode=CLIENT)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_3); read_ticket(c); p = SSL_get1_session(c)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
c = SSL_new(cctx); s = SSL_new(sctx); SSL_set_session(c, p)
handshake(c, s, TLS1_3)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
c = SSL_new(cctx); s = SSL_new(sctx)
SSL_set_session(c, p)
handshake(c, s, TLS1_3)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
SSL_SESSION_free(p); SSL_CTX_free(cctx); SSL_CTX_free(sctx)
`

func TestNoteTLS13SingleUse(t *testing.T) {
	out, rep := run(t, singleUse, Options{})
	if !rep.Clean() || len(rep.Notes) != 1 {
		t.Fatalf("verdict %s, notes %+v\n%s", rep.Verdict(), rep.Notes, out)
	}
	n := rep.Notes[0]
	if n.Rule != RuleSingleUse || n.Pos.Line != 10 {
		t.Errorf("note = %+v, want HS13-CLIENT-SINGLE-USE at line 10", n)
	}
	want := "    note HS13-CLIENT-SINGLE-USE (t.sim:10): the next handshake on c=ssl5 will not resume p=sess1: a TLS 1.3 client whose cache mode includes CLIENT uses a session once, and the handshake at t.sim:7 resumed it, removed it from cctx=ctx2 and marked it not resumable\n"
	if !strings.Contains(block(out, 10), want) {
		t.Errorf("line 10 printed:\n%s\nwant it to contain:\n%s", block(out, 10), want)
	}
	if !strings.HasSuffix(out, "\nverdict: clean, 1 note (HS13-CLIENT-SINGLE-USE at t.sim:10)\n") {
		t.Errorf("verdict: %s", rep.Verdict())
	}
}

// TestNoteSingleUseNeedsClientMode: with the default cache mode the client
// keeps the session resumable, so offering it again gets no note.
func TestNoteSingleUseNeedsClientMode(t *testing.T) {
	out, rep := run(t, strings.Replace(singleUse, ", mode=CLIENT", "", 1), Options{})
	if len(rep.Notes) != 0 || !strings.HasSuffix(out, "\nverdict: clean\n") {
		t.Errorf("notes %+v\n%s", rep.Notes, out)
	}
}

func TestNoteNotResumable(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		want      string
	}{
		{"unclean free", pair + `p = SSL_get1_session(c)
SSL_shutdown(s); SSL_free(c)
c2 = SSL_new(cctx)
SSL_set_session(c2, p)
SSL_SESSION_free(p)
`, 8, "    note (t.sim:8): the next handshake on c2=ssl3 will not resume p=sess1: it is not resumable (since t.sim:6, SSL_free)\n"},
		{"TLS 1.3 handshake session", `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_3)
h = SSL_get1_session(c)
c2 = SSL_new(cctx)
SSL_set_session(c2, h)
`, 7, "    note (t.sim:7): the next handshake on c2=ssl3 will not resume h=sess1: it is not resumable (it has neither a session id nor a ticket)\n"},
		{"removed", pair + `p = SSL_get1_session(c)
SSL_CTX_remove_session(cctx, p)
c2 = SSL_new(cctx)
SSL_set_session(c2, p)
`, 8, "    note (t.sim:8): the next handshake on c2=ssl3 will not resume p=sess1: it is not resumable (since t.sim:6, SSL_CTX_remove_session)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, rep := run(t, tc.src, Options{})
			if len(rep.Notes) != 1 || rep.Notes[0].Rule != model.RuleNone || rep.Notes[0].Pos.Line != tc.line {
				t.Fatalf("notes = %+v\n%s", rep.Notes, out)
			}
			if !strings.Contains(block(out, tc.line), tc.want) {
				t.Errorf("line %d printed:\n%s\nwant it to contain:\n%s", tc.line, block(out, tc.line), tc.want)
			}
			if v := rep.Verdict(); !strings.HasSuffix(v, fmt.Sprintf("1 note (not resumable at t.sim:%d)", tc.line)) {
				t.Errorf("verdict: %s", v)
			}
		})
	}
}

// TestNoNoteForAResumableSession: offering a session that can resume, or
// NULL, is what SSL_set_session is for.
func TestNoNoteForAResumableSession(t *testing.T) {
	out, rep := run(t, pair+`p = SSL_get1_session(c)
SSL_shutdown(c); SSL_shutdown(s); SSL_free(c); SSL_free(s)
c2 = SSL_new(cctx); SSL_set_session(c2, p); SSL_set_session(c2, NULL)
SSL_SESSION_free(p)
`, Options{})
	if len(rep.Notes) != 0 {
		t.Errorf("notes = %+v\n%s", rep.Notes, out)
	}
}
