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
// States compare up to a renaming of objects, by their canonical key: the
// model renumbered canonically (canonicalize) and written as a key
// (model.State.AppendKey), with the bijection renamed alike. Building that
// key costs as much as the model is big, and the search steps about once a
// call and almost never comes back (porcupine compares a new state only
// with the states it reached with the same set of calls linearized), so
// the key is built only when porcupine compares the state, and at a
// checkpoint every checkpointEvery steps.
//
// A state holds its model only while the search is most likely to go on
// from it (the universe's live state), which hands the model to the next
// state it steps to. Any other state rebuilds its model when it needs it:
// from the nearest state on its way from the universe's Begin that keeps
// its model's key (snap: a checkpoint, or a state that was slow to
// rebuild), by replaying the calls linearized since (the model is
// deterministic, so they return what they returned the first time). Every
// state records how it was reached (parent and in); its bijection is in
// the numbering of the model it was reached with, and a checkpoint's in its
// canonical numbering. States are never changed once porcupine has stepped
// from them, but for m, snap and the memo of their canonical key.
type state struct {
	u *universe // nil until the universe's Begin
	m *model.State
	// parent and in: the state stepped from, and the call (nil: none, the
	// model did not change). depth counts the calls to replay from the
	// nearest checkpoint.
	parent *state
	in     *input
	depth  int
	m2t    []int32 // model session handle-1 -> local target id, 0 unpaired
	t2m    []int32 // local target id-1 -> model session handle, 0 unpaired
	// key and km2t: the canonical key and bijection, once built.
	key  []byte
	km2t []int32
	h    uint64 // of key and km2t
	// snap is the key of the state's model, numbered as its bijection, when
	// the state keeps one: a checkpoint (whose snap is its key), or a state
	// whose model took many calls to rebuild.
	snap []byte
	// stepped: porcupine has stepped from the state, which must then keep
	// its numbering.
	stepped bool
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
	// Without hashes, porcupine compares a new state with every state it
	// keeps with the same calls linearized: few in a search that hardly
	// comes back, but a search that reaches the same calls in many orders,
	// with states that differ, compares each new state with all of them.
	// compares counts the comparisons; once they pass comparesPerOp per
	// operation of the universe, restart is set, every step fails, and the
	// search starts over with hashing set: every state is hashed by its
	// canonical key (built at every step then). Hashing cannot be switched
	// on midway: the states kept before would no longer be found. Counts
	// decide, so the search is the same on every machine.
	compares    int
	maxCompares int // comparesPerOp per operation of the universe
	hashing     bool
	restart     bool
}

// freeModels bounds the models a search keeps for reuse.
const freeModels = 16

// checkpointEvery bounds the calls a state replays to rebuild its model:
// a checkpoint costs a canonical key (as much as the model is big), a
// replayed call a model step.
const checkpointEvery = 32

// comparesPerOp bounds, per operation of the universe, the comparisons of
// states a search without hashes makes before it starts over with them
// (search.compares). A comparison of two states whose keys are built costs
// a few nanoseconds; a search that needs hashes makes thousands per step.
const comparesPerOp = 16

// snapAfter is how many replayed calls make a rebuilt state keep its
// model's key (snap).
const snapAfter = 4

// newState makes the state that parent's model m (which the new state
// takes over) reached by the call in (nil: none), with the given
// bijection, and makes it the live one. parent is nil for the universe's
// first state, which is a checkpoint.
func (u *universe) newState(parent *state, in *input, m *model.State, m2t, t2m []int32) *state {
	s := &state{u: u, m: m, parent: parent, in: in, m2t: m2t, t2m: t2m}
	if parent != nil {
		parent.stepped = true
		s.depth = parent.depth
		if in != nil {
			s.depth++
		}
	}
	s.cost = u.charge + int64(4*len(m2t)+4*len(t2m))
	if parent == nil || s.depth >= checkpointEvery {
		s.checkpoint()
	}
	u.live(s)
	return s
}

// checkpoint renumbers the model of s, which holds it and has not been
// stepped from, canonically, and keeps its key: s no longer depends on its
// parent, and its canonical key is built.
func (s *state) checkpoint() {
	s.m2t, s.t2m = canonicalize(s.m, s.m2t, s.t2m)
	s.setKey(s.m.AppendKey(make([]byte, 0, s.u.keyCap)), s.m2t)
	s.u.keyCap = max(s.u.keyCap, cap(s.key))
	s.snap, s.depth = s.key, 0
	s.cost += int64(len(s.key))
}

// canonical builds s's canonical key if it has none yet. A state that holds
// its model and has not been stepped from becomes a checkpoint; any other
// renumbers a copy of its model.
func (s *state) canonical() {
	before := s.cost
	defer func() { s.u.budget.spend(s.cost - before) }()
	switch {
	case s.key != nil:
	case s.m != nil && !s.stepped:
		s.checkpoint()
	default:
		m := s.u.rebuild(s)
		km2t, t2m := canonicalize(m, s.m2t, s.t2m)
		s.setKey(m.AppendKey(make([]byte, 0, s.u.keyCap)), km2t)
		s.u.keyCap = max(s.u.keyCap, cap(s.key))
		s.u.recycle(m)
		s.cost += int64(len(s.key) + 4*len(s.km2t) + 4*len(t2m))
	}
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

// rebuild returns a model of s's for the caller to change: a copy of the
// model of s or of the nearest state before it that holds one, or else the
// model of the nearest checkpoint before it, with the calls since replayed.
func (u *universe) rebuild(s *state) *model.State {
	var path []*state // the states after the base, last first
	base := s
	for base.m == nil && base.snap == nil {
		path = append(path, base)
		base = base.parent
	}
	var m *model.State
	if n := len(u.search.free); n > 0 {
		m, u.search.free = u.search.free[n-1], u.search.free[:n-1]
	} else {
		m = model.New(u.prof)
	}
	var err error
	if base.m != nil {
		err = m.SetKey(base.m.AppendKey(nil)) // rare: s comes after the live state
	} else {
		err = m.SetKey(base.snap)
	}
	if err != nil {
		panic(err) // keys come from AppendKey
	}
	replayed := 0
	for i := len(path) - 1; i >= 0; i-- {
		x := path[i]
		if x.in == nil {
			continue
		}
		replayed++
		op := x.in.op
		if op.Sess != 0 {
			op.Sess = model.Handle(x.parent.t2m[op.Sess-1])
		}
		if _, err := m.Step(op); err != nil {
			panic(err) // the call was legal the first time, and the model is deterministic
		}
	}
	if replayed >= snapAfter {
		// The search comes back to a state, or tries one call after
		// another from it: the next rebuild of s, or of a state after
		// it, starts here.
		s.snap = m.AppendKey(make([]byte, 0, u.keyCap))
		s.cost += int64(len(s.snap))
		u.budget.spend(int64(len(s.snap)))
	}
	return m
}

// model returns s's model for reading: the caller must not change it, nor
// keep it past the next step of the search.
func (s *state) model() *model.State {
	if s.m == nil {
		s.m = s.u.rebuild(s)
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
// call of unknown outcome that never happened, a call that only reads):
// porcupine keeps it with another set of linearized calls, so it gets an
// object of its own, which shares s's bijection (and key) and takes over
// s's model (or m, a model s handed out and that is still s's).
func (s *state) same(m *model.State) *state {
	if m == nil {
		m, s.m = s.m, nil
	}
	c := &state{u: s.u, m: m, parent: s, depth: s.depth, m2t: s.m2t, t2m: s.t2m, cost: s.u.charge}
	s.stepped = true
	if s.key != nil {
		c.key, c.km2t, c.h = s.key, s.km2t, s.h
	}
	if m != nil {
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
	if s.u != o.u {
		return false
	}
	if sr := &s.u.search; !sr.hashing {
		sr.compares++
		sr.restart = sr.restart || sr.compares > sr.maxCompares
	}
	s.canonical()
	o.canonical()
	return s.h == o.h && bytes.Equal(s.key, o.key) && slices.Equal(s.km2t, o.km2t)
}

// hash is a hash of the canonical key and bijection.
func (s *state) hash() uint64 {
	if s.u == nil {
		return 0
	}
	s.canonical()
	return s.h
}

// setKey memoizes the canonical key and bijection, and their hash.
func (s *state) setKey(key []byte, km2t []int32) {
	s.key, s.km2t = key, km2t
	s.h = maphash.Bytes(s.u.search.seed, key)
	for _, t := range km2t {
		s.h = (s.h ^ uint64(t)) * 0x100000001b3
	}
}

// stateCharge estimates what porcupine keeping a state costs besides its
// key and bijection: the state itself, porcupine's cache entry, and its
// copy of the set of linearized calls (a bit per operation of the
// universe).
func stateCharge(ops int) int64 { return 256 + int64(ops)/8 }
