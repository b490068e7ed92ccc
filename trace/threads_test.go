package trace_test

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestThreads: a correct program whose four threads make connections at
// the same time is clean, and every handshake and call of every thread is
// in the trace (one file, records of four threads, ordered by the shared
// sequence number).
func TestThreads(t *testing.T) {
	need(t)
	bin := filepath.Join(t.TempDir(), "threads")
	if b, err := exec.Command("cc", "-g", "-O0", "-pthread", "-o", bin, filepath.Join("testdata", "threads", "threads.c"), "-lssl", "-lcrypto").CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, b)
	}
	r := runTraced(t, bin, env.cert, env.key)
	if r.Verdict() != "PASS" || *r.Status != 0 {
		t.Fatalf("%s, exit %d\n%s", r.Verdict(), *r.Status, text(r))
	}
	if r.Counts.Events["hs"] != 4*20*2 || r.Counts.Calls["SSL_set_session"] != 4*19 || r.Counts.Calls["SSL_get1_session"] != 4*20 || r.Counts.Events["resumed"] != 4*19*2 {
		t.Errorf("counts: calls %v, events %v", r.Counts.Calls, r.Counts.Events)
	}
}
