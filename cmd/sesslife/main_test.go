package main

import (
	"flag"
	"os"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
)

// TestMain gives every command the tests run a call timeout that only a
// hang reaches: go test's -timeout less a margin (a day without one), not
// the 10 s default a loaded machine could exceed on a correct shim.
func TestMain(m *testing.M) {
	flag.Parse()
	callTimeout = testwait.RunBudget()
	os.Exit(m.Run())
}

// corruptingShim puts back the default call timeout (10 s) for a test
// against a shim whose planted bug corrupts memory (bug2, bug3): such a
// shim can loop for good on a replay (bug2 once grew to 12 GB in ten
// minutes), and the search's reducer relies on the timeout to end that
// replay and go on (SearchOptions.HangBudget). Here the timeout is an
// engine's budget, not a wait for a correct shim. The tests do not run in
// parallel, so the package variable is theirs for the test.
func corruptingShim(t *testing.T) {
	old := callTimeout
	callTimeout = 0
	t.Cleanup(func() { callTimeout = old })
}
