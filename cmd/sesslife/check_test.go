package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns its exit status and
// outputs.
func runCLI(args ...string) (int, string, string) {
	var out, errOut strings.Builder
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no command":      {},
		"unknown command": {"frobnicate"},
		"unknown flag":    {"check", "--frobnicate"},
		"unknown target":  {"check", "--target", "nosuch"},
		"missing shim":    {"check", "--target", "exec:/nonexistent/shim"},
		"unknown profile": {"check", "--profile", "nosuch-1.0"},
		"extra argument":  {"check", "stray"},
		"zero sequences":  {"check", "--sequences", "0"},
		"bad shard":       {"check", "--shard", "3/3"},
		"missing expect":  {"check", "--expect", "/nonexistent/expect.txt"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, errOut := runCLI(args...); code != exitUsage || errOut == "" {
				t.Errorf("exit %d, stderr %q; want exit %d with a message", code, errOut, exitUsage)
			}
		})
	}
}

func TestCheckImplPasses(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "report.json")
	code, out, errOut := runCLI("check", "--target", "impl", "--sequences", "50", "--seed", "9", "--json", jsonPath)
	if code != exitOK || !strings.Contains(out, "sesslife: PASS impl conforms to openssl-3.0") || !strings.Contains(out, "seed 9") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	var rep checkReport
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Conformant || rep.Run.Sequences != 50 || rep.Run.Seed != 9 || rep.Findings == nil || len(rep.Findings) != 0 || rep.Schema != reportSchema {
		t.Errorf("JSON report = %+v", rep)
	}
}

// builtShim returns the path of bin/name, which the make target build
// builds: a test without it is skipped on a developer's machine and fails
// under CI=true.
func builtShim(t *testing.T, name, build string) string {
	t.Helper()
	shim, _ := filepath.Abs(filepath.Join("../../bin", name))
	if _, err := os.Stat(shim); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s missing under CI=true (%s): %v", shim, build, err)
		}
		t.Skipf("%s not built (%s)", shim, build)
	}
	return shim
}

// TestCheckFindsPlantedBug checks the grouped report against the shim with
// a planted bug (make shim-variants builds it; CI=true requires it).
func TestCheckFindsPlantedBug(t *testing.T) {
	shim := builtShim(t, "sesslife-shim-openssl-bug1", "make shim-variants")
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	code, out, errOut := runCLI("check", "--target", "exec:"+shim, "--sequences", "100", "--seed", "4", "--max-findings", "1", "--save", dir, "--json", report)
	if code != exitDivergence {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitDivergence, out, errOut)
	}
	for _, want := range []string{"== finding 1: rule ", "sesslife: FAIL", "replay: sesslife replay --target exec:", "replay with: sesslife replay",
		// The planted bug: SSL_get0_session takes a reference. The session
		// outlives the model's; the calls that may have miscounted include
		// SSL_get0_session.
		"with one reference more on sess1 from ", "SSL_get0_session(ssl1); its rules there: SEED-GET0-NOREF)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Findings []struct {
			Suspects []struct {
				Call, Sess, Delta int
				Rules             []string
			} `json:"ref_suspects"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range r.Findings {
		for _, s := range f.Suspects {
			if s.Sess == 1 && s.Delta == 1 && strings.Join(s.Rules, ",") == "SEED-GET0-NOREF" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the JSON report's ref_suspects lack SSL_get0_session's call: %+v", r.Findings)
	}
}

func TestReplay(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.sim")
	os.WriteFile(good, []byte("ctx1 = SSL_CTX_new(server)\nssl1 = SSL_new(ctx1)\nSSL_free(ssl1)\nSSL_CTX_free(ctx1)\n"), 0o644)
	if code, out, errOut := runCLI("replay", "--target", "impl", good); code != exitOK || !strings.Contains(out, "sesslife: PASS") {
		t.Errorf("clean scenario: exit %d\n%s\n%s", code, out, errOut)
	}
	// A reproducer as printed by check: only its numbered lines are calls.
	report := filepath.Join(dir, "report.txt")
	os.WriteFile(report, []byte("sesslife: X diverges from the openssl-3.0 model at call 2 of 2:\n"+
		"   1  ctx1 = SSL_CTX_new(server)\n   2  SSL_CTX_sess_number(ctx1)   # 0\ncall 2: SSL_CTX_sess_number(ctx1)\n\tgot:  1\n\twant: 0\n"), 0o644)
	if code, out, errOut := runCLI("replay", "--target", "impl", report); code != exitOK || !strings.Contains(out, "SSL_CTX_sess_number") {
		t.Errorf("printed reproducer: exit %d\n%s\n%s", code, out, errOut)
	}
	bad := filepath.Join(dir, "bad.sim")
	os.WriteFile(bad, []byte("ctx1 = SSL_CTX_new(server)\nSSL_free(ctx1, 3)\n"), 0o644)
	if code, _, errOut := runCLI("replay", bad); code != exitUsage || !strings.Contains(errOut, "bad.sim:2:") {
		t.Errorf("malformed scenario: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI("replay", filepath.Join(dir, "missing.sim")); code != exitUsage || errOut == "" {
		t.Errorf("unreadable file: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runCLI("replay", "--target", "nosuch", good); code != exitUsage {
		t.Errorf("unknown target: exit %d", code)
	}
}

func TestHelpListsEveryFlag(t *testing.T) {
	code, out, _ := runCLI("help")
	if code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	for _, want := range []string{"check", "sim", "replay", "-target", "-profile", "-seed", "-sequences", "-steps", "-json", "-max-findings", "-reduce-budget", "-clients", "-html", "-expect", "-shard", "-save", "-shim-arg", "-shim-env", "exec:PATH", "wolfssl"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestCheckClients(t *testing.T) {
	code, out, errOut := runCLI("check", "--target", "impl", "--sequences", "10", "--seed", "2", "--clients", "4", "--html", t.TempDir())
	if code != exitOK || !strings.Contains(out, "linearizable (4 clients") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestCheckFollowsTheTargetsProfile: without --profile, check takes the
// profile the shim's hello names (the wolfSSL shim: wolfssl-5.5), and
// --profile overrides it with a note (make shim-wolfssl builds the shim;
// CI=true requires it).
func TestCheckFollowsTheTargetsProfile(t *testing.T) {
	shim := builtShim(t, "sesslife-shim-wolfssl", "make shim-wolfssl")
	code, out, errOut := runCLI("check", "--target", "exec:"+shim, "--sequences", "3", "--seed", "1")
	if code != exitOK || !strings.Contains(errOut, "against the wolfssl-5.5 model") || !strings.Contains(out, "conforms to wolfssl-5.5") {
		t.Errorf("without --profile: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	_, out, errOut = runCLI("check", "--target", "exec:"+shim, "--profile", "openssl-3.0", "--sequences", "1", "--seed", "1",
		"--max-findings", "1", "--save", t.TempDir())
	if !strings.Contains(errOut, `names the profile "wolfssl-5.5"; checking it against "openssl-3.0"`) ||
		!strings.Contains(errOut, "against the openssl-3.0 model") {
		t.Errorf("with --profile openssl-3.0: stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// TestCheckSaysWhichLibraryTheTargetActsLike: the reference simulator
// follows OpenSSL 3.0; checked against openssl-3.2 it breaks that
// profile's rules, and the finding, printed and in the JSON report, says
// that it acts as openssl-3.0 does and which rule that breaks, beside the
// rule where the difference shows.
func TestCheckSaysWhichLibraryTheTargetActsLike(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "r.json")
	code, out, errOut := runCLI("check", "--target", "impl", "--profile", "openssl-3.2", "--sequences", "300", "--seed", "3",
		"--max-findings", "1", "--save", dir, "--json", report)
	if code == exitOK || !strings.Contains(out, "   acts as openssl-3.0 (SNIAcceptStays), breaking OSSL32-SNICB-ACCEPT-STAYS: ") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Findings []struct {
			Like []struct {
				Switch   string   `json:"switch"`
				Like     []string `json:"like"`
				Follows  []string `json:"follows"`
				Breaks   []string `json:"breaks"`
				Findings []string `json:"findings"`
			} `json:"like"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 1 || len(r.Findings[0].Like) != 1 {
		t.Fatalf("report findings %+v, want one with one likeness", r.Findings)
	}
	l := r.Findings[0].Like[0]
	if l.Switch != "SNIAcceptStays" || strings.Join(l.Like, ",") != "openssl-3.0" || strings.Join(l.Follows, ",") != "SNICB-SWITCH" ||
		strings.Join(l.Breaks, ",") != "OSSL32-SNICB-ACCEPT-STAYS" || strings.Join(l.Findings, ",") != "O2" {
		t.Errorf("likeness %+v", l)
	}
}
