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
