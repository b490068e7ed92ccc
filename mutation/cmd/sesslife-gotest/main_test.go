package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
)

func TestTestTimeout(t *testing.T) {
	for _, c := range []struct {
		args []string
		want time.Duration
		ok   bool
	}{
		{[]string{"test", "-timeout", "32s", "-failfast", "pkg"}, 32 * time.Second, true},
		{[]string{"test", "-timeout=1m30s", "pkg"}, 90 * time.Second, true},
		{[]string{"test", "--timeout", "5s"}, 5 * time.Second, true},
		{[]string{"test", "-failfast", "pkg"}, 0, false},
		{[]string{"test", "-timeout"}, 0, false},
		{[]string{"test", "-timeout", "soon"}, 0, false},
	} {
		got, ok := testTimeout(c.args)
		if got != c.want || ok != c.ok {
			t.Errorf("testTimeout(%q) = %v, %v; want %v, %v", c.args, got, ok, c.want, c.ok)
		}
	}
}

// script writes an executable shell script standing in for the go command.
func script(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestStatus: a failing test is 1, a package that does not build is 2
// (not a kill), a pass is 0, and the output passes through.
func TestStatus(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       int
	}{
		{"pass", "echo ok; exit 0", 0},
		{"fail", "echo '--- FAIL: TestLockstepOracle'; echo 'FAIL\tpkg\t1.2s'; exit 1", 1},
		{"build", "echo 'FAIL\tpkg [build failed]'; exit 1", 2},
		{"setup", "echo 'FAIL\tpkg [setup failed]' >&2; exit 1", 2},
		{"other", "exit 3", 3},
		{"signal", "kill -9 $$", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if got := runTest(script(t, c.body), []string{"test", "pkg"}, &out, nil, 0); got != c.want {
				t.Errorf("status %d, want %d; output:\n%s", got, c.want, out.String())
			}
			if c.name == "fail" && !strings.Contains(out.String(), "--- FAIL") {
				t.Errorf("output not passed through: %q", out.String())
			}
		})
	}
}

// TestDeadlineKillsGroup: when the deadline fires, the go command and what
// it started (here a sleep, for the test binary) are killed, so nothing
// outlives the tool's kill of the wrapper.
func TestDeadlineKillsGroup(t *testing.T) {
	// The stand-in starts a grandchild, says which on its output, and
	// waits for it.
	goCmd := script(t, `sleep 1000 & echo "grandchild $!"; wait`)
	deadline := make(chan time.Time)
	out := &lineWatch{want: "grandchild ", seen: make(chan string, 1)}
	res := make(chan int, 1)
	go func() { res <- runTest(goCmd, []string{"test", "pkg"}, out, deadline, 0) }()
	// Fire the deadline only once the grandchild exists: its line says so.
	var line string
	select {
	case line = <-out.seen:
	case got := <-res:
		t.Fatalf("the stand-in ended (status %d) before it named its grandchild:\n%s", got, out.String())
	case <-testwait.Guard(t):
		t.Fatalf("no grandchild named at the test's deadline:\n%s", out.String())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "grandchild ")))
	if err != nil {
		t.Fatalf("the stand-in said %q: %v", line, err)
	}
	// The grandchild runs (sleep 1000, not yet killed): the pidfd names it.
	gone, err := testwait.Exited(pid)
	if err != nil {
		t.Fatal(err)
	}
	close(deadline)
	select {
	case got := <-res:
		if got != 1 {
			t.Errorf("status %d after the deadline, want 1", got)
		}
	case <-testwait.Guard(t):
		t.Fatal("runTest did not return after the deadline, at the test's deadline")
	}
	// The grandchild was killed, not orphaned: the kernel says when it
	// has exited (a zombie of init's until reaped counts).
	select {
	case <-gone:
	case <-testwait.Guard(t):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the grandchild (pid %d) still runs at the test's deadline", pid)
	}
	if !strings.Contains(out.String(), "ran out of its time") {
		t.Errorf("output %q does not say why", out.String())
	}
}

// lineWatch is runTest's output: it keeps everything and sends the first
// line that starts with want on seen. runTest's child writes from one
// goroutine, while the test reads: hence the lock.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan string // buffered, one line
	sent bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		for _, line := range strings.SplitAfter(w.buf.String(), "\n") {
			if strings.HasPrefix(line, w.want) && strings.HasSuffix(line, "\n") {
				w.sent = true
				w.seen <- strings.TrimSuffix(line, "\n")
				break
			}
		}
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestPassesOtherCommands: the wrapper itself, built and run as go, execs
// the real go command for anything but go test.
func TestPassesOtherCommands(t *testing.T) {
	real, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command") // go test itself runs under go
	}
	bin := filepath.Join(t.TempDir(), "go")
	if out, err := exec.Command(real, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "env", "GOROOT")
	cmd.Env = append(os.Environ(), "SESSLIFE_GO="+real)
	out, err := cmd.Output()
	if err != nil || len(bytes.TrimSpace(out)) == 0 {
		t.Fatalf("go env GOROOT through the wrapper: %q, %v", out, err)
	}
	cmd = exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "SESSLIFE_GO=")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "SESSLIFE_GO") {
		t.Errorf("without SESSLIFE_GO: %q, %v", out, err)
	}
}
