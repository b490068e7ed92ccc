package subprocess

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/sesslife/sesslife/model"
)

// Protocol is the protocol version this package speaks.
const Protocol = "sesslife-shim/1"

// ExitWrongProtocol is the exit code of a shim that cannot speak the
// protocol it was asked for (the BoGo convention).
const ExitWrongProtocol = 89

// ProtocolEnv is the environment variable that tells a shim which protocol
// the harness wants.
const ProtocolEnv = "SESSLIFE_SHIM_PROTOCOL"

// Names of the control operations, which are not model calls.
const (
	opObserve = "observe"
	opReset   = "reset"
	opQuit    = "quit"
)

// request is one line to the shim. Handles and Arg are left out when zero:
// an absent field means 0.
type request struct {
	ID     uint64      `json:"id"`
	Now    int64       `json:"now"`
	Lane   int         `json:"lane"`
	Op     string      `json:"op"`
	Ctx    int32       `json:"ctx,omitempty"`
	SSL    int32       `json:"ssl,omitempty"`
	Peer   int32       `json:"peer,omitempty"`
	Sess   int32       `json:"sess,omitempty"`
	Arg    int64       `json:"arg,omitempty"`
	Config *wireConfig `json:"config,omitempty"`
}

// wireConfig is model.CtxConfig on the wire; every field is always sent.
type wireConfig struct {
	Side        string `json:"side"`
	DefaultMode bool   `json:"default_mode"`
	Mode        uint16 `json:"mode"`
	Size        int64  `json:"size"`
	Timeout     int64  `json:"timeout"`
	Tickets     int64  `json:"tickets"`
	NoTicket    bool   `json:"no_ticket"`
	NewCB       uint8  `json:"new_cb"`
	RemoveCB    bool   `json:"remove_cb"`
	GetCB       uint8  `json:"get_cb,omitempty"` // sent only when set, so older requests stay as they were
}

func requestFor(op model.Op) request {
	r := request{Op: op.Kind.String(), Ctx: int32(op.Ctx), SSL: int32(op.SSL), Peer: int32(op.Peer),
		Sess: int32(op.Sess), Arg: op.Arg}
	if op.Kind == model.CtxNew {
		c := op.Config
		r.Config = &wireConfig{Side: c.Side.String(), DefaultMode: c.DefaultMode, Mode: uint16(c.CacheMode),
			Size: c.CacheSize, Timeout: c.Timeout, Tickets: c.NumTickets, NoTicket: c.NoTicket,
			NewCB: uint8(c.NewCB), RemoveCB: c.RemoveCB, GetCB: uint8(c.GetCB)}
	}
	return r
}

// appendRequest appends req as one JSON line, the same text json.Marshal
// gives (checked by TestAppendRequestIsJSON) without its reflection: the
// harness writes one request per call, so this is on the hot path.
func appendRequest(b []byte, req request) []byte {
	num := func(key string, v int64) {
		b = append(b, ',', '"')
		b = append(b, key...)
		b = append(b, '"', ':')
		b = strconv.AppendInt(b, v, 10)
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, req.ID, 10)
	num("now", req.Now)
	num("lane", int64(req.Lane))
	b = append(b, `,"op":`...)
	b = appendString(b, req.Op)
	for _, f := range []struct {
		key string
		v   int64
	}{{"ctx", int64(req.Ctx)}, {"ssl", int64(req.SSL)}, {"peer", int64(req.Peer)}, {"sess", int64(req.Sess)},
		{"arg", req.Arg}} {
		if f.v != 0 {
			num(f.key, f.v)
		}
	}
	if c := req.Config; c != nil {
		b = append(b, `,"config":{"side":`...)
		b = appendString(b, c.Side)
		b = append(b, `,"default_mode":`...)
		b = strconv.AppendBool(b, c.DefaultMode)
		num("mode", int64(c.Mode))
		num("size", c.Size)
		num("timeout", c.Timeout)
		num("tickets", c.Tickets)
		b = append(b, `,"no_ticket":`...)
		b = strconv.AppendBool(b, c.NoTicket)
		num("new_cb", int64(c.NewCB))
		b = append(b, `,"remove_cb":`...)
		b = strconv.AppendBool(b, c.RemoveCB)
		if c.GetCB != 0 {
			num("get_cb", int64(c.GetCB))
		}
		b = append(b, '}')
	}
	return append(b, '}', '\n')
}

// enumerated returns the value sent for config member name if its values
// are enumerated (new_cb, get_cb): the members a later harness may send a
// value of that an older shim does not know (docs/protocol.md §3).
func (c *wireConfig) enumerated(name string) (int64, bool) {
	switch name {
	case "new_cb":
		return int64(c.NewCB), true
	case "get_cb":
		return int64(c.GetCB), true
	}
	return 0, false
}

// appendString appends s as a JSON string. Names on the wire are plain
// ASCII; anything else is escaped as encoding/json would.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// reply is one line from the shim, before validation. Pointers tell a
// missing field from a zero one.
type reply struct {
	ID            *uint64          `json:"id"`
	Ret           *int64           `json:"ret"`
	Events        *[]wireEvent     `json:"events"`
	Unimplemented bool             `json:"unimplemented"`
	Error         *string          `json:"error"`
	Observation   *wireObservation `json:"observation"`
}

type wireEvent struct {
	Ev   *string `json:"ev"`
	Ctx  *int64  `json:"ctx"`
	Sess *int64  `json:"sess"`
}

type wireObservation struct {
	Ctxs     []wireCtx  `json:"ctxs"`
	SSLs     []wireSSL  `json:"ssls"`
	Sessions []wireSess `json:"sessions"`
}

type wireCtx struct {
	Ctx         *int64 `json:"ctx"`
	Number      *int64 `json:"number"`
	Hits        *int64 `json:"hits"`
	Misses      *int64 `json:"misses"`
	Timeouts    *int64 `json:"timeouts"`
	CacheFull   *int64 `json:"cache_full"`
	Connect     *int64 `json:"connect"`
	ConnectGood *int64 `json:"connect_good"`
	Accept      *int64 `json:"accept"`
	AcceptGood  *int64 `json:"accept_good"`
	CbHits      *int64 `json:"cb_hits"`
}

type wireSSL struct {
	SSL    *int64 `json:"ssl"`
	Sess   *int64 `json:"sess"`
	Reused *bool  `json:"reused"`
}

type wireSess struct {
	Sess      *int64 `json:"sess"`
	Resumable *bool  `json:"resumable"`
	IDLen     *int64 `json:"id_len"`
	Time      *int64 `json:"time"`
	Timeout   *int64 `json:"timeout"`
	SidCtx    *int64 `json:"sid_ctx"` // optional: absent when the library cannot show it
}

// hello is the shim's first line.
type hello struct {
	Hello      *string  `json:"hello"`
	Library    string   `json:"library"`
	Version    string   `json:"version"`
	Profile    string   `json:"profile"`
	Variant    string   `json:"variant"`
	Calls      []string `json:"calls"`
	Concurrent bool     `json:"concurrent"`
}

func parseReply(line []byte) (reply, error) {
	// Lines in the form shims normally write take the fast path; anything
	// else (spaces, escapes, other keys, bad JSON) goes to encoding/json,
	// which gives the same reply or the error.
	r, ok := decodeReply(line)
	if !ok {
		r = reply{}
		if err := json.Unmarshal(line, &r); err != nil {
			return r, fmt.Errorf("bad JSON (%v)", err)
		}
	}
	if r.ID == nil {
		return r, fmt.Errorf(`no "id"`)
	}
	return r, nil
}

// result validates a call's reply and turns it into a model.Result.
func (r reply) result() (model.Result, error) {
	if r.Ret == nil {
		return model.Result{}, fmt.Errorf(`no "ret"`)
	}
	if r.Events == nil {
		return model.Result{}, fmt.Errorf(`no "events"`)
	}
	res := model.Result{Ret: *r.Ret}
	for i, e := range *r.Events {
		ev, err := e.event()
		if err != nil {
			return model.Result{}, fmt.Errorf("event %d: %v", i, err)
		}
		res.Events = append(res.Events, ev)
	}
	return res, nil
}

func (e wireEvent) event() (model.Event, error) {
	if e.Ev == nil {
		return model.Event{}, fmt.Errorf(`no "ev"`)
	}
	sess, err := handle("sess", e.Sess, 1)
	if err != nil {
		return model.Event{}, err
	}
	switch *e.Ev {
	case model.EvNewSession.String(), model.EvRemove.String():
		ctx, err := handle("ctx", e.Ctx, 1)
		if err != nil {
			return model.Event{}, err
		}
		kind := model.EvNewSession
		if *e.Ev == model.EvRemove.String() {
			kind = model.EvRemove
		}
		return model.Event{Kind: kind, Sess: sess, Ctx: ctx}, nil
	case model.EvDestroyed.String():
		if e.Ctx != nil && *e.Ctx != 0 {
			return model.Event{}, fmt.Errorf(`"destroyed" with ctx %d (must be 0)`, *e.Ctx)
		}
		return model.Event{Kind: model.EvDestroyed, Sess: sess}, nil
	}
	return model.Event{}, fmt.Errorf("unknown event %q", *e.Ev)
}

// handle checks a handle field: present and in min..MaxInt32.
func handle(name string, v *int64, min int64) (model.Handle, error) {
	if v == nil {
		return 0, fmt.Errorf("no %q", name)
	}
	if *v < min || *v > math.MaxInt32 {
		return 0, fmt.Errorf("%q = %d out of range", name, *v)
	}
	return model.Handle(*v), nil
}

func need[T any](name string, v *T) (T, error) {
	if v == nil {
		var zero T
		return zero, fmt.Errorf("no %q", name)
	}
	return *v, nil
}

// sidCtx reads a session's "sid_ctx" (docs/protocol.md §7): absent, the
// library cannot show the context and nobody compares it; -1, bytes that
// are none of the contexts; else a context's number (§3).
func sidCtx(v *int64) (model.SidCtx, error) {
	switch {
	case v == nil:
		return model.SidCtxUnknown, nil
	case *v == -1:
		return model.SidCtxOther, nil
	case *v < 0 || *v > int64(model.SidCtxTooLong):
		return 0, fmt.Errorf(`"sid_ctx" = %d is not -1..%d`, *v, model.SidCtxTooLong)
	}
	return model.SidCtx(*v), nil
}

// observation validates an observe reply.
func (r reply) observation() (model.Observation, error) {
	w := r.Observation
	if w == nil {
		return model.Observation{}, fmt.Errorf(`no "observation"`)
	}
	var ob model.Observation
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	for i, c := range w.Ctxs {
		h, err := handle("ctx", c.Ctx, 1)
		check(err)
		o := model.CtxObs{Ctx: h}
		for _, f := range []struct {
			name string
			src  *int64
			dst  *int64
		}{{"number", c.Number, &o.Number}, {"hits", c.Hits, &o.Hits}, {"misses", c.Misses, &o.Misses},
			{"timeouts", c.Timeouts, &o.Timeouts}, {"cache_full", c.CacheFull, &o.CacheFull},
			{"connect", c.Connect, &o.Connect}, {"connect_good", c.ConnectGood, &o.ConnectGood},
			{"accept", c.Accept, &o.Accept}, {"accept_good", c.AcceptGood, &o.AcceptGood},
			{"cb_hits", c.CbHits, &o.CbHits}} {
			v, err := need(f.name, f.src)
			*f.dst = v
			check(err)
		}
		if i > 0 && h <= ob.Ctxs[i-1].Ctx {
			check(fmt.Errorf("ctxs not in handle order"))
		}
		ob.Ctxs = append(ob.Ctxs, o)
	}
	for i, s := range w.SSLs {
		h, err := handle("ssl", s.SSL, 1)
		check(err)
		sess, err := handle("sess", s.Sess, -1)
		check(err)
		reused, err := need("reused", s.Reused)
		check(err)
		if i > 0 && h <= ob.SSLs[i-1].SSL {
			check(fmt.Errorf("ssls not in handle order"))
		}
		ob.SSLs = append(ob.SSLs, model.SSLObs{SSL: h, Sess: sess, Reused: reused})
	}
	for i, s := range w.Sessions {
		h, err := handle("sess", s.Sess, 1)
		check(err)
		o := model.SessObs{Sess: h}
		o.Resumable, err = need("resumable", s.Resumable)
		check(err)
		idLen, err := need("id_len", s.IDLen)
		check(err)
		o.IDLen = int(idLen)
		o.Time, err = need("time", s.Time)
		check(err)
		o.Timeout, err = need("timeout", s.Timeout)
		check(err)
		o.SidCtx, err = sidCtx(s.SidCtx)
		check(err)
		if i > 0 && h <= ob.Sessions[i-1].Sess {
			check(fmt.Errorf("sessions not in handle order"))
		}
		ob.Sessions = append(ob.Sessions, o)
	}
	if len(errs) > 0 {
		return model.Observation{}, fmt.Errorf("observation: %v", errs[0])
	}
	return ob, nil
}

func parseHello(line []byte) (hello, error) {
	var h hello
	if err := json.Unmarshal(line, &h); err != nil {
		return h, fmt.Errorf("bad JSON (%v)", err)
	}
	switch {
	case h.Hello == nil:
		return h, fmt.Errorf(`the first line has no "hello"`)
	case *h.Hello != Protocol:
		return h, fmt.Errorf("the shim speaks %q, not %q", *h.Hello, Protocol)
	case h.Calls == nil:
		return h, fmt.Errorf(`the hello has no "calls"`)
	}
	return h, nil
}
