// Command sesslife-gotest stands in for the go command while `make
// mutants-auto` runs the automatic mutation tool (go-gremlins) on package
// impl. The Makefile builds it as bin/gremlins-path/go, puts that directory
// first in PATH and names the real go command in SESSLIFE_GO. Every go
// command but `go test` is the real one (exec'd in place); `go test` runs as
// a child, with two differences that keep the tool's verdicts honest:
//
//   - A mutant that does not compile is not a kill. Since Go 1.24 `go test`
//     exits with status 1 both when a test fails and when the package does
//     not build; the tool reads status 1 as "killed" and status 2 as "not
//     viable". When the output says the build or the set-up failed, the
//     wrapper exits with 2.
//   - A run that outlives its time leaves no process behind. The tool kills
//     the go command it started, and only that process, when its deadline
//     passes (it passes `-timeout` = deadline + 2 s to go test), so the
//     compiler and the test binary would outlive it. The wrapper runs go
//     test in a process group of its own, kills the whole group one second
//     before the tool's deadline, then waits for the tool to kill it (the
//     tool reports the mutant as timed out only when its own deadline
//     passed). An interrupt kills the group too.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// toolSlack is what the tool adds to its deadline in the -timeout it passes;
// margin is how long before that deadline the wrapper kills the group.
const (
	toolSlack = 2 * time.Second
	margin    = time.Second
)

// orphanWait bounds the wait for the tool's kill after the group was
// killed: when the wrapper was not started by the tool, it ends by itself.
const orphanWait = 30 * time.Second

func main() {
	real := os.Getenv("SESSLIFE_GO")
	if real == "" {
		fmt.Fprintln(os.Stderr, "sesslife-gotest: SESSLIFE_GO is not set (the path of the real go command)")
		os.Exit(2)
	}
	args := os.Args[1:]
	if len(args) == 0 || args[0] != "test" {
		err := syscall.Exec(real, append([]string{real}, args...), os.Environ())
		fmt.Fprintf(os.Stderr, "sesslife-gotest: running %s: %v\n", real, err)
		os.Exit(2)
	}
	var deadline <-chan time.Time
	if d, ok := testTimeout(args); ok && d > toolSlack+margin {
		deadline = time.After(d - toolSlack - margin)
	}
	os.Exit(runTest(real, args, os.Stdout, deadline, orphanWait))
}

// runTest runs `real args...` (a go test command) in its own process group
// and returns the exit status the tool should see. When deadline fires
// first, it kills the group and waits up to wait for the tool's kill.
func runTest(real string, args []string, out io.Writer, deadline <-chan time.Time, wait time.Duration) int {
	// Pdeathsig belongs to the thread that starts the child: keep this
	// goroutine on it, so that the child dies with the wrapper.
	runtime.LockOSThread()
	var buf bytes.Buffer
	w := io.MultiWriter(out, &buf)
	cmd := exec.Command(real, args...)
	cmd.Stdout, cmd.Stderr = w, w // the same writer: written by one goroutine at a time
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(out, "sesslife-gotest: %v\n", err)
		return 2
	}
	killGroup := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	select {
	case err := <-done:
		return status(err, buf.String())
	case s := <-sigs:
		killGroup()
		<-done
		fmt.Fprintf(out, "sesslife-gotest: %v: go test and its children killed\n", s)
		return 2
	case <-deadline:
		killGroup()
		<-done
		fmt.Fprintln(out, "sesslife-gotest: go test ran out of its time; it and its children were killed")
		// The tool kills this process at its own deadline, a second
		// from now, and reports the mutant as timed out.
		time.Sleep(wait)
		return 1
	}
}

// testTimeout returns the value of go test's -timeout flag, if any.
func testTimeout(args []string) (time.Duration, bool) {
	for i, a := range args {
		var v string
		switch {
		case a == "-timeout" || a == "--timeout":
			if i+1 >= len(args) {
				return 0, false
			}
			v = args[i+1]
		case strings.HasPrefix(a, "-timeout="), strings.HasPrefix(a, "--timeout="):
			v = a[strings.IndexByte(a, '=')+1:]
		default:
			continue
		}
		d, err := time.ParseDuration(v)
		return d, err == nil
	}
	return 0, false
}

// status maps go test's outcome to the tool's exit statuses: 0 passed, 1 a
// test failed, 2 the package did not build, or go test could not run or
// was killed by a signal (the tool would read -1 as "lived").
func status(err error, output string) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 2
	}
	switch code := ee.ExitCode(); {
	case code == 1 && notBuilt(output), code < 0:
		return 2
	default:
		return code
	}
}

// notBuilt reports whether go test's output says a package did not build
// or could not be set up (go test's own words; vet's checks are part of the
// build).
func notBuilt(output string) bool {
	return strings.Contains(output, " [build failed]") || strings.Contains(output, " [setup failed]")
}
