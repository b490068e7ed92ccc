package linearizability

import (
	"context"
	"slices"

	"github.com/anishathalye/porcupine"
	"github.com/sesslife/sesslife/model"
)

// porcupineModel is the checker's model of one universe: Check hands
// porcupine the universes one at a time (see the package doc for why
// checking them apart is sound).
func porcupineModel() porcupine.Model {
	return porcupine.Model{
		Init:              func() any { return &state{} },
		StepContext:       step,
		Equal:             equal,
		Hash:              hash,
		DescribeOperation: describeOperation,
		DescribeState:     func(s any) string { return s.(*state).describe() },
	}
}

// equal is porcupine's Equal. porcupine asks it only whether a state it
// has just made (a) is one it keeps already (b), and drops a when it is.
func equal(a0, b0 any) bool {
	a, b := a0.(*state), b0.(*state)
	if !a.equal(b) {
		return false
	}
	if a.u != nil {
		a.drop()
	}
	return true
}

// hash is porcupine's Hash: 0 (no key built), unless the search of the
// universe has started over with hashes (see search.hashing).
func hash(s0 any) uint64 {
	s := s0.(*state)
	if s.u == nil || !s.u.search.hashing {
		return 0
	}
	return s.hash()
}

// step is the porcupine step function.
func step(ctx context.Context, s0, i0, o0 any) (bool, any) {
	s, in, out := s0.(*state), i0.(*input), o0.(*output)
	if ctx.Err() != nil || !in.u.budget.step() || in.u.search.restart {
		return false, s
	}
	switch {
	case in.what == Begin:
		if s.u != nil {
			return false, s
		}
		m := model.New(in.u.prof)
		if d := in.clock - in.u.prof.StartTime; d != 0 {
			if _, err := m.Step(model.Op{Kind: model.Tick, Arg: d}); err != nil {
				return false, s
			}
		}
		next := in.u.newState(nil, nil, m, nil, make([]int32, len(in.u.sess)))
		return in.u.budget.spend(next.cost), next
	case s.u == nil:
		return false, s
	case in.what == Observe:
		if !s.observes(in.obs) {
			return false, s
		}
		next := s.same(nil)
		return s.u.budget.spend(next.cost), next
	}
	named := s.model().NamedSessions()
	m, res, ok := s.apply(in.op)
	switch {
	case !ok && out.failed:
		// Illegal or unmodelled here. A call of unknown outcome may never
		// have happened, which this placement stands for.
		next := s.same(nil)
		return s.u.budget.spend(next.cost), next
	case !ok:
		return false, s
	case out.failed:
		next := s.u.newState(s, in, m, s.m2t, s.t2m)
		return s.u.budget.spend(next.cost), next
	}
	b := binder{m2t: s.m2t, t2m: s.t2m}
	if !b.result(in.op.Kind, res, out.res) {
		s.u.recycle(m)
		return false, s
	}
	if !b.copied && readOnly[in.op.Kind] && m.NamedSessions() == named {
		// The call changed nothing (readOnly): the new state is s's.
		next := s.same(m)
		return s.u.budget.spend(next.cost), next
	}
	next := s.u.newState(s, in, m, b.m2t, b.t2m)
	// porcupine may keep the new state: count it against the budget.
	return s.u.budget.spend(next.cost), next
}

// readOnly are the calls that change nothing in the model but, for get0,
// the naming of the session it returns: when a call of these kinds named
// nothing new, the state after it is the state before, key and all, and the
// step spares the canonical numbering and the key (canon_test.go checks
// the list against the model).
var readOnly = map[model.Kind]bool{
	model.Get0: true, model.SessionReused: true, model.IsResumable: true, model.GetTime: true, model.GetTimeout: true,
	model.SessNumber: true, model.SessHits: true, model.SessMisses: true, model.SessTimeouts: true, model.SessCacheFull: true,
}

// apply runs op (local handles) on s's model, which s gives up when the
// call is legal; ok is false when the model says the call is undefined
// behaviour or not modelled here.
func (s *state) apply(op model.Op) (*model.State, model.Result, bool) {
	if op.Sess != 0 {
		if int(op.Sess) > len(s.t2m) || s.t2m[op.Sess-1] == 0 {
			return nil, model.Result{}, false // the call uses a session the model has not shown yet
		}
		op.Sess = model.Handle(s.t2m[op.Sess-1])
	}
	if s.model().Check(op) != nil {
		return nil, model.Result{}, false
	}
	m := s.take()
	res, err := m.Step(op)
	if err != nil {
		s.giveBack(m) // Step changes nothing when it fails
		return nil, model.Result{}, false
	}
	return m, res, true
}

// binder pairs session handles, copying the slices before the first change.
type binder struct {
	m2t, t2m []int32
	copied   bool
}

// pair reports whether model handle m and local target id t name the same
// session, pairing them if neither is paired yet. 0 (NULL) pairs only with 0.
func (b *binder) pair(m model.Handle, t int32) bool {
	if m == 0 || t == 0 {
		return m == 0 && t == 0
	}
	if t < 0 || int(t) > len(b.t2m) {
		return false
	}
	var mt int32
	if int(m) <= len(b.m2t) {
		mt = b.m2t[m-1]
	}
	tm := b.t2m[t-1]
	if mt != 0 || tm != 0 {
		return mt == t && tm == int32(m)
	}
	if !b.copied {
		b.m2t, b.t2m, b.copied = slices.Clone(b.m2t), slices.Clone(b.t2m), true
	}
	for len(b.m2t) < int(m) {
		b.m2t = append(b.m2t, 0)
	}
	b.m2t[m-1], b.t2m[t-1] = t, int32(m)
	return true
}

// result compares the model's result with the target's, pairing sessions in
// the order the call shows them.
func (b *binder) result(k model.Kind, want, got model.Result) bool {
	if len(want.Events) != len(got.Events) {
		return false
	}
	for i, w := range want.Events {
		g := got.Events[i]
		if w.Kind != g.Kind || w.Ctx != g.Ctx || !b.pair(w.Sess, int32(g.Sess)) {
			return false
		}
	}
	if k == model.Get0 || k == model.Get1 {
		return b.pair(model.Handle(want.Ret), int32(got.Ret))
	}
	return want.Ret == got.Ret
}

// observes reports whether the model's universe shows what the target
// showed at a quiescent point.
func (s *state) observes(got model.Observation) bool {
	want, ok := s.localObservation()
	if !ok {
		return false
	}
	return want.Diff(got) == ""
}

// localObservation is the model's observation with sessions renamed to the
// target's local ids; ok is false when a live named session is unpaired.
func (s *state) localObservation() (model.Observation, bool) {
	ob := s.model().Observe()
	ok := true
	rename := func(h model.Handle) model.Handle {
		if h <= 0 {
			return h
		}
		if int(h) > len(s.m2t) || s.m2t[h-1] == 0 {
			ok = false
			return h
		}
		return model.Handle(s.m2t[h-1])
	}
	for i := range ob.SSLs {
		ob.SSLs[i].Sess = rename(ob.SSLs[i].Sess)
	}
	for i := range ob.Sessions {
		ob.Sessions[i].Sess = rename(ob.Sessions[i].Sess)
	}
	sortObs(&ob)
	return ob, ok
}
