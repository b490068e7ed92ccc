package subprocess

import (
	"context"
	"errors"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// lockstep resets tg and runs ops on it and on the model with the engines'
// checker, comparing results and observations after every call, with up to
// window calls in flight (1: each compared before the next is sent), then
// discards the universe. It returns the divergence, nil when they agree,
// or the harness error (an illegal sequence, a failed reset).
func lockstep(ctx context.Context, tg target.Target, ops []model.Op, window int) (*properties.Divergence, error) {
	return lockstepWith(ctx, tg, model.OpenSSL30(), ops, window)
}

// lockstepWith is lockstep against the model of profile p.
func lockstepWith(ctx context.Context, tg target.Target, p model.Profile, ops []model.Op, window int) (*properties.Divergence, error) {
	ls, err := properties.NewLockstep(ctx, tg, p)
	if err != nil {
		return nil, err
	}
	ls.SetWindow(window)
	for _, op := range ops {
		if err = ls.Do(ctx, op); err != nil {
			break
		}
	}
	if err == nil {
		err = ls.Finish(ctx)
	}
	var d *properties.Divergence
	if errors.As(err, &d) {
		return d, nil
	}
	return nil, err
}
