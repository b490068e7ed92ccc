package scenario

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
)

// TestWorkedExamplesAgainstOpenSSL runs every docs/scenarios/*.sim side by
// side with OpenSSL through its shim: the worked examples are claims about
// OpenSSL 3.0, so the library must do exactly what the model says on every
// call the model sends it (calls the model refuses are never sent).
func TestWorkedExamplesAgainstOpenSSL(t *testing.T) {
	ossl := findingShim(t, "sesslife-shim-openssl")
	files, err := filepath.Glob(filepath.Join("..", "docs", "scenarios", "*.sim"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no worked examples: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".sim"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Parse(filepath.Base(path), src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			var out bytes.Buffer
			rep, err := Run(context.Background(), s, Options{Profile: model.OpenSSL30(), Target: ossl, CallTimeout: testwait.Budget(t)}, &out)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Differences) > 0 || rep.TargetFailure != nil || len(rep.NotSent) > 0 {
				t.Errorf("OpenSSL does not do what the model says (%s):\n%s", rep.Verdict(), out.String())
			}
		})
	}
}
