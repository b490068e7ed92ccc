// Package shimfuzz fuzzes the subprocess target's parsers of what a shim
// writes (docs/protocol.md): its hello and its replies are outside input
// to the harness, so no line may make it panic, hang or accept nonsense.
// Its fuzz targets (fuzz_test.go) live beside the code they fuzz, so that
// package fuzz, an engine, knows no concrete target.
//
// Everything a fuzz target calls lives in this ordinary file and returns
// errors rather than taking a *testing.T: OSS-Fuzz's
// compile_native_go_fuzzer rewrites only the file holding the target and
// does not see other _test.go files; and it finds that file by the
// target's name, so the name appears in no other file of this directory
// (docs/fuzzing.md).
package shimfuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// The shim-protocol parser in target/subprocess has no exported entry
// point, so the fuzz targets reach it the way a real shim does: through a
// process. The fake shim is /bin/sh printing files, so it needs nothing
// built and runs under OSS-Fuzz too. Each case starts a fresh process, which
// bounds the speed (hundreds of cases a second) but keeps cases independent.

// replyScript prints the hello, waits for one request, prints the reply and
// exits, so a reply that never answers ends in EOF rather than a hang.
const replyScript = `cat "$1"; IFS= read -r _ || exit 0; cat "$2"`

// shimTimeout bounds one call to the fake shim; it always exits promptly,
// so reaching it would itself be a finding. It is a guard against a hang,
// not a speed limit: a loaded machine (fuzzing workers on every core)
// starts processes slowly, and that must not read as a finding.
const shimTimeout = time.Minute

// ValidHello returns a hello line offering every call, as the fake shim's
// default.
func ValidHello() []byte {
	var calls []string
	for _, k := range model.Kinds() {
		calls = append(calls, k.String())
	}
	line, _ := json.Marshal(map[string]any{"hello": subprocess.Protocol, "library": "FuzzSSL", "version": "0",
		"profile": model.OpenSSL30().Name, "calls": calls})
	return append(line, '\n')
}

// replyCalls are the calls CheckShimReply can make, chosen by its sel
// argument; index 0 (KindInvalid) stands for an observe request.
var replyCalls = []model.Op{
	{},
	{Kind: model.Get1, SSL: 1},
	{Kind: model.Handshake, SSL: 1, Peer: 2, Arg: int64(model.TLS13)},
	{Kind: model.SessNumber, Ctx: 1},
	{Kind: model.Tick, Arg: 5},
	{Kind: model.SessFree, Sess: 1},
}

// CheckShimReply starts a fake shim that sends a valid hello and answers
// the first request with reply (the literal bytes, any number of lines),
// makes one call chosen by sel (an observe request, or one of a few model
// calls), and checks what the subprocess target made of it. It returns nil
// when the harness behaved: either a typed error (*subprocess.ProtocolError,
// *ShimError, *CrashError, or errors.ErrUnsupported) or a well-formed
// result that agrees with the reply's own "ret". Anything else (a panic is
// left to propagate) is returned as an error. The first request's id is 1.
func CheckShimReply(reply []byte, sel uint8) error {
	dir, err := os.MkdirTemp("", "sesslife-fuzz-shim-")
	if err != nil {
		return fmt.Errorf("shimfuzz: %w", err)
	}
	defer os.RemoveAll(dir)
	hello, answer := filepath.Join(dir, "hello"), filepath.Join(dir, "reply")
	if err := os.WriteFile(hello, ValidHello(), 0o600); err != nil {
		return fmt.Errorf("shimfuzz: %w", err)
	}
	if err := os.WriteFile(answer, reply, 0o600); err != nil {
		return fmt.Errorf("shimfuzz: %w", err)
	}
	tgt, err := subprocess.New("/bin/sh", subprocess.WithArgs("-c", replyScript, "fakeshim", hello, answer),
		subprocess.WithTimeout(shimTimeout))
	if err != nil {
		return fmt.Errorf("shimfuzz: the fake shim's valid hello was refused: %w", err)
	}
	defer tgt.Close()
	op := replyCalls[int(sel)%len(replyCalls)]
	ctx := context.Background()
	if op.Kind == model.KindInvalid {
		ob, err := tgt.Observe(ctx)
		if err != nil {
			return typedFailure(err)
		}
		return wellFormedObservation(ob, reply)
	}
	res, err := tgt.Apply(ctx, op)
	if err != nil {
		return typedFailure(err)
	}
	return agreesWithReply(res, reply)
}

// typedFailure accepts the errors a malformed or missing reply may give.
func typedFailure(err error) error {
	var (
		pe *subprocess.ProtocolError
		se *subprocess.ShimError
		ce *subprocess.CrashError
	)
	switch {
	case errors.As(err, &pe), errors.As(err, &se), errors.As(err, &ce), errors.Is(err, target.ErrUnsupported):
		if err.Error() == "" {
			return fmt.Errorf("shimfuzz: an error of type %T with an empty message", err)
		}
		return nil
	}
	return fmt.Errorf("shimfuzz: the target failed with an unexpected error %T: %v", err, err)
}

// firstLine returns the first non-blank line of a reply, as the harness
// reads it.
func firstLine(reply []byte) []byte {
	for _, l := range bytes.Split(reply, []byte("\n")) {
		if l = bytes.TrimSpace(l); len(l) > 0 {
			return l
		}
	}
	return nil
}

// agreesWithReply checks a result the target accepted: events well formed,
// and the same return value and events as encoding/json reads in the first
// non-blank reply line (the target may decode lines its own way).
func agreesWithReply(res model.Result, reply []byte) error {
	for i, e := range res.Events {
		switch {
		case e.Sess < 1:
			return fmt.Errorf("shimfuzz: event %d (%v) accepted with session handle %d", i, e, e.Sess)
		case e.Kind == model.EvDestroyed && e.Ctx != 0, e.Kind != model.EvDestroyed && e.Ctx < 1:
			return fmt.Errorf("shimfuzz: event %d (%v) accepted with ctx handle %d", i, e, e.Ctx)
		case e.Kind < model.EvNewSession || e.Kind > model.EvDestroyed:
			return fmt.Errorf("shimfuzz: event %d accepted with kind %v", i, e.Kind)
		}
	}
	line := firstLine(reply)
	var r struct {
		Ret    *int64 `json:"ret"`
		Events []struct {
			Ev   string `json:"ev"`
			Ctx  int64  `json:"ctx"`
			Sess int64  `json:"sess"`
		} `json:"events"`
	}
	if err := json.Unmarshal(line, &r); err != nil || r.Ret == nil {
		return fmt.Errorf("shimfuzz: the target accepted %q, which has no integer \"ret\" (%v)", line, err)
	}
	if *r.Ret != res.Ret || len(r.Events) != len(res.Events) {
		return fmt.Errorf("shimfuzz: the reply %q reads as ret %d with %d events, the target returned %s", line, *r.Ret, len(r.Events), res.Format(model.Op{}))
	}
	for i, e := range r.Events {
		got := res.Events[i]
		if e.Ev != got.Kind.String() || e.Sess != int64(got.Sess) || e.Ctx != int64(got.Ctx) {
			return fmt.Errorf("shimfuzz: the reply %q: event %d reads as %s(ctx %d, sess %d), the target returned %v", line, i, e.Ev, e.Ctx, e.Sess, got)
		}
	}
	return nil
}

// wellFormedObservation checks an observation the target accepted: handles
// in range and in strictly increasing order, and the same values as
// encoding/json reads in the first non-blank reply line.
func wellFormedObservation(ob model.Observation, reply []byte) error {
	for i, c := range ob.Ctxs {
		if c.Ctx < 1 || (i > 0 && c.Ctx <= ob.Ctxs[i-1].Ctx) {
			return fmt.Errorf("shimfuzz: observation accepted with ctx handles out of order: %+v", ob.Ctxs)
		}
	}
	for i, l := range ob.SSLs {
		if l.SSL < 1 || l.Sess < model.Unnamed || (i > 0 && l.SSL <= ob.SSLs[i-1].SSL) {
			return fmt.Errorf("shimfuzz: observation accepted with bad ssl entries: %+v", ob.SSLs)
		}
	}
	for i, s := range ob.Sessions {
		if s.Sess < 1 || (i > 0 && s.Sess <= ob.Sessions[i-1].Sess) {
			return fmt.Errorf("shimfuzz: observation accepted with bad session entries: %+v", ob.Sessions)
		}
	}
	var r struct {
		Observation struct {
			Ctxs []struct {
				Ctx, Number, Hits, Misses, Timeouts, Connect, Accept int64
				CacheFull                                            int64 `json:"cache_full"`
				ConnectGood                                          int64 `json:"connect_good"`
				AcceptGood                                           int64 `json:"accept_good"`
				CbHits                                               int64 `json:"cb_hits"`
			}
			SSLs []struct {
				SSL, Sess int64
				Reused    bool
			} `json:"ssls"`
			Sessions []struct {
				Sess, Time, Timeout int64
				Resumable           bool
				IDLen               int64  `json:"id_len"`
				SidCtx              *int64 `json:"sid_ctx"`
			}
		}
	}
	line := firstLine(reply)
	if err := json.Unmarshal(line, &r); err != nil {
		return fmt.Errorf("shimfuzz: the target accepted the observation %q, which encoding/json rejects (%v)", line, err)
	}
	var want model.Observation
	for _, c := range r.Observation.Ctxs {
		want.Ctxs = append(want.Ctxs, model.CtxObs{Ctx: model.Handle(c.Ctx), Number: c.Number, Hits: c.Hits,
			Misses: c.Misses, Timeouts: c.Timeouts, CacheFull: c.CacheFull, Connect: c.Connect,
			ConnectGood: c.ConnectGood, Accept: c.Accept, AcceptGood: c.AcceptGood, CbHits: c.CbHits})
	}
	for _, l := range r.Observation.SSLs {
		want.SSLs = append(want.SSLs, model.SSLObs{SSL: model.Handle(l.SSL), Sess: model.Handle(l.Sess), Reused: l.Reused})
	}
	for _, x := range r.Observation.Sessions {
		// "sid_ctx" is optional: absent reads as unknown, -1 as bytes that
		// are no context (docs/protocol.md §7).
		sc := model.SidCtxUnknown
		switch {
		case x.SidCtx == nil:
		case *x.SidCtx == -1:
			sc = model.SidCtxOther
		default:
			sc = model.SidCtx(*x.SidCtx)
		}
		want.Sessions = append(want.Sessions, model.SessObs{Sess: model.Handle(x.Sess), Resumable: x.Resumable,
			IDLen: int(x.IDLen), Time: x.Time, Timeout: x.Timeout, SidCtx: sc})
	}
	if diff := want.Diff(ob); diff != "" {
		return fmt.Errorf("shimfuzz: the observation %q reads differently with encoding/json:\n%s", line, diff)
	}
	// Diff leaves an unknown context out; the two readings must still
	// agree on it.
	for i := range min(len(want.Sessions), len(ob.Sessions)) {
		if w, g := want.Sessions[i].SidCtx, ob.Sessions[i].SidCtx; w != g {
			return fmt.Errorf("shimfuzz: the observation %q: session %d's sid_ctx reads as %d with encoding/json, the target read %d", line, want.Sessions[i].Sess, w, g)
		}
	}
	return nil
}

// CheckShimHello starts a fake shim whose whole output is hello (then it
// exits) and checks what subprocess.New made of it: a typed error, or a
// target whose Info agrees with the hello's own fields. Anything else is
// returned as an error.
func CheckShimHello(hello []byte) error {
	dir, err := os.MkdirTemp("", "sesslife-fuzz-shim-")
	if err != nil {
		return fmt.Errorf("shimfuzz: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello")
	if err := os.WriteFile(path, hello, 0o600); err != nil {
		return fmt.Errorf("shimfuzz: %w", err)
	}
	tgt, err := subprocess.New("/bin/cat", subprocess.WithArgs(path), subprocess.WithTimeout(shimTimeout))
	if err != nil {
		var te *subprocess.TimeoutError
		if errors.As(err, &te) {
			return fmt.Errorf("shimfuzz: a shim that exited after its output timed out: %v", err)
		}
		return typedFailure(err)
	}
	defer tgt.Close()
	line := hello
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	var h struct {
		Hello *string  `json:"hello"`
		Calls []string `json:"calls"`
	}
	if err := json.Unmarshal(line, &h); err != nil || h.Hello == nil || *h.Hello != subprocess.Protocol || h.Calls == nil {
		return fmt.Errorf("shimfuzz: subprocess.New accepted the hello %q (%v)", line, err)
	}
	info := tgt.Info()
	for _, k := range model.Kinds() {
		if info.Supports(k) != containsString(h.Calls, k.String()) {
			return fmt.Errorf("shimfuzz: hello %q: Info().Supports(%v) = %v", line, k, info.Supports(k))
		}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
