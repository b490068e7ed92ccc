package linearizability

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/sesslife/sesslife/model"
)

// How much of a violation the account shows.
const (
	accountTail       = 6  // linearized calls shown before the stop
	accountCandidates = 10 // calls shown that could have come next
)

// account explains why universe u is not linearizable: porcupine's longest
// partial linearization, replayed, ends in a state from which none of the
// calls that could come next (those called before any remaining call
// returned) gives what the target gave. Those calls, with the model's
// answer for each, are the smallest window that shows the violation.
func (u *universe) account(info porcupine.LinearizationInfo) string {
	var best []int
	for _, p := range info.PartialLinearizations() {
		for _, seq := range p {
			if len(seq) > len(best) {
				best = seq
			}
		}
	}
	var st any = &state{}
	done := make([]bool, len(u.ops))
	for _, id := range best {
		ok, next := step(context.Background(), st, u.ops[id].Input, u.ops[id].Output)
		if !ok {
			return fmt.Sprintf("universe %d: porcupine's partial linearization does not replay at %s", u.id, u.recs[id])
		}
		st, done[id] = next, true
	}
	s := st.(*state)
	firstReturn := int64(math.MaxInt64)
	for i, op := range u.ops {
		if !done[i] {
			firstReturn = min(firstReturn, op.Return)
		}
	}
	var next []int
	for i, op := range u.ops {
		if !done[i] && op.Call <= firstReturn {
			next = append(next, i)
		}
	}
	slices.SortFunc(next, func(a, b int) int { return cmp.Compare(u.ops[a].Call, u.ops[b].Call) })

	var b strings.Builder
	fmt.Fprintf(&b, "universe %d: the longest linearizable prefix holds %d of its %d operations; "+
		"none of the %d operations that could come next agrees with the model.\n", u.id, len(best), len(u.ops), len(next))
	b.WriteString("  last operations of that prefix, in linearization order:\n")
	for _, id := range best[max(0, len(best)-accountTail):] {
		fmt.Fprintf(&b, "    %s\n", u.recs[id])
	}
	b.WriteString("  operations that could come next (called before any of them returned):\n")
	for j, id := range next {
		if j == accountCandidates {
			fmt.Fprintf(&b, "    ... and %d more\n", len(next)-j)
			break
		}
		fmt.Fprintf(&b, "    %s\n      model: %s\n", u.recs[id], s.predict(u.ops[id].Input.(*input)))
	}
	b.WriteString("  model state at the end of the prefix:\n    ")
	b.WriteString(strings.ReplaceAll(s.describe(), "\n", "\n    "))
	return b.String()
}

// predict says what the model would answer to in, with the target's
// handles; a session the model would show for the first time appears as
// m<n>.
func (s *state) predict(in *input) string {
	switch {
	case s.u == nil:
		return "nothing can happen before the universe's Begin"
	case in.what == Begin:
		return "the universe has begun already"
	case in.what == Observe:
		return s.observationDiff(in)
	}
	op := in.op
	if op.Sess != 0 {
		if s.t2m[op.Sess-1] == 0 {
			return fmt.Sprintf("%s has not been shown by any linearized call yet", model.SessName(in.rec.Op.Sess))
		}
		op.Sess = model.Handle(s.t2m[op.Sess-1])
	}
	if err := s.model().Check(op); err != nil {
		return "the call is not allowed here: " + err.Error()
	}
	m := s.model().Clone()
	res, err := m.Step(op)
	if err != nil {
		return err.Error()
	}
	return s.targetResult(op, res)
}

// observationDiff lists where the target's observation differs from the
// model's, with the target's handles.
func (s *state) observationDiff(in *input) string {
	want, _ := s.localObservation()
	global := func(ob model.Observation) model.Observation {
		for i := range ob.Ctxs {
			ob.Ctxs[i].Ctx = s.u.ctxs[ob.Ctxs[i].Ctx-1]
		}
		for i := range ob.SSLs {
			ob.SSLs[i].SSL = s.u.ssls[ob.SSLs[i].SSL-1]
			if h := ob.SSLs[i].Sess; h > 0 {
				ob.SSLs[i].Sess = s.u.global(int32(h))
			}
		}
		for i := range ob.Sessions {
			ob.Sessions[i].Sess = s.u.global(int32(ob.Sessions[i].Sess))
		}
		sortObs(&ob)
		return ob
	}
	// The target's side, straight from the record: its own handles.
	var got model.Observation
	for _, c := range in.rec.Obs.Ctxs {
		if _, ok := s.u.ctxOf[c.Ctx]; ok {
			got.Ctxs = append(got.Ctxs, c)
		}
	}
	for _, l := range in.rec.Obs.SSLs {
		if _, ok := s.u.sslOf[l.SSL]; ok {
			got.SSLs = append(got.SSLs, l)
		}
	}
	for _, v := range in.rec.Obs.Sessions {
		if _, ok := s.u.sessOf[v.Sess]; ok {
			got.Sessions = append(got.Sessions, v)
		}
	}
	sortObs(&got)
	d := global(want).Diff(got)
	if d == "" {
		return "the same observation"
	}
	return "the target's observation differs:\n        " + strings.ReplaceAll(d, "\n", "\n        ")
}
