// Package modeltarget puts the model itself behind the target seam: a
// [target.Target] that steps a [model.State] of a given profile. Checked
// against the same profile it can never diverge; checked against another
// profile (one switch of a library's profile turned back to OpenSSL 3.0's
// value, say) it is a wrong implementation of that profile that costs
// nothing to run, which is what the profile mutants of package mutation
// are. Engines never know this concrete target: they see a target.Target.
package modeltarget

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Target is a model.State of one profile, stepped call by call. It serves
// one goroutine at a time (Info().Concurrent is false).
type Target struct {
	name string
	p    model.Profile
	s    *model.State
}

// New returns a target that behaves as the model of p, named name in
// reports (p.Name when name is ""). Its Info claims p.Name as its profile,
// so a profile that was changed keeps the name of the one it was made from.
func New(p model.Profile, name string) *Target {
	if name == "" {
		name = "model " + p.Name
	}
	return &Target{name: name, p: p, s: model.New(p)}
}

// Factory returns a factory of fresh targets of New(p, name).
func Factory(p model.Profile, name string) target.Factory {
	return func() (target.Target, error) { return New(p, name), nil }
}

// Info describes the target: it implements every call, one at a time.
func (t *Target) Info() target.Info { return target.Info{Name: t.name, Profile: t.p.Name} }

// Apply steps the model. A call the target's model rejects is a refusal
// (target.ErrRefused): the engines drew it because the model they check
// against deems it legal. A panic of the model is reported as a crash, as a
// shim's would be, so a profile the model's code does not expect is a
// finding rather than a dead harness.
func (t *Target) Apply(_ context.Context, op model.Op) (r model.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			r, err = model.Result{}, fmt.Errorf("%s: %s: %w: panic: %v", t.name, op, target.ErrCrashed, v)
		}
	}()
	r, err = t.s.Step(op)
	if err != nil {
		return model.Result{}, fmt.Errorf("%s: %w: %w", t.name, target.ErrRefused, err)
	}
	return r, nil
}

// Observe reports what the model sees between calls.
func (t *Target) Observe(context.Context) (o model.Observation, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s: observe: %w: panic: %v", t.name, target.ErrCrashed, v)
		}
	}()
	return t.s.Observe(), nil
}

// Reset starts an empty universe of the target's profile.
func (t *Target) Reset(context.Context) error {
	t.s = model.New(t.p)
	return nil
}

// Close does nothing: the target holds no resources.
func (t *Target) Close() error { return nil }

// Target implements target.Target.
var _ target.Target = (*Target)(nil)
