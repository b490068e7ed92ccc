package trace_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the sesslife command and returns its output and exit status.
func cli(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(env.sesslife, args...)
	cmd.Env = append(os.Environ(), "SESSLIFE_TRACE_LIB="+env.recorder)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return b.String(), 0
	case errors.As(err, &ee):
		return b.String(), ee.ExitCode()
	}
	t.Fatal(err)
	return "", 0
}

// TestCLI checks sesslife trace's exit statuses and reports: 1 with a
// finding (and the JSON, HTML and kept trace files), the same findings
// again from the kept files with --from, 2 when nothing was seen or the
// command line is wrong.
func TestCLI(t *testing.T) {
	need(t)
	dir := t.TempDir()
	src, err := filepath.Abs(filepath.Join("testdata", "planted", "free_get0.c"))
	if err != nil {
		t.Fatal(err)
	}
	bug := filepath.Join(dir, "bug")
	build(t, src, bug, false)
	keep, html, js := filepath.Join(dir, "raw"), filepath.Join(dir, "html"), filepath.Join(dir, "r.json")

	out, code := cli(t, "trace", "--json", js, "--html", html, "--trace-dir", keep, "--", bug, env.cert, env.key)
	if code != 1 || !strings.Contains(out, "FINDING 1: UB-OVER-RELEASE") || !strings.Contains(out, "sesslife: FAIL") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	page, err := os.ReadFile(filepath.Join(html, "index.html"))
	if err != nil || !strings.Contains(string(page), "UB-OVER-RELEASE") || !strings.Contains(string(page), "free_get0.c") {
		t.Errorf("index.html: %v\n%.500s", err, page)
	}
	if _, err := os.Stat(js); err != nil {
		t.Error(err)
	}

	again, code := cli(t, "trace", "--from", keep)
	if code != 1 || !strings.Contains(again, "FINDING 1: UB-OVER-RELEASE") {
		t.Errorf("--from: exit %d\n%s", code, again)
	}

	if out, code := cli(t, "trace", "--", "/bin/true"); code != 2 || !strings.Contains(out, "NOTHING SEEN") {
		t.Errorf("a program without TLS: exit %d\n%s", code, out)
	}
	if out, code := cli(t, "trace"); code != 2 || !strings.Contains(out, "give either") {
		t.Errorf("no program: exit %d\n%s", code, out)
	}
	if out, code := cli(t, "trace", "--from", keep, "--", "/bin/true"); code != 2 {
		t.Errorf("both --from and a program: exit %d\n%s", code, out)
	}
	if out, code := cli(t, "trace", "--", filepath.Join(dir, "missing")); code != 2 || !strings.Contains(out, "missing") {
		t.Errorf("a missing program: exit %d\n%s", code, out)
	}
}
