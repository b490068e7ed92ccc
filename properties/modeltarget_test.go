package properties

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// modelTarget is the model itself behind the Target interface, with an
// optional twist that breaks one rule, so the engines can be shown to catch
// a wrong implementation without depending on any real one.
type modelTarget struct {
	s     *model.State
	twist func(op model.Op, r *model.Result)
}

func (m *modelTarget) Info() target.Info {
	return target.Info{Name: "model-as-target", Profile: "openssl-3.0"}
}

func (m *modelTarget) Apply(_ context.Context, op model.Op) (model.Result, error) {
	r, err := m.s.Step(op)
	if err != nil {
		return r, fmt.Errorf("model-as-target: %w", err)
	}
	if m.twist != nil {
		m.twist(op, &r)
	}
	return r, nil
}

func (m *modelTarget) Observe(context.Context) (model.Observation, error) { return m.s.Observe(), nil }

func (m *modelTarget) Reset(context.Context) error {
	m.s = model.New(model.OpenSSL30())
	return nil
}

func (m *modelTarget) Close() error { return nil }
