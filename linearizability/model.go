package linearizability

import (
	"context"
	"slices"

	"github.com/anishathalye/porcupine"
	"github.com/sesslife/sesslife/model"
)

// state is the checker's state: one universe of the model, and the
// bijection between the target's session handles (local ids) and the
// model's. The target names a session when it first shows it, in the order
// the target ran the calls; the model names it in the order of the
// linearization being tried. The two orders may differ, so the names are
// paired as calls show them: a pairing that contradicts an earlier one makes
// the step illegal. States are never changed once made (porcupine keeps
// them); slices are shared until a step extends them.
type state struct {
	m   *model.State // nil until the universe's Begin
	u   *universe
	m2t []int32 // model session handle-1 -> local target id, 0 unpaired
	t2m []int32 // local target id-1 -> model session handle, 0 unpaired
}

// porcupineModel is the checker's model; partitioned says whether it splits
// a history into universes (see the package doc for why that is sound).
func porcupineModel(partitioned bool) porcupine.Model {
	m := porcupine.Model{
		Init:              func() any { return &state{} },
		StepContext:       step,
		Equal:             func(a, b any) bool { return a.(*state).equal(b.(*state)) },
		Hash:              func(s any) uint64 { return s.(*state).hash() },
		DescribeOperation: describeOperation,
		DescribeState:     func(s any) string { return s.(*state).describe() },
	}
	if partitioned {
		m.Partition = byUniverse
	}
	return m
}

// byUniverse is the partition function: one partition per universe, in
// universe order.
func byUniverse(ops []porcupine.Operation) [][]porcupine.Operation {
	var parts [][]porcupine.Operation
	index := map[*universe]int{}
	for _, op := range ops {
		u := op.Input.(*input).u
		i, ok := index[u]
		if !ok {
			i = len(parts)
			index[u] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// step is the porcupine step function.
func step(ctx context.Context, s0, i0, o0 any) (bool, any) {
	s, in, out := s0.(*state), i0.(*input), o0.(*output)
	if ctx.Err() != nil || in.u.budget.exhausted() {
		return false, s
	}
	switch {
	case in.what == Begin:
		if s.m != nil {
			return false, s
		}
		m := model.New(in.u.prof)
		if d := in.clock - in.u.prof.StartTime; d != 0 {
			if _, err := m.Step(model.Op{Kind: model.Tick, Arg: d}); err != nil {
				return false, s
			}
		}
		return true, &state{m: m, u: in.u, t2m: make([]int32, len(in.u.sess))}
	case s.m == nil:
		return false, s
	case in.what == Observe:
		return s.observes(in.obs), s
	}
	next, res, ok := s.apply(in.op)
	switch {
	case !ok:
		// Illegal or unmodelled here. A call of unknown outcome may never
		// have happened, which this placement stands for.
		return out.failed, s
	case out.failed:
		return in.u.budget.spend(in.u.stateBytes), next
	}
	b := binder{m2t: next.m2t, t2m: next.t2m}
	if !b.result(in.op.Kind, res, out.res) {
		return false, s
	}
	next.m2t, next.t2m = b.m2t, b.t2m
	// porcupine may keep the new state: count it against the budget.
	return in.u.budget.spend(in.u.stateBytes), next
}

// apply runs op (local handles) on a copy of the model; ok is false when
// the model says the call is undefined behaviour or not modelled here.
func (s *state) apply(op model.Op) (*state, model.Result, bool) {
	if op.Sess != 0 {
		if int(op.Sess) > len(s.t2m) || s.t2m[op.Sess-1] == 0 {
			return nil, model.Result{}, false // the call uses a session the model has not shown yet
		}
		op.Sess = model.Handle(s.t2m[op.Sess-1])
	}
	if s.m.Check(op) != nil {
		return nil, model.Result{}, false
	}
	m := s.m.Clone()
	res, err := m.Step(op)
	if err != nil {
		return nil, model.Result{}, false
	}
	return &state{m: m, u: s.u, m2t: s.m2t, t2m: s.t2m}, res, true
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
	ob := s.m.Observe()
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

func (s *state) equal(o *state) bool {
	if s.m == nil || o.m == nil {
		return s.m == o.m && s.u == o.u
	}
	return s.u == o.u && slices.Equal(s.m2t, o.m2t) && s.m.Equal(o.m)
}

func (s *state) hash() uint64 {
	if s.m == nil {
		return 0
	}
	h := s.m.Hash()
	for _, t := range s.m2t {
		h = (h ^ uint64(t)) * 0x100000001b3
	}
	return h
}
