// Package shimtest finds, for tests, the shims make builds, through the one
// finder the command line uses (target/targets.FindShim). A test that needs
// a shim asks Path: on a developer's machine without it the test is
// skipped with the command that builds it; under CI=true a missing shim is
// a failure, never a silent skip.
package shimtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sesslife/sesslife/target/targets"
)

// Path returns the absolute path of the shim binary called name
// (sesslife-shim-openssl, sesslife-shim-openssl-bug1, ...).
func Path(t testing.TB, name string) string {
	t.Helper()
	p, err := targets.FindShim(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: make shim shim-variants shim-wolfssl must have built it)", err)
		}
		t.Skip(err)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
