// Package fuzz holds sesslife's fuzzing engine: the byte decoder that turns
// any input into a legal call sequence, the lockstep check and shrinker
// built on it, and the native Go fuzz targets (decode_fuzz_test.go,
// rapid_fuzz_test.go) that run them against the reference simulator and
// OpenSSL. Like every engine it knows no concrete target outside its test
// files; the fuzz targets of the shim protocol's parsers live beside them,
// in package target/subprocess/shimfuzz.
//
// The decoder is what makes plain byte mutation useful here. [Decode] reads
// the input as the choices of [properties.DrawOp], one call at a time,
// against a private model universe, so every input of every length decodes
// to a sequence the model accepts (an exhausted input ends the sequence). A
// fuzzer mutating bytes therefore explores call sequences, and a minimised
// input is a short program.
//
// Everything a fuzz target needs lives in ordinary (non-test) files and
// returns errors instead of taking a *testing.T: OSS-Fuzz's
// compile_native_go_fuzzer rewrites only the file holding the target and
// does not see other _test.go files (see docs/fuzzing.md).
package fuzz
