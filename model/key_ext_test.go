package model_test

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
)

// TestKeyRoundTrip: on random states of both profiles, SetKey rebuilds a
// state Equal to the one whose key it read, which goes on answering every
// call alike; and two states have the same key exactly when they are Equal.
func TestKeyRoundTrip(t *testing.T) {
	for _, p := range []model.Profile{model.OpenSSL30(), model.WolfSSL55(), model.BoringSSL()} {
		t.Run(p.Name, func(t *testing.T) {
			src := rand.New(rand.NewSource(20261124))
			reuse := model.New(p)
			var prev *model.State
			for seq := range 150 {
				a := model.New(p)
				for range src.Intn(80) {
					op := properties.DrawOp(src, a, func(model.Kind) bool { return true }, properties.DefaultLimits())
					if _, err := a.Step(op); err != nil {
						t.Fatalf("sequence %d: %s: %v", seq, op, err)
					}
				}
				key := a.AppendKey(nil)
				if err := reuse.SetKey(key); err != nil {
					t.Fatalf("sequence %d: %v", seq, err)
				}
				if !reuse.Equal(a) || !bytes.Equal(reuse.AppendKey(nil), key) || reuse.Hash() != a.Hash() {
					t.Fatalf("sequence %d: SetKey(AppendKey(s)) is not s", seq)
				}
				b := reuse.Clone()
				followAlike(t, src, a.Clone(), b, &handleMap{}, 30)
				if prev != nil && prev.Equal(a) != bytes.Equal(prev.AppendKey(nil), key) {
					t.Fatalf("sequence %d: Equal and the keys disagree", seq)
				}
				prev = a
			}
		})
	}
}

// TestKeyRejectsBadKeys: a truncated or padded key is an error.
func TestKeyRejectsBadKeys(t *testing.T) {
	s := twoHandshakes(t, true, false)
	key := s.AppendKey(nil)
	for _, bad := range [][]byte{key[:len(key)-1], key[:len(key)/2], append(append([]byte(nil), key...), 0), {}} {
		if err := model.New(model.OpenSSL30()).SetKey(bad); err == nil {
			t.Errorf("SetKey accepted a key of %d bytes (the good one has %d)", len(bad), len(key))
		}
	}
}
