// Package testwait holds what sesslife's tests need to wait without a
// deadline of their own. CI runs on two shared, often loaded cores, so no
// verdict may depend on how fast the machine is: a wait ends on an event
// (a line a program writes, its exit, a pipe closing), and a hang is caught
// only by Guard, which fires shortly before the test's own deadline (go
// test -timeout), so that the test fails with its own message instead of
// the panic of the whole binary.
package testwait

import (
	"flag"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// margin is how long before the test's deadline Guard fires: time enough
// to report, kill what the test started and let go test print it.
const margin = 30 * time.Second

// noDeadline is what Budget gives a test without a deadline (go test
// -timeout 0): longer than any run, so it never fires.
const noDeadline = 24 * time.Hour

// deadliner is *testing.T (testing.TB has no Deadline).
type deadliner interface {
	Deadline() (time.Time, bool)
}

// Budget is how long a test may still wait for one thing, up to shortly
// before its deadline: the value for a timeout an API insists on (a shim's
// per-call timeout, a context), which only a hang then reaches. A t that
// has no deadline (a benchmark, go test -timeout 0) gets a day.
func Budget(t any) time.Duration {
	d, ok := t.(deadliner)
	if !ok {
		return noDeadline
	}
	end, ok := d.Deadline()
	if !ok {
		return noDeadline
	}
	return within(time.Until(end))
}

// RunBudget is Budget for the whole test binary: go test's -timeout less
// the margin (a day without one), for a timeout fixed before any test has
// its t (in TestMain, after flag.Parse, or lazily in a test). Reaching it,
// a call has hung for about the whole run.
func RunBudget() time.Duration {
	f := flag.Lookup("test.timeout")
	if f == nil {
		return noDeadline
	}
	d, ok := f.Value.(flag.Getter).Get().(time.Duration)
	if !ok || d <= 0 {
		return noDeadline
	}
	return within(d)
}

// within is d less the margin, or half of a tiny d.
func within(d time.Duration) time.Duration {
	if d > 2*margin {
		return d - margin
	}
	return max(d/2, time.Second)
}

// Guard fires after Budget(t): select on it beside the event a test waits
// for, and fail the test when it fires. Never otherwise a verdict.
func Guard(t any) <-chan time.Time {
	return time.After(Budget(t))
}

// Exited returns a channel closed when process pid has ended (it is a
// zombie or gone), through a pidfd, which names the process itself, not
// its number: the caller must know the process is running when it calls
// (a pid it started or read from a live process), so that pid is not yet
// reused. No polling: the kernel says when the process exits.
func Exited(pid int) (<-chan struct{}, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return nil, fmt.Errorf("pidfd_open(%d): %w", pid, err)
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		defer unix.Close(fd)
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		for {
			// A pidfd is readable once its process has exited.
			n, err := unix.Poll(fds, -1)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n > 0 {
				return
			}
		}
	}()
	return ch, nil
}
