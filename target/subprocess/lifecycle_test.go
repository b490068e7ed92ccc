//go:build linux

package subprocess

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// Tests of the shim's process: it never outlives the harness, Close ends
// it whatever it is doing, and errors read the same on every run.

var (
	sessHits   = model.Op{Kind: model.SessHits, Ctx: 1}
	sessNumber = model.Op{Kind: model.SessNumber, Ctx: 1}
)

// runParent is the parent of TestShimDiesWithItsParent. It starts the shim
// from a goroutine locked to a thread that ends right after, and checks
// that the shim survives that: the parent-death signal follows the thread
// that forked, so a harness that forked there would lose its shim now.
// Then it hangs the shim for good (a shim still reading its stdin would
// end at EOF when the parent dies, parent-death signal or not), prints
// "shim PID" and waits to be killed.
func runParent() int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "parent: "+format+"\n", args...)
		return 1
	}
	w := newStderrWatch("stuck in sess_hits")
	path, opts := fakeShim("hang", WithStderr(w))
	type started struct {
		tg  target.Target
		tid int
		err error
	}
	var s started
	for s.tg == nil {
		ch := make(chan started, 1)
		go func() {
			runtime.LockOSThread()
			// Returning locked ends this thread, except the main one,
			// which the runtime keeps: try another goroutine then.
			if tid := syscall.Gettid(); tid != syscall.Getpid() {
				tg, err := New(path, opts...)
				ch <- started{tg, tid, err}
				return
			}
			ch <- started{}
		}()
		if s = <-ch; s.err != nil {
			return fail("New: %v", s.err)
		}
	}
	// The runtime ends the thread soon after its goroutine returned, and
	// nothing tells when: poll, with no deadline. The sleep only paces the
	// poll; a thread that never ends is caught by the test's hang guard
	// (this process then never prints the shim's pid).
	for {
		if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", s.tid)); errors.Is(err, os.ErrNotExist) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ctx := context.Background()
	if _, err := s.tg.Apply(ctx, sessNumber); err != nil {
		return fail("the shim died with the thread that started it: %v", err)
	}
	if _, err := s.tg.(target.Pipeliner).ApplyAhead(ctx, sessHits); err != nil {
		return fail("ApplyAhead: %v", err)
	}
	// No deadline here either: the test's hang guard catches a shim that
	// neither hangs nor dies.
	select {
	case <-w.seen("stuck in sess_hits"):
	case <-s.tg.(*Target).proc.done:
		return fail("the shim exited instead of hanging in sess_hits")
	}
	fmt.Printf("shim %d\n", s.tg.(*Target).proc.cmd.Process.Pid)
	hang()
	return 0
}

// TestShimDiesWithItsParent SIGKILLs a process that runs a hung shim: the
// kernel must kill the shim too.
func TestShimDiesWithItsParent(t *testing.T) {
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	parent := exec.Command(exe)
	parent.Env = append(os.Environ(), parentEnv+"=1")
	var stderr strings.Builder
	parent.Stderr = &stderr
	stdout, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		lines <- sc.Text()
	}()
	// The line comes, or the parent ends (the scanner then gives ""); only
	// a hang reaches the guard.
	var line string
	select {
	case line = <-lines:
	case <-testwait.Guard(t):
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "shim "))
	if err != nil {
		_ = parent.Process.Kill()
		_ = parent.Wait()
		t.Fatalf("the parent printed %q, not its shim's pid; its stderr:\n%s", line, stderr.String())
	}
	shim := identify(t, pid)
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = parent.Wait()
	waitGone(t, shim, "the shim of a killed parent")
}

// TestCloseDuringAHungCall closes a target while a call hangs in a shim
// that has forked a helper: the call returns ErrClosed, and Close returns
// with the shim reaped and the helper killed.
func TestCloseDuringAHungCall(t *testing.T) {
	t.Parallel()
	w := newStderrWatch("stuck in sess_hits")
	// The hung shim never reads the quit, so the short quit grace is sure
	// to run out, however slow the machine.
	tg := newFake(t, "hang-forked", WithStderr(w), withGraces(200*time.Millisecond, generous))
	shim := identify(t, tg.(*Target).proc.cmd.Process.Pid)
	errc := make(chan error, 1)
	go func() {
		_, err := tg.Apply(context.Background(), sessHits)
		errc <- err
	}()
	waitFor(t, w.seen("stuck in sess_hits"), "the shim to hang")
	helper := identify(t, childPid(t, w.String()))

	err := tg.Close()
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "did not exit after quit") {
		t.Errorf("Close of a hung shim = %v, want a *CrashError saying it did not quit", err)
	}
	if shim.alive() {
		t.Errorf("Close returned with the shim (pid %d) still running", shim.pid)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("the hung call returned %v, want ErrClosed", err)
		}
	case <-testwait.Guard(t):
		t.Errorf("the hung call did not return after Close")
	}
	waitGone(t, helper, "the shim's helper")

	if _, err := tg.Apply(context.Background(), sessNumber); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close = %v, want ErrClosed", err)
	}
	if err := tg.Reset(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Reset after Close = %v, want ErrClosed", err)
	}
	if err := tg.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestTimeoutKillsTheGroup: a hung call times out, and what the shim
// forked dies with it.
func TestTimeoutKillsTheGroup(t *testing.T) {
	t.Parallel()
	w := newStderrWatch("fake: child ")
	tg := newFake(t, "hang-forked", WithStderr(w))
	shim := identify(t, tg.(*Target).proc.cmd.Process.Pid)
	applyN(t, tg, 1) // an ordinary call works before the hanging one
	// The fake writes the helper's pid before its hello, but stderr is
	// copied by a goroutine of its own, which a loaded machine may not
	// have run yet when the hello has arrived: wait for the line.
	waitFor(t, w.seen("fake: child "), "the helper's pid on the shim's stderr")
	helper := identify(t, childPid(t, w.String()))
	setTimeout(tg, 200*time.Millisecond) // only the hanging call is timed
	_, err := tg.Apply(context.Background(), sessHits)
	setTimeout(tg, generous)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TimeoutError", err)
	}
	if shim.alive() {
		t.Errorf("the timeout was reported with the shim (pid %d) still running", shim.pid)
	}
	waitGone(t, helper, "the shim's helper")
}

// childPid finds the helper's pid in what hang-forked wrote on stderr.
func childPid(t *testing.T, stderr string) int {
	t.Helper()
	m := regexp.MustCompile(`fake: child (\d+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no helper pid in the shim's stderr %q", stderr)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// TestCloseWhileCallsAreInFlight closes a target while goroutines keep
// calling it in every way: each ends with an error wrapping ErrClosed, and
// nothing races (go test -race).
func TestCloseWhileCallsAreInFlight(t *testing.T) {
	t.Parallel()
	tg := newFake(t, "echo")
	ctx := context.Background()
	callers := map[string]func() error{
		"Apply":   func() error { _, err := tg.Apply(ctx, sessNumber); return err },
		"Observe": func() error { _, err := tg.Observe(ctx); return err },
		"ApplyAhead": func() error {
			p, err := tg.(target.Pipeliner).ApplyAhead(ctx, sessNumber)
			if err != nil {
				return err
			}
			if _, err := p.Result(ctx); err != nil {
				return err
			}
			_, err = p.Observation(ctx)
			return err
		},
		"Reset": func() error { return tg.Reset(ctx) },
	}
	var warm, done sync.WaitGroup
	errs := make(chan error, len(callers))
	for name, call := range callers {
		warm.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			first := true
			for {
				err := call()
				if first {
					first = false
					warm.Done()
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", name, err)
					return
				}
			}
		}()
	}
	warm.Wait() // every caller has made a call
	if err := tg.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	waitFor(t, finished, "the callers to stop")
	close(errs)
	for err := range errs {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%v, want an error wrapping ErrClosed", err)
		}
	}
}

// TestErrorFirstLinesAreStable provokes every kind of failure twice, each
// time in a fresh shim, and compares the first lines of the two errors:
// engines take failures with the same first line for the same failure.
// The fakes name their pid in what they write, so a first line carrying
// anything of the shim's output would differ.
func TestErrorFirstLinesAreStable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	fail := func(mode string, calls int, op model.Op) func(*testing.T) error {
		return func(t *testing.T) error {
			tg := newFake(t, mode)
			applyN(t, tg, calls)
			_, err := tg.Apply(ctx, op)
			return err
		}
	}
	cases := []struct {
		name    string
		provoke func(*testing.T) error
	}{
		{"crash", fail("crash", 2, sessNumber)},
		{"crash, then a call", func(t *testing.T) error {
			tg := newFake(t, "crash")
			applyN(t, tg, 2)
			_, _ = tg.Apply(ctx, sessNumber)
			_, err := tg.Apply(ctx, sessNumber)
			return err
		}},
		{"signal", fail("signal", 1, sessNumber)},
		{"hang", func(t *testing.T) error {
			tg := newFake(t, "hang")
			setTimeout(tg, 200*time.Millisecond)
			_, err := tg.Apply(ctx, sessHits)
			return err
		}},
		{"babble", fail("babble", 0, sessNumber)},
		{"bad JSON", fail("bad-json", 0, sessNumber)},
		{"wrong id", fail("wrong-id", 0, sessNumber)},
		{"refusal", fail("error", 0, sessNumber)},
		{"death before hello", func(*testing.T) error { return newFakeErr("die-before-hello") }},
		{"no hello", func(*testing.T) error { return newFakeErr("no-hello", WithTimeout(200*time.Millisecond)) }},
		{"bad hello", func(*testing.T) error { return newFakeErr("bad-hello") }},
		{"leak report at quit", func(t *testing.T) error {
			path, opts := fakeShim("leaky-quit")
			tg, err := New(path, opts...)
			if err != nil {
				t.Fatal(err)
			}
			return tg.Close()
		}},
	}
	pids := regexp.MustCompile(`(?:pid |fake )(\d+)`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var first [2]string
			for i := range first {
				err := c.provoke(t)
				if err == nil {
					t.Fatal("no error")
				}
				first[i], _, _ = strings.Cut(err.Error(), "\n")
				for _, m := range pids.FindAllStringSubmatch(err.Error(), -1) {
					if regexp.MustCompile(`\b` + m[1] + `\b`).MatchString(first[i]) {
						t.Errorf("the first line names the shim's pid %s: %q", m[1], first[i])
					}
				}
			}
			t.Logf("%s", first[0])
			if first[0] != first[1] {
				t.Errorf("the same failure reads differently:\n  %q\n  %q", first[0], first[1])
			}
		})
	}
}
