// Package targets opens the systems a command line can name: the reference
// simulator, the shims this repository builds, and any shim executable.
// It is the one place that knows where shim binaries live; the engines
// never import it (they see only target.Target).
//
//	impl        the reference simulator (package impl)
//	openssl     OpenSSL 3.0 through bin/sesslife-shim-openssl (make shim)
//	wolfssl     wolfSSL 5.5 through bin/sesslife-shim-wolfssl (make shim-wolfssl)
//	boringssl   BoringSSL (Android 13) through bin/sesslife-shim-boringssl (make shim-boringssl)
//	exec:PATH   any executable speaking the shim protocol (docs/protocol.md)
package targets

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// Options configure Open.
type Options struct {
	// ShimArgs and ShimEnv are passed to a shim (--shim-arg, --shim-env:
	// KEY=VALUE entries).
	ShimArgs, ShimEnv []string
	// Timeout bounds one call to a shim (0: the subprocess default).
	Timeout time.Duration
	// Impl are options of the reference simulator.
	Impl []impl.Option
	// Stderr, when set, receives a copy of everything a shim writes on
	// its stderr (the target keeps its tail for crash reports either way).
	Stderr io.Writer
}

// Names lists the target names Open accepts, for help texts.
func Names() []string { return []string{"impl", "openssl", "wolfssl", "boringssl", "exec:PATH"} }

// Usage describes every target name, one per line, for help texts.
const Usage = `  impl        the reference simulator (Go, in this repository)
  openssl     OpenSSL 3.0 through bin/sesslife-shim-openssl (make shim)
  wolfssl     wolfSSL 5.5 through bin/sesslife-shim-wolfssl (make shim-wolfssl);
              its hello names the profile wolfssl-5.5, which check, replay
              and sim follow unless --profile names another
  boringssl   BoringSSL (Android 13) through bin/sesslife-shim-boringssl
              (make shim-boringssl); its hello names the profile boringssl
  exec:PATH   any shim executable speaking docs/protocol.md (PATH contains a /)
`

// Open starts the target spec names.
func Open(spec string, o Options) (target.Target, error) {
	switch {
	case spec == "impl":
		return impl.NewTarget(o.Impl...), nil
	case spec == "openssl" || spec == "wolfssl" || spec == "boringssl":
		path, err := FindShim("sesslife-shim-" + spec)
		if err != nil {
			return nil, err
		}
		return startShim(path, o)
	case strings.HasPrefix(spec, "exec:"):
		path := strings.TrimPrefix(spec, "exec:")
		if !strings.Contains(path, "/") {
			// exec.Command would search PATH for a bare name and might run
			// another program than the file the user meant.
			path = "./" + path
		}
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("target %q: %w", spec, err)
		}
		return startShim(path, o)
	}
	return nil, fmt.Errorf("unknown target %q (want one of %s)", spec, strings.Join(Names(), ", "))
}

// Factory returns a factory that opens spec anew on every call.
func Factory(spec string, o Options) target.Factory {
	return func() (target.Target, error) { return Open(spec, o) }
}

func startShim(path string, o Options) (target.Target, error) {
	opts := []subprocess.Option{subprocess.WithArgs(o.ShimArgs...), subprocess.WithEnv(o.ShimEnv...)}
	if o.Timeout > 0 {
		opts = append(opts, subprocess.WithTimeout(o.Timeout))
	}
	if o.Stderr != nil {
		opts = append(opts, subprocess.WithStderr(o.Stderr))
	}
	return subprocess.New(path, opts...)
}

// FindShim looks for a shim binary that make builds into bin/: in the
// directory $SESSLIFE_SHIM_DIR names, in ./bin, next to the running
// executable, then in the bin/ of the enclosing module (for tests, which
// run in their package's directory).
func FindShim(name string) (string, error) {
	var candidates []string
	if dir := os.Getenv("SESSLIFE_SHIM_DIR"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, name))
	}
	candidates = append(candidates, filepath.Join("bin", name))
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), name))
	}
	if root, ok := moduleRoot(); ok {
		candidates = append(candidates, filepath.Join(root, "bin", name))
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c, nil
		}
	}
	return "", errors.New(name + " not found in $SESSLIFE_SHIM_DIR, ./bin, next to the executable or in the module's bin/: run `make shim`")
}

// moduleRoot finds the nearest enclosing directory with a go.mod.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
