# sesslife — the make targets are the contract (see README.md).
#
#   make check          the main job: the oracle against every available target
#   make test           every test, plus gofmt, go vet, staticcheck and -race
#   make check-openssl  the long conformance run against OpenSSL 3.0
#
# Both set-up commands install what they need on a fresh Debian 12 machine
# (libssl-dev through apt-get when missing, Go modules through go mod download).

SHELL     := /bin/bash
GO        ?= go
CC        ?= cc
BIN       := bin
SHIM_SRC  := $(wildcard shim/openssl/*.c shim/openssl/*.h)
SHIM      := $(BIN)/sesslife-shim-openssl
SHIM_FLAGS := -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE -pthread
SHIM_LIBS := -lssl -lcrypto
# How many random sequences the long conformance runs draw.
SEQUENCES ?= 10000
OPENSSL_SEQUENCES ?= 2000

export GOFLAGS ?= -mod=mod
# rapid's seed: fixed so that CI is repeatable; override to explore
# (make test RAPID_SEED=123). rapid prints it with every failure.
export RAPID_SEED ?= 20261124

.PHONY: all deps test check check-impl check-openssl shim shim-variants lint unit conformance bench clean

all: check

# deps installs what the project needs and is missing: Debian's OpenSSL
# headers (for the shim) and the Go modules.
deps:
	@dpkg -s libssl-dev >/dev/null 2>&1 || { \
	  echo "sesslife: installing libssl-dev"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libssl-dev >/dev/null; }
	@$(GO) mod download

shim: $(SHIM)

$(SHIM): $(SHIM_SRC) | deps
	@mkdir -p $(BIN)
	$(CC) $(SHIM_FLAGS) -o $@ $(filter %.c,$(SHIM_SRC)) $(SHIM_LIBS)

# The sanitizer build and the planted-bug builds the harness must catch.
shim-variants: $(SHIM_SRC) | deps
	@mkdir -p $(BIN)
	$(CC) $(SHIM_FLAGS) -g -fsanitize=address -fno-omit-frame-pointer -o $(BIN)/sesslife-shim-openssl-asan $(filter %.c,$(SHIM_SRC)) $(SHIM_LIBS)
	for n in 1 2 3; do \
	  $(CC) $(SHIM_FLAGS) -g -fsanitize=address -fno-omit-frame-pointer -DSHIM_BUG=$$n -o $(BIN)/sesslife-shim-openssl-bug$$n $(filter %.c,$(SHIM_SRC)) $(SHIM_LIBS) || exit 1; \
	done

lint: deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# unit runs every package's tests under the race detector (short mode keeps
# the random runs small there).
unit: deps shim
	$(GO) test -race -short -count=1 ./...

# conformance runs the long random runs without the race detector:
# model vs reference simulator on $(SEQUENCES) sequences of 50..100 calls.
conformance: deps
	$(GO) test -count=1 -run '^TestConformanceImpl$$' ./properties -rapid.checks=$(SEQUENCES) -v

test: lint unit conformance

# check is the main job: one verdict line per available target.
check: deps shim
	$(GO) run ./cmd/sesslife check --target impl --sequences $(SEQUENCES)

check-impl: deps
	$(GO) run ./cmd/sesslife check --target impl --sequences $(SEQUENCES)

bench: deps
	$(GO) test -run '^$$' -bench . -benchtime 2s ./properties ./impl

clean:
	rm -rf $(BIN)
