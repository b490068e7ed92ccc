package trace_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/trace"
)

// planted lists the programs of testdata/planted, each with the one rule
// its misuse breaks. The line is the one marked BUG in the source.
var planted = []struct {
	name string
	rule model.Rule
}{
	{"dangling-get0", model.RuleUBDanglingSession},
	{"get1-leak", model.RuleAppLeakRef},
	{"free-get0", model.RuleUBOverRelease},
	{"double-free", model.RuleUBOverRelease},
	{"newcb-leak", model.RuleAppLeakRef},
	{"getcb-copy-leak", model.RuleCBGetCopy},
	{"cross-ctx", model.RuleUBCrossContext},
	{"tls13-twice", model.RuleHS13ClientSingleUse},
	{"bio-leak", model.RuleAppLeakRef},
}

// bugLine returns the line of src marked "BUG".
func bugLine(t *testing.T, src string) int {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.Contains(sc.Text(), "BUG") {
			return n
		}
	}
	t.Fatalf("%s has no line marked BUG", src)
	return 0
}

// build compiles a planted program with debug information.
func build(t *testing.T, src, out string, fixed bool) {
	t.Helper()
	args := []string{"-g", "-O0", "-Wall", "-o", out, src, "-lssl", "-lcrypto"}
	if fixed {
		args = append([]string{"-DFIXED"}, args...)
	}
	if b, err := exec.Command("cc", args...).CombinedOutput(); err != nil {
		t.Fatalf("cc %s: %v\n%s", src, err, b)
	}
}

func runTraced(t *testing.T, argv ...string) *trace.Report {
	t.Helper()
	var out bytes.Buffer
	rep, err := trace.Run(context.Background(), argv, trace.Options{Recorder: env.recorder, Dir: t.TempDir(), Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return rep
}

// TestPlanted runs every planted program under the recorder: the misuse is
// found with its rule at the line marked BUG, the program still runs to
// its end (the recorder did not forward what would have crashed it), and
// the fixed program is clean, with the session calls it made counted.
func TestPlanted(t *testing.T) {
	need(t)
	for _, p := range planted {
		t.Run(p.name, func(t *testing.T) {
			src, err := filepath.Abs(filepath.Join("testdata", "planted", strings.ReplaceAll(p.name, "-", "_")+".c"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			bug, fixed := filepath.Join(dir, "bug"), filepath.Join(dir, "fixed")
			build(t, src, bug, false)
			build(t, src, fixed, true)

			rep := runTraced(t, bug, env.cert, env.key)
			if *rep.Status != 0 {
				t.Errorf("the planted program exited with %d under the recorder", *rep.Status)
			}
			if len(rep.Findings) != 1 {
				t.Fatalf("want one finding, got %d: %v\n%s", len(rep.Findings), rep.Rules(), text(rep))
			}
			f := rep.Findings[0]
			if f.Rule != p.rule {
				t.Errorf("rule %s, want %s\n%s", f.Rule, p.rule, text(rep))
			}
			if want := bugLine(t, src); filepath.Base(f.Fix.File) != filepath.Base(src) || f.Fix.Line != want {
				t.Errorf("fix at %s, want %s:%d\n%s", f.Fix, filepath.Base(src), want, text(rep))
			}
			if len(f.History) == 0 {
				t.Errorf("the finding has no history")
			}

			rep = runTraced(t, fixed, env.cert, env.key)
			if rep.Verdict() != trace.VerdictPass || *rep.Status != 0 {
				t.Errorf("fixed program: %s, exit %d\n%s", rep.Verdict(), *rep.Status, text(rep))
			}
			if rep.Counts.SessionCalls() < 5 || rep.Counts.Events["hs"] < 2 {
				t.Errorf("fixed program: the recorder saw only %d session calls and %d handshakes", rep.Counts.SessionCalls(), rep.Counts.Events["hs"])
			}
		})
	}
}

func text(r *trace.Report) string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}
