# sesslife — the make targets are the contract (see README.md).
#
#   make check          the main job: the oracle against every available target
#   make test           every test, plus gofmt, go vet, staticcheck and -race
#   make check-openssl  the long conformance run against OpenSSL 3.0
#   make check-boringssl the long conformance run against BoringSSL
#
# Both set-up commands install what they need on a fresh Debian 12 machine
# (libssl-dev, libwolfssl-dev, android-libboringssl-dev, and for make test
# chromium, through apt-get when missing; Go modules through go mod
# download).

SHELL     := /bin/bash
GO        ?= go
BIN       := bin
# How many random sequences the long conformance runs draw.
SEQUENCES ?= 10000
OPENSSL_SEQUENCES ?= 2000
OPENSSL_TEST_SEQUENCES ?= 300
WOLFSSL_SEQUENCES ?= 2000
BORINGSSL_SEQUENCES ?= 2000
# The long run of make check-boringssl.
BORINGSSL_LONG_SEQUENCES ?= 20000

export GOFLAGS ?= -mod=mod
# rapid's seed: fixed so that CI is repeatable; override to explore
# (make test RAPID_SEED=123). rapid prints it with every failure.
export RAPID_SEED ?= 20261124

.PHONY: coverage-docs all deps deps-wolfssl deps-boringssl deps-chromium deps-trace trace bench-trace test check check-impl check-openssl check-wolfssl check-boringssl shim shim-variants shim-wolfssl shim-boringssl clock lint unit conformance bench bench-shim fuzz mutants mutants-docs mutants-auto mutants-auto-smoke cflite-build-test deps-cflite lincheck clean

all: check

# deps installs what the project needs and is missing: Debian's OpenSSL
# headers (for the shim) and the Go modules.
deps:
	@dpkg -s libssl-dev >/dev/null 2>&1 || { \
	  echo "sesslife: installing libssl-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null; }
	@$(GO) mod download

# wolfSSL's OpenSSL compatibility layer, the second real library.
deps-wolfssl:
	@dpkg -s libwolfssl-dev >/dev/null 2>&1 || { \
	  echo "sesslife: installing libwolfssl-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libwolfssl-dev >/dev/null; }

# BoringSSL as Android 13 ships it (Debian's android-libboringssl-dev:
# headers in /usr/include/android/openssl, libraries in
# /usr/lib/x86_64-linux-gnu/android), the third real library.
deps-boringssl:
	@dpkg -s android-libboringssl-dev >/dev/null 2>&1 || { \
	  echo "sesslife: installing android-libboringssl-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq android-libboringssl-dev >/dev/null; }

# Chromium renders the HTML report of check in cmd/sesslife's tests
# (headless, --dump-dom); the recommended desktop packages are not needed.
deps-chromium:
	@dpkg -s chromium >/dev/null 2>&1 || { \
	  echo "sesslife: installing chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

# The programs `sesslife trace` is tested on (trace/apps_test.go): curl,
# nginx, Python 3, the openssl command, haproxy, stunnel4, apache2 (its
# mod_ssl is in apache2-bin) and Ruby (its openssl extension is in
# libruby), each started on loopback by the tests themselves. None of them
# needs its service.
TRACE_PACKAGES := curl nginx python3 openssl haproxy stunnel4 apache2 ruby
# deps-trace installs the programs the trace tests run; a policy-rc.d
# that denies every start keeps Debian's nginx and apache2 from starting a
# server of their own on port 80 while they install, and haproxy and
# stunnel4 from starting theirs (their postinst scripts start them through
# invoke-rc.d and deb-systemd-invoke, which both ask policy-rc.d first).
# The tests start their own on loopback ports.
deps-trace:
	@missing=""; for p in $(TRACE_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "sesslife: installing$$missing"; \
	  guard=""; if [ ! -e /usr/sbin/policy-rc.d ]; then guard=/usr/sbin/policy-rc.d; \
	    printf '#!/bin/sh\nexit 101\n' > $$guard; chmod +x $$guard; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  rc=$$?; [ -z "$$guard" ] || rm -f $$guard; exit $$rc; fi

# trace is bin/libsesslife-trace.so, the recorder `sesslife trace` preloads
# into the program it checks (trace/recorder/Makefile; docs/trace.md).
trace: deps
	@$(MAKE) -s -C trace/recorder all

shim-wolfssl: deps deps-wolfssl
	@$(MAKE) -s -C shim/wolfssl all

# check-wolfssl is the conformance run of wolfSSL 5.5 against its profile.
check-wolfssl: deps shim-wolfssl
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^TestConformanceWolfSSL$$' ./properties -rapid.checks=$(WOLFSSL_SEQUENCES) -v

shim-boringssl: deps-boringssl
	@$(MAKE) -s -C shim/boringssl all

# check-boringssl is the long conformance run of BoringSSL against its
# profile: $(BORINGSSL_LONG_SEQUENCES) sequences, every reachable rule at
# least $(MIN_FIRES) times.
check-boringssl: deps shim-boringssl
	@$(GO) build -o $(BIN)/sesslife ./cmd/sesslife
	$(BIN)/sesslife check --target boringssl --profile boringssl --sequences $(BORINGSSL_LONG_SEQUENCES) --seed $(RAPID_SEED) --min-fires $(MIN_FIRES)

# The shim and its variants are built by shim/openssl/Makefile (from
# shim/openssl and shim/common, which the wolfSSL shim shares); make shim
# builds the preloadable clock too.
shim: deps clock
	@$(MAKE) -s -C shim/openssl all

# clock is bin/libsesslife-clock.so, the virtual clock a shim that is not a
# C program preloads (shim/clock/Makefile; docs/protocol.md §5). It needs
# only a C compiler.
clock:
	@$(MAKE) -s -C shim/clock all

# The AddressSanitizer build and the planted-bug builds the harness must
# catch, OpenSSL's and wolfSSL's.
shim-variants: deps deps-wolfssl
	@$(MAKE) -s -C shim/openssl variants
	@$(MAKE) -s -C shim/wolfssl variants

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# unit runs every package's tests under the race detector (short mode keeps
# the random runs small there); Chromium checks the HTML report.
# TEST_TIMEOUT bounds one go test binary's run. go test's own default, 10
# minutes, is a wall-clock deadline a loaded two-core machine can miss (the
# mutation package under -race took longer beside two busy loops); this one
# only catches a hang, well inside CI's 90 minutes.
TEST_TIMEOUT ?= 45m

# UNRACED are the two kill-table tests that run one search per mutant on one
# goroutine each, checking verdicts (rapid's column, the profile mutants),
# not concurrency: the race detector has nothing to watch there and made
# them take 520 of a loaded machine's seconds, so unit leaves them to
# conformance, which runs them without it. Their worker pools and the
# table's are raced in unit (TestTableIsTheSameUnderLoad,
# TestProfileProgressIsNotSilent).
UNRACED := ^(TestRapidKillsSequentialMutants|TestProfileMutantsKillEveryRule)$$

unit: deps deps-chromium deps-trace shim shim-variants shim-wolfssl shim-boringssl trace
	$(GO) test -race -short -count=1 -timeout $(TEST_TIMEOUT) -skip '$(UNRACED)' ./...

# conformance runs the long random runs without the race detector: model
# vs reference simulator on $(SEQUENCES) sequences of 50..100 calls, model vs
# OpenSSL on $(OPENSSL_TEST_SEQUENCES), the planted shim bugs, and the
# kill-table tests unit leaves out (UNRACED).
conformance: deps shim shim-variants shim-wolfssl shim-boringssl
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^TestConformanceImpl$$' ./properties -rapid.checks=$(SEQUENCES) -v
	@$(GO) build -o $(BIN)/sesslife ./cmd/sesslife
	$(BIN)/sesslife check --target impl --profile openssl-3.0 --sequences $(SEQUENCES) --seed $(RAPID_SEED) --min-fires $(MIN_FIRES) --json $(BIN)/check-impl.json --save $(BIN)/findings-impl
	$(BIN)/sesslife coverage --check docs/coverage.md --partial $(BIN)/check-impl.json
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^(TestConformanceOpenSSL|TestConformanceOpenSSLCallByCall|TestPlantedShimBugs|TestPlantedWolfSSLShimBugs|TestConformanceWolfSSL)$$' ./properties -rapid.checks=$(OPENSSL_TEST_SEQUENCES) -v
	$(GO) test -short -count=1 -timeout $(TEST_TIMEOUT) -run '$(UNRACED)' ./mutation -v

# check-openssl is the long conformance run against OpenSSL 3.0.
check-openssl: deps shim
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) -run '^TestConformanceOpenSSL$$' ./properties -rapid.checks=$(OPENSSL_SEQUENCES) -v

# test is everything CI runs: besides the checks above, the ClusterFuzzLite
# build run without Docker (cflite-build-test) and the wiring of the
# automatic mutation tool on one file (mutants-auto-smoke); the full
# mutants-auto run takes too long for it.
test: lint unit conformance cflite-build-test mutants-auto-smoke

# check is the main job: the oracle against every available target, one
# verdict line each (the last lines of the output); it fails if any fails,
# if a rule the profile can reach fired fewer than MIN_FIRES times, or if
# docs/coverage.md no longer matches the runs (make coverage-docs).
MIN_FIRES ?= 5
CHECK_RUNS := impl:openssl-3.0:$(SEQUENCES) openssl:openssl-3.0:$(OPENSSL_SEQUENCES) wolfssl:wolfssl-5.5:$(WOLFSSL_SEQUENCES) \
              boringssl:boringssl:$(BORINGSSL_SEQUENCES)
check coverage-docs: deps shim shim-wolfssl shim-boringssl trace
	@$(GO) build -o $(BIN)/sesslife ./cmd/sesslife
	@status=0; verdicts=""; reports=""; \
	for run in $(CHECK_RUNS); do \
	  IFS=: read t p n <<< "$$run"; \
	  out=$$($(BIN)/sesslife check --target $$t --profile $$p --sequences $$n --seed $(RAPID_SEED) \
	    --min-fires $(MIN_FIRES) --json $(BIN)/check-$$t.json --save $(BIN)/findings-$$t); rc=$$?; \
	  echo "$$out"; [ $$rc -eq 0 ] || status=1; reports="$$reports $(BIN)/check-$$t.json"; \
	  verdicts="$$verdicts$$(echo "$$out" | grep -E '^sesslife: (PASS|FAIL)')\n"; \
	done; \
	if [ $@ = coverage-docs ]; then $(BIN)/sesslife coverage --markdown docs/coverage.md $$reports; \
	else $(BIN)/sesslife coverage --check docs/coverage.md $$reports || status=1; fi; \
	echo; echo "sesslife: verdicts"; printf "$$verdicts"; exit $$status

check-impl: deps
	$(GO) run ./cmd/sesslife check --target impl --sequences $(SEQUENCES) --seed $(RAPID_SEED)

# bench-shim measures the shim protocol and the checked rate against
# OpenSSL beside the shim's raw rate for the same calls (docs/perf.md).
BENCH_COUNT ?= 1
BENCHTIME ?= 2s
bench-shim: deps shim shim-wolfssl
	SESSLIFE_SHIM_DIR=$(abspath $(BIN)) $(GO) test -run '^$$' -bench '^Benchmark(ShimMix|ProtocolCost|DecodeReply)$$' -benchtime $(BENCHTIME) -count $(BENCH_COUNT) ./target/subprocess

# fuzz runs every fuzz target for FUZZTIME each (go test -fuzz takes one
# target per package run) through sesslife-fuzz, which passes go test's
# output through and tells Go 1.26's fuzz-coordinator race at the deadline
# (golang/go#75804) apart from a finding (docs/fuzzing.md).
FUZZTIME ?= 20s
FUZZ_TARGETS := fuzz:FuzzDecodeImpl fuzz:FuzzRapidImpl fuzz:FuzzDecodeOpenSSL fuzz:FuzzRapidOpenSSL \
  target/subprocess/shimfuzz:FuzzShimReply target/subprocess/shimfuzz:FuzzShimHello scenario:FuzzParse
fuzz: deps shim
	@mkdir -p $(BIN); $(GO) build -o $(BIN)/sesslife-fuzz ./fuzz/cmd/sesslife-fuzz
	$(BIN)/sesslife-fuzz --go $(GO) --fuzztime $(FUZZTIME) --minimize-time 10s $(FUZZ_TARGETS)

# cflite-build-test runs .clusterfuzzlite/build.sh (the OSS-Fuzz and
# ClusterFuzzLite build) without Docker, into a temporary directory, with a
# stand-in for OSS-Fuzz's compile_native_go_fuzzer helper, and checks the
# fuzzers, their seed corpora, the OpenSSL shim and the libraries packaged
# beside them, then runs each fuzzer on its seed corpus and a few hundred
# inputs in all (.clusterfuzzlite/test/run.sh; docs/fuzzing.md). make test
# runs it: a count of inputs, never a time, bounds each fuzzer. deps-cflite
# installs clang, libFuzzer's runtime and unzip.
GO118FUZZBUILD_VERSION ?= v0.0.0-20250520111509-a70c2aa677fa
CFLITE_PACKAGES := clang libclang-rt-14-dev unzip
deps-cflite:
	@missing=""; for p in $(CFLITE_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "sesslife: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; fi

cflite-build-test: deps deps-cflite
	GO118FUZZBUILD_VERSION=$(GO118FUZZBUILD_VERSION) .clusterfuzzlite/test/run.sh

# mutants prints the kill table of every engine against every mutant
# (package mutation, `sesslife mutants`) and checks docs/mutants.md is
# current; mutants-docs regenerates it. Every budget is a count, never a
# time, so the table, the file and the exit status are the same on every
# run; progress and times go to stderr. rapid's column of the file comes
# from TestRapidKillsSequentialMutants (make unit).
mutants mutants-docs: deps
	@mkdir -p $(BIN); $(GO) build -o $(BIN)/sesslife ./cmd/sesslife; $(GO) build -race -o $(BIN)/sesslife-race ./cmd/sesslife
	$(BIN)/sesslife mutants $(if $(filter mutants-docs,$@),--markdown,--check) docs/mutants.md

# mutants-auto is the independent score: go-gremlins (a tool of go.mod)
# mutates package impl with every mutator it has and runs, for each mutant,
# the lockstep oracle alone (TestLockstepOracle, impl/oracle_test.go: a
# fixed seed and numbers of sequences, then a directed script); GOFLAGS selects that test for the
# coverage run and every mutant's run, and -count=1 keeps go test's cache
# from shortening the coverage run, whose time sets every mutant's timeout
# (GREMLINS_TIMEOUT_COEFFICIENT times it: generous, so that a loaded
# machine does not turn a survivor into a timeout). bin/gremlins-path/go
# (mutation/cmd/sesslife-gotest) stands in for go so that a mutant that
# does not compile is "not viable" rather than "killed", and a timed-out
# run leaves no process behind. sesslife-gremlins then prints the score and
# fails unless docs/mutants.md ("Automatic mutants") explains every mutant
# that was not killed. impl/mutants (the fault hooks of the built-in
# mutants) is left out. It takes half an hour to an hour, so CI does not run it.
GREMLINS_TIMEOUT_COEFFICIENT ?= 10
GREMLINS_WORKERS ?= 2
GREMLINS_MUTATORS := --arithmetic-base --conditionals-boundary --conditionals-negation --increment-decrement \
  --invert-assignments --invert-bitwise --invert-bwassign --invert-logical --invert-loopctrl --invert-negatives \
  --remove-self-assignments
GREMLINS_EXCLUDE ?= ^mutants/
GREMLINS_REPORT ?= $(BIN)/gremlins.json
GREMLINS_VERDICT ?= --check docs/mutants.md
mutants-auto: deps
	@mkdir -p $(BIN)/gremlins-path
	@$(GO) build -o $(BIN)/gremlins-path/go ./mutation/cmd/sesslife-gotest
	@$(GO) build -o $(BIN)/sesslife-gremlins ./mutation/cmd/sesslife-gremlins
	@$(GO) build -o $(BIN)/gremlins github.com/go-gremlins/gremlins/cmd/gremlins
	set -o pipefail; SESSLIFE_GO="$$(command -v $(GO))" PATH="$(abspath $(BIN))/gremlins-path:$$PATH" \
	  GOFLAGS="-mod=mod -count=1 -run=^TestLockstepOracle$$" \
	  $(BIN)/gremlins unleash $(GREMLINS_MUTATORS) --exclude-files '$(GREMLINS_EXCLUDE)' \
	  --timeout-coefficient $(GREMLINS_TIMEOUT_COEFFICIENT) --workers $(GREMLINS_WORKERS) \
	  --output $(abspath $(GREMLINS_REPORT)) ./impl | tee $(GREMLINS_REPORT:.json=.log)
	$(BIN)/sesslife-gremlins --source impl $(GREMLINS_VERDICT) $(GREMLINS_REPORT)

# mutants-auto-smoke is make test's check of that wiring: the same recipe,
# with every file of impl but $(GREMLINS_SMOKE_FILE) excluded (a few
# mutants, a couple of minutes), must run at least one mutant against the
# oracle to a verdict. Killed, lived and timed out all count, so a slow
# machine cannot change the outcome; a broken wrapper, a failing oracle or a
# mutator flag the tool no longer knows does.
GREMLINS_SMOKE_FILE := wire.go
GREMLINS_SMOKE_EXCLUDE := ^(mutants/.*|$(subst $(eval) ,|,$(subst .,\.,$(filter-out $(GREMLINS_SMOKE_FILE) %_test.go,$(notdir $(wildcard impl/*.go))))))$$
mutants-auto-smoke:
	@test -f impl/$(GREMLINS_SMOKE_FILE) || { echo "mutants-auto-smoke: impl/$(GREMLINS_SMOKE_FILE) is gone; pick another small file"; exit 1; }
	$(MAKE) --no-print-directory mutants-auto GREMLINS_EXCLUDE='$(GREMLINS_SMOKE_EXCLUDE)' \
	  GREMLINS_REPORT=$(BIN)/gremlins-smoke.json GREMLINS_VERDICT='--want-ran 1'

# lincheck checks concurrent histories of every available target against
# the model with porcupine: 8 clients, any number of them in a handshake at
# once; a violation or an unknown (a search that outgrew its step or memory
# budget, both counts) fails it.
lincheck: deps shim
	$(GO) run ./linearizability/cmd/sesslife-lincheck --runs 10 --clients 8 --handshakes 0

# bench-trace measures what the recorder costs a handshake-bound loop
# (trace/testdata/bench/handshakes.c, both ends in one process): CPU time
# per connection without and with it, alternating runs (docs/perf.md).
BENCH_HANDSHAKES ?= 2000
bench-trace: deps-trace trace
	@d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
	  -keyout $$d/key.pem -out $$d/cert.pem 2>/dev/null && \
	cc -O2 -o $$d/hs trace/testdata/bench/handshakes.c -lssl -lcrypto && \
	for v in 1.2 1.3; do for i in 1 2 3; do \
	  printf 'without: '; $$d/hs $$d/cert.pem $$d/key.pem $$v $(BENCH_HANDSHAKES); \
	  rm -rf $$d/t; mkdir $$d/t; printf 'with:    '; \
	  SESSLIFE_TRACE_DIR=$$d/t LD_PRELOAD=$(abspath $(BIN))/libsesslife-trace.so $$d/hs $$d/cert.pem $$d/key.pem $$v $(BENCH_HANDSHAKES); \
	done; done

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 2s ./properties ./impl

clean:
	rm -rf $(BIN)
