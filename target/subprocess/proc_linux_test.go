//go:build linux

package subprocess

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
)

// procID names a process by its pid and start time (clock ticks since
// boot), which together stay unique even if the pid is reused.
type procID struct {
	pid   int
	start string
}

// procStat returns a process's state letter and start time from
// /proc/PID/stat; ok is false when there is no such process.
func procStat(pid int) (state, start string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", "", false
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return "", "", false
	}
	return f[0], f[19], true // fields 3 and 22 of proc(5)
}

// identify names the live process pid, failing the test if there is none.
func identify(t testing.TB, pid int) procID {
	t.Helper()
	state, start, ok := procStat(pid)
	if !ok || state == "Z" || state == "X" {
		t.Fatalf("process %d is not running", pid)
	}
	return procID{pid, start}
}

// alive reports whether the process still runs: a zombie is dead, and a
// pid now used by another process does not count.
func (p procID) alive() bool {
	state, start, ok := procStat(p.pid)
	return ok && start == p.start && state != "Z" && state != "X"
}

// waitGone waits until the process has died, told by the kernel (a
// pidfd), failing the test only on the hang guard near the test's own
// deadline: the verdict is whether the process dies at all.
func waitGone(t testing.TB, p procID, what string) {
	t.Helper()
	exited, err := testwait.Exited(p.pid)
	if !p.alive() {
		return // gone already (the pidfd, if any, names another process)
	}
	if err != nil {
		t.Fatalf("%s (pid %d): %v", what, p.pid, err)
	}
	// p was alive after the pidfd was opened, so the pidfd names p.
	select {
	case <-exited:
	case <-testwait.Guard(t):
		t.Errorf("%s (pid %d) still runs at the test's deadline", what, p.pid)
		p.kill()
	}
}

// kill ends a process a failed test left behind, if it is still the same.
func (p procID) kill() {
	if p.alive() {
		if proc, err := os.FindProcess(p.pid); err == nil {
			_ = proc.Kill()
		}
	}
}
