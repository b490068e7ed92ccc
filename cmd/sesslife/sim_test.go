package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const simClean = `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_3)
SSL_shutdown(c); SSL_shutdown(s)
SSL_free(c); SSL_free(s)
SSL_CTX_free(cctx); SSL_CTX_free(sctx)
`

const simUB = `sctx = SSL_CTX_new(server)
cctx = SSL_CTX_new(client, mode=CLIENT, new_cb=1, remove_cb)
c = SSL_new(cctx); s = SSL_new(sctx)
handshake(c, s, TLS1_3)
p = SSL_get0_session(c)
SSL_free(c)
SSL_SESSION_is_resumable(p)
SSL_free(s); SSL_CTX_free(cctx); SSL_CTX_free(sctx)
`

func TestSim(t *testing.T) {
	dir := t.TempDir()
	file := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	clean := file("clean.sim", simClean)
	ub := file("ub.sim", simUB)
	leak := file("leak.sim", "x = SSL_CTX_new(server)\n")
	bad := file("bad.sim", "sctx = SSL_CTX_new(server)\nSSL_new(sctx, 3)\n")
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string // a substring of stdout, or a pattern of stderr when code is 2
		stderr string
	}{
		{name: "clean", args: []string{clean}, code: exitOK, stdout: "verdict: clean\n"},
		{name: "clean with profile", args: []string{"--profile", "openssl-3.0", clean}, code: exitOK, stdout: "profile openssl-3.0, model only"},
		{name: "undefined behaviour", args: []string{ub}, code: exitDivergence,
			stdout: "!! undefined behaviour UB-DANGLING-SESSION (" + ub + ":7): p=sess1 was destroyed"},
		{name: "leak", args: []string{leak}, code: exitDivergence, stdout: "x=ctx1: SSL_CTX made at " + leak + ":1 never freed"},
		{name: "stdin", args: []string{"-"}, stdin: simUB, code: exitDivergence, stdout: "UB-DANGLING-SESSION at stdin:7"},
		{name: "malformed", args: []string{bad}, code: exitUsage,
			stderr: `^` + regexp.QuoteMeta(bad) + `:2:15: SSL_new takes 1 argument \(an SSL_CTX\), found 2 arguments\n$`},
		{name: "malformed stdin", args: []string{"-"}, stdin: "tick(", code: exitUsage,
			stderr: `^stdin:1:6: expected an argument \(a name, a number or now\), found end of file\n$`},
		{name: "unreadable", args: []string{filepath.Join(dir, "missing.sim")}, code: exitUsage, stderr: `sesslife sim: open .*missing.sim: no such file`},
		{name: "unknown flag", args: []string{"--fast", clean}, code: exitUsage, stderr: `flag provided but not defined: -fast`},
		{name: "no file", args: nil, code: exitUsage, stderr: `want one scenario file \(or - for standard input\), found 0 arguments`},
		{name: "two files", args: []string{clean, ub}, code: exitUsage, stderr: `found 2 arguments`},
		{name: "unknown profile", args: []string{"--profile", "nosuch", clean}, code: exitUsage, stderr: `unknown profile "nosuch"`},
		{name: "unknown target", args: []string{"--target", "nosuch", clean}, code: exitUsage, stderr: `unknown target "nosuch"`},
		{name: "missing shim", args: []string{"--target", "exec:" + filepath.Join(dir, "no-shim"), clean}, code: exitUsage, stderr: `no-shim`},
		{name: "side by side with impl", args: []string{"--target", "impl", clean}, code: exitOK,
			stdout: "side by side with impl"},
		{name: "help goes to stdout", args: []string{"-h"}, code: exitOK, stdout: `usage: sesslife sim`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := simMain(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout.String(), stderr.String())
			}
			if tc.stdout != "" && !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, stdout.String())
			}
			if tc.stderr != "" && !regexp.MustCompile(tc.stderr).MatchString(stderr.String()) {
				t.Errorf("stderr does not match %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}

// TestRunSimReadsFiles covers the entry point the command wires in.
func TestRunSimReadsFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.sim")
	if err := os.WriteFile(p, []byte(simClean), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runSim([]string{p}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
