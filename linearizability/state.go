package linearizability

import (
	"bytes"
	"hash/maphash"
	"slices"

	"github.com/sesslife/sesslife/model"
)

// state is the checker's state: one universe of the model, and the
// bijection between the target's session handles (local ids) and the
// model's. The target names a session when it first shows it, in the order
// the target ran the calls; the model names it in the order of the
// linearization being tried. The two orders may differ, so the names are
// paired as calls show them: a pairing that contradicts an earlier one makes
// the step illegal.
//
// A state keeps its model as a key (model.State.AppendKey), numbered
// canonically (canonicalize), and compares by it: porcupine keeps every
// state it reaches, and a key is a few kilobytes where a model.State is
// tens. The model itself is kept only by the state the search is most
// likely to go on from, the universe's live state, which hands it to the
// next state it steps to (the search rarely comes back); any other state
// rebuilds its model from its key when porcupine steps from it. States are
// never changed once made, but for m; slices are shared until a step
// extends them.
type state struct {
	u   *universe // nil until the universe's Begin
	key []byte
	h   uint64 // of key and m2t
	m   *model.State
	m2t []int32 // model session handle-1 -> local target id, 0 unpaired
	t2m []int32 // local target id-1 -> model session handle, 0 unpaired
	// cost is what the state was charged to the memory budget: what
	// porcupine keeping it costs (the key, the bijection, and charge).
	cost int64
}

// search is what the search of one universe shares: the live state, and
// models it may reuse. porcupine searches a partition on one goroutine,
// and the account of a violation replays one universe at a time.
type search struct {
	live *state
	free []*model.State
	seed maphash.Seed
}

// freeModels bounds the models a search keeps for reuse.
const freeModels = 16

// newState makes the state that follows a step: m (which the new state
// takes over) is renumbered canonically, its key taken and hashed, and the
// new state becomes the live one.
func (u *universe) newState(m *model.State, m2t, t2m []int32) *state {
	m2t, t2m = canonicalize(m, m2t, t2m)
	s := &state{u: u, key: m.AppendKey(make([]byte, 0, u.keyCap)), m: m, m2t: m2t, t2m: t2m}
	u.keyCap = max(u.keyCap, cap(s.key))
	s.cost = u.charge + int64(len(s.key)+4*len(m2t)+4*len(t2m))
	s.h = maphash.Bytes(u.search.seed, s.key)
	for _, t := range m2t {
		s.h = (s.h ^ uint64(t)) * 0x100000001b3
	}
	u.live(s)
	return s
}

// live makes s the live state: the previous one's model is given up.
func (u *universe) live(s *state) {
	if l := u.search.live; l != nil && l != s && l.m != nil {
		u.recycle(l.m)
		l.m = nil
	}
	u.search.live = s
}

// recycle keeps m for reuse.
func (u *universe) recycle(m *model.State) {
	if len(u.search.free) < freeModels {
		u.search.free = append(u.search.free, m)
	}
}

// decode rebuilds the model of s in a reused model.State.
func (u *universe) decode(key []byte) *model.State {
	var m *model.State
	if n := len(u.search.free); n > 0 {
		m, u.search.free = u.search.free[n-1], u.search.free[:n-1]
	} else {
		m = model.New(u.prof)
	}
	if err := m.SetKey(key); err != nil {
		panic(err) // keys come from AppendKey
	}
	return m
}

// model returns s's model for reading: the caller must not change it, nor
// keep it past the next step of the search.
func (s *state) model() *model.State {
	if s.m == nil {
		s.m = s.u.decode(s.key)
		s.u.live(s)
	}
	return s.m
}

// take returns s's model for the caller to change: s gives it up.
func (s *state) take() *model.State {
	m := s.model()
	s.m = nil
	return m
}

// giveBack returns a model take handed out, unchanged.
func (s *state) giveBack(m *model.State) {
	s.m = m
	s.u.live(s)
}

// same is s again, for a step that changes nothing (an observation, a
// call of unknown outcome that never happened): porcupine keeps it with
// another set of linearized calls, so it gets an object of its own, which
// shares s's key and takes over s's model.
func (s *state) same() *state {
	c := &state{u: s.u, key: s.key, h: s.h, m: s.m, m2t: s.m2t, t2m: s.t2m, cost: s.u.charge}
	s.m = nil
	if c.m != nil {
		s.u.live(c)
	}
	return c
}

// drop is porcupine dropping s, the state it just made, as one it keeps
// already: its model is reused and its share of the budget returned.
func (s *state) drop() {
	if s.m != nil {
		s.u.recycle(s.m)
		s.m = nil
		if s.u.search.live == s {
			s.u.search.live = nil
		}
	}
	s.u.budget.refund(s.cost)
}

func (s *state) equal(o *state) bool {
	if s.u == nil || o.u == nil {
		return s.u == o.u
	}
	return s.u == o.u && s.h == o.h && bytes.Equal(s.key, o.key) && slices.Equal(s.m2t, o.m2t)
}

func (s *state) hash() uint64 { return s.h }

// stateCharge estimates what porcupine keeping a state costs besides its
// key and bijection: the state itself, porcupine's cache entry, and its
// copy of the set of linearized calls (a bit per operation of the
// universe).
func stateCharge(ops int) int64 { return 256 + int64(ops)/8 }
