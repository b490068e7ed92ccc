#!/bin/bash -eu
# Builds sesslife's native Go fuzz targets as libFuzzer binaries
# (compile_native_go_fuzzer, which runs go-118-fuzz-build) for OSS-Fuzz and
# ClusterFuzzLite. See docs/fuzzing.md; `make cflite-build-test` runs this
# script's steps on a machine without Docker.
#
# Built:
#   fuzz_decode_impl     fuzz.FuzzDecodeImpl          bytes -> legal calls, model vs simulator
#   fuzz_decode_openssl  fuzz.FuzzDecodeOpenSSL       bytes -> legal calls, model vs OpenSSL 3.0 (the shim)
#   fuzz_shim_reply      shimfuzz.FuzzShimReply       shim replies -> the subprocess target's parser
#   fuzz_shim_hello      shimfuzz.FuzzShimHello       shim hellos  -> the subprocess target's parser
#   fuzz_scenario_parse  scenario.FuzzParse           scenario files -> the scenario parser
# Each with NAME_seed_corpus.zip, its Go seed corpus (see the end).
# Not built: the rapid.MakeFuzz targets (rapid needs the standard
# *testing.T, which the libFuzzer build replaces); `make fuzz` runs those.
#
# fuzz_decode_openssl runs the OpenSSL shim as a child process: the shim is
# built here and put beside the fuzzers in $OUT, where the target looks for
# it (next to its executable), with the libssl and libcrypto it was linked
# against; its rpath, $ORIGIN, makes it load those rather than whatever the
# runner has (OSS-Fuzz's runner images carry no OpenSSL 3.0).

cd "$SRC/sesslife"

# go.mod asks for Go 1.26; the go command fetches that toolchain itself
# when the image's is older (GOTOOLCHAIN=auto).
go mod download
# The testing package go-118-fuzz-build swaps in; GO118FUZZBUILD_VERSION
# pins it to the version of the go-118-fuzz-build binary when the image's is
# not the newest (make cflite-build-test sets it).
go get "github.com/AdamKorcz/go-118-fuzz-build/testing@${GO118FUZZBUILD_VERSION:-latest}"

# The shim, against the image's OpenSSL, which must be 3.0 (the profile
# the model checks it against).
ossl=$(printf '#include <openssl/opensslv.h>\nOPENSSL_VERSION_MAJOR OPENSSL_VERSION_MINOR\n' | gcc -E -P - | tail -n 1 | tr -s ' ')
if [ "$ossl" != "3 0" ]; then
  echo "build.sh: the OpenSSL headers are version '$ossl', not 3.0 (install libssl-dev from a distribution with OpenSSL 3.0)" >&2
  exit 1
fi
# The shim is built with gcc (the Dockerfile installs it) and its
# Makefile's own flags, not the sanitizer flags in $CFLAGS: it is a
# separate process, and the fuzzer checks what it answers. The rpath is an
# old-style DT_RPATH (--disable-new-dtags), which also serves libssl's own
# load of libcrypto; \$$ORIGIN reaches the linker as $ORIGIN through make
# and the shell.
make -C shim/openssl BINDIR="$OUT" CC=gcc EXTRA_LDFLAGS='-Wl,--disable-new-dtags,-rpath,\$$ORIGIN'
for lib in libssl.so.3 libcrypto.so.3; do
  path=$(ldd "$OUT/sesslife-shim-openssl" | awk -v lib="$lib" '$1 == lib { print $3 }')
  if [ -z "$path" ]; then
    echo "build.sh: sesslife-shim-openssl does not load $lib" >&2
    exit 1
  fi
  [ "$path" -ef "$OUT/$lib" ] || cp -L "$path" "$OUT/$lib"
done

compile_native_go_fuzzer github.com/sesslife/sesslife/fuzz FuzzDecodeImpl fuzz_decode_impl
compile_native_go_fuzzer github.com/sesslife/sesslife/fuzz FuzzDecodeOpenSSL fuzz_decode_openssl
compile_native_go_fuzzer github.com/sesslife/sesslife/target/subprocess/shimfuzz FuzzShimReply fuzz_shim_reply
compile_native_go_fuzzer github.com/sesslife/sesslife/target/subprocess/shimfuzz FuzzShimHello fuzz_shim_hello
compile_native_go_fuzzer github.com/sesslife/sesslife/scenario FuzzParse fuzz_scenario_parse

# Seed corpora: each target's Go corpus (testdata/fuzz/FuzzName, which go
# test runs as regression tests), rewritten into the byte layout in which
# go-118-fuzz-build's fuzzers take their arguments, as NAME_seed_corpus.zip
# beside the fuzzer (cmd/sesslife-seedcorpus, outside the targets'
# directories, which the helper greps for their names). ClusterFuzzLite
# starts from them and grows its own corpus.
seeds() {
  go run ./cmd/sesslife-seedcorpus -o "$OUT/$2_seed_corpus.zip" "$1"
}
seeds fuzz/testdata/fuzz/FuzzDecodeImpl fuzz_decode_impl
seeds fuzz/testdata/fuzz/FuzzDecodeOpenSSL fuzz_decode_openssl
seeds target/subprocess/shimfuzz/testdata/fuzz/FuzzShimReply fuzz_shim_reply
seeds target/subprocess/shimfuzz/testdata/fuzz/FuzzShimHello fuzz_shim_hello
seeds scenario/testdata/fuzz/FuzzParse fuzz_scenario_parse
