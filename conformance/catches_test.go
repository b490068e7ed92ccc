package conformance_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/conformance"
	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
)

// lender is the reference simulator with one bug: SSL_get0_session takes a
// reference (the classic confusion of get0 with get1).
type lender struct{ target.Target }

func (l lender) Apply(ctx context.Context, op model.Op) (model.Result, error) {
	res, err := l.Target.Apply(ctx, op)
	if err == nil && op.Kind == model.Get0 && res.Ret != 0 {
		_, err = l.Target.Apply(ctx, model.Op{Kind: model.UpRef, Sess: model.Handle(res.Ret)})
	}
	return res, err
}

// The checklist: the subtests Run makes, named after what they check.
var checklist = []string{
	"lockstep/openssl-3.0/rapid-random-sequences",
	"lockstep/openssl-3.0/gopter-command-sequences",
}

// TestBrokenTarget is run only as a child of TestRunCatchesBug.
func TestBrokenTarget(t *testing.T) {
	if os.Getenv("SESSLIFE_CONFORMANCE_CHILD") != "broken" {
		t.Skip("run by TestRunCatchesBug")
	}
	conformance.Run(t, func(t *testing.T) target.Target { return lender{impl.NewTarget()} })
}

// TestQuietTarget is run only as a child of TestRunIsQuiet.
func TestQuietTarget(t *testing.T) {
	if os.Getenv("SESSLIFE_CONFORMANCE_CHILD") != "quiet" {
		t.Skip("run by TestRunIsQuiet")
	}
	conformance.Run(t, func(t *testing.T) target.Target { return impl.NewTarget() },
		conformance.WithCalls(5, 10), conformance.WithCommandRuns(5))
}

// child runs one test of this binary in a child process (a failing subtest
// cannot be observed from inside) and returns its output and whether it
// passed.
func child(t *testing.T, test, mode string, args ...string) (string, bool) {
	t.Helper()
	args = append([]string{"-test.run=^" + test + "$", "-rapid.nofailfile"}, args...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SESSLIFE_CONFORMANCE_CHILD="+mode)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run %s: %v", test, err)
	}
	return string(out), err == nil
}

// TestRunCatchesBug runs Run against a broken target and checks that every
// check of the checklist runs under its name and fails with a reproducer.
func TestRunCatchesBug(t *testing.T) {
	out, passed := child(t, "TestBrokenTarget", "broken", "-test.v")
	if passed {
		t.Fatalf("Run passed a target whose get0 takes a reference:\n%s", out)
	}
	want := []string{"SSL_get0_session", "To reproduce"}
	for _, name := range checklist {
		want = append(want, "--- FAIL: TestBrokenTarget/"+name+" ")
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// gopter's report goes through t.Log: indented under the test, never
	// at the start of a line of the binary's output.
	if !strings.Contains(out, "! model and impl agree: Falsified") {
		t.Errorf("gopter's report is missing:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "! model and") || strings.HasPrefix(line, "+ model and") {
			t.Errorf("gopter wrote to standard output: %q", line)
		}
	}
}

// TestRunIsQuiet: a passing Run prints nothing of its own without -v (gopter
// does not write to standard output), and with -v each check of the
// checklist runs under its name.
func TestRunIsQuiet(t *testing.T) {
	out, passed := child(t, "TestQuietTarget", "quiet", "-rapid.checks=5")
	if !passed || strings.TrimSpace(out) != "PASS" {
		t.Errorf("a passing Run printed more than PASS:\n%s", out)
	}
	out, passed = child(t, "TestQuietTarget", "quiet", "-rapid.checks=5", "-test.v")
	if !passed {
		t.Fatalf("Run failed on the reference simulator:\n%s", out)
	}
	for _, name := range checklist {
		if !strings.Contains(out, "--- PASS: TestQuietTarget/"+name+" ") {
			t.Errorf("output lacks subtest %s:\n%s", name, out)
		}
	}
}
