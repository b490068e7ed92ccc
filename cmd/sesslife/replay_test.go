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
