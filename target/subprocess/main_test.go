package subprocess

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
)

// fakeEnv, when set, turns the test binary into a fake shim (fake_test.go).
const fakeEnv = "SESSLIFE_FAKE_SHIM"

// parentEnv, when set, turns the test binary into a parent that starts a
// hung fake shim, prints its pid and waits to be killed (runParent).
const parentEnv = "SESSLIFE_FAKE_PARENT"

// shimEnv names a directory of prebuilt shims (sesslife-shim-openssl and
// its variants, as in the repository's bin/) to test instead of building.
const shimEnv = "SESSLIFE_SHIM_DIR"

// wolfShim is the wolfSSL shim's binary.
const wolfShim = "sesslife-shim-wolfssl"

// boringShim is the BoringSSL shim's binary.
const boringShim = "sesslife-shim-boringssl"

// shims holds the binaries TestMain built, or why it could not.
type shims struct {
	dir       string
	buildErr  error // the OpenSSL shim and its variants
	wolfErr   error // the wolfSSL shim
	boringErr error // the BoringSSL shim
}

func (s shims) path(name string) string { return filepath.Join(s.dir, name) }

var built shims // written once by TestMain, read-only afterwards

func TestMain(m *testing.M) {
	if mode := os.Getenv(fakeEnv); mode != "" {
		os.Exit(runFake(mode))
	}
	if os.Getenv(parentEnv) != "" {
		os.Exit(runParent())
	}
	flag.Parse()
	generous = testwait.RunBudget()
	dir, err := os.MkdirTemp("", "sesslife-shim-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	built = buildShims(dir)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildShims builds the plain shim and its variants with the shim's own
// Makefile, unless SESSLIFE_SHIM_DIR names prebuilt ones.
func buildShims(dir string) shims {
	if d := os.Getenv(shimEnv); d != "" {
		return shims{dir: d}
	}
	s := shims{dir: dir}
	cmd := exec.Command("make", "-s", "-j4", "-C", filepath.Join("..", "..", "shim", "openssl"), "BINDIR="+dir, "all", "variants")
	if out, err := cmd.CombinedOutput(); err != nil {
		s.buildErr = fmt.Errorf("building the OpenSSL shim: %v\n%s", err, out)
	}
	cmd = exec.Command("make", "-s", "-C", filepath.Join("..", "..", "shim", "wolfssl"), "BINDIR="+dir, "all")
	if out, err := cmd.CombinedOutput(); err != nil {
		s.wolfErr = fmt.Errorf("building the wolfSSL shim: %v\n%s", err, out)
	}
	cmd = exec.Command("make", "-s", "-C", filepath.Join("..", "..", "shim", "boringssl"), "BINDIR="+dir, "all")
	if out, err := cmd.CombinedOutput(); err != nil {
		s.boringErr = fmt.Errorf("building the BoringSSL shim: %v\n%s", err, out)
	}
	return s
}

// needShim returns the path of the built shim binary name, skipping the
// test when it could not be built, except under CI=true where that fails.
func needShim(t testing.TB, name string) string {
	t.Helper()
	buildErr := built.buildErr
	switch name {
	case wolfShim:
		buildErr = built.wolfErr
	case boringShim:
		buildErr = built.boringErr
	}
	if buildErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the shim is missing: %v", buildErr)
		}
		t.Skipf("no shim: %v", buildErr)
	}
	p := built.path(name)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is missing: %v", name, err)
		}
		t.Skipf("no %s: %v", name, err)
	}
	return p
}
