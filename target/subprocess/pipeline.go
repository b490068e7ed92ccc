package subprocess

import (
	"context"
	"fmt"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// ApplyAhead implements [target.Pipeliner]: it writes op and an observe
// request in one write and returns at once; the shim works on them while
// the caller goes on. It is for callers that use the target from one
// goroutine: every call it sends goes to lane 0, in order,
// whatever the shim's concurrency. A crash or hang shows up when the
// Pending of the call that met it is collected.
func (t *Target) ApplyAhead(ctx context.Context, op model.Op) (target.Pending, error) {
	if op.Kind == model.KindInvalid || !t.info.Supports(op.Kind) {
		return nil, fmt.Errorf("%s: %w by %s", op, target.ErrUnsupported, t.info.Name)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req, p, idx := t.prepare(op, 0)
	a := &pending{t: t, p: p, op: op, idx: idx}
	if err := t.send(p, op, a.chs[:], req, request{Op: opObserve, Now: req.Now}); err != nil {
		return nil, err
	}
	return a, nil
}

// pending is a call in flight, with the observation sent after it.
type pending struct {
	t   *Target
	p   *process
	op  model.Op
	idx int              // in the call history
	chs [2]chan response // the call's reply, then the observation's
}

// Result waits for the call's reply.
func (a *pending) Result(ctx context.Context) (model.Result, error) {
	resp, err := a.t.await(ctx, a.p, a.chs[0], a.op)
	if err != nil {
		return model.Result{}, err
	}
	return a.t.resultOf(a.op, a.idx, resp)
}

// Observation waits for the observation sent after the call.
func (a *pending) Observation(ctx context.Context) (model.Observation, error) {
	resp, err := a.t.await(ctx, a.p, a.chs[1], control(opObserve))
	if err != nil {
		return model.Observation{}, err
	}
	return observationOf(resp)
}
