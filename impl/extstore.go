package impl

import (
	"context"
	"slices"
	"sync"

	"github.com/sesslife/sesslife/model"
)

// extStore is the external session cache the adapter runs, as an
// application would, for an SSL_CTX configured with get_cb (docs/spec.md
// CB-EXT-STORE): new_session_cb keeps each session it is given under its
// id, remove_cb takes the entry out and frees it, get_session_cb returns
// the entry asked for, and the SSL_CTX's destruction frees the rest. It
// keeps pointers, so *copy = 0 hands its own reference to the library; the
// model refuses the calls that would then free it twice.
type extStore struct {
	copy   bool    // get_session_cb leaves *copy at 1
	faults *Faults // see ExtStoreFreesOnRemove
	mu     sync.Mutex
	items  []extEntry
}

// extEntry is one entry: the session, and whether the store still owns
// its reference.
type extEntry struct {
	s     *Session
	owned bool
}

func newExtStore(cfg model.CtxConfig, f *Faults) *extStore {
	return &extStore{copy: cfg.GetCB == model.GetCBCopy1, faults: f}
}

// index returns the entry kept under id, or -1; the caller holds mu.
func (e *extStore) index(id SessionID) int {
	if id.Len() == 0 {
		return -1
	}
	return slices.IndexFunc(e.items, func(x extEntry) bool { return x.s.ID() == id })
}

// take removes the entry under id and returns the session if the store
// owned its reference (the caller frees it outside the lock).
func (e *extStore) take(id SessionID) *Session {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.index(id)
	if i < 0 {
		return nil
	}
	x := e.items[i]
	e.items = slices.Delete(e.items, i, i+1)
	if !x.owned {
		return nil
	}
	return x.s
}

// put is new_session_cb returning 1: s, with the reference the library
// gave, goes in under its id; an older entry with that id is freed.
func (e *extStore) put(call context.Context, s *Session) {
	if old := e.take(s.ID()); old != nil {
		old.Free(call)
	}
	e.mu.Lock()
	e.items = append(e.items, extEntry{s: s, owned: true})
	e.mu.Unlock()
}

// removed is remove_cb: the entry under s's id leaves and is freed.
func (e *extStore) removed(call context.Context, c *Ctx, s *Session) {
	if !e.faults.choose(ExtStoreFreesOnRemove, c, true) {
		return
	}
	if old := e.take(s.ID()); old != nil {
		old.Free(call)
	}
}

// get is get_session_cb: the entry under id, and the *copy choice; with
// *copy = 0 the store no longer owns the reference.
func (e *extStore) get(_ context.Context, _ *Conn, id SessionID) (*Session, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := e.index(id)
	if i < 0 {
		return nil, e.copy
	}
	if !e.copy {
		e.items[i].owned = false
	}
	return e.items[i].s, e.copy
}

// close frees every entry left, when the SSL_CTX is destroyed.
func (e *extStore) close(call context.Context) {
	e.mu.Lock()
	items := e.items
	e.items = nil
	e.mu.Unlock()
	for _, x := range items {
		if x.owned {
			x.s.Free(call)
		}
	}
}
