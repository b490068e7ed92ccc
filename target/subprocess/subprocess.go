package subprocess

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Lanes is how many lanes a concurrent shim must serve (0..Lanes-1).
const Lanes = 64

// maxCalls bounds the call history kept for error reports.
const maxCalls = 1000

// Option configures New.
type Option func(*options) error

type options struct {
	timeout    time.Duration
	quitGrace  time.Duration // how long Close waits for a shim told to quit
	drainGrace time.Duration // how long an exited shim's output may take to end
	args       []string
	env        []string
	stderr     io.Writer
	stderrTail int
}

// WithTimeout sets how long one call may take before the shim is
// considered hung (default 10 s).
func WithTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("subprocess.WithTimeout(%v): the timeout must be positive", d)
		}
		o.timeout = d
		return nil
	}
}

// WithArgs passes extra command-line arguments to the shim.
func WithArgs(args ...string) Option {
	return func(o *options) error {
		o.args = append(o.args, args...)
		return nil
	}
}

// WithEnv adds KEY=value entries to the shim's environment.
func WithEnv(env ...string) Option {
	return func(o *options) error {
		for _, e := range env {
			if k, _, ok := strings.Cut(e, "="); !ok || k == "" {
				return fmt.Errorf("subprocess.WithEnv(%q): want KEY=value", e)
			}
		}
		o.env = append(o.env, env...)
		return nil
	}
}

// WithStderr copies everything the shim writes on stderr to w, as well as
// keeping its tail for error reports.
func WithStderr(w io.Writer) Option {
	return func(o *options) error {
		o.stderr = w
		return nil
	}
}

// Target is a shim process behind the target.Target interface.
type Target struct {
	path string
	opts options
	info target.Info
	// library is the hello's library, which names the make target that
	// rebuilds an outdated shim.
	library string
	start   int64    // the profile's StartTime
	lanes   chan int // free lanes

	resetMu sync.Mutex // one Reset at a time: each may start a shim

	mu       sync.Mutex
	proc     *process
	starting *process // a shim being started by Reset, until it is proc
	closed   bool
	now      int64
	// calls keeps the last maxCalls calls since the last Reset, for
	// error reports, as a ring reused from sequence to sequence: call k
	// (from 0) is at calls[k%maxCalls]. ncalls counts every call since
	// the Reset.
	calls  []entry
	ncalls int
}

// entry is one call of the history, rendered only when an error report
// needs it: formatting every call would cost more than the call's JSON.
type entry struct {
	op   model.Op
	res  model.Result
	done bool // res is the call's result
}

func (e entry) String() string {
	if e.done {
		return e.op.String() + " = " + e.res.Format(e.op)
	}
	return e.op.String()
}

// control names a control operation in errors.
type control string

func (c control) String() string { return string(c) }

var _ target.Pipeliner = (*Target)(nil)

func infoOf(h hello) target.Info {
	name := strings.TrimSpace(h.Library + " " + h.Version)
	if h.Variant != "" {
		name += " (" + h.Variant + ")"
	}
	info := target.Info{Name: name, Profile: h.Profile, Concurrent: h.Concurrent}
	for _, k := range model.Kinds() {
		if !slices.Contains(h.Calls, k.String()) {
			info.Unsupported = append(info.Unsupported, k)
		}
	}
	return info
}

// Info describes the shim, from its hello.
func (t *Target) Info() target.Info { return t.info }

// Apply performs op in the shim.
func (t *Target) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	if op.Kind == model.KindInvalid || !t.info.Supports(op.Kind) {
		return model.Result{}, fmt.Errorf("%s: %w by %s", op, target.ErrUnsupported, t.info.Name)
	}
	lane, err := t.acquire(ctx)
	if err != nil {
		return model.Result{}, err
	}
	defer t.release(lane)
	req, p, idx := t.prepare(op, lane)
	var ch [1]chan response
	if err := t.send(p, op, ch[:], req); err != nil {
		return model.Result{}, err
	}
	resp, err := t.await(ctx, p, ch[0], op)
	if err != nil {
		return model.Result{}, err
	}
	return t.resultOf(op, idx, resp)
}

// prepare makes the request for op on lane: it moves the clock for a
// tick, stamps the time and records op in the history (idx is its entry).
// p is the shim to send it to.
func (t *Target) prepare(op model.Op, lane int) (req request, p *process, idx int) {
	req = requestFor(op)
	req.Lane = lane
	t.mu.Lock()
	defer t.mu.Unlock()
	if op.Kind == model.Tick {
		t.now += op.Arg
	}
	req.Now = t.now
	return req, t.proc, t.record(op)
}

// resultOf turns the reply to call op (history entry idx) into its result.
func (t *Target) resultOf(op model.Op, idx int, resp response) (model.Result, error) {
	res, err := t.decodeResult(op, resp)
	if err != nil {
		return model.Result{}, err
	}
	t.mu.Lock()
	t.annotate(idx, res)
	t.mu.Unlock()
	return res, nil
}

// decodeResult reads a call's reply: decoded already on the hot path, or
// checked by the general path, which words every refusal.
func (t *Target) decodeResult(op model.Op, resp response) (model.Result, error) {
	if resp.isDirect && !resp.direct.observation {
		return resp.direct.res, nil
	}
	r := resp.general()
	switch {
	case r.Error != nil:
		if e := outdated(op.String(), *r.Error, rebuildCommand(t.library, t.path), requestFor(op).Config); e != nil {
			return model.Result{}, e
		}
		return model.Result{}, &ShimError{Op: op.String(), Message: *r.Error}
	case r.Unimplemented:
		return model.Result{}, fmt.Errorf("%s: %w by %s", op, target.ErrUnsupported, t.info.Name)
	}
	res, err := r.result()
	if err != nil {
		return model.Result{}, &ProtocolError{Op: op.String(), Line: string(resp.line), Reason: err.Error()}
	}
	return res, nil
}

// Observe asks the shim for an observation of the universe.
func (t *Target) Observe(ctx context.Context) (model.Observation, error) {
	lane, err := t.acquire(ctx)
	if err != nil {
		return model.Observation{}, err
	}
	defer t.release(lane)
	t.mu.Lock()
	p, now := t.proc, t.now
	t.mu.Unlock()
	resp, err := t.roundTrip(ctx, p, request{Op: opObserve, Now: now})
	if err != nil {
		return model.Observation{}, err
	}
	return observationOf(resp)
}

// observationOf turns the reply to an observe request into an observation.
func observationOf(resp response) (model.Observation, error) {
	if resp.isDirect && resp.direct.observation {
		return resp.direct.obs, nil
	}
	r := resp.general()
	if r.Error != nil {
		return model.Observation{}, &ShimError{Op: opObserve, Message: *r.Error}
	}
	ob, err := r.observation()
	if err != nil {
		return model.Observation{}, &ProtocolError{Op: opObserve, Line: string(resp.line), Reason: err.Error()}
	}
	return ob, nil
}

func (t *Target) acquire(ctx context.Context) (int, error) {
	select {
	case l := <-t.lanes:
		return l, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (t *Target) release(lane int) { t.lanes <- lane }

// roundTrip runs one control operation and turns the shim's failures into
// typed errors carrying the call history.
func (t *Target) roundTrip(ctx context.Context, p *process, req request) (response, error) {
	var ch [1]chan response
	if err := t.send(p, control(req.Op), ch[:], req); err != nil {
		return response{}, err
	}
	return t.await(ctx, p, ch[0], control(req.Op))
}

// send writes reqs to a live shim; the reply to reqs[i] will come on
// chs[i]. what names the first in errors.
func (t *Target) send(p *process, what fmt.Stringer, chs []chan response, reqs ...request) error {
	if p == nil || p.isClosing() {
		return fmt.Errorf("%s: %w", what, ErrClosed)
	}
	if p.dead() {
		return t.deathError(p, what.String(), " before this call; Reset starts a fresh shim")
	}
	if err := p.send(chs, reqs...); err != nil {
		return t.failure(p, what.String(), err)
	}
	return nil
}

// await waits for the reply on ch and turns the shim's failures into typed
// errors carrying the call history; what names the request in errors.
func (t *Target) await(ctx context.Context, p *process, ch chan response, what fmt.Stringer) (response, error) {
	resp, err := p.wait(ctx, ch, what, t.opts.timeout)
	if err != nil {
		return response{}, t.failure(p, what.String(), err)
	}
	return resp, nil
}

// failure turns an error of p.send or p.wait during the request name into
// the error the caller gets.
func (t *Target) failure(p *process, name string, err error) error {
	switch {
	case p.isClosing(), err == errClosed:
		return fmt.Errorf("%s: %w", name, ErrClosed)
	case err == errTimeout, err == errStuck:
		return &TimeoutError{Op: name, Timeout: t.opts.timeout, Calls: t.history(), Stderr: p.stderr.String()}
	case err == errDied:
		return t.deathError(p, name, "")
	}
	return fmt.Errorf("%s: %w (the shim was killed)", name, err)
}

// deathError explains why a dead shim died.
func (t *Target) deathError(p *process, name, note string) error {
	if p.isClosing() {
		return fmt.Errorf("%s: %w", name, ErrClosed)
	}
	p.mu.Lock()
	fatal, status := p.fatal, p.status
	p.mu.Unlock()
	if fatal != nil {
		e := *fatal
		if e.Op == "" {
			e.Op = name
		}
		return &e
	}
	return &CrashError{Op: name, Status: status + note, Calls: t.history(), Stderr: p.stderr.String()}
}

// forgetCalls empties the history, keeping its array (t.mu held).
func (t *Target) forgetCalls() { t.calls, t.ncalls = t.calls[:0], 0 }

// record adds a call to the history and returns its index (t.mu held).
func (t *Target) record(op model.Op) int {
	k := t.ncalls
	if len(t.calls) < maxCalls {
		t.calls = append(t.calls, entry{op: op})
	} else {
		t.calls[k%maxCalls] = entry{op: op}
	}
	t.ncalls++
	return k
}

// annotate adds the result to history entry idx, if still kept (t.mu held).
func (t *Target) annotate(idx int, res model.Result) {
	if idx >= t.ncalls-len(t.calls) && idx < t.ncalls {
		t.calls[idx%maxCalls].res, t.calls[idx%maxCalls].done = res, true
	}
}

// history returns the numbered call history.
func (t *Target) history() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.calls)+1)
	omitted := t.ncalls - len(t.calls)
	if omitted > 0 {
		out = append(out, fmt.Sprintf("(%d earlier calls not kept)", omitted))
	}
	for k := omitted; k < t.ncalls; k++ {
		out = append(out, fmt.Sprintf("#%d %s", k+1, t.calls[k%maxCalls]))
	}
	return out
}
