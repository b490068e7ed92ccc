package fuzz

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/properties"
)

// The rapid state machine driven by the fuzzer's bytes instead of rapid's
// random source (rapid.MakeFuzz): rapid reads the input as a stream of
// 64-bit words, and an input too short for the sequence it starts is
// skipped. rapid.MakeFuzz needs the standard *testing.T, so OSS-Fuzz, which
// swaps in its own, cannot build these two (docs/fuzzing.md).

// FuzzRapidImpl checks the reference simulator.
func FuzzRapidImpl(f *testing.F) {
	opts := properties.DefaultOptions()
	opts.MinCalls, opts.MaxCalls = 1, 100
	f.Fuzz(rapid.MakeFuzz(properties.RapidProp(impl.NewTarget(), opts)))
}

// FuzzRapidOpenSSL checks OpenSSL 3.0 through the shim (skipped without
// it, except under CI=true).
func FuzzRapidOpenSSL(f *testing.F) {
	opts := properties.DefaultOptions()
	opts.MinCalls, opts.MaxCalls = 1, 100
	tgt := openSSLTarget(f)
	defer tgt.Close()
	f.Fuzz(rapid.MakeFuzz(properties.RapidProp(tgt, opts)))
}
