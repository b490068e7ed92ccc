package conformance_test

import (
	"context"
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

// TestBrokenTarget is run only as a child of TestRunCatchesBug.
func TestBrokenTarget(t *testing.T) {
	if os.Getenv("SESSLIFE_CONFORMANCE_CHILD") != "1" {
		t.Skip("run by TestRunCatchesBug")
	}
	conformance.Run(t, func(t *testing.T) target.Target { return lender{impl.NewTarget()} })
}

// TestRunCatchesBug runs Run against a broken target in a child process
// (a failing subtest cannot be observed from inside) and checks that it
// fails with a reproducer.
func TestRunCatchesBug(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenTarget$", "-test.v", "-rapid.nofailfile")
	cmd.Env = append(os.Environ(), "SESSLIFE_CONFORMANCE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("Run passed a target whose get0 takes a reference:\n%s", out)
	}
	for _, want := range []string{"--- FAIL: TestBrokenTarget/Sequential", "SSL_get0_session", "To reproduce"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
