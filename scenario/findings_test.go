package scenario

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target"
	"github.com/sesslife/sesslife/target/subprocess"
)

// findingShim starts bin/NAME. Without it the test is skipped on a
// developer's machine and fails under CI=true.
func findingShim(t *testing.T, name string) target.Target {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join("..", "bin", name))
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing under CI=true (make shim shim-wolfssl): %v", path, err)
		}
		t.Skipf("%s not built; skipping the findings run", path)
	}
	tgt, err := subprocess.New(path)
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt
}

// TestFindings runs every docs/scenarios/findings/*.sim three ways, which is
// what makes each one a finding of docs/findings.md: the openssl-3.0 model
// against OpenSSL must be clean; the wolfssl-5.5 model against wolfSSL must
// be clean, or only leave calls out when the header says "# wolfssl-5.5:
// unmodelled"; and the openssl-3.0 model against wolfSSL must find
// differences (or a failing target).
func TestFindings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "scenarios", "findings", "*.sim"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no findings in docs/scenarios/findings: %v", err)
	}
	ossl, wolf := findingShim(t, "sesslife-shim-openssl"), findingShim(t, "sesslife-shim-wolfssl")
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".sim"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wolfVerdict := headerValue(t, src, "# wolfssl-5.5:")
			s, err := Parse(filepath.Base(path), src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			run := func(p model.Profile, tgt target.Target) (*Report, string) {
				var out bytes.Buffer
				rep, err := Run(context.Background(), s, Options{Profile: p, Target: tgt}, &out)
				if err != nil {
					t.Fatal(err)
				}
				return rep, out.String()
			}
			if rep, out := run(model.OpenSSL30(), ossl); !rep.Clean() {
				t.Errorf("openssl-3.0 against OpenSSL is not clean (%s):\n%s", rep.Verdict(), out)
			}
			rep, out := run(model.WolfSSL55(), wolf)
			switch {
			case wolfVerdict == "clean" && !rep.Clean():
				t.Errorf("wolfssl-5.5 against wolfSSL is not clean (%s):\n%s", rep.Verdict(), out)
			case wolfVerdict == "unmodelled" && (len(rep.Unmodelled) == 0 || len(rep.Differences) > 0 ||
				rep.TargetFailure != nil || len(rep.Undefined) > 0 || len(rep.Leaks) > 0):
				t.Errorf("wolfssl-5.5 against wolfSSL: want only calls left out (%s):\n%s", rep.Verdict(), out)
			case wolfVerdict != "clean" && wolfVerdict != "unmodelled":
				t.Fatalf("bad header \"# wolfssl-5.5: %s\" (want clean or unmodelled)", wolfVerdict)
			}
			if rep, out := run(model.OpenSSL30(), wolf); len(rep.Differences) == 0 && rep.TargetFailure == nil {
				t.Errorf("openssl-3.0 against wolfSSL shows no difference:\n%s", out)
			}
		})
	}
}

// TestFindingsCiteKnownRules: each finding cites rules of docs/spec.md.
func TestFindingsCiteKnownRules(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "docs", "spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "docs", "scenarios", "findings", "*.sim"))
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		ids := strings.Fields(headerValue(t, src, "# rules (docs/spec.md):"))
		if len(ids) == 0 {
			t.Errorf("%s cites no rule of docs/spec.md", filepath.Base(path))
		}
		for _, id := range ids {
			if !regexp.MustCompile(`(?m)^\| *` + regexp.QuoteMeta(id) + ` *\|`).Match(spec) {
				t.Errorf("%s cites %s, which is not a rule of docs/spec.md", filepath.Base(path), id)
			}
		}
	}
}

// headerValue returns what follows prefix on the header line that starts
// with it, failing when there is none.
func headerValue(t *testing.T, src []byte, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok {
			return strings.TrimSpace(rest)
		}
	}
	t.Fatalf("no %q line in the header", prefix)
	return ""
}
