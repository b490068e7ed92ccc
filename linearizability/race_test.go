package linearizability

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/internal/testwait"
)

// raceHelper, when set, makes TestRaceDetectorCatches run the workload on
// the named mutant instead of testing (it is then the child process).
const raceHelper = "SESSLIFE_LIN_RACE_MUTANT"

// TestRaceDetectorCatches runs each mutant of caughtByRaceDetector in a
// child process of this (race-instrumented) test binary and expects the
// race detector to report a data race and fail it.
func TestRaceDetectorCatches(t *testing.T) {
	if name := os.Getenv(raceHelper); name != "" {
		m, err := mutants.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(20) {
			if _, err := Run(context.Background(), impl.NewTarget(mutants.Option(m)), mutantRun(seed)); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	if !raceDetector {
		t.Skip("needs the race detector: go test -race (make test runs it)")
	}
	for _, m := range caughtByRaceDetector {
		t.Run(m.String(), func(t *testing.T) {
			// Only a hung child reaches this, near the test's own deadline.
			ctx, cancel := context.WithTimeout(context.Background(), testwait.Budget(t))
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRaceDetectorCatches$", "-test.count=1")
			cmd.Env = append(os.Environ(), raceHelper+"="+m.String(), "GORACE=halt_on_error=1 exitcode=66")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 66 || !strings.Contains(string(out), "WARNING: DATA RACE") {
				t.Fatalf("the race detector did not catch %s (%v):\n%s", m, err, tail(string(out), 2000))
			}
		})
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
