package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayFollowsTheTargetsProfile: without --profile, replay and sim
// hold a target to the profile its hello names, as check does (the wolfSSL
// shim: wolfssl-5.5, under which a new server SSL already holds a session,
// W1); --profile overrides it with check's note (make shim-wolfssl builds
// the shim; CI=true requires it).
func TestReplayFollowsTheTargetsProfile(t *testing.T) {
	shim := builtShim(t, "sesslife-shim-wolfssl", "make shim-wolfssl")
	file := filepath.Join(t.TempDir(), "w1.sim")
	src := "ctx1 = SSL_CTX_new(server)\nssl1 = SSL_new(ctx1)\nSSL_get0_session(ssl1)\nSSL_free(ssl1)\nSSL_CTX_free(ctx1)\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"replay", "sim"} {
		code, out, errOut := runCLI(cmd, "--target", "exec:"+shim, file)
		if code != exitOK || !strings.Contains(out, "wolfssl-5.5") || strings.Contains(errOut, "note:") {
			t.Errorf("%s without --profile: exit %d, want %d against wolfssl-5.5\nstdout:\n%s\nstderr:\n%s", cmd, code, exitOK, out, errOut)
		}
		code, out, errOut = runCLI(cmd, "--target", "exec:"+shim, "--profile", "openssl-3.0", file)
		if code != exitDivergence || !strings.Contains(errOut, `names the profile "wolfssl-5.5"; checking it against "openssl-3.0" as --profile says`) {
			t.Errorf("%s --profile openssl-3.0: exit %d, want %d with a note\nstdout:\n%s\nstderr:\n%s", cmd, code, exitDivergence, out, errOut)
		}
	}
}

// TestReplayNamesWhereAReportIsWrong: a JSON file that is not a report is
// a usage error that says where it goes wrong, not a scenario whose
// first line fails to parse.
func TestReplayNamesWhereAReportIsWrong(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, src, want string }{
		{"no schema", `{"run": {}}`, `no.json: JSON but not a sesslife check report (it has no "schema")`},
		{"cut short", "{\n \"schema\": ", `no.json:2:12: JSON but not a sesslife check report (unexpected end of JSON input)`},
		{"wrong type", "{\"schema\": \"sesslife-report/1\",\n \"findings\": [{\"n\": \"one\"}]}", `no.json:2:21: JSON but not a sesslife check report ("findings.n" is a string where a report has an integer)`},
	} {
		file := filepath.Join(dir, "no.json")
		if err := os.WriteFile(file, []byte(tc.src), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI("replay", "--target", "impl", file)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, errOut, exitUsage, tc.want)
		}
	}
}

// TestReportReadersNameThePlace: coverage and merge read reports the same
// way, naming the line and column of what is wrong.
func TestReportReadersNameThePlace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(file, []byte("{\"schema\": \"sesslife-report/1\",\n \"run\": 5}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range [][]string{{"coverage", file}, {"merge", file}} {
		code, _, errOut := runCLI(cmd...)
		want := `bad.json:2:9: not a report of sesslife check ("run" is a number where a report has an object)`
		if code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", cmd[0], code, errOut, exitUsage, want)
		}
	}
}

// TestTargetThatDoesNotQuitCleanly: a target that agrees on every call
// but exits non-zero when told to quit fails check and replay (docs/
// protocol.md §1), with how it ended and, for check, a rerun command;
// the same shim exiting 0 passes.
func TestTargetThatDoesNotQuitCleanly(t *testing.T) {
	wrapper, sim := wrappedShim(t, "exits3.sh", "\"$SHIM\" \"$@\"\nexit ${QUIT_STATUS:-0}\n")
	for _, status := range []string{"0", "3"} {
		env := []string{"--shim-env", "QUIT_STATUS=" + status}
		code, out, errOut := runCLI(append(append([]string{"replay", "--target", "exec:" + wrapper}, env...), sim)...)
		want, wantCode := "sesslife: PASS", exitOK
		if status != "0" {
			want, wantCode = "did not end cleanly when told to quit", exitDivergence
		}
		if code != wantCode || !strings.Contains(out, want) {
			t.Errorf("replay, quit status %s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", status, code, wantCode, want, out, errOut)
		}
		code, out, errOut = runCLI(append([]string{"check", "--target", "exec:" + wrapper, "--sequences", "3", "--seed", "1"}, env...)...)
		if status != "0" {
			want = "the target did not end cleanly when told to quit after sequence 2"
		}
		if code != wantCode || !strings.Contains(out, want) || (status != "0" && !strings.Contains(out, "exit status 3")) {
			t.Errorf("check, quit status %s: exit %d, want %d and %q\nstdout:\n%s\nstderr:\n%s", status, code, wantCode, want, out, errOut)
		}
	}
}

// TestReplayShowsTheShimsStderr: what a shim says on stderr (why a call
// failed) is shown after the replay and after sim's listing, never lost.
func TestReplayShowsTheShimsStderr(t *testing.T) {
	wrapper, sim := wrappedShim(t, "talks.sh", "echo 'talks.sh: a word from the shim' >&2\nexec \"$SHIM\" \"$@\"\n")
	const want = "the shim wrote on stderr:\n    talks.sh: a word from the shim\n"
	for _, cmd := range []string{"replay", "sim"} {
		code, out, errOut := runCLI(cmd, "--target", "exec:"+wrapper, sim)
		if code != exitOK || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr lacks %q\nstdout:\n%s\nstderr:\n%s", cmd, code, want, out, errOut)
		}
	}
}

// wrappedShim writes a shell script named name that runs body with $SHIM
// set to the built OpenSSL shim, and a scenario of two calls to replay
// through it.
func wrappedShim(t *testing.T, name, body string) (wrapper, sim string) {
	t.Helper()
	shim := builtShim(t, "sesslife-shim-openssl", "make shim")
	dir := t.TempDir()
	wrapper, sim = filepath.Join(dir, name), filepath.Join(dir, "one.sim")
	script := "#!/bin/sh\nSHIM='" + shim + "'\n" + body
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sim, []byte("ctx1 = SSL_CTX_new(server)\nSSL_CTX_free(ctx1)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return wrapper, sim
}
