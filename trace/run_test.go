package trace_test

import (
	"context"
	"io"
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The program says "ready" once its trap is set; that first write
	// cancels the run, so the interruption never comes before the trap.
	ready := cancelOnWrite{cancel}
	// Linger decides nothing: the run is cancelled, so Run does not wait
	// for processes left behind (waitDone returns once ctx is done).
	argv := []string{"sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.05; done"}
	rep, err := trace.Run(ctx, argv, trace.Options{Recorder: env.recorder, Dir: filepath.Join(t.TempDir(), "trace"), Linger: time.Second,
		Stdout: ready, Stderr: io.Discard})
	if err != nil {
		t.Fatalf("an interrupted program that exited 0: %v", err)
	}
	if rep.Status == nil || *rep.Status != 0 {
		t.Errorf("status %v, want 0", rep.Status)
	}
}

// cancelOnWrite cancels a context when the program writes anything.
type cancelOnWrite struct{ cancel context.CancelFunc }

func (c cancelOnWrite) Write(p []byte) (int, error) {
	c.cancel()
	return len(p), nil
}
