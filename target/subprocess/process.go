package subprocess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/sesslife/sesslife/internal/tailbuf"
)

// maxLine bounds one line from the shim; a longer one is a protocol error.
const maxLine = 16 << 20

// drainGrace is how long the output of a shim that has exited may take to
// reach its end. The whole process group is dead by then, so only a
// process that left the group can still hold the pipes open; after this
// long the harness stops reading them rather than wait for it (the
// default; the package's tests wait longer, so that a loaded machine that
// is slow to read the last replies cannot lose them).
const drainGrace = 2 * time.Second

// response is what a reader (reader.go) hands to the call waiting for an
// id: either its decoded value (isDirect: the shims' own form; by value,
// so that a reply costs no allocation of its own) or the reply the
// general path parsed, and the line's text when the waiter may need it
// (always on the general path).
type response struct {
	line     []byte
	isDirect bool
	direct   direct
	reply    reply
}

// process is one running shim: its pipes, the requests waiting for an
// answer, and how it ended.
//
// Its life: run starts it on a goroutine locked to its own OS thread and
// waits for it there; copyStderr reads its stderr, and the goroutines that
// wait for replies read its stdout (reader.go). When the shim exits, run
// kills what is left of its process group, lets copyStderr and drain reach
// the end of the output (so every reply the shim wrote is delivered),
// reaps the shim and closes done.
type process struct {
	cmd        *exec.Cmd
	timeout    time.Duration // bounds a write to stdin
	drainGrace time.Duration // how long the output may take to end after the exit
	stdin      *os.File
	stdout     *os.File
	stderrR    *os.File
	stderr     *tailbuf.Buffer
	hello      chan []byte   // the first line, once
	done       chan struct{} // closed when the shim has exited, its group has been killed and it has been reaped
	closing    chan struct{} // closed when the target is closed: calls in flight stop waiting
	outDone    chan struct{} // closed when the output has been read to its end (or given up on)
	errDone    chan struct{} // closed when copyStderr has finished
	closeOne   sync.Once

	wmu  sync.Mutex // serialises writes to stdin
	wbuf []byte     // the lines being written (wmu held)

	// turn holds the token of the goroutine that may read stdout
	// (reader.go); out, first and eof belong to whoever holds it.
	turn  chan struct{}
	out   lineReader
	first bool // the next line is the hello
	eof   bool // the output has ended; outDone is closed

	mu       sync.Mutex
	nextID   uint64
	pending  map[uint64]waiter
	fatal    *ProtocolError // why the harness gave up on the stream
	killedBy string         // why the harness killed the shim
	exited   bool           // the shim has exited (it may not be reaped yet): its group is no longer signalled
	status   string         // how it ended, once done is closed
}

// startProcess starts the shim at path in a process group of its own,
// with a parent-death signal (see run), and starts reading its output.
func startProcess(path string, o options) (*process, error) {
	cmd := exec.Command(path, o.args...)
	cmd.Env = append(append(os.Environ(), o.env...), ProtocolEnv+"="+Protocol)
	cmd.SysProcAttr = sysProcAttr()
	// The pipes are the harness's own *os.File pairs, not exec's copying
	// goroutines: run decides when the output has ended, and writes to
	// stdin can have a deadline. os.Pipe makes close-on-exec descriptors,
	// so a shim never inherits another shim's pipe ends.
	var files []*os.File
	pipe := func() (r, w *os.File, err error) {
		if r, w, err = os.Pipe(); err == nil {
			files = append(files, r, w)
		}
		return r, w, err
	}
	closeAll := func() {
		for _, f := range files {
			_ = f.Close()
		}
	}
	inR, inW, err1 := pipe()
	outR, outW, err2 := pipe()
	errR, errW, err3 := pipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		closeAll()
		return nil, fmt.Errorf("starting shim %s: %w", path, err)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	p := &process{cmd: cmd, stdin: inW, stdout: outR, stderrR: errR, stderr: tailbuf.New(o.stderrTail, o.stderr),
		hello: make(chan []byte, 1), done: make(chan struct{}), closing: make(chan struct{}),
		outDone: make(chan struct{}), errDone: make(chan struct{}), pending: map[uint64]waiter{},
		timeout: o.timeout, drainGrace: o.drainGrace, turn: make(chan struct{}, 1), first: true}
	p.out = lineReader{f: outR, buf: make([]byte, 64<<10)}
	p.turn <- struct{}{}
	started := make(chan error, 1)
	go p.run(started)
	err := <-started
	// The child has its own copies of its ends (or never will).
	_, _, _ = inR.Close(), outW.Close(), errW.Close()
	if err != nil {
		_, _, _ = inW.Close(), outR.Close(), errR.Close()
		return nil, fmt.Errorf("starting shim %s: %w", path, err)
	}
	go p.copyStderr()
	return p, nil
}

// run starts the shim and stays with it until it has been reaped.
//
// The parent-death signal (Linux) is sent when the thread that forked the
// shim ends, not when the process does, and the Go runtime ends a thread
// whose goroutine exits while locked to it, which any code in the process
// may do. So the fork happens on a goroutine locked to its own thread, and
// that goroutine does not return (nor unlock) before the shim has been
// reaped: the thread outlives the shim unless the whole process dies, and
// then the kernel kills the shim.
func (p *process) run(started chan<- error) {
	runtime.LockOSThread()
	if err := p.cmd.Start(); err != nil {
		runtime.UnlockOSThread() // no child: the thread may go back
		started <- err
		return
	}
	started <- nil

	awaitExit(p)
	p.mu.Lock()
	p.exited = true
	// The shim is a zombie, not yet reaped, so its pid, which is the
	// group's id, cannot have been reused: kill whatever it forked.
	killGroup(p)
	p.mu.Unlock()

	// With the group dead the output ends; every reply the shim wrote is
	// delivered before done says it is gone.
	go p.drain()
	grace := time.NewTimer(p.drainGrace)
	for _, ch := range []chan struct{}{p.outDone, p.errDone} {
		select {
		case <-ch:
		case <-grace.C:
			_, _ = p.stdout.Close(), p.stderrR.Close() // unblocks the readers
			<-ch
		}
	}
	grace.Stop()
	_ = p.cmd.Wait()
	p.mu.Lock()
	switch {
	case p.killedBy != "":
		p.status = "killed by the harness: " + p.killedBy
	default:
		p.status = describeExit(p.cmd.ProcessState)
	}
	p.mu.Unlock()
	_, _ = p.stdout.Close(), p.stderrR.Close()
	p.wmu.Lock()
	_ = p.stdin.Close()
	p.wmu.Unlock()
	close(p.done)
	runtime.UnlockOSThread()
}

// copyStderr keeps the tail of the shim's stderr (and copies it on).
func (p *process) copyStderr() {
	defer close(p.errDone)
	_, _ = io.Copy(p.stderr, p.stderrR)
}

// giveUp records the first fatal protocol error and kills the shim.
func (p *process) giveUp(e *ProtocolError) {
	p.mu.Lock()
	if p.fatal == nil {
		p.fatal = e
	}
	p.mu.Unlock()
	p.kill("protocol error")
}

// kill ends the shim and everything in its process group, and records
// why, unless it has already exited by itself.
func (p *process) kill(why string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// Under mu, exited false means the shim has not been reaped, so the
	// group id is still the shim's.
	if p.exited {
		return
	}
	if p.killedBy == "" {
		p.killedBy = why
	}
	killGroup(p)
}

func (p *process) dead() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// markClosing says that the target is closed: calls in flight stop waiting
// for this shim.
func (p *process) markClosing() {
	p.closeOne.Do(func() {
		close(p.closing)
		// A waiter reading stdout stops (reader.go).
		_ = p.stdout.SetReadDeadline(time.Now())
	})
}

func (p *process) isClosing() bool {
	select {
	case <-p.closing:
		return true
	default:
		return false
	}
}

// exitCode is the shim's exit code once done is closed (-1 for a signal).
func (p *process) exitCode() int {
	return p.cmd.ProcessState.ExitCode()
}

// wait waits for the reply on ch (from send), the shim's death, the
// timeout, ctx or the target's closing. The returned errors are bare; the
// caller adds the call history. A timeout or cancellation kills the shim:
// its state is unknown.
func (p *process) wait(ctx context.Context, ch chan response, op fmt.Stringer, timeout time.Duration) (response, error) {
	// A failed write means the shim is gone or going; the output's end
	// says how. The timer is made only when the wait cannot go straight
	// to its reply or to reading: a pipelined caller, the only reader,
	// never needs one (its read has the same deadline).
	deadline := time.Now().Add(timeout)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	turn := p.turn
	// read takes one turn at reading; done says the wait is over.
	read := func() (done bool, err error) {
		eof, err := p.readUntil(ctx, func() bool { return len(ch) > 0 }, deadline, false)
		p.turn <- struct{}{}
		switch {
		case err == errTimeout:
			p.kill(fmt.Sprintf("%s did not answer within %v", op, timeout))
			<-p.done
			return true, errTimeout
		case err != nil:
			p.kill(fmt.Sprintf("%s was cancelled: %v", op, err))
			<-p.done
			return true, err
		case eof, len(ch) == 0:
			// The output has ended, or the target is closing (the only
			// other reason a read stops short): nothing more to read,
			// the select says how the wait ends.
			turn = nil
		}
		return false, nil
	}
	for {
		if timer == nil {
			select {
			case r := <-ch:
				return r, nil
			case <-turn:
				if done, err := read(); done {
					return response{}, err
				}
				continue
			default:
			}
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case r := <-ch:
			return r, nil
		case <-turn:
			if done, err := read(); done {
				return response{}, err
			}
		case <-p.done:
			select {
			case r := <-ch:
				return r, nil
			default:
				return response{}, errDied
			}
		case <-p.closing:
			select {
			case r := <-ch:
				return r, nil
			default:
				return response{}, errClosed
			}
		case <-timer.C:
			p.kill(fmt.Sprintf("%s did not answer within %v", op, timeout))
			<-p.done
			return response{}, errTimeout
		case <-ctx.Done():
			p.kill(fmt.Sprintf("%s was cancelled: %v", op, ctx.Err()))
			<-p.done
			return response{}, ctx.Err()
		}
	}
}

// send registers reqs under fresh ids and writes them with one write, so
// that requests which follow each other (a call and the observation after
// it) cost the shim one wake-up. The reply to reqs[i] will come on chs[i],
// a channel send makes; chs is the caller's (nil when nobody waits), so
// that a pipelined call needs no slice of its own. A write to a dead shim
// shows up as its death. A shim that does not read its stdin for the call
// timeout is killed: errStuck.
func (p *process) send(chs []chan response, reqs ...request) error {
	p.mu.Lock()
	for i := range reqs {
		ch := make(chan response, 1)
		if chs != nil {
			chs[i] = ch
		}
		p.nextID++
		reqs[i].ID = p.nextID
		p.pending[reqs[i].ID] = waiter{ch: ch, expect: expectedReply(reqs[i].Op)}
	}
	p.mu.Unlock()
	p.wmu.Lock()
	p.wbuf = p.wbuf[:0]
	for _, r := range reqs {
		p.wbuf = appendRequest(p.wbuf, r)
	}
	// Without a deadline a shim that stopped reading would block this
	// write, and every later one, with no timer running.
	_ = p.stdin.SetWriteDeadline(time.Now().Add(p.timeout))
	_, err := p.stdin.Write(p.wbuf)
	p.wmu.Unlock()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		p.kill(fmt.Sprintf("it did not read its requests within %v", p.timeout))
		<-p.done
		return errStuck
	}
	return nil
}

// quit asks the shim to exit and waits until it has been reaped, killing
// it after grace. The request is written on the side, so that a shim which
// does not read its stdin cannot hold quit past grace.
func (p *process) quit(grace time.Duration) {
	timer := time.NewTimer(grace)
	defer timer.Stop()
	if !p.dead() {
		go func() {
			_ = p.send(nil, request{Op: opQuit})
			p.wmu.Lock()
			_ = p.stdin.Close()
			p.wmu.Unlock()
		}()
	}
	select {
	case <-p.done:
	case <-timer.C:
		p.kill("it did not exit after quit")
		<-p.done
	}
}

// describeExit says how the shim ended, in words that are the same on
// every run: whether a core was dumped depends on the machine's limits,
// not on the shim, so it is left out.
func describeExit(ps *os.ProcessState) string {
	if ps.Success() {
		return "exited with status 0"
	}
	return strings.TrimSuffix(ps.String(), " (core dumped)")
}

// sentinel errors of call, turned into typed errors by the Target.
var (
	errDied    = errors.New("shim died")
	errTimeout = errors.New("shim timed out")
	errClosed  = errors.New("target closed")
	errStuck   = errors.New("shim stopped reading")
)
