package main

import (
	"flag"
	"os"
	"testing"
	"time"
)

// TestMain gives every command the tests run a call timeout that only a
// hang reaches: go test's -timeout less a margin (a day without one), not
// the 10 s default a loaded machine could exceed on a correct shim.
func TestMain(m *testing.M) {
	flag.Parse()
	callTimeout = 24 * time.Hour
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, ok := f.Value.(flag.Getter).Get().(time.Duration); ok && d > 0 {
			callTimeout = max(d-30*time.Second, d/2)
		}
	}
	os.Exit(m.Run())
}
