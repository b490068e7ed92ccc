package fuzz

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
	"github.com/sesslife/sesslife/target/targets"
)

// The byte-decoder fuzz target of OpenSSL 3.0, through the shim. This file
// is built both by go test and, for OSS-Fuzz and ClusterFuzzLite, by
// go-118-fuzz-build, which compiles it alone (with the package's ordinary
// files) against a testing package of its own, calls the target once per
// input, and whose F neither stops on Fatal nor runs Cleanup. So nothing
// here takes a standard testing.TB, the shim is closed by a defer, and a
// failure to start it panics after Fatal (docs/fuzzing.md).

// shimName is the shim's file name: in bin/ (make shim) or, in the OSS-Fuzz
// build, next to the fuzzer binary (targets.FindShim looks in both).
const shimName = "sesslife-shim-openssl"

// FuzzDecodeOpenSSL: every input decodes to a legal call sequence, on which
// OpenSSL 3.0, through the shim, agrees with the model call by call.
// Without the shim it skips, except under CI=true, where it fails, and in
// the OSS-Fuzz build, where it crashes.
func FuzzDecodeOpenSSL(f *testing.F) {
	tgt := openSSLTarget(f)
	defer tgt.Close()
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

// fuzzCallTimeoutEnv sets the shim's call timeout in the OSS-Fuzz build.
const fuzzCallTimeoutEnv = "SESSLIFE_FUZZ_CALL_TIMEOUT"

// openSSLTarget starts the shim: once per fuzzing process under go test,
// once per input in the OSS-Fuzz build (every input then meets a fresh
// shim). The caller closes it.
func openSSLTarget(f *testing.F) target.Target {
	f.Helper()
	path, err := targets.FindShim(shimName)
	if err != nil {
		if !libFuzzerBuild && os.Getenv("CI") != "true" {
			f.Skip(err)
		}
		fail(f, fmt.Errorf("%v (CI=true or the OSS-Fuzz build: the shim must be there)", err))
	}
	// Under go test a call times out only near the test's deadline (a
	// hang), so a loaded machine cannot make the shim a HANG finding. The
	// OSS-Fuzz build keeps the default unless $SESSLIFE_FUZZ_CALL_TIMEOUT
	// says otherwise (make test's run of it, .clusterfuzzlite/test/run.sh).
	var opts []subprocess.Option
	if !libFuzzerBuild {
		opts = append(opts, subprocess.WithTimeout(testwait.Budget(f)))
	} else if d, err := time.ParseDuration(os.Getenv(fuzzCallTimeoutEnv)); err == nil && d > 0 {
		opts = append(opts, subprocess.WithTimeout(d))
	}
	tgt, err := subprocess.New(path, opts...)
	if err != nil {
		fail(f, fmt.Errorf("starting %s: %v", path, err))
	}
	return tgt
}

// fail stops the fuzz target: f.Fatal under go test; the OSS-Fuzz build's
// Fatal returns, so the panic makes its fuzzer report the failure.
func fail(f *testing.F, err error) {
	f.Helper()
	f.Fatal(err)
	panic(err)
}
