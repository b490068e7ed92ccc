//go:build !libfuzzer

package fuzz

// libFuzzerBuild is false under go test (see libfuzzer.go).
const libFuzzerBuild = false
