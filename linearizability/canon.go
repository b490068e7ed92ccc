package linearizability

import (
	"cmp"
	"slices"

	"github.com/sesslife/sesslife/model"
)

// canonicalize renumbers m canonically (model.State.Rename) with its named
// sessions in the order of the target's ids for them, and returns the
// bijection renamed alike, so that two orders of the same calls that leave
// equivalent states leave equal ones: porcupine then keeps one of them
// instead of both (see the package doc, "The checker's model"). The
// target's ids are fixed by the history, so the order they give is the
// same in every linearization. A session the model has named but the
// target has not shown (after a call of unknown outcome) comes after the
// paired ones, in the model's order: the renaming stays sound, only not
// canonical. m2t and t2m may be shared: they are replaced, not changed.
func canonicalize(m *model.State, m2t, t2m []int32) ([]int32, []int32) {
	n := m.NamedSessions()
	target := func(h model.Handle) int32 { // the paired target id, 0 for none
		if int(h) <= len(m2t) {
			return m2t[h-1]
		}
		return 0
	}
	sorted := true
	for h := model.Handle(2); int(h) <= n && sorted; h++ {
		a, b := target(h-1), target(h)
		sorted = a != 0 && (b == 0 || a < b) || a == 0 && b == 0
	}
	if sorted {
		if err := m.Rename(nil); err != nil {
			panic(err) // nil is always a valid order
		}
		return m2t, t2m
	}
	order := make([]model.Handle, n)
	for i := range order {
		order[i] = model.Handle(i + 1)
	}
	slices.SortStableFunc(order, func(a, b model.Handle) int {
		ta, tb := target(a), target(b)
		if ta == 0 || tb == 0 {
			return cmp.Compare(b2i(ta == 0), b2i(tb == 0)) // unpaired last, in the model's order
		}
		return cmp.Compare(ta, tb)
	})
	if err := m.Rename(order); err != nil {
		panic(err) // order is a permutation of the named handles
	}
	newHandle := make([]int32, n+1)
	newM2T := make([]int32, n)
	for i, h := range order {
		newHandle[h] = int32(i + 1)
		newM2T[i] = target(h)
	}
	for len(newM2T) > 0 && newM2T[len(newM2T)-1] == 0 {
		newM2T = newM2T[:len(newM2T)-1] // as the binder leaves it: up to the last paired handle
	}
	newT2M := make([]int32, len(t2m))
	for t, h := range t2m {
		newT2M[t] = newHandle[h]
	}
	return newM2T, newT2M
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
