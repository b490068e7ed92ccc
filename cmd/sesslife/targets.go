package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// openTarget turns a --target value into a running target.
func openTarget(spec string) (target.Target, error) {
	switch {
	case spec == "impl":
		return impl.NewTarget(), nil
	case spec == "openssl":
		path, err := findShim("sesslife-shim-openssl")
		if err != nil {
			return nil, err
		}
		return subprocess.New(path)
	case spec == "wolfssl":
		path, err := findShim("sesslife-shim-wolfssl")
		if err != nil {
			return nil, err
		}
		return subprocess.New(path)
	case strings.HasPrefix(spec, "exec:"):
		path := strings.TrimPrefix(spec, "exec:")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("target %q: %w", spec, err)
		}
		return subprocess.New(path)
	}
	return nil, fmt.Errorf("unknown target %q (want impl, openssl, wolfssl or exec:PATH)", spec)
}

// findShim looks for a shim built by `make shim`: in ./bin, next to the
// sesslife binary, then on PATH.
func findShim(name string) (string, error) {
	candidates := []string{filepath.Join("bin", name)}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), name))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("%s not found in ./bin or next to sesslife: run `make shim`", name)
}
