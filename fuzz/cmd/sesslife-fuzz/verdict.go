package main

import (
	"bytes"
	"strings"
)

// verdict is what one `go test -fuzz` run means for the build.
type verdict int

const (
	// passed: go test exited 0.
	passed verdict = iota
	// failed: a finding, a build error, anything but the race below.
	failed
	// coordinatorRace: Go's fuzz coordinator reported its own -fuzztime
	// deadline as a failure (golang/go#75804, fixed in Go 1.27; Go 1.26's
	// internal/fuzz compares the error only with the workers' context, which
	// is cancelled a moment after its parent's deadline). The run fuzzed for
	// its whole budget and found nothing, so it counts as a pass.
	coordinatorRace
)

// raceMessage is the whole failure message of the race: the text of
// context.DeadlineExceeded, printed by testing.F.Fuzz.
const raceMessage = "context deadline exceeded"

// judge classifies a finished run of fuzz target name from its exit status,
// its combined output and the files that appeared in its corpus directory.
// It is strict: the race is recognised only when nothing else can have
// happened, that is, no failing input was written (every finding writes one,
// or names a seed that failed), the only failure is the target's own
// "--- FAIL" line, and its only message is the deadline.
func judge(exitOK bool, output []byte, name string, newFiles []string) verdict {
	if exitOK {
		return passed
	}
	if len(newFiles) > 0 || bytes.Contains(output, []byte("Failing input written to")) {
		return failed
	}
	lines := strings.Split(strings.ReplaceAll(string(output), "\r\n", "\n"), "\n")
	failAt := -1
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "--- FAIL: "):
			if failAt >= 0 || !strings.HasPrefix(l, "--- FAIL: "+name+" (") {
				return failed
			}
			failAt = i
		case strings.HasPrefix(l, "panic:"), strings.Contains(l, "fuzzing process hung or terminated"):
			return failed
		}
	}
	// The message block: indented lines up to the package's "FAIL".
	if failAt < 0 || failAt+2 >= len(lines) {
		return failed
	}
	if strings.TrimSpace(lines[failAt+1]) != raceMessage || !strings.HasPrefix(lines[failAt+1], "    ") ||
		lines[failAt+2] != "FAIL" {
		return failed
	}
	return coordinatorRace
}
