package model

import (
	"fmt"
	"strings"
)

// EventKind is a lifetime event an implementation reports during a call.
type EventKind uint8

// The observable lifetime events.
const (
	EvNewSession EventKind = iota + 1 // new_session_cb(ssl, sess) was called on Ctx
	EvRemove                          // remove_session_cb(ctx, sess) was called on Ctx
	EvDestroyed                       // a named session's reference count reached zero
)

// String returns the event's short name.
func (k EventKind) String() string {
	switch k {
	case EvNewSession:
		return "new_session_cb"
	case EvRemove:
		return "remove_cb"
	case EvDestroyed:
		return "destroyed"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one lifetime event. Ctx is set for the callbacks and zero for
// EvDestroyed. Destructions are reported only for sessions the application
// has been shown (named sessions); unnamed internal copies come and go
// unseen, as they do for a real program.
type Event struct {
	Kind EventKind `json:"kind"`
	Sess Handle    `json:"sess"`
	Ctx  Handle    `json:"ctx,omitempty"`
}

// String renders the event, for example "remove_cb(ctx1, sess3)".
func (e Event) String() string {
	if e.Kind == EvDestroyed {
		return fmt.Sprintf("destroyed(%s)", SessName(e.Sess))
	}
	return fmt.Sprintf("%s(%s, %s)", e.Kind, CtxName(e.Ctx), SessName(e.Sess))
}

// Result is what one call did: its return value and the events it caused,
// in order. For calls that return a session (Get0, Get1) Ret is the session
// handle, 0 for NULL; for calls that return void Ret is 0.
type Result struct {
	Ret    int64   `json:"ret"`
	Events []Event `json:"events,omitempty"`
}

// Equal reports whether two results are the same.
func (r Result) Equal(o Result) bool {
	if r.Ret != o.Ret || len(r.Events) != len(o.Events) {
		return false
	}
	for i := range r.Events {
		if r.Events[i] != o.Events[i] {
			return false
		}
	}
	return true
}

// Format renders the result of op for people: "sess3", "NULL", "1", with
// the events after it.
func (r Result) Format(op Op) string {
	var b strings.Builder
	b.WriteString(FormatRet(op.Kind, r.Ret))
	for _, e := range r.Events {
		b.WriteString(" ")
		b.WriteString(e.String())
	}
	return b.String()
}

// FormatRet renders a return value of a call of kind k.
func FormatRet(k Kind, ret int64) string {
	switch CallOf(k).Ret {
	case RetSession:
		return SessName(Handle(ret))
	case RetVoid:
		return "void"
	}
	return fmt.Sprint(ret)
}

// Observation is everything cheap to observe about a universe between
// calls, without naming anything new. Slices are in handle order.
type Observation struct {
	Ctxs     []CtxObs
	SSLs     []SSLObs
	Sessions []SessObs
}

// CtxObs is one application-held SSL_CTX: its cache size and counters.
type CtxObs struct {
	Ctx         Handle
	Number      int64 // SSL_CTX_sess_number
	Hits        int64
	Misses      int64
	Timeouts    int64
	CacheFull   int64
	Connect     int64 // SSL_CTX_sess_connect
	ConnectGood int64 // SSL_CTX_sess_connect_good
	Accept      int64 // SSL_CTX_sess_accept
	AcceptGood  int64 // SSL_CTX_sess_accept_good
	CbHits      int64 // SSL_CTX_sess_cb_hits
}

// Unnamed is the SSLObs.Sess value of an SSL whose session the application
// has not been shown yet.
const Unnamed Handle = -1

// SSLObs is one live SSL: which session it holds (a handle, 0 for none,
// [Unnamed] for an object not yet shown) and SSL_session_reused.
type SSLObs struct {
	SSL    Handle
	Sess   Handle
	Reused bool
}

// SessObs is one live named session.
type SessObs struct {
	Sess      Handle
	Resumable bool
	IDLen     int // 0, or 32 for every id OpenSSL makes
	Time      int64
	Timeout   int64
	// SidCtx is the session's id context (SSL_SESSION_get0_id_context,
	// mapped back to its number), or SidCtxUnknown where either side
	// cannot tell: then it is not compared.
	SidCtx SidCtx
}

func obsSess(h Handle) string {
	if h == Unnamed {
		return "(unnamed session)"
	}
	return SessName(h)
}

// diffSlices walks two handle-sorted slices and calls f for every handle in
// either, with nil for the side that lacks it.
func diffSlices[T any](want, got []T, key func(T) Handle, f func(w, g *T)) {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || (i < len(want) && key(want[i]) < key(got[j])):
			f(&want[i], nil)
			i++
		case i == len(want) || key(got[j]) < key(want[i]):
			f(nil, &got[j])
			j++
		default:
			f(&want[i], &got[j])
			i++
			j++
		}
	}
}
