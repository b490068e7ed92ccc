#!/bin/bash -eu
# Builds sesslife's native Go fuzz targets as libFuzzer binaries
# (compile_native_go_fuzzer, which runs go-118-fuzz-build), with their seed
# corpora. See docs/fuzzing.md.
#
# Built: the targets that need nothing outside the repository.
#   fuzz_decode_impl     fuzz.FuzzDecodeImpl     bytes -> legal calls, model vs simulator
#   fuzz_shim_reply      fuzz.FuzzShimReply      shim replies -> the subprocess target's parser
#   fuzz_shim_hello      fuzz.FuzzShimHello      shim hellos  -> the subprocess target's parser
#   fuzz_scenario_parse  scenario.FuzzParse      scenario files -> the scenario parser
# Not built: the rapid.MakeFuzz targets (rapid needs the standard
# *testing.T, which the libFuzzer build replaces) and the OpenSSL targets
# (they need the shim and libssl 3.0 at run time); `make fuzz` runs those.

cd "$SRC/sesslife"

# go.mod asks for Go 1.26; the go command fetches that toolchain itself
# when the image's is older (GOTOOLCHAIN=auto).
go mod download
go get github.com/AdamKorcz/go-118-fuzz-build/testing

compile_native_go_fuzzer github.com/sesslife/sesslife/fuzz FuzzDecodeImpl fuzz_decode_impl
compile_native_go_fuzzer github.com/sesslife/sesslife/fuzz FuzzShimReply fuzz_shim_reply
compile_native_go_fuzzer github.com/sesslife/sesslife/fuzz FuzzShimHello fuzz_shim_hello
compile_native_go_fuzzer github.com/sesslife/sesslife/scenario FuzzParse fuzz_scenario_parse

# No seed corpora are packaged: go-118-fuzz-build splits libFuzzer's raw
# bytes into the target's arguments its own way, so Go's corpus files
# (testdata/fuzz, "go test fuzz v1") do not carry over; ClusterFuzzLite grows
# and keeps its own corpus.
