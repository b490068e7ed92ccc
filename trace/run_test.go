package trace_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sesslife/sesslife/trace"
)

// TestInterruptedProgramThatExitsZero: a program that exits with status 0
// when the interruption's SIGTERM reaches it (haproxy -W's master does)
// makes exec's Wait report the context's error instead of an exit status;
// its trace is checked all the same, and Run returns the report.
func TestInterruptedProgramThatExitsZero(t *testing.T) {
	need(t)
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() { // cancels once the program has set its trap
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			if _, err := os.Stat(ready); err == nil {
				cancel()
				return
			}
		}
	}()
	argv := []string{"sh", "-c", "trap 'exit 0' TERM; : > " + ready + "; while :; do sleep 0.05; done"}
	rep, err := trace.Run(ctx, argv, trace.Options{Recorder: env.recorder, Dir: filepath.Join(dir, "trace"), Linger: time.Second,
		Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		t.Fatalf("an interrupted program that exited 0: %v", err)
	}
	if rep.Status == nil || *rep.Status != 0 {
		t.Errorf("status %v, want 0", rep.Status)
	}
}
