//go:build linux

package subprocess

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/sesslife/sesslife/model"
)

// The wolfSSL shim serves every universe from a child forked from a
// pristine wolfSSL (shim/wolfssl/fresh.c). These tests check what the
// harness must still see through that: a fresh cache after each reset,
// a crash of the server as the shim's crash, and no process left behind.

// newWolf starts the wolfSSL shim; the test closes it.
func newWolf(t *testing.T) *Target {
	t.Helper()
	tg, err := New(needShim(t, wolfShim), WithTimeout(generous), withGraces(generous, generous))
	if err != nil {
		t.Fatal(err)
	}
	return tg.(*Target)
}

// servers lists the live children of the wolfSSL shim's keeper.
func servers(t *testing.T, keeper int) []procID {
	t.Helper()
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", keeper))
	var out []procID
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for _, c := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(c)
			if err == nil {
				if _, start, ok := procStat(pid); ok {
					out = append(out, procID{pid, start})
				}
			}
		}
	}
	return out
}

// handshakeOnce makes a client and a server SSL_CTX and one TLS 1.2
// handshake, which caches the server's session in wolfSSL's process-wide
// cache (so the next reset needs a fresh server).
func handshakeOnce(t *testing.T, tg *Target) {
	t.Helper()
	ctx := context.Background()
	ops := []model.Op{ctxNewOp(1, client(nil)), ctxNewOp(2, server(nil)), sslNew(3, 1), sslNew(4, 2),
		hs(3, 4, model.TLS12), {Kind: model.SessNumber, Ctx: 2}}
	for _, op := range ops {
		if _, err := tg.Apply(ctx, op); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
}

// TestWolfSSLResetForksAFreshServer: a reset after a handshake ends that
// universe's server and serves the next from a new one. That the new
// one's cache is empty is what every wolfSSL conformance run checks: the
// wolfssl-5.5 model starts each sequence with an empty cache.
func TestWolfSSLResetForksAFreshServer(t *testing.T) {
	t.Parallel()
	tg := newWolf(t)
	defer tg.Close()
	keeper := tg.proc.cmd.Process.Pid
	handshakeOnce(t, tg)
	first := servers(t, keeper)
	if len(first) != 1 {
		t.Fatalf("the keeper has %d servers, want 1", len(first))
	}
	if err := tg.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	handshakeOnce(t, tg)
	if waitGone(t, first[0], "the server of the universe before the reset"); len(servers(t, keeper)) != 1 {
		t.Errorf("the keeper has %d servers after a reset, want 1", len(servers(t, keeper)))
	}
}

func TestWolfSSLServerCrashIsTheShims(t *testing.T) {
	t.Parallel()
	tg := newWolf(t)
	keeper := identify(t, tg.proc.cmd.Process.Pid)
	handshakeOnce(t, tg)
	srv := servers(t, keeper.pid)
	if len(srv) != 1 {
		t.Fatalf("the keeper has %d servers, want 1", len(srv))
	}
	if err := syscall.Kill(srv[0].pid, syscall.SIGSEGV); err != nil {
		t.Fatal(err)
	}
	_, err := tg.Apply(context.Background(), model.Op{Kind: model.SessNumber, Ctx: 1})
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Status, "segmentation fault") {
		t.Fatalf("got %v, want a *CrashError naming the server's signal", err)
	}
	_ = tg.Close()
	waitGone(t, keeper, "the keeper of a crashed server")
	waitGone(t, srv[0], "the crashed server")
}

func TestWolfSSLCloseLeavesNoProcess(t *testing.T) {
	t.Parallel()
	tg := newWolf(t)
	keeper := identify(t, tg.proc.cmd.Process.Pid)
	handshakeOnce(t, tg)
	srv := servers(t, keeper.pid)
	if err := tg.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	waitGone(t, keeper, "the keeper after Close")
	for _, s := range srv {
		waitGone(t, s, "a server after Close")
	}
}
