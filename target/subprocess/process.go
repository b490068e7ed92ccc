package subprocess

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// maxLine bounds one line from the shim; a longer one is a protocol error.
const maxLine = 16 << 20

// response is what the reader hands to the call waiting for an id.
type response struct {
	line  []byte
	reply reply
}

// process is one running shim: its pipes, the requests waiting for an
// answer, and how it ended.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *tail
	hello  chan []byte   // the first line, once
	done   chan struct{} // closed when the shim has exited and been reaped

	wmu  sync.Mutex // serialises writes to stdin
	wbuf []byte     // the lines being written (wmu held)

	mu       sync.Mutex
	nextID   uint64
	pending  map[uint64]chan response
	fatal    *ProtocolError // why the harness gave up on the stream
	killedBy string         // why the harness killed the shim
	status   string         // how it ended, once done is closed
}

func startProcess(path string, o options) (*process, error) {
	cmd := exec.Command(path, o.args...)
	cmd.Env = append(append(os.Environ(), o.env...), ProtocolEnv+"="+Protocol)
	p := &process{cmd: cmd, stderr: newTail(o.stderrTail, o.stderr), hello: make(chan []byte, 1),
		done: make(chan struct{}), pending: map[uint64]chan response{}}
	cmd.Stderr = p.stderr
	cmd.WaitDelay = 2 * time.Second
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting shim %s: %w", path, err)
	}
	go p.readLoop(stdout)
	return p, nil
}

// readLoop reads the shim's stdout until it ends: the first line is the
// hello, every other line answers one pending request by id. Anything else
// makes the stream unusable, so the shim is killed.
func (p *process) readLoop(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	first := true
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		if first {
			first = false
			p.hello <- line
			continue
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		r, err := parseReply(line)
		if err != nil {
			p.giveUp(&ProtocolError{Line: string(line), Reason: err.Error()})
			break
		}
		p.mu.Lock()
		ch := p.pending[*r.ID]
		delete(p.pending, *r.ID)
		p.mu.Unlock()
		if ch == nil {
			p.giveUp(&ProtocolError{Line: string(line), Reason: fmt.Sprintf("reply to id %d, which no request is waiting for", *r.ID)})
			break
		}
		ch <- response{line: line, reply: r}
	}
	if err := sc.Err(); err != nil {
		p.giveUp(&ProtocolError{Reason: fmt.Sprintf("reading the shim's stdout: %v", err)})
	}
	err := p.cmd.Wait()
	p.mu.Lock()
	switch {
	case p.killedBy != "":
		p.status = "killed by the harness: " + p.killedBy
	case err != nil:
		p.status = err.Error()
	default:
		p.status = "exited with status 0"
	}
	p.mu.Unlock()
	close(p.done)
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

// kill ends the shim (once) and records why.
func (p *process) kill(why string) {
	p.mu.Lock()
	if p.killedBy == "" {
		p.killedBy = why
	}
	p.mu.Unlock()
	_ = p.cmd.Process.Kill()
}

func (p *process) dead() bool {
	select {
	case <-p.done:
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
// timeout or ctx. The returned errors are bare; the caller adds the call
// history. A timeout or cancellation kills the shim: its state is unknown.
func (p *process) wait(ctx context.Context, ch chan response, op fmt.Stringer, timeout time.Duration) (response, error) {
	// A failed write means the shim is gone or going; the select below
	// waits for the reader to say how.
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r, nil
	case <-p.done:
		select {
		case r := <-ch:
			return r, nil
		default:
			return response{}, errDied
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

// send registers reqs under fresh ids and writes them with one write, so
// that requests which follow each other (a call and the observation after
// it) cost the shim one wake-up. It returns one reply channel per request.
// A write to a dead shim shows up as its death.
func (p *process) send(reqs ...request) []chan response {
	chs := make([]chan response, len(reqs))
	p.mu.Lock()
	for i := range reqs {
		chs[i] = make(chan response, 1)
		p.nextID++
		reqs[i].ID = p.nextID
		p.pending[reqs[i].ID] = chs[i]
	}
	p.mu.Unlock()
	p.wmu.Lock()
	p.wbuf = p.wbuf[:0]
	for _, r := range reqs {
		p.wbuf = appendRequest(p.wbuf, r)
	}
	_, _ = p.stdin.Write(p.wbuf)
	p.wmu.Unlock()
	return chs
}

// quit asks the shim to exit and waits for it, killing it after grace.
func (p *process) quit(grace time.Duration) {
	if !p.dead() {
		p.send(request{Op: opQuit})
		p.wmu.Lock()
		_ = p.stdin.Close()
		p.wmu.Unlock()
	}
	select {
	case <-p.done:
	case <-time.After(grace):
		p.kill("it did not exit after quit")
		<-p.done
	}
}

// sentinel errors of call, turned into typed errors by the Target.
var (
	errDied    = fmt.Errorf("shim died")
	errTimeout = fmt.Errorf("shim timed out")
)
