package model_test

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// TestChecksLeaveTheStateAlone: Check tries some calls on a copy made into
// a pooled State (model/trial.go). However often that copy is reused, the
// state checked, and every copy taken of it before, stay as they were.
// Random sequences of every profile, a Check before every step.
func TestChecksLeaveTheStateAlone(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55(), model.BoringSSL()} {
		t.Run(p.Name, func(t *testing.T) {
			src := rand.New(rand.NewSource(20261203))
			for seq := range 60 {
				s := model.New(p)
				var copies []*model.State
				var keys [][]byte
				for range src.Intn(80) {
					op := properties.DrawOp(src, s, func(model.Kind) bool { return true }, properties.DefaultLimits())
					before := s.AppendKey(nil)
					c := s.Clone()
					copies, keys = append(copies, c), append(keys, before)
					_ = s.Check(op)
					if !s.Equal(c) || !bytes.Equal(s.AppendKey(nil), before) {
						t.Fatalf("sequence %d: Check(%s) changed the state", seq, op)
					}
					if _, err := s.Step(op); err != nil {
						t.Fatalf("sequence %d: %s: %v", seq, op, err)
					}
				}
				for i, c := range copies {
					if !bytes.Equal(c.AppendKey(nil), keys[i]) {
						t.Fatalf("sequence %d: the copy taken before call %d changed", seq, i+1)
					}
				}
			}
		})
	}
}
