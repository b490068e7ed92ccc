package impl

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/sesslife/sesslife/model"
)

// This file is the external cache nginx and haproxy run, a store of bytes
// (docs/spec.md CB-EXT-SERIAL-STORE): new_session_cb encodes the session
// with i2d_SSL_SESSION, keeps the bytes under its id and returns 0;
// get_session_cb decodes the bytes kept under the id asked for with
// d2i_SSL_SESSION, a fresh object with one reference; remove_cb erases the
// bytes. With *copy = 0 the library takes over d2i's reference
// (CB-GET-FRESH-COPY0); left at 1 it takes one of its own and d2i's is the
// application's, which keeps the object nowhere: a leak
// (CB-GET-FRESH-COPY1).

// Choose points of the store of bytes; ref is the reference's choice.
const (
	// SerialStoreErasesOnRemove: remove_cb of a store of bytes erases the
	// bytes kept under the session's id [true] (CB-EXT-SERIAL-STORE). on:
	// the *Ctx.
	SerialStoreErasesOnRemove Point = iota + 240
	// FreshNoCopyHandsOver: with *copy = 0 the library takes d2i's
	// reference over and no reference of its own [true]
	// (CB-GET-FRESH-COPY0). on: the *Conn.
	FreshNoCopyHandsOver
	// FreshCopyKeepsAppRef: with *copy left at 1 d2i's reference stays the
	// application's and the library takes its own [true]
	// (CB-GET-FRESH-COPY1). on: the *Conn.
	FreshCopyKeepsAppRef
)

// serialStore is the store of bytes of one SSL_CTX. An entry is a Session
// that stands for the bytes: made by encode, never counted live nor
// handed out; decode makes each fresh object from it.
type serialStore struct {
	copy   bool    // get_session_cb leaves *copy at 1
	faults *Faults // see the Choose points above
	mu     sync.Mutex
	items  []*Session
}

func newSerialStore(cfg model.CtxConfig, f *Faults) *serialStore {
	return &serialStore{copy: cfg.GetCB == model.GetCBFresh1, faults: f}
}

// encode is what i2d_SSL_SESSION keeps of s: the version, the id, the
// time, the timeout and the session id context, taken now; no
// not_resumable mark, no cache, no reference. A session without a cipher
// encodes to nothing (nil).
func encode(s *Session) *Session {
	if s.version == model.VersionNone || s.noCipher.Load() || s.id.Len() == 0 {
		return nil
	}
	t, timeout := s.times()
	b := &Session{env: s.env, version: s.version, id: s.id, time: t, timeout: timeout}
	b.sidCtx.Store(s.sidCtx.Load())
	return b
}

// decode is d2i_SSL_SESSION of bytes b: a fresh object with one
// reference, the caller's; a time of 0 becomes now, a timeout of 0 three
// seconds.
func decode(b *Session) *Session {
	d := &Session{env: b.env, version: b.version, id: b.id, time: b.time, timeout: b.timeout}
	d.sidCtx.Store(b.sidCtx.Load())
	if d.time == 0 {
		d.time = b.env.Now()
	}
	if d.timeout == 0 {
		d.timeout = decodedTimeout
	}
	return b.env.adopt(d)
}

// index returns the entry kept under id, or -1; the caller holds mu.
func (e *serialStore) index(id SessionID) int {
	if id.Len() == 0 {
		return -1
	}
	return slices.IndexFunc(e.items, func(x *Session) bool { return x.id == id })
}

// put is new_session_cb: s's bytes go in under its id, replacing older
// bytes under it. The library's reference is left alone (the callback
// returns 0).
func (e *serialStore) put(s *Session) {
	b := encode(s)
	if b == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := e.index(b.id); i >= 0 {
		e.items[i] = b
		return
	}
	e.items = append(e.items, b)
}

// removed is remove_cb: the bytes under s's id are erased.
func (e *serialStore) removed(c *Ctx, s *Session) {
	if !e.faults.choose(SerialStoreErasesOnRemove, c, true) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if i := e.index(s.ID()); i >= 0 {
		e.items = slices.Delete(e.items, i, i+1)
	}
}

// get is get_session_cb: a fresh object decoded from the bytes under id,
// and the *copy choice.
func (e *serialStore) get(_ context.Context, conn *Conn, id SessionID) (*Session, bool) {
	e.mu.Lock()
	i := e.index(id)
	var b *Session
	if i >= 0 {
		b = e.items[i]
	}
	e.mu.Unlock()
	if b == nil {
		return nil, e.copy
	}
	s := decode(b)
	if e.copy {
		return s, e.faults.choose(FreshCopyKeepsAppRef, conn, true)
	}
	if !e.faults.choose(FreshNoCopyHandsOver, conn, true) {
		s.UpRef()
	}
	return s, false
}

// close erases every entry when the SSL_CTX is destroyed.
func (e *serialStore) close(context.Context) {
	e.mu.Lock()
	e.items = nil
	e.mu.Unlock()
}

// newCtxAny is SSL_CTX_new with the callbacks its configuration installs.
func (u *universe) newCtxAny(op model.Op) error {
	if !op.Config.GetCB.Fresh() {
		return u.newCtx(op)
	}
	return u.newCtxSerial(op)
}

// newCtxSerial is newCtx for an SSL_CTX whose external cache keeps bytes:
// new_session_cb (which returns 0) encodes, remove_cb erases, get_session_cb
// decodes.
func (u *universe) newCtxSerial(op model.Op) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if int(op.Ctx) != len(u.ctxs)+1 {
		return errNewCtxHandle(op, len(u.ctxs)+1)
	}
	h := op.Ctx
	store := newSerialStore(op.Config, u.env.faults)
	cb := Callbacks{GetSession: store.get, Destroyed: store.close}
	if op.Config.NewCB != model.NewCBNone {
		keep := op.Config.NewCB == model.NewCBReturn1
		cb.NewSession = func(call context.Context, _ *Conn, s *Session) bool {
			u.record(call, model.EvNewSession, s, h)
			store.put(s)
			return keep
		}
	}
	if op.Config.RemoveCB {
		cb.RemoveSession = func(call context.Context, c *Ctx, s *Session) {
			u.record(call, model.EvRemove, s, h)
			store.removed(c, s)
		}
	}
	c, err := NewCtx(u.env, op.Config, cb)
	if err != nil {
		return err
	}
	u.ctxs = append(u.ctxs, c)
	return nil
}

// errNewCtxHandle is newCtx's error for a handle out of order.
func errNewCtxHandle(op model.Op, want int) error {
	return fmt.Errorf("impl: %s: the new SSL_CTX must be %s", op, model.CtxName(model.Handle(want)))
}
