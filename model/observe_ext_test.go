package model_test

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// TestObserveIntoAgrees: an observation written into reused arrays is the
// one Observe returns after every call, whatever the arrays held before
// (a larger or a smaller universe), and it never shares an array with an
// observation handed out earlier by Observe.
func TestObserveIntoAgrees(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55(), model.BoringSSL()} {
		t.Run(p.Name, func(t *testing.T) {
			src := rand.New(rand.NewSource(20261203))
			var reused [3]model.Observation // taken in turn, as a window of calls in flight
			var calls int
			for seq := range 40 {
				s := model.New(p)
				for range src.Intn(120) {
					op := properties.DrawOp(src, s, func(model.Kind) bool { return true }, properties.DefaultLimits())
					if _, err := s.Step(op); err != nil {
						t.Fatalf("sequence %d: %s: %v", seq, op, err)
					}
					want := s.Observe()
					ob := &reused[calls%len(reused)]
					calls++
					s.ObserveInto(ob)
					if !reflect.DeepEqual(*ob, want) {
						t.Fatalf("sequence %d, after %s: ObserveInto gave %+v; Observe %+v", seq, op, *ob, want)
					}
					// Writing into another reused observation leaves this one alone.
					s.ObserveInto(&reused[calls%len(reused)])
					if !reflect.DeepEqual(*ob, want) {
						t.Fatalf("sequence %d, after %s: a later ObserveInto changed an earlier one", seq, op)
					}
				}
			}
		})
	}
}
