package subprocess

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// ErrClosed is wrapped by the error of every call made on a closed
// target, and of every call that was in flight when it was closed.
var ErrClosed = errors.New("the target is closed")

// quitGrace is how long Close waits for a shim told to quit (the
// default; the package's tests give a shim meant to quit longer, so that a
// loaded machine cannot make a clean exit a crash).
const quitGrace = 5 * time.Second

// New starts the shim at path, reads its hello and checks that it speaks
// sesslife-shim/1.
func New(path string, opts ...Option) (target.Target, error) {
	o := options{timeout: 10 * time.Second, quitGrace: quitGrace, drainGrace: drainGrace, stderrTail: 16 << 10}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	t := &Target{path: path, opts: o}
	p, h, err := t.spawn()
	if err != nil {
		return nil, err
	}
	t.info, t.library = infoOf(h), h.Library
	prof, ok := model.Profiles()[t.info.Profile]
	if !ok {
		prof = model.OpenSSL30()
	}
	t.start, t.now, t.proc, t.starting = prof.StartTime, prof.StartTime, p, nil
	n := 1
	if t.info.Concurrent {
		n = Lanes
	}
	t.lanes = make(chan int, n)
	for i := range n {
		t.lanes <- i
	}
	return t, nil
}

// spawn starts a shim and reads its hello. Until the caller makes it
// t.proc, the new shim is t.starting, so that a Close meanwhile ends it too.
func (t *Target) spawn() (*process, hello, error) {
	p, err := startProcess(t.path, t.opts)
	if err != nil {
		return nil, hello{}, err
	}
	t.mu.Lock()
	closed := t.closed
	if !closed {
		t.starting = p
	}
	t.mu.Unlock()
	if closed {
		p.kill("the target was closed")
		<-p.done
		return nil, hello{}, fmt.Errorf("hello: %w", ErrClosed)
	}
	h, err := t.readHello(p)
	if err != nil {
		t.mu.Lock()
		t.starting, closed = nil, t.closed
		t.mu.Unlock()
		if closed {
			return nil, hello{}, fmt.Errorf("hello: %w", ErrClosed)
		}
		return nil, hello{}, err
	}
	return p, h, nil
}

// readHello waits for the shim's first line and checks it; on failure the
// shim has been killed and reaped.
func (t *Target) readHello(p *process) (hello, error) {
	deadline := time.Now().Add(t.opts.timeout)
	timer := time.NewTimer(t.opts.timeout)
	defer timer.Stop()
	timedOut := func() (hello, error) {
		p.kill("no hello")
		<-p.done
		return hello{}, &TimeoutError{Op: "hello", Timeout: t.opts.timeout, Stderr: p.stderr.String()}
	}
	var line []byte
	for turn := p.turn; line == nil; {
		select {
		case line = <-p.hello:
		case <-turn:
			eof, err := p.readUntil(context.Background(), func() bool { return len(p.hello) > 0 }, deadline, false)
			p.turn <- struct{}{}
			if err != nil {
				return timedOut()
			}
			if eof || p.isClosing() {
				turn = nil // nothing more to read: wait for the exit
			}
		case <-p.done:
			select {
			case line = <-p.hello: // said hello, then died: the next call tells
			default:
				if p.exitCode() == ExitWrongProtocol {
					return hello{}, &ProtocolError{Op: "hello", Reason: fmt.Sprintf(
						"the shim exited with status %d: it cannot speak %s", ExitWrongProtocol, Protocol)}
				}
				return hello{}, &CrashError{Op: "hello", Status: p.status, Stderr: p.stderr.String()}
			}
		case <-timer.C:
			return timedOut()
		}
	}
	h, err := parseHello(line)
	if err != nil {
		p.kill("bad hello")
		<-p.done
		return hello{}, &ProtocolError{Op: "hello", Line: string(line), Reason: err.Error()}
	}
	return h, nil
}

// Reset empties the universe and puts the clock back to the start. A dead
// shim (crashed, hung, or broken) is replaced by a fresh one. A shim that
// fails while resetting is reported and replaced at the next Reset.
func (t *Target) Reset(ctx context.Context) error {
	t.resetMu.Lock()
	defer t.resetMu.Unlock()
	t.mu.Lock()
	p, closed := t.proc, t.closed
	t.mu.Unlock()
	if closed {
		return fmt.Errorf("%s: %w", opReset, ErrClosed)
	}
	fresh := p == nil || p.dead()
	if !fresh {
		resp, err := t.roundTrip(ctx, p, request{Op: opReset, Now: t.start})
		if r := resp.general(); err == nil && r.Error != nil {
			p.kill("reset refused")
			err = &ShimError{Op: opReset, Message: *r.Error}
		}
		if err != nil {
			return err
		}
	} else {
		np, _, err := t.spawn()
		if err != nil {
			return err
		}
		p = np
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		// Close has taken care of p, as t.proc or as t.starting.
		return fmt.Errorf("%s: %w", opReset, ErrClosed)
	}
	t.proc, t.now = p, t.start
	t.forgetCalls()
	if fresh {
		t.starting = nil
	}
	return nil
}

// Close stops the shim and returns once it has been reaped: it asks the
// shim to quit and kills its process group if it has not exited after
// quitGrace. Calls in flight on other goroutines return an error wrapping
// ErrClosed at once, as does every later call. A shim that exits with a
// failure status when told to quit (a sanitizer's leak report, say), or
// has to be killed, gives a *CrashError. Closing again does nothing.
func (t *Target) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	p, starting := t.proc, t.starting
	t.proc, t.starting = nil, nil
	t.mu.Unlock()
	if starting != nil {
		starting.markClosing()
		starting.kill("the target was closed")
		<-starting.done
	}
	if p == nil {
		return nil
	}
	p.markClosing()
	if p.dead() {
		return nil
	}
	p.quit(t.opts.quitGrace)
	if code := p.exitCode(); code != 0 {
		return &CrashError{Op: opQuit, Status: p.status, Calls: t.history(), Stderr: p.stderr.String()}
	}
	return nil
}
