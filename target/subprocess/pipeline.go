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
	chs, err := t.send(p, op, req, request{Op: opObserve, Now: req.Now})
	if err != nil {
		return nil, err
	}
	return &pending{t: t, p: p, op: op, idx: idx, call: chs[0], observe: chs[1]}, nil
}

// pending is a call in flight, with the observation sent after it.
type pending struct {
	t             *Target
	p             *process
	op            model.Op
	idx           int // in the call history
	call, observe chan response
	// arrived is set once Wait has seen both replies (or the failure that
	// ended the wait): Result and Observation then take them from here.
	arrived           bool
	callResp, obsResp response
	callErr, obsErr   error
}

// Wait waits until the call's reply and its observation have arrived, or
// the shim failed, without checking them.
func (a *pending) Wait(ctx context.Context) {
	if a.arrived {
		return
	}
	a.callResp, a.callErr = a.t.await(ctx, a.p, a.call, a.op)
	if a.callErr == nil {
		a.obsResp, a.obsErr = a.t.await(ctx, a.p, a.observe, control(opObserve))
	} else {
		a.obsErr = a.callErr
	}
	a.arrived = true
}

// Result waits for the call's reply.
func (a *pending) Result(ctx context.Context) (model.Result, error) {
	a.Wait(ctx)
	resp, err := a.callResp, a.callErr
	if err != nil {
		return model.Result{}, err
	}
	return a.t.resultOf(a.op, a.idx, resp)
}

// Observation waits for the observation sent after the call.
func (a *pending) Observation(ctx context.Context) (model.Observation, error) {
	a.Wait(ctx)
	resp, err := a.obsResp, a.obsErr
	if err != nil {
		return model.Observation{}, err
	}
	return observationOf(resp)
}
