package model_test

// The rules of the shutdown variants (docs/spec.md, "SSL_free, SSL_clear,
// SSL_set_session, SSL_shutdown, fatal alerts"). Expectations come from
// OpenSSL 3.0's source (s3_lib.c ssl3_shutdown, ssl_lib.c SSL_set_shutdown,
// ssl_sess.c ssl_clear_bad_session, rec_layer_s3.c ssl3_read_bytes) and
// docs/scenarios/quiet-shutdown.sim, run against OpenSSL.

import (
	"testing"

	"github.com/sesslife/sesslife/model"
)

func quiet(ssl model.Handle, on int64) model.Op {
	return model.Op{Kind: model.SetQuietShutdown, SSL: ssl, Arg: on}
}
func setShut(ssl model.Handle, flags int64) model.Op {
	return model.Op{Kind: model.SetShutdown, SSL: ssl, Arg: flags}
}
func getShut(ssl model.Handle) model.Op   { return model.Op{Kind: model.GetShutdown, SSL: ssl} }
func readAlert(ssl model.Handle) model.Op { return model.Op{Kind: model.ReadAlert, SSL: ssl} }

func TestRuleShutdownVariants(t *testing.T) {
	runScenarios(t, []scenario{
		// The server shuts down quietly: 1 at once, nothing reaches the
		// client, and SSL_free keeps the session cached.
		{id: "SHUT-QUIET", steps: seq(idPair(removeCB), []step{
			do(quiet(2, 1), 0),
			do(shutdown(2), 1), do(getShut(2), 3),
			do(freeSSL(2), 0), do(number(1), 1),
			do(shutdown(1), 0), do(shutdown(1), -1),
		})},
		// SSL_clear keeps quiet_shutdown; in init SSL_shutdown still fails.
		{id: "SHUT-QUIET-IN-INIT", steps: []step{
			do(newCtx(1, client()), 0), do(newSSL(1, 1), 0),
			do(quiet(1, 1), 0), do(shutdown(1), -1), do(getShut(1), 0),
		}},
		// SSL_SENT_SHUTDOWN alone keeps the session at SSL_free.
		{id: "SHUT-SET-FLAGS", steps: seq(idPair(removeCB), []step{
			do(setShut(2, model.SentShutdown), 0),
			do(freeSSL(2), 0), do(number(1), 1),
		})},
		// Clearing the flag after close_notify makes SSL_free remove it.
		{id: "SHUT-SET-FLAGS-CLEARED", steps: seq(idPair(removeCB), []step{
			do(shutdown(2), 0), do(setShut(2, 0), 0),
			do(freeSSL(2), 0, rmCB(1, 1), gone(1)), do(number(1), 0),
		})},
		// SSL_RECEIVED_SHUTDOWN alone: the first SSL_shutdown returns 1.
		{id: "SHUT-SET-FLAGS-RECEIVED", steps: seq(idPair(), []step{
			do(setShut(1, model.ReceivedShutdown), 0), do(shutdown(1), 1), do(getShut(1), 3),
		})},
		// The flag also spares the session from the sender's fatal alert.
		{id: "SHUT-SET-FLAGS-ALERT", steps: seq(idPair(removeCB), []step{
			do(setShut(2, model.SentShutdown), 0), do(fatal(2), 0), do(number(1), 1),
		})},
		{id: "SHUT-GET-FLAGS", steps: seq(idPair(), []step{
			do(getShut(1), 0), do(shutdown(1), 0), do(getShut(1), 1),
			do(shutdown(2), 0), do(shutdown(1), 1), do(getShut(1), 3),
			do(clearSSL(1), 1), do(getShut(1), 0),
		})},
	})
}

func TestRuleAlertReceived(t *testing.T) {
	runScenarios(t, []scenario{
		// The client fails and the server reads its alert: the server's
		// session leaves its cache.
		{id: "ALERT-RECEIVED-REMOVES", steps: seq(idPair(removeCB), []step{
			do(readAlert(2), 0, rmCB(1, 1)),
			do(number(1), 0), do(resumable(1), 0),
			do(getShut(2), 2), do(shutdown(2), -1),
		})},
		// Even after the reader's own close_notify.
		{id: "ALERT-RECEIVED-AFTER-CLOSE-NOTIFY", steps: seq(idPair(removeCB), []step{
			do(shutdown(2), 0),
			do(readAlert(2), 0, rmCB(1, 1)),
			do(number(1), 0), do(getShut(2), 3),
		})},
	})
}
