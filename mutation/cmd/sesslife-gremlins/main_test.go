package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture writes a source directory with one file and a gremlins report
// about it; it returns the report's path and the source directory.
func fixture(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "impl")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	code := "package impl\n\nfunc f(a, b int) bool {\n\treturn a < b || a == 0\n}\n"
	if err := os.WriteFile(filepath.Join(src, "f.go"), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	report := `{"go_module":"m","elapsed_time":75.4,"files":[{"file_name":"f.go","mutations":[
		{"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":4,"column":11},
		{"type":"CONDITIONALS_NEGATION","status":"KILLED","line":4,"column":11},
		{"type":"INVERT_LOGICAL","status":"TIMED OUT","line":4,"column":15},
		{"type":"CONDITIONALS_NEGATION","status":"NOT COVERED","line":4,"column":20}]}]}`
	p := filepath.Join(dir, "gremlins.json")
	if err := os.WriteFile(p, []byte(report), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, src
}

func TestScore(t *testing.T) {
	p, src := fixture(t)
	var out, errb bytes.Buffer
	if rc := run([]string{"--source", src, p}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	for _, want := range []string{
		"4 mutants in 1m15s: 1 killed, 1 lived, 1 timed out, 0 not viable, 1 not covered",
		"efficacy 50.00 %", "mutator coverage 66.67 %",
		"lived (1)", "timed out (1)", "not covered (1)",
		"`return a < b || a == 0`",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	run([]string{"--markdown", "--source", src, p}, &out, &errb)
	if !strings.Contains(out.String(), "| `"+filepath.ToSlash(src)+"/f.go:4:11` | CONDITIONALS_BOUNDARY | `return a < b \\|\\| a == 0` |") {
		t.Errorf("markdown row missing or unescaped:\n%s", out.String())
	}
}

func TestCheck(t *testing.T) {
	p, src := fixture(t)
	id := func(col int) string { return fmt.Sprintf("`%s/f.go:4:%d`", filepath.ToSlash(src), col) }
	doc := filepath.Join(t.TempDir(), "mutants.md")
	write := func(s string) {
		if err := os.WriteFile(doc, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Named outside the section, or with another mutator: not explained.
	write(id(11) + " CONDITIONALS_BOUNDARY\n## Automatic mutants\n\n" + id(15) + " INVERT_LOGICAL: a loop\n" +
		id(20) + " INVERT_LOGICAL\n## Next\n" + id(20) + " CONDITIONALS_NEGATION\n")
	var out, errb bytes.Buffer
	if rc := run([]string{"--source", src, "--check", doc, p}, &out, &errb); rc != 1 {
		t.Fatalf("rc %d, want 1: %s%s", rc, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "does not explain 2 mutants") || !strings.Contains(out.String(), "f.go:4:20 CONDITIONALS_NEGATION NOT COVERED") {
		t.Errorf("output:\n%s", out.String())
	}
	write("## Automatic mutants\n\n| " + id(11) + " | CONDITIONALS_BOUNDARY | equivalent |\n" + id(15) + " INVERT_LOGICAL\n" +
		id(20) + " CONDITIONALS_NEGATION\n### more\n")
	out.Reset()
	if rc := run([]string{"--source", src, "--check", doc, p}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d, want 0: %s%s", rc, out.String(), errb.String())
	}
	write("# no section\n")
	if rc := run([]string{"--source", src, "--check", doc, p}, &out, &errb); rc != 2 || !strings.Contains(errb.String(), "Automatic mutants") {
		t.Errorf("without the section: rc %d, %s", rc, errb.String())
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	for _, c := range []struct{ body, want string }{
		{"{", "bad.json"},
		{`{"files":[]}`, "no mutants"},
		{`{"files":[{"file_name":"f.go","mutations":[{"type":"X","status":"ODD","line":1,"column":1}]}]}`, `f.go:1:1: unknown status "ODD"`},
	} {
		if err := os.WriteFile(bad, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		if rc := run([]string{bad}, &out, &errb); rc != 2 || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s: rc %d, stderr %q; want 2 and %q", c.body, rc, errb.String(), c.want)
		}
	}
	var out, errb bytes.Buffer
	if rc := run(nil, &out, &errb); rc != 2 || !strings.Contains(errb.String(), "usage") {
		t.Errorf("no argument: rc %d, %q", rc, errb.String())
	}
}

// TestWantRan: --want-ran counts the mutants run against the test (killed,
// lived, timed out), not those left out (not covered, not viable).
func TestWantRan(t *testing.T) {
	p, src := fixture(t)
	var out, errb bytes.Buffer
	if rc := run([]string{"--source", src, "--want-ran", "3", p}, &out, &errb); rc != 0 {
		t.Errorf("--want-ran 3 with 3 run: rc %d: %s%s", rc, out.String(), errb.String())
	}
	out.Reset()
	if rc := run([]string{"--source", src, "--want-ran", "4", p}, &out, &errb); rc != 1 || !strings.Contains(out.String(), "3 mutants were run against the test, want at least 4") {
		t.Errorf("--want-ran 4 with 3 run: rc %d: %s", rc, out.String())
	}
	if rc := run([]string{"--want-ran", "-1", p}, &out, &errb); rc != 2 {
		t.Errorf("--want-ran -1: rc %d, want 2", rc)
	}
}
