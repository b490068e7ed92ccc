#!/bin/bash -eu
# `make cflite-build-test`: runs .clusterfuzzlite/build.sh the way OSS-Fuzz
# and ClusterFuzzLite do, without Docker, in a temporary directory, then
# checks what it left in $OUT (docs/fuzzing.md):
#
#   - every fuzzer, linked with libFuzzer (or, without clang, its archive);
#   - the OpenSSL shim beside them, with an rpath of $ORIGIN through which
#     it loads the libssl.so.3 and libcrypto.so.3 packaged there;
#   - the sources as they were (the helper rewrites the targets' files);
#   - every fuzzer's seed corpus, NAME_seed_corpus.zip;
#   - each linked fuzzer runs its whole seed corpus and then fuzzes up to
#     $CFLITE_RUNS inputs in all, from a directory outside the repository,
#     with a bare environment, so that fuzz_decode_openssl can only find the
#     shim next to itself; and without the shim it crashes rather than
#     passing every input.
#
# Tools: go; go-118-fuzz-build, installed here at $GO118FUZZBUILD_VERSION
# through the module proxy; gcc and OpenSSL 3.0's headers (make deps); clang
# with libFuzzer's runtime (make deps-cflite). The helper, OSS-Fuzz's
# compile_native_go_fuzzer, is reproduced by compile_native_go_fuzzer in
# this directory. Without clang the fuzzers are built as archives but not
# linked or run; under CI=true a missing tool is a failure instead.

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=${GO118FUZZBUILD_VERSION:?set GO118FUZZBUILD_VERSION (the Makefile does)}
targets="fuzz_decode_impl fuzz_decode_openssl fuzz_shim_reply fuzz_shim_hello fuzz_scenario_parse"
runs=${CFLITE_RUNS:-200}

say() { echo "cflite-build-test: $*"; }
fail() {
  echo "cflite-build-test: FAIL: $*" >&2
  exit 1
}
# missing reports a tool that is not there: a failure under CI=true, else
# a notice of what is left out.
missing() {
  if [ "${CI:-}" = true ]; then
    fail "$1 (CI=true: a missing tool is a failure)"
  fi
  say "$1: $2"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/src/sesslife" "$tmp/out" "$tmp/work" "$tmp/run"

command -v gcc >/dev/null || fail "no gcc (make deps)"
command -v unzip >/dev/null || fail "no unzip (make deps-cflite)"
GOFLAGS= GOBIN="$tmp/bin" go install "github.com/AdamKorcz/go-118-fuzz-build@$version" ||
  fail "cannot install go-118-fuzz-build@$version"

link=yes
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' > "$tmp/probe.c"
if ! command -v clang++ >/dev/null || ! clang -fsanitize=fuzzer -o "$tmp/probe" "$tmp/probe.c" 2>"$tmp/probe.log"; then
  link=no
  missing "no clang with libFuzzer (make deps-cflite)" "building the archives only, not linking or running them"
fi

# The image copies the repository to $SRC/sesslife (Dockerfile); bin/ and
# out/ are build products, and the worktree's .git is not needed.
tar -C "$root" --exclude=./bin --exclude=./out --exclude=./.git -cf - . | tar -C "$tmp/src/sesslife" -xf -

export SRC="$tmp/src" OUT="$tmp/out" WORK="$tmp/work"
export SANITIZER=address FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=go ARCHITECTURE=x86_64
export GO118FUZZBUILD_VERSION="$version"
export PATH="$here:$tmp/bin:$PATH"
if [ "$link" = yes ]; then
  export CC=clang CXX=clang++ LIB_FUZZING_ENGINE=-fsanitize=fuzzer
  export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
  export CXXFLAGS="$CFLAGS"
else
  export CC=gcc CXX="" CFLAGS="" CXXFLAGS="" LIB_FUZZING_ENGINE=""
fi

say "running build.sh (SRC=$SRC OUT=$OUT)"
start=$SECONDS
(cd "$SRC/sesslife" && bash -eu .clusterfuzzlite/build.sh) || fail "build.sh failed"
say "build.sh took $((SECONDS - start)) s"

# The fuzzers.
for t in $targets; do
  if [ "$link" = yes ]; then
    [ -x "$OUT/$t" ] || fail "$OUT/$t was not built"
    nm "$OUT/$t" | grep -q ' T LLVMFuzzerTestOneInput$' || fail "$OUT/$t has no LLVMFuzzerTestOneInput"
  else
    [ -s "$SRC/sesslife/$t.a" ] || fail "$t.a was not built"
  fi
done
say "fuzzers built: $targets"

# The seed corpora.
for t in $targets; do
  n=$(unzip -Z1 "$OUT/${t}_seed_corpus.zip" 2>/dev/null | wc -l)
  [ "$n" -gt 0 ] || fail "$OUT/${t}_seed_corpus.zip is missing or empty"
done
say "seed corpora packaged"

# The shim and its libraries.
shim="$OUT/sesslife-shim-openssl"
[ -x "$shim" ] || fail "no $shim"
readelf -d "$shim" | grep -E '\((RPATH|RUNPATH)\)' | grep -qF '[$ORIGIN]' || fail "$shim has no rpath \$ORIGIN"
for lib in libssl.so.3 libcrypto.so.3; do
  [ -f "$OUT/$lib" ] || fail "$lib is not packaged in \$OUT"
  got=$(env -i PATH=/usr/bin:/bin ldd "$shim" | awk -v lib="$lib" '$1 == lib { print $3 }')
  [ "$got" -ef "$OUT/$lib" ] || fail "$shim loads $lib from '$got', not from \$OUT"
done
say "shim packaged: sesslife-shim-openssl, libssl.so.3, libcrypto.so.3 (rpath \$ORIGIN)"

# The sources as they were: no rewritten copy left, every file unchanged
# (go.mod and go.sum aside: build.sh adds go-118-fuzz-build's testing
# package, as it does in the image).
leftovers=$(find "$SRC/sesslife" -name '*_fuzz_.go' -o -name '*_fuzz.go' -o -name 'main.*.go' | head)
[ -z "$leftovers" ] || fail "the build left rewritten files: $leftovers"
for f in fuzz/decode_fuzz_test.go fuzz/openssl_fuzz_test.go target/subprocess/shimfuzz/fuzz_test.go scenario/fuzz_test.go; do
  cmp -s "$root/$f" "$SRC/sesslife/$f" || fail "$f differs after the build"
done
say "sources restored"

if [ "$link" = no ]; then
  say "PASS (archives only: nothing linked or run)"
  exit 0
fi

# Each fuzzer runs its seed corpus, then fuzzes up to $runs inputs in all
# (or the corpus alone when it holds more), from a directory outside any
# module, with a bare environment: the shim can only be found next to the
# fuzzer. The corpus is unpacked into a scratch directory, which libFuzzer
# may add to. A shim call times out only after 20 minutes
# ($SESSLIFE_FUZZ_CALL_TIMEOUT, not the 10 s default a loaded machine could
# reach), as long as libFuzzer's own per-input timeout (-timeout, 1200 s by
# default), which stays the guard against a hang.
for t in $targets; do
  log="$tmp/$t.log"
  corpus="$tmp/corpus/$t"
  mkdir -p "$corpus"
  unzip -q "$OUT/${t}_seed_corpus.zip" -d "$corpus"
  seeds=$(find "$corpus" -type f | wc -l)
  want=$((seeds > runs ? seeds : runs))
  if ! (cd "$tmp/run" && env -i PATH=/usr/bin:/bin HOME="$tmp/run" SESSLIFE_FUZZ_CALL_TIMEOUT=20m "$OUT/$t" -runs="$want" -seed=1 "$corpus" >"$log" 2>&1); then
    tail -n 30 "$log" >&2
    fail "$t failed on its seed corpus ($seeds inputs) or its first $want runs"
  fi
  grep -q "INITED" "$log" || { tail -n 5 "$log" >&2; fail "$t did not run its seed corpus"; }
  grep -q "Done [0-9]* runs" "$log" || { tail -n 5 "$log" >&2; fail "$t did not finish its runs"; }
  say "$t: $seeds seeds; $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "$log")"
done

# Without the shim, the OpenSSL fuzzer must fail loudly, not pass inputs
# it never checked.
mv "$shim" "$tmp/shim.aside"
if (cd "$tmp/run" && env -i PATH=/usr/bin:/bin HOME="$tmp/run" "$OUT/fuzz_decode_openssl" -runs=1 >"$tmp/noshim.log" 2>&1); then
  fail "fuzz_decode_openssl passed without its shim"
fi
grep -q "sesslife-shim-openssl not found" "$tmp/noshim.log" || { tail -n 10 "$tmp/noshim.log" >&2; fail "without its shim, fuzz_decode_openssl failed for another reason"; }
mv "$tmp/shim.aside" "$shim"
say "without its shim, fuzz_decode_openssl crashes with: sesslife-shim-openssl not found"
say "PASS"
