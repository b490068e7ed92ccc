//go:build libfuzzer

package fuzz

// libFuzzerBuild says that go-118-fuzz-build (OSS-Fuzz, ClusterFuzzLite)
// is building this package: it sets the build tags gofuzz_libfuzzer and
// libfuzzer. Its testing.F turns Skip into a silent pass, so a fuzz target
// that cannot start its system under test must fail there instead of
// skipping (openssl_fuzz_test.go).
const libFuzzerBuild = true
