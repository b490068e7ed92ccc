package model_test

// The rules of handshakes in steps (docs/spec.md, "Handshakes in steps").
// Expectations come from OpenSSL 3.0's source (statem_srvr.c
// tls_early_post_process_client_hello, statem_clnt.c
// tls_process_server_hello, ssl_lib.c ssl_clear_bad_session, s3_msg.c
// ssl3_send_alert, ssl_sess.c ssl_session_dup) and were confirmed on 3.0.19
// (docs/scenarios/overlap-abort.sim).

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func ch(c, s model.Handle, v model.Version) model.Op {
	return model.Op{Kind: model.ClientHello, SSL: c, Peer: s, Arg: int64(v)}
}
func fin(c, s model.Handle) model.Op {
	return model.Op{Kind: model.HandshakeFinish, SSL: c, Peer: s}
}

// stateful13 makes a TLS 1.3 server ctx1 with stateful tickets
// (SSL_OP_NO_TICKET) and no anti-replay (max_early_data 0), gives client
// ssl1 a ticket, keeps its session as sess1 and makes two pairs offering it:
// clients ssl3 and ssl5 (ctx2), servers ssl4 and ssl6 (ctx1).
func stateful13() []step {
	return seq(pair(server(noTicket), client(), tls13), []step{
		do(readTicket(1), 1), do(number(1), 2), do(get1(1), 1), do(shutdown(1), 0), do(freeSSL(1), 0),
		do(newSSL(3, 2), 0), do(newSSL(4, 1), 0), do(setSess(3, 1), 1),
		do(newSSL(5, 2), 0), do(newSSL(6, 1), 0), do(setSess(5, 1), 1),
	})
}

func TestRuleStep(t *testing.T) {
	runScenarios(t, []scenario{
		// The server has resumed and counted its hit after client_hello;
		// the client knows only after handshake_finish.
		{id: "STEP-SERVER-DECIDES", steps: seq(idPair(), offer(1), []step{
			do(ch(3, 4, tls12), 1), do(reused(4), 1), do(reused(3), 0), do(hits(1), 1),
			outside(shutdown(3)), outside(setSess(3, 1)), outside(hs(3, 4, tls12)),
			do(fin(3, 4), 1), do(reused(3), 1), do(reused(4), 1), do(hits(1), 1),
			outside(fin(3, 4)),
			// A miss: the server's new session is cached only at the end.
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0),
			do(ch(5, 6, tls12), 1), do(reused(6), 0), do(number(1), 1),
			do(fin(5, 6), 1), do(reused(5), 0), do(number(1), 2),
		})},
		// Either end dropped half way: the cached session stays, and the
		// cleared client offers its session again.
		{id: "STEP-ABORT-KEEPS", steps: seq(idPair(), offer(1), []step{
			do(ch(3, 4, tls12), 1), do(clearSSL(4), 1), do(number(1), 1),
			outside(fin(3, 4)),
			do(clearSSL(3), 1), do(get0(3), 1), do(resumable(1), 1),
			do(newSSL(5, 1), 0), do(ch(3, 5, tls12), 1), do(freeSSL(3), 0), do(number(1), 1),
			do(newSSL(6, 2), 0), do(setSess(6, 1), 1), outside(hs(6, 5, tls12)),
			do(clearSSL(5), 1), do(hs(6, 5, tls12), 1), do(reused(6), 1),
		})},
		// The server's fatal error removes the cached session it resumed.
		{id: "STEP-FATAL-REMOVES", steps: seq(idPair(removeCB), offer(1), []step{
			do(ch(3, 4, tls12), 1), do(number(1), 1),
			do(get0(4), 2), do(fatal(4), 0, rmCB(1, 2)), do(number(1), 0), do(resumable(2), 0),
			outside(fin(3, 4)), do(fatal(3), 0), do(resumable(1), 0),
		})},
		// The server's session taken half way has an id but no cipher yet;
		// once its handshake ended half way (the server cleared or freed),
		// the application can cache it, and a server that resumed it would
		// crash. Offered but not cached, it is a plain miss.
		{id: "UB-RESUME-HALF-WAY", steps: []step{
			do(newCtx(1, server(noTicket)), 0), do(newCtx(2, client()), 0),
			do(newSSL(1, 2), 0), do(newSSL(2, 1), 0),
			do(ch(1, 2, tls12), 1), do(get1(2), 1), do(resumable(1), 1), do(clearSSL(2), 1),
			do(newSSL(3, 2), 0), do(setSess(3, 1), 1), do(newSSL(4, 1), 0),
			do(add(1, 1), 1), refused(hs(3, 4, tls12), model.RuleUBResumeHalfWay),
			refused(ch(3, 4, tls12), model.RuleUBResumeHalfWay), refused(hs(3, 2, tls12), model.RuleUBResumeHalfWay),
			do(newSSL(5, 2), 0), do(newSSL(6, 1), 0),
			do(ch(5, 6, tls12), 1), do(get1(6), 2), do(freeSSL(6), 0), do(add(1, 2), 1), do(remove(1, 1), 1),
			do(newSSL(7, 2), 0), do(setSess(7, 2), 1), refused(hs(7, 4, tls12), model.RuleUBResumeHalfWay),
			do(remove(1, 2), 1), do(hs(7, 4, tls12), 1), do(reused(7), 0), do(reused(4), 0),
		}},
		// Two overlapping resumptions of one stateful TLS 1.3 session; one
		// fails half way, which removes the session both servers hold; the
		// other's ticket copy is resumable and cached all the same.
		{id: "STEP-OVERLAP-COPY-RESUMABLE", steps: seq(stateful13(), []step{
			do(ch(3, 4, tls13), 1), do(ch(5, 6, tls13), 1), do(hits(1), 2), do(number(1), 2),
			do(fatal(4), 0), do(number(1), 1),
			do(fin(5, 6), 1), do(reused(5), 1), do(number(1), 2),
			do(get0(6), 2), do(resumable(2), 1),
		})},
	})
}

// TestRuleOutHalfWay: between client_hello and handshake_finish only the
// calls that end, finish or read the handshake are modelled, and the
// session a half-way SSL holds is not added, removed or changed.
func TestRuleOutHalfWay(t *testing.T) {
	runScenarios(t, []scenario{
		{id: "OUT-HALF-WAY", steps: seq(idPair(), offer(1), []step{
			do(ch(3, 4, tls12), 1),
			outside(model.Op{Kind: model.ReadAlert, SSL: 3}), outside(readTicket(3)),
			outside(model.Op{Kind: model.SetOptions, SSL: 4, Arg: int64(model.OptNoTicket)}),
			do(get1(4), 2), outside(add(1, 2)), outside(remove(1, 2)), outside(setTime(2, 5)), outside(setTimeout(2, 5)),
			do(resumable(2), 1), do(reused(4), 1),
			outside(fin(4, 3)),
		})},
	})
}
