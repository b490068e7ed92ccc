package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallBudgets keeps a test run short: enough to kill the easy mutants.
func smallBudgets() []string {
	return []string{"--seeds", "2", "--sequences", "100", "--reduce-budget", "300", "--gopter", "100", "--fuzz", "300", "--lin", "2"}
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
	args := append(smallBudgets(), "--mutants", "get0-takes-ref,capacity-n", "--engines", "search,gopter,fuzz")
	code, out, errs := runMutantsArgs(t, args...)
	if code != exitOK || lastLine(out) != "killed 2/2 mutants" {
		t.Fatalf("exit %d, last line %q\n%s\n%s", code, lastLine(out), out, errs)
	}
	for _, want := range []string{"get0-takes-ref", "SEED-GET0-NOREF", "capacity-n", "EVICT-N-1", "search,gopter,fuzz"} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "in all") {
		t.Errorf("stderr lacks the time taken:\n%s", errs)
	}
}

// TestMutantsProfileMutants: a profile mutant named profile:Switch runs
// under the search, gets its own line and count, and an equivalent one
// that survives is the verdict expected of it; an unknown one is a usage
// error.
func TestMutantsProfileMutants(t *testing.T) {
	code, out, errs := runMutantsArgs(t, "--mutants", "boringssl:ShutdownInInitSucceeds,wolfssl-5.5:Lacks",
		"--engines", "search,fuzz", "--seeds", "1", "--profile-sequences", "20", "--profile-naming=false", "--reduce-budget", "100")
	if code != exitOK || !strings.Contains(out, "killed 1/2 profile mutants (0 without the verdict expected of them)") ||
		!strings.Contains(out, "BORING-SHUT-IN-INIT") || !strings.Contains(out, "survived, as an equivalent mutant") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errs)
	}
	if code, _, errs := runMutantsArgs(t, "--mutants", "boringssl:NoSuchSwitch"); code != exitUsage || !strings.Contains(errs, "unknown profile mutant") {
		t.Errorf("an unknown profile mutant: exit %d, %s", code, errs)
	}
}

// TestMutantsSurvivorFails: with a budget of one input per engine, a hard
// mutant survives, and the run says so and fails.
func TestMutantsSurvivorFails(t *testing.T) {
	code, out, _ := runMutantsArgs(t, "--mutants", "ticket-hint-no-slack", "--engines", "search,gopter,fuzz",
		"--seeds", "1", "--sequences", "1", "--gopter", "1", "--fuzz", "1")
	if code != exitDivergence || lastLine(out) != "killed 0/1 mutants" || !strings.Contains(out, "SURVIVED") {
		t.Fatalf("exit %d, want %d:\n%s", code, exitDivergence, out)
	}
}

// TestMutantsMarkdown: --markdown writes a file that --check accepts on an
// identical run and rejects once changed anywhere; the output on stdout is
// the same on both runs; --corpus writes one seed per mutant the fuzz engine
// killed.
func TestMutantsMarkdown(t *testing.T) {
	dir := t.TempDir()
	doc, corpus := filepath.Join(dir, "mutants.md"), filepath.Join(dir, "corpus")
	args := append(smallBudgets(), "--mutants", "shutdown-first-returns-1,default-timeout-300", "--engines", "search,gopter,fuzz")
	code, first, errs := runMutantsArgs(t, append(args, "--markdown", doc, "--corpus", corpus)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, first, errs)
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| [`shutdown-first-returns-1`](#shutdown-first-returns-1) | SHUT-FIRST-SENDS |",
		"### default-timeout-300", "want: ", "killed 2/2 mutants", "## Sequences to kill", "TestRapidKillsSequentialMutants"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("mutants.md lacks %q:\n%s", want, text)
		}
	}
	code, again, errs := runMutantsArgs(t, append(args, "--check", doc)...)
	if code != exitOK {
		t.Fatalf("--check rejected the file it just wrote: exit %d\n%s\n%s", code, again, errs)
	}
	if again != first {
		t.Errorf("stdout differs between two runs:\n%s\n---\n%s", first, again)
	}
	lines := strings.Split(string(text), "\n")
	for _, at := range []int{2, len(lines) / 2, len(lines) - 3} {
		changed := append([]string(nil), lines...)
		changed[at] += " changed"
		if err := os.WriteFile(doc, []byte(strings.Join(changed, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out, _ := runMutantsArgs(t, append(args, "--check", doc)...); code != exitDivergence || !strings.Contains(out, "is stale") {
			t.Fatalf("--check accepted a file changed at line %d: exit %d\n%s", at+1, code, out)
		}
	}
	// What follows the generated part is written by hand: --markdown
	// keeps it (and --check, above, ignores it: mutation.Stale).
	const byHand = "\n## Automatic mutants\n\nwritten by hand\n"
	if err := os.WriteFile(doc, append(text, byHand...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runMutantsArgs(t, append(args, "--markdown", doc)...); code != exitOK {
		t.Fatalf("--markdown over a file with a part written by hand: exit %d\n%s\n%s", code, out, errs)
	}
	if kept, err := os.ReadFile(doc); err != nil || string(kept) != string(text)+byHand {
		t.Errorf("--markdown did not keep the part written by hand (%v):\n%s", err, kept)
	}
	seeds, err := os.ReadDir(corpus)
	if err != nil || len(seeds) != 2 {
		t.Fatalf("--corpus wrote %d seeds (%v), want 2", len(seeds), err)
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
		{[]string{"--engines", "rapid"}, "unknown engine"},
		{[]string{"--gopter", "0", "--engines", "fuzz"}, "want at least 1"},
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
// mutant's workload and exits 0 when it finds no race (evict-split-lock
// has none: its bug is a lock dropped and taken again).
func TestRaceProbeRunsTheWorkload(t *testing.T) {
	if code, _, errs := runMutantsArgs(t, "--race-probe", "evict-split-lock", "--seed", "1", "--race-runs", "1"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
}
