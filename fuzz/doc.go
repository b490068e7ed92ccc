// Package fuzz holds sesslife's fuzzing: the byte decoder that turns any
// input into a legal call sequence, the lockstep check and shrinker built on
// it, the fake shim that feeds arbitrary bytes to the shim-protocol parser,
// and the native Go fuzz targets (fuzz_test.go) that use them.
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
