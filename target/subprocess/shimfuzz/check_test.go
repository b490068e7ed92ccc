package shimfuzz

import (
	"errors"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target/subprocess"
)

// Replies the harness must survive, each with the call it answers.
var shimReplies = []struct {
	name  string
	reply string
	sel   uint8
}{
	{"events", `{"id":1,"ret":3,"events":[{"ev":"new_session_cb","ctx":1,"sess":1},{"ev":"remove_cb","ctx":2,"sess":1},{"ev":"destroyed","ctx":0,"sess":1}]}` + "\n", 1},
	{"observation", `{"id":1,"observation":{"ctxs":[{"ctx":1,"number":2,"hits":3,"misses":4,"timeouts":5,"cache_full":6,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0}],"ssls":[{"ssl":1,"sess":-1,"reused":true}],"sessions":[{"sess":1,"resumable":true,"id_len":32,"time":7,"timeout":8}]}}`, 0},
	{"refusal", `{"id":1,"error":"ssl 9 is not a live SSL"}`, 3},
	{"unimplemented", `{"id":1,"unimplemented":true}`, 4},
	{"wrong id", `{"id":2,"ret":0,"events":[]}`, 4},
	{"destroyed with ctx", `{"id":1,"ret":1,"events":[{"ev":"destroyed","ctx":3,"sess":1}]}`, 5},
	{"blank lines first", "\n \r\n{\"id\":1,\"ret\":-1,\"events\":[]}\r\n{\"id\":1}\n", 2},
	{"float ret", `{"id":1,"ret":1e3,"events":[]}`, 1},
	{"nothing", ``, 0},
	{"ctxs out of order", `{"id":1,"observation":{"ctxs":[{"ctx":2,"number":0,"hits":0,"misses":0,"timeouts":0,"cache_full":0,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0},{"ctx":1,"number":0,"hits":0,"misses":0,"timeouts":0,"cache_full":0,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0}],"ssls":[],"sessions":[]}}`, 0},
	{"not json", `hello, harness`, 1},
	{"huge handle", `{"id":1,"ret":1,"events":[{"ev":"remove_cb","ctx":1,"sess":4294967296}]}`, 1},
}

func TestCheckShimReply(t *testing.T) {
	for _, c := range shimReplies {
		if err := CheckShimReply([]byte(c.reply), c.sel); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

var shimHellos = []struct{ name, hello string }{
	{"valid", string(ValidHello())},
	{"valid, no newline, concurrent", `{"hello":"sesslife-shim/1","library":"X","version":"1","profile":"openssl-3.0","variant":"v","calls":["tick","SSL_new"],"concurrent":true}`},
	{"wrong protocol", `{"hello":"sesslife-shim/9","calls":[]}` + "\n"},
	{"no calls", `{"hello":"sesslife-shim/1"}` + "\n"},
	{"not json", "hello, harness\n"},
	{"empty", ""},
	{"unknown profile", `{"hello":"sesslife-shim/1","profile":"boringssl-9","calls":["SSL_CTX_new"]}` + "\n"},
}

func TestCheckShimHello(t *testing.T) {
	for _, c := range shimHellos {
		if err := CheckShimHello([]byte(c.hello)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestShimOraclesCanFail: the checks behind the two shim targets reject
// what a broken harness would let through.
func TestShimOraclesCanFail(t *testing.T) {
	reply := []byte(`{"id":1,"ret":2,"events":[]}`)
	if agreesWithReply(model.Result{Ret: 3}, reply) == nil {
		t.Error("a result whose ret differs from the reply's was accepted")
	}
	if agreesWithReply(model.Result{Ret: 2, Events: []model.Event{{Kind: model.EvRemove, Sess: 1}}}, reply) == nil {
		t.Error("a remove_cb event without an SSL_CTX was accepted")
	}
	if agreesWithReply(model.Result{Ret: 2}, reply) != nil {
		t.Error("a matching result was rejected")
	}
	bad := model.Observation{Ctxs: []model.CtxObs{{Ctx: 2}, {Ctx: 1}}}
	if wellFormedObservation(bad, nil) == nil {
		t.Error("SSL_CTX handles out of order were accepted")
	}
	obs := []byte(`{"id":1,"observation":{"ctxs":[{"ctx":1,"number":2,"hits":0,"misses":0,"timeouts":0,"cache_full":0,"connect":0,"connect_good":0,"accept":0,"accept_good":0,"cb_hits":0}],"ssls":[],"sessions":[]}}`)
	if wellFormedObservation(model.Observation{Ctxs: []model.CtxObs{{Ctx: 1, Number: 3}}}, obs) == nil {
		t.Error("an observation that differs from its reply was accepted")
	}
	if err := wellFormedObservation(model.Observation{Ctxs: []model.CtxObs{{Ctx: 1, Number: 2}}}, obs); err != nil {
		t.Errorf("a matching observation was rejected: %v", err)
	}
	if agreesWithReply(model.Result{Ret: 2, Events: []model.Event{{Kind: model.EvDestroyed, Sess: 1}}}, reply) == nil {
		t.Error("an event the reply does not have was accepted")
	}
	if typedFailure(errors.New("boom")) == nil {
		t.Error("an untyped error was accepted")
	}
	if typedFailure(&subprocess.ProtocolError{Reason: "bad"}) != nil {
		t.Error("a ProtocolError was rejected")
	}
	if err := typedFailure(&subprocess.TimeoutError{Op: "x"}); err == nil || !strings.Contains(err.Error(), "Timeout") {
		t.Errorf("a timeout was not reported as unexpected: %v", err)
	}
}
