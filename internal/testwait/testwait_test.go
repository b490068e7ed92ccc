package testwait

import (
	"os/exec"
	"testing"
	"time"
)

type fixed struct {
	end time.Time
	ok  bool
}

func (f fixed) Deadline() (time.Time, bool) { return f.end, f.ok }

// TestBudget: the margin before a deadline, half of a tiny one, a day
// without one.
func TestBudget(t *testing.T) {
	if b := Budget(fixed{}); b != noDeadline {
		t.Errorf("no deadline: %v, want %v", b, noDeadline)
	}
	if b := Budget(struct{}{}); b != noDeadline {
		t.Errorf("no Deadline method: %v, want %v", b, noDeadline)
	}
	// The time that passes before Budget reads the clock only shortens
	// what is left, so the bounds hold however loaded the machine is.
	b := Budget(fixed{time.Now().Add(10 * time.Minute), true})
	if b > 10*time.Minute-margin || b < time.Second {
		t.Errorf("10 minutes left: %v, want at most %v", b, 10*time.Minute-margin)
	}
	if w := within(10 * time.Minute); w != 10*time.Minute-margin {
		t.Errorf("within(10m) = %v, want %v", w, 10*time.Minute-margin)
	}
	if w := within(20 * time.Second); w != 10*time.Second {
		t.Errorf("within(20s) = %v, want half, 10s", w)
	}
	if b := Budget(fixed{time.Now().Add(20 * time.Second), true}); b > 10*time.Second || b < time.Second {
		t.Errorf("20 s left: %v, want at most half", b)
	}
}

// TestExited: the channel is closed when the process exits, not before.
func TestExited(t *testing.T) {
	cmd := exec.Command("sleep", "1000")
	if err := cmd.Start(); err != nil {
		t.Fatal(err) // sleep is coreutils': never missing
	}
	gone, err := Exited(cmd.Process.Pid)
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatal(err)
	}
	select {
	case <-gone:
		t.Fatal("closed while the process runs")
	default:
	}
	_ = cmd.Process.Kill()
	select {
	case <-gone:
	case <-Guard(t):
		t.Fatal("not closed after the process was killed, at the test's deadline")
	}
	_ = cmd.Wait()
}
