package scenario

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
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
			t.Fatalf("%s is missing under CI=true (make shim shim-wolfssl shim-boringssl): %v", path, err)
		}
		t.Skipf("%s not built; skipping the findings run", path)
	}
	tgt, err := subprocess.New(path, subprocess.WithTimeout(testwait.Budget(t))) // only a hang reaches it
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() { tgt.Close() })
	return tgt
}

// libraryRun is one library every finding scenario runs against with its
// own profile, and the header line that says what that run must give.
type libraryRun struct {
	shim    string
	profile model.Profile
	header  string
	finding string // the prefix of the ids of the library's findings
}

// TestFindings runs every docs/scenarios/findings/*.sim against each of
// the three libraries, which is what makes each one a finding of
// docs/findings.md and lets the cross-library table there link it: the
// openssl-3.0 model against OpenSSL must be clean; the wolfssl-5.5 model
// against wolfSSL and the boringssl model against BoringSSL must be clean,
// or only leave calls out when the header says "unmodelled" ("#
// wolfssl-5.5:", "# boringssl:"); and the openssl-3.0 model against the
// library of the finding (W: wolfSSL, B: BoringSSL, from "# finding ...:")
// must find differences (or a failing target).
func TestFindings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "scenarios", "findings", "*.sim"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no findings in docs/scenarios/findings: %v", err)
	}
	ossl := findingShim(t, "sesslife-shim-openssl")
	libs := []libraryRun{
		{"sesslife-shim-wolfssl", model.WolfSSL55(), "# wolfssl-5.5:", "W"},
		{"sesslife-shim-boringssl", model.BoringSSL(), "# boringssl:", "B"},
	}
	targets := map[string]target.Target{}
	for _, l := range libs {
		targets[l.shim] = findingShim(t, l.shim)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".sim"), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			id := findingID(t, src)
			s, err := Parse(filepath.Base(path), src)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			run := func(p model.Profile, tgt target.Target) (*Report, string) {
				var out bytes.Buffer
				rep, err := Run(context.Background(), s, Options{Profile: p, Target: tgt, CallTimeout: testwait.Budget(t)}, &out)
				if err != nil {
					t.Fatal(err)
				}
				return rep, out.String()
			}
			if rep, out := run(model.OpenSSL30(), ossl); !rep.Clean() {
				t.Errorf("openssl-3.0 against OpenSSL is not clean (%s):\n%s", rep.Verdict(), out)
			}
			found := false
			for _, l := range libs {
				rep, out := run(l.profile, targets[l.shim])
				judge(t, src, l.header, l.profile.Name+" against its library", rep, out)
				if !strings.HasPrefix(id, l.finding) {
					continue
				}
				found = true
				if rep, out := run(model.OpenSSL30(), targets[l.shim]); len(rep.Differences) == 0 && rep.TargetFailure == nil {
					t.Errorf("openssl-3.0 against %s shows no difference:\n%s", l.shim, out)
				}
			}
			if strings.HasPrefix(id, "O") {
				found = true
				findingsOn32(t, id, src, run)
			}
			if !found {
				t.Errorf("finding %s is of no library (want W… for wolfSSL, B… for BoringSSL, O… for OpenSSL 3.2+)", id)
			}
		})
	}
}

// openssl32Env names a shim built against OpenSSL 3.2 or later. Debian 12
// has no such libssl, so make test cannot run the O findings against one;
// a developer who has built one (docs/findings.md, "OpenSSL 3.2 and later
// against OpenSSL 3.0") sets it to replay them.
const openssl32Env = "SESSLIFE_OPENSSL32_SHIM"

// findingsOn32 replays finding id of OpenSSL 3.2+ against the shim
// $SESSLIFE_OPENSSL32_SHIM when it is set: the openssl-3.2 model must give
// what the "# openssl-3.2:" header says, and the openssl-3.0 model must
// find differences.
func findingsOn32(t *testing.T, id string, src []byte, run func(model.Profile, target.Target) (*Report, string)) {
	t.Helper()
	path := os.Getenv(openssl32Env)
	if path == "" {
		t.Logf("%s unset: finding %s is not replayed against OpenSSL 3.2+", openssl32Env, id)
		return
	}
	tgt, err := subprocess.New(path, subprocess.WithTimeout(testwait.Budget(t))) // only a hang reaches it
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	defer tgt.Close()
	rep, out := run(model.OpenSSL32(), tgt)
	judge(t, src, "# openssl-3.2:", "openssl-3.2 against "+path, rep, out)
	if rep, out := run(model.OpenSSL30(), tgt); len(rep.Differences) == 0 {
		t.Errorf("openssl-3.0 against %s shows no difference:\n%s", path, out)
	}
}

// judge checks rep, a run described by what, against the verdict the
// scenario's header line header gives: "clean", or "unmodelled" (calls
// left out and nothing else).
func judge(t *testing.T, src []byte, header, what string, rep *Report, out string) {
	t.Helper()
	switch verdict := headerValue(t, src, header); {
	case verdict == "clean" && !rep.Clean():
		t.Errorf("%s is not clean (%s):\n%s", what, rep.Verdict(), out)
	case verdict == "unmodelled" && (len(rep.Unmodelled) == 0 || len(rep.Differences) > 0 ||
		rep.TargetFailure != nil || len(rep.Undefined) > 0 || len(rep.Leaks) > 0):
		t.Errorf("%s: want only calls left out (%s):\n%s", what, rep.Verdict(), out)
	case verdict != "clean" && verdict != "unmodelled":
		t.Fatalf("bad header \"%s %s\" (want clean or unmodelled)", header, verdict)
	}
}

// findingID returns the id the header's "# finding ID:" line gives.
func findingID(t *testing.T, src []byte) string {
	t.Helper()
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, "# finding "); ok {
			if id, _, ok := strings.Cut(rest, ":"); ok {
				return id
			}
		}
	}
	t.Fatalf("no \"# finding ID:\" line in the header")
	return ""
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
