package fuzz

import (
	"context"
	"testing"

	"github.com/sesslife/sesslife/impl"
)

// The byte-decoder fuzz target of the reference simulator (the OpenSSL one
// is in openssl_fuzz_test.go). OSS-Fuzz builds a target from the one file
// that names it, so a target's name appears in no other file under this
// directory (docs/fuzzing.md). Seed corpora live in testdata/fuzz/<target>/;
// plain `go test` runs them as regression tests. Each target signals the
// rules every input made the model apply (RuleHits), so the fuzzer keeps
// inputs that reach rare rules.

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
