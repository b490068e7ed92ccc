package linearizability

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/target/subprocess"
)

// shimPath finds a shim built by `make shim` (or in SESSLIFE_SHIM_DIR). It
// skips the test when there is none, except under CI=true, where that
// fails.
func shimPath(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("SESSLIFE_SHIM_DIR")
	if dir == "" {
		dir = filepath.Join("..", "bin")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is missing (make shim): %v", name, err)
		}
		t.Skipf("no %s (make shim builds it): %v", name, err)
	}
	return p
}

// TestOpenSSLLinearizable runs OpenSSL 3.0 behind its shim, which serves
// concurrent lanes, and expects its histories to be linearizable. The
// AddressSanitizer build, when present, runs too (not in -short mode): a
// memory error under concurrency crashes it, which is a target failure.
func TestOpenSSLLinearizable(t *testing.T) {
	names := []string{"sesslife-shim-openssl"}
	if !testing.Short() {
		names = append(names, "sesslife-shim-openssl-asan")
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			if i > 0 {
				if _, err := os.Stat(filepath.Join(filepath.Dir(shimPath(t, names[0])), name)); err != nil {
					t.Skipf("no %s", name)
				}
			}
			tg, err := subprocess.New(shimPath(t, name), subprocess.WithTimeout(testwait.Budget(t))) // only a hang reaches it
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			if !tg.Info().Concurrent {
				t.Fatalf("%s does not say it serves concurrent lanes", tg.Info().Name)
			}
			for seed := range uint64(2) {
				h := checkPasses(t, fmt.Sprintf("seed %d", seed), func() (*History, error) { return Run(context.Background(), tg, small(seed)) })
				if n := overlapping(h); n < h.Calls()/10 {
					t.Errorf("seed %d: only %d of %d calls overlap another client's", seed, n, h.Calls())
				}
			}
		})
	}
}
