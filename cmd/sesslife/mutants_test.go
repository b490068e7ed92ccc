package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
)

// smallBudgets keeps a test run short: enough to kill the easy mutants.
func smallBudgets() []string {
	return []string{"--rapid", "200", "--gopter", "100", "--fuzz", "300", "--shrink", "1s", "--lin", "1", "--lin-check", "2s"}
}

func runMutantsArgs(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMutants(args, &out, &errb)
	return code, out.String(), errb.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestMutantsKillsEasyOnes: every sequential engine kills two easy mutants,
// the table names them, and the last line counts them.
func TestMutantsKillsEasyOnes(t *testing.T) {
	args := append(smallBudgets(), "--mutants", "get0-takes-ref,capacity-n", "--engines", "rapid,gopter,fuzz")
	code, out, errs := runMutantsArgs(t, args...)
	if code != exitOK || lastLine(out) != "killed 2/2 mutants" {
		t.Fatalf("exit %d, last line %q\n%s\n%s", code, lastLine(out), out, errs)
	}
	for _, want := range []string{"get0-takes-ref", "SEED-GET0-NOREF", "capacity-n", "EVICT-N-1", "rapid,gopter,fuzz"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
}

// TestMutantsSurvivorFails: with a budget of one input per engine, a hard
// mutant survives, and the run says so and fails.
func TestMutantsSurvivorFails(t *testing.T) {
	code, out, _ := runMutantsArgs(t, "--mutants", "ticket-hint-no-slack", "--engines", "rapid,gopter,fuzz",
		"--rapid", "1", "--gopter", "1", "--fuzz", "1")
	if code != exitDivergence || lastLine(out) != "killed 0/1 mutants" || !strings.Contains(out, "SURVIVED") {
		t.Fatalf("exit %d, want %d:\n%s", code, exitDivergence, out)
	}
}

// TestEnginesPassTheCorrectSimulator: no engine reports a divergence of the
// simulator without mutants (the control run).
func TestEnginesPassTheCorrectSimulator(t *testing.T) {
	b := budgets{seed: 7, rapid: 100, gopter: 60, fuzz: 300, lin: 1, linCheck: 5 * time.Second, shrink: time.Second, perEngine: time.Minute}
	if testing.Short() {
		b.rapid, b.gopter, b.fuzz = 30, 20, 100
	}
	if err := configureRapid(b); err != nil {
		t.Fatal(err)
	}
	none := mutants.Info{Name: "none"}
	for _, e := range allEngines() {
		if e.name == "race" {
			continue // needs a race-built binary; runRaceProbe is tested below
		}
		if k := e.run(none, model.OpenSSL30(), b); k.killed || k.note != "" {
			t.Errorf("%s: the correct simulator was killed (%q): %s", e.name, k.note, k.repro)
		}
	}
}

// TestMutantsMarkdown: --markdown writes a file that --check accepts on an
// identical run and rejects once changed; the unstable section is not
// compared; --corpus writes one seed per mutant the fuzz engine killed.
func TestMutantsMarkdown(t *testing.T) {
	dir := t.TempDir()
	doc, corpus := filepath.Join(dir, "mutants.md"), filepath.Join(dir, "corpus")
	args := append(smallBudgets(), "--mutants", "shutdown-first-returns-1,default-timeout-300", "--engines", "rapid,gopter,fuzz")
	if code, out, errs := runMutantsArgs(t, append(args, "--markdown", doc, "--corpus", corpus)...); code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| [`shutdown-first-returns-1`](#shutdown-first-returns-1) | SHUT-FIRST-SENDS |",
		"### default-timeout-300", "want: ", "killed 2/2 sequential mutants"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("mutants.md lacks %q:\n%s", want, text)
		}
	}
	if code, out, errs := runMutantsArgs(t, append(args, "--check", doc)...); code != exitOK {
		t.Fatalf("--check rejected the file it just wrote: exit %d\n%s\n%s", code, out, errs)
	}
	stale := strings.Replace(string(text), "SHUT-FIRST-SENDS", "SHUT-FIRST", 1)
	if err := os.WriteFile(doc, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runMutantsArgs(t, append(args, "--check", doc)...); code != exitDivergence || !strings.Contains(out, "is stale") {
		t.Fatalf("--check accepted a changed file: exit %d\n%s", code, out)
	}
	seeds, err := os.ReadDir(corpus)
	if err != nil || len(seeds) != 2 {
		t.Fatalf("--corpus wrote %d seeds (%v), want 2", len(seeds), err)
	}
	if got := stable("a\n" + unstableBegin + "\nvaries\n" + unstableEnd + "\nb"); got != "a\n\nb" {
		t.Fatalf("stable() = %q", got)
	}
}

// TestMutantsFlags: bad flags are usage errors naming the problem.
func TestMutantsFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mutants", "no-such-mutant"}, "unknown mutant"},
		{[]string{"--engines", "quickcheck"}, "unknown engine"},
		{[]string{"--rapid", "0"}, "must be positive"},
		{[]string{"extra"}, "unexpected argument"},
		{[]string{"--race-probe", "no-such-mutant"}, "unknown mutant"},
		{[]string{"--check", "/nonexistent/mutants.md", "--mutants", "default-timeout-300", "--engines", "fuzz", "--fuzz", "5"}, "--check"},
	} {
		code, _, errs := runMutantsArgs(t, c.args...)
		if code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, exitUsage, c.want)
		}
	}
}

// TestRaceProbeRunsTheWorkload: the race engine's child runs a concurrent
// mutant's workload and exits 0 when the binary has no race detector.
func TestRaceProbeRunsTheWorkload(t *testing.T) {
	var errb bytes.Buffer
	if code := runRaceProbe("evict-split-lock", budgets{seed: 1, raceRuns: 1}, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
