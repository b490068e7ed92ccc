package fuzz

import (
	"context"
	"testing"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/internal/shimtest"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// The byte-decoder fuzz targets. OSS-Fuzz builds a target from the one file
// that names it, so these names appear in no other file of this directory
// (docs/fuzzing.md). Seed corpora live in testdata/fuzz/<target>/; plain
// `go test` runs them as regression tests. Each target signals the rules
// every input made the model apply (RuleHits), so the fuzzer keeps inputs
// that reach rare rules.

// FuzzDecodeImpl: every input decodes to a legal call sequence, on which the
// reference simulator agrees with the model call by call.
func FuzzDecodeImpl(f *testing.F) {
	tgt := impl.NewTarget()
	cfg := DefaultConfig()
	var hits RuleHits
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, rules, err := DecodeRules(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		hits.Signal(rules)
		if err := Check(context.Background(), tgt, cfg.Profile, ops); err != nil {
			t.Fatalf("%v", err)
		}
	})
}

// FuzzDecodeOpenSSL is the same against OpenSSL 3.0 through the shim
// (bin/sesslife-shim-openssl, make shim). Without the shim it skips, except
// under CI=true, where it fails.
func FuzzDecodeOpenSSL(f *testing.F) {
	tgt := openSSLTarget(f)
	cfg := DefaultConfig()
	cfg.Supports = tgt.Info().Supports
	var hits RuleHits
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, rules, err := DecodeRules(data, cfg)
		if err != nil {
			t.Fatal(err)
		}
		hits.Signal(rules)
		if err := Check(context.Background(), tgt, cfg.Profile, ops); err != nil {
			t.Fatalf("%v", err)
		}
	})
}

// openSSLTarget starts one shim per fuzzing process; every input resets it.
func openSSLTarget(f *testing.F) target.Target {
	path := shimtest.Path(f, "sesslife-shim-openssl")
	tgt, err := subprocess.New(path)
	if err != nil {
		f.Fatalf("starting %s: %v", path, err)
	}
	f.Cleanup(func() { tgt.Close() })
	return tgt
}
