package subprocess

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// The shim's stdout has no reader goroutine of its own: the goroutine that
// waits for a reply reads the lines itself, handing every reply that is
// not its own to the request waiting for it. A reply then wakes one
// goroutine, not a reader goroutine that wakes the caller in turn: one
// wake-up per reply saved (docs/perf.md). Only one goroutine reads at a
// time: it holds the turn, a token in p.turn.
//
// Nobody reads while nobody waits. That is safe because every request's
// reply is waited for soon after it is sent (a pipelined caller keeps at
// most a window of calls in flight), and once the shim has exited run
// reads what is left (drain), so that every reply it wrote is delivered
// before done says it is gone.

// lineReader splits the shim's stdout into lines, as bufio.Scanner's
// ScanLines does (a final line without a newline counts; a carriage
// return before the newline is dropped), but survives a read that ends
// at a deadline: the deadline is how a waiter's timeout, its context and
// the target's closing interrupt a read in progress.
type lineReader struct {
	f          *os.File
	buf        []byte
	start, end int
	err        error // the error that ended the input, once it has
}

// next returns the next line, valid until the next call, or the error
// that ends the input; os.ErrDeadlineExceeded leaves the reader usable.
func (r *lineReader) next() ([]byte, error) {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			line := r.buf[r.start : r.start+i]
			r.start += i + 1
			return bytes.TrimSuffix(line, []byte{'\r'}), nil
		}
		if r.err != nil {
			if r.err == io.EOF && r.start < r.end {
				line := r.buf[r.start:r.end]
				r.start = r.end
				return bytes.TrimSuffix(line, []byte{'\r'}), nil
			}
			return nil, r.err
		}
		if r.end-r.start >= maxLine {
			r.err = bufio.ErrTooLong
			return nil, r.err
		}
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.start = 0
		}
		if r.end == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		n, err := r.f.Read(r.buf[r.end:])
		r.end += n
		if err != nil && n == 0 {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil, err
			}
			r.err = err
		}
	}
}

// readUntil reads and delivers lines, with the turn held, until enough()
// says the caller has what it waits for, the output ends (eof), or the
// read is interrupted: errTimeout at deadline, ctx's error when ctx ends,
// nothing when the target is closing. A drain (run, after the shim has
// exited) reads to the end whatever happens and has no deadline.
func (p *process) readUntil(ctx context.Context, enough func() bool, deadline time.Time, drain bool) (eof bool, err error) {
	if p.eof {
		return true, nil
	}
	_ = p.stdout.SetReadDeadline(deadline)
	// markClosing closes closing and then interrupts the read; checking
	// after setting the deadline closes the gap between the two.
	if !drain && p.isClosing() {
		return false, nil
	}
	if !drain && ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { _ = p.stdout.SetReadDeadline(time.Now()) })
		defer stop()
	}
	for !enough() {
		line, err := p.out.next()
		switch {
		case err == nil:
			if !p.deliver(line) {
				p.endOfOutput(nil)
				return true, nil
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			switch {
			case drain:
			case p.isClosing():
				return false, nil
			case ctx.Err() != nil:
				return false, ctx.Err()
			case !time.Now().Before(deadline):
				return false, errTimeout
			}
			// An interruption meant for another turn: read on.
			_ = p.stdout.SetReadDeadline(deadline)
		default:
			p.endOfOutput(err)
			return true, nil
		}
	}
	return false, nil
}

// deliver hands one line to whoever waits for it: the first line is the
// hello, every other line answers one pending request by id. Anything
// else makes the stream unusable, so the shim is killed and deliver
// returns false.
func (p *process) deliver(b []byte) bool {
	if len(bytes.TrimSpace(b)) == 0 && !p.first {
		return true
	}
	if p.first {
		p.first = false
		p.hello <- bytes.Clone(b)
		return true
	}
	// b is the reader's buffer, which the next read overwrites: a line
	// decoded directly is copied only if its waiter may still need its
	// text (for a reply of another kind than the request's, which the
	// general path parses again to word the error; see response.general).
	var resp response
	var id uint64
	resp.direct, resp.isDirect = decodeDirect(b)
	if resp.isDirect {
		id = resp.direct.id
	} else {
		resp.line = bytes.Clone(b)
		r, err := parseReply(resp.line)
		if err != nil {
			p.giveUp(&ProtocolError{Line: string(b), Reason: err.Error()})
			return false
		}
		resp.reply, id = r, *r.ID
	}
	p.mu.Lock()
	w, ok := p.pending[id]
	delete(p.pending, id)
	p.mu.Unlock()
	if !ok {
		p.giveUp(&ProtocolError{Line: string(b), Reason: fmt.Sprintf("reply to id %d, which no request is waiting for", id)})
		return false
	}
	if resp.isDirect && !w.takes(&resp.direct) {
		resp.line = bytes.Clone(b)
	}
	w.ch <- resp
	return true
}

// waiter is a request waiting for its reply: where the reply goes, and
// which kind of reply the request is answered with.
type waiter struct {
	ch     chan response
	expect replyKind
}

// replyKind is the kind of reply a request is answered with.
type replyKind uint8

const (
	replyOther       replyKind = iota // a control operation's: read by the general path
	replyResult                       // a call's: a return value and events
	replyObservation                  // observe's
)

// expectedReply is the kind of reply a request of operation op gets.
func expectedReply(op string) replyKind {
	switch op {
	case opObserve:
		return replyObservation
	case opReset, opQuit:
		return replyOther
	}
	return replyResult
}

// takes reports whether the waiter uses d as decoded, without the text
// of its line.
func (w waiter) takes(d *direct) bool {
	if d.observation {
		return w.expect == replyObservation
	}
	return w.expect == replyResult
}

// endOfOutput records that nothing more will be read: the output ended
// (err: why, nil after a protocol error or at the end of the stream).
func (p *process) endOfOutput(err error) {
	p.eof = true
	// os.ErrClosed: run stopped waiting for a process outside the group
	// that still held the pipe; the shim itself is gone.
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
		p.giveUp(&ProtocolError{Reason: fmt.Sprintf("reading the shim's stdout: %v", err)})
	}
	close(p.outDone)
}

// drain takes the turn and reads the output to its end, delivering every
// line: run does it once the shim has exited, and awaitExit where the end
// of the output stands for the exit.
func (p *process) drain() {
	<-p.turn
	defer func() { p.turn <- struct{}{} }()
	_, _ = p.readUntil(context.Background(), func() bool { return false }, time.Time{}, true)
}
