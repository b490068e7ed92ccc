package fuzz

import (
	"fmt"
	"os"
	"path/filepath"
)

// ShimDirEnv names a directory holding a prebuilt sesslife-shim-openssl,
// instead of the repository's bin/ (the same variable target/subprocess's
// tests read).
const ShimDirEnv = "SESSLIFE_SHIM_DIR"

// OpenSSLShim returns the path of the OpenSSL shim that `make shim` builds:
// in $SESSLIFE_SHIM_DIR if set, else in bin/ at the root of the module that
// contains the working directory. The error says how to build it.
func OpenSSLShim() (string, error) {
	const name = "sesslife-shim-openssl"
	if dir := os.Getenv(ShimDirEnv); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("fuzz: %s=%s has no %s: %w", ShimDirEnv, dir, name, err)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("fuzz: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "bin", name)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("fuzz: %s is not built (run make shim; it needs libssl-dev): %w", p, err)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("fuzz: no go.mod above the working directory, so no bin/%s", name)
		}
		dir = parent
	}
}
