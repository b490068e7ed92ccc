package model

import "fmt"

// Rename renumbers s in place, canonically: afterwards s behaves exactly as
// before, up to the renaming of its session handles that order gives.
//
// A State numbers things the application cannot see in the order they were
// made: session objects, tickets and session ids (the ids' values are never
// shown; calls only compare them). Two orders of the same calls can make
// the same sessions in a different order, and leave states that no call
// can tell apart but that are not Equal. A checker that searches over
// orders (package linearizability) then keeps both. Rename numbers these
// things by a walk that looks at the state's structure only, never at the
// old numbers: first the named sessions in their new handle order, then
// each SSL_CTX's cache (handle order, list order), then each SSL (handle
// order: the sessions it holds, the tickets waiting, the tickets buffered),
// then the shared cache of profiles with SharedCopyCache in placement
// order. Each session object, when first met, takes the next ref, then its
// ticket the next ticket ref; ids (and alternative ids) take 1, 2, ... in
// the order met, and the id counter goes on from there, so the ids made
// later are still new.
//
// The walk leaves out what can never matter again: a destroyed session no
// handle names and no cache or SSL holds, and a ticket no session or SSL
// holds (every use of an object goes through one of those). Destroyed
// named sessions keep their handles but share one emptied object, and a
// freed SSL, or SSL_CTX with nothing left in its cache, is emptied: the
// model asks each only whether it is alive, so
// a universe's long history of freed objects costs a renamed state a byte
// or so an object (its key, AppendKey, as much). A live session
// the walk does not meet, which no call leaves behind, is kept after the
// others in its old order: s is then still renamed soundly, only not
// canonically.
//
// Handles of named sessions are the application's names, so the caller
// chooses them: order lists every handle of s once (a permutation of 1 ..
// NamedSessions()), and handle order[i] becomes handle i+1; a nil order
// keeps every handle. SSL_CTX and SSL handles are kept. A bad order is
// an error, and leaves s as it was.
//
// So: every call on the renamed state returns what it returned on s, with
// the same events in the same order, up to that renaming of handles, and
// so does every later call (the model looks at session handles, refs,
// ticket refs and ids only to tell them apart); and two states that differ
// only in these numberings, renamed with orders that list corresponding
// sessions in the same places, become Equal.
func (s *State) Rename(order []Handle) error {
	newHandle := make([]Handle, len(s.named)+1) // old handle -> new; [0] stays 0
	if order == nil {
		for h := range newHandle {
			newHandle[h] = Handle(h)
		}
	} else {
		if len(order) != len(s.named) {
			return fmt.Errorf("model: Rename: order lists %d handles, the universe has named %d sessions", len(order), len(s.named))
		}
		for i, h := range order {
			if h < 1 || int(h) > len(s.named) || newHandle[h] != 0 {
				return fmt.Errorf("model: Rename: order[%d] = %d: want each handle 1..%d once", i, h, len(s.named))
			}
			newHandle[h] = Handle(i + 1)
		}
	}
	w := walk{s: s, objRef: make([]int32, len(s.objs)), tkRef: make([]int32, len(s.tickets)),
		idMap: make([]int64, s.nextID+1)}
	for i := range len(s.named) {
		h := Handle(i + 1)
		if order != nil {
			h = order[i]
		}
		if r := s.named[h-1]; s.objs[r-1].alive {
			w.session(r)
		}
	}
	for i := range s.ctxs {
		c := &s.ctxs[i]
		if c.freed() {
			*c = ctxObj{} // never read again (its handle is a violation; tickets and sessions only compare it)
			continue
		}
		for _, r := range c.list {
			w.session(r)
		}
		for _, e := range c.store {
			w.id(e.id) // a destroyed entry's id is met nowhere else
		}
	}
	for i := range s.ssls {
		l := &s.ssls[i]
		if !l.alive {
			*l = sslObj{} // a freed SSL is never read again (its handle is a violation)
			continue
		}
		w.session(l.sess)
		w.session(l.conf)
		for _, t := range l.pending {
			w.ticket(t)
		}
		for _, t := range l.buffered {
			w.ticket(t)
		}
	}
	for _, r := range s.rows {
		w.session(r)
	}
	w.tombstone(order)
	for i := range s.objs {
		if w.objRef[i] == 0 && s.objs[i].alive {
			w.session(sessRef(i + 1)) // unreachable yet alive: kept, see above
		}
	}
	if order != nil || !w.identity() {
		w.apply(newHandle)
	}
	return nil
}

// walk is the numbering Rename builds: old ref-1 -> new ref (0: dropped),
// the same for tickets, and old id -> new id (ids are 1..nextID); tomb is
// the new ref of the tombstone (0: none).
type walk struct {
	s               *State
	objRef, tkRef   []int32
	idMap           []int64
	nextObj, nextTk int32
	ids             int64
	tomb            int32
}

// tombstone gives every destroyed named session the walk has not met one
// object, the first of them in the new handle order, emptied by apply. A
// destroyed session is only ever asked whether it is alive (using its
// handle is a violation), so all of them can share one, and a universe
// that has named and destroyed many sessions keeps one object for them
// all, not one each (its key and its renaming cost a byte per such
// handle, not a session's worth).
func (w *walk) tombstone(order []Handle) {
	s := w.s
	for i := range len(s.named) {
		h := Handle(i + 1)
		if order != nil {
			h = order[i]
		}
		if r := s.named[h-1]; w.objRef[r-1] == 0 && !s.objs[r-1].alive {
			w.nextObj++
			w.objRef[r-1], w.tomb = w.nextObj, w.nextObj
			return
		}
	}
}

func (w *walk) session(r sessRef) {
	if r == 0 || w.objRef[r-1] != 0 {
		return
	}
	w.nextObj++
	w.objRef[r-1] = w.nextObj
	o := &w.s.objs[r-1]
	w.id(o.id)
	w.id(o.alt)
	w.ticket(o.ticket)
}

func (w *walk) ticket(t int32) {
	if t == 0 || w.tkRef[t-1] != 0 {
		return
	}
	w.nextTk++
	w.tkRef[t-1] = w.nextTk
	w.id(w.s.tickets[t-1].id)
}

func (w *walk) id(v int64) {
	if v == 0 || w.idMap[v] != 0 {
		return
	}
	w.ids++
	w.idMap[v] = w.ids
}

// identity reports whether the walk keeps every object, ticket and id
// where it is.
func (w *walk) identity() bool {
	s := w.s
	if int(w.nextObj) != len(s.objs) || int(w.nextTk) != len(s.tickets) || w.ids != s.nextID {
		return false
	}
	for i, r := range w.objRef {
		if r != int32(i+1) {
			return false
		}
	}
	if w.tomb != 0 && s.objs[w.tomb-1] != (sessObj{}) {
		return false
	}
	for i, t := range w.tkRef {
		if t != int32(i+1) {
			return false
		}
	}
	for v := int64(1); v <= s.nextID; v++ {
		if w.idMap[v] != v {
			return false
		}
	}
	return true
}

// apply renumbers the state where it is: every slice keeps its array (and
// its spare capacity, which the objects made by later calls fill).
func (w *walk) apply(newHandle []Handle) {
	s := w.s
	obj := func(r sessRef) sessRef {
		if r == 0 {
			return 0
		}
		return w.objRef[r-1]
	}
	tk := func(t int32) int32 {
		if t == 0 {
			return 0
		}
		return w.tkRef[t-1]
	}
	id := func(v int64) int64 {
		if v == 0 {
			return 0
		}
		return w.idMap[v]
	}
	for i := range s.ctxs {
		for j, r := range s.ctxs[i].list {
			s.ctxs[i].list[j] = obj(r)
		}
		for j := range s.ctxs[i].store {
			e := &s.ctxs[i].store[j]
			e.sess, e.id = newHandle[e.sess], id(e.id)
		}
	}
	for i := range s.ssls {
		l := &s.ssls[i]
		l.sess, l.conf = obj(l.sess), obj(l.conf)
		for j, t := range l.pending {
			l.pending[j] = tk(t)
		}
		for j, t := range l.buffered {
			l.buffered[j] = tk(t)
		}
	}
	for i, r := range s.rows {
		s.rows[i] = obj(r)
	}
	for h, r := range s.named {
		if s.named[h] = obj(r); s.named[h] == 0 {
			s.named[h] = w.tomb // destroyed: see tombstone
		}
	}
	for i := range s.objs {
		o := &s.objs[i]
		o.handle = newHandle[o.handle]
		o.id, o.alt, o.ticket = id(o.id), id(o.alt), tk(o.ticket)
	}
	for i := range s.tickets {
		s.tickets[i].id = id(s.tickets[i].id)
	}
	// Move everything to its new place; what the walk left out goes last
	// and is cut off.
	s.objs = s.objs[:permute(s.objs, w.objRef, w.nextObj)]
	s.tickets = s.tickets[:permute(s.tickets, w.tkRef, w.nextTk)]
	if w.tomb != 0 {
		s.objs[w.tomb-1] = sessObj{}
	}
	named := make([]int32, len(newHandle)-1) // old handle-1 -> new handle, for permute
	for h := range named {
		named[h] = int32(newHandle[h+1])
	}
	permute(s.named, named, int32(len(named)))
	s.nextID = w.ids
}

// permute moves xs[i] to place to[i]-1, where to numbers kept elements 1..
// kept and gives 0 to the others, which go after the kept ones in their
// order; it returns kept. It overwrites to.
func permute[T any](xs []T, to []int32, kept int32) int {
	next := kept
	for i, t := range to {
		if t == 0 {
			next++
			to[i] = next
		}
	}
	for i := range xs {
		for to[i]-1 != int32(i) {
			j := to[i] - 1
			xs[i], xs[j] = xs[j], xs[i]
			to[i], to[j] = to[j], to[i]
		}
	}
	return int(kept)
}

// freed reports whether the SSL_CTX is gone for good: freed by the
// application, held by no SSL, and holding no session.
func (c *ctxObj) freed() bool {
	return !c.alive && !c.appHeld && c.sslRefs == 0 && len(c.list) == 0 && len(c.store) == 0
}
