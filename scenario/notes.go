package scenario

import (
	"fmt"

	"github.com/sesslife/sesslife/model"
)

// RuleSingleUse is the rule of docs/spec.md a note cites when a TLS 1.3
// session that a client with cache mode CLIENT has already resumed once is
// offered again: legal C, but it will not resume.
const RuleSingleUse = model.RuleHS13ClientSingleUse

// lostResume is how a session stopped being resumable.
type lostResume struct {
	pos  Pos
	kind model.Kind
	// singleUse: a TLS 1.3 handshake by a client whose cache mode includes
	// CLIENT resumed it, then removed it from ctx (HS13-CLIENT-SINGLE-USE).
	singleUse bool
	ctx       model.Handle
}

// noteResumption runs after a call the model accepted. SSL_set_session of
// a session that cannot resume is legal, so it is no finding, but the
// author most likely expects the next handshake to resume: it gets a note.
// Then the sessions this call made non-resumable are recorded, so that a
// later note can say how. Everything is read from the model's views.
func (r *runner) noteResumption(s Stmt, op model.Op, before snapshot) {
	if op.Kind == model.SetSession && op.Sess != 0 && int(op.Sess) <= len(before.resumable) && !before.resumable[op.Sess-1] {
		r.noteOffer(s, op)
	}
	var client model.SSLView
	var clientMode model.CacheMode
	if op.Kind == model.Handshake && model.Version(op.Arg) == model.TLS13 {
		client = r.st.SSLs()[op.SSL-1]
		clientMode = r.st.Ctxs()[client.Ctx-1].Mode
	}
	for i, v := range r.st.Sessions() {
		if i >= len(before.resumable) || !before.resumable[i] || !v.Alive || v.Resumable {
			continue
		}
		lost := lostResume{pos: s.Pos, kind: op.Kind}
		if client.Reused && client.Sess == v.Sess && clientMode&model.CacheClient != 0 {
			lost.singleUse, lost.ctx = true, client.Ctx
		}
		r.lost[v.Sess] = lost
	}
}

// noteOffer adds the note for SSL_set_session(op.SSL, op.Sess) of a session
// that is not resumable.
func (r *runner) noteOffer(s Stmt, op model.Op) {
	sess, ssl := r.label(ArgSess, op.Sess), r.label(ArgSSL, op.SSL)
	lost, ok := r.lost[op.Sess]
	if ok && lost.singleUse {
		r.note(s, RuleSingleUse, fmt.Sprintf(
			"the next handshake on %s will not resume %s: a TLS 1.3 client whose cache mode includes CLIENT uses a session once, and the handshake at %s:%d resumed it, removed it from %s and marked it not resumable",
			ssl, sess, r.file, lost.pos.Line, r.label(ArgCtx, lost.ctx)))
		return
	}
	why := ""
	switch v := r.st.Sessions()[op.Sess-1]; {
	case ok:
		why = fmt.Sprintf(" (since %s:%d, %s)", r.file, lost.pos.Line, lost.kind)
	case v.IDLen == 0 && !v.HasTicket:
		why = " (it has neither a session id nor a ticket)"
	}
	r.note(s, model.RuleNone, fmt.Sprintf("the next handshake on %s will not resume %s: it is not resumable%s", ssl, sess, why))
}

// note prints a note under the statement and records it.
func (r *runner) note(s Stmt, rule model.Rule, msg string) {
	head := "note"
	if rule != model.RuleNone {
		head += " " + rule.String()
	}
	msg = fmt.Sprintf("%s (%s:%d): %s", head, r.file, s.Pos.Line, msg)
	r.out.printf("    %s\n", msg)
	r.say(msg)
	r.report.Notes = append(r.report.Notes, Finding{File: r.file, Pos: s.Pos, Stmt: s.Text, Rule: rule, Msg: msg})
}
