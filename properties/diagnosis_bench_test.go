package properties

import (
	"math/rand"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// BenchmarkDiagnosis measures what a report adds to a divergence of a
// 100-call sequence: its likenesses and its reference suspects, computed
// once when the report asks (docs/perf.md, "Explaining a finding"). The
// divergence is planted at the end: the target reports a session of the
// sequence alive that the model destroyed, or the other way round.
func BenchmarkDiagnosis(b *testing.B) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55()} {
		b.Run(p.Name, func(b *testing.B) {
			r := rand.New(rand.NewSource(1))
			st := model.New(p)
			var ops []model.Op
			var got []model.Result
			for len(ops) < 100 {
				op := DrawOp(r, st, func(model.Kind) bool { return true }, DefaultLimits())
				res, err := st.Step(op)
				if err != nil {
					continue
				}
				ops, got = append(ops, op), append(got, res)
			}
			seen := st.Observe()
			diffs := []model.Difference{{What: model.WhatField, Field: model.FieldLive, Object: model.Object{Kind: model.ObjSession, Handle: 1}}}
			b.ResetTimer()
			for range b.N {
				model.Likenesses(p, ops, got, &seen)
				model.RefSuspects(p, ops, got, &seen, diffs)
			}
		})
	}
}
