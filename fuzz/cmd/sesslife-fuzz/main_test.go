package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// raceOutput is what CI printed when Go 1.26's fuzz coordinator raced its
// own -fuzztime deadline (a real log, shortened).
const raceOutput = `fuzz: elapsed: 0s, gathering baseline coverage: 0/70 completed
fuzz: elapsed: 0s, gathering baseline coverage: 70/70 completed, now fuzzing with 2 workers
fuzz: elapsed: 15s, execs: 7319 (652/sec), new interesting: 11 (total: 81)
fuzz: elapsed: 16s, execs: 7319 (0/sec), new interesting: 11 (total: 81)
--- FAIL: FuzzShimHello (16.04s)
    context deadline exceeded
FAIL
exit status 1
FAIL	github.com/sesslife/sesslife/fuzz	16.054s
`

func TestJudge(t *testing.T) {
	crasher := `fuzz: elapsed: 2s, execs: 100 (50/sec), new interesting: 0 (total: 1)
--- FAIL: FuzzShimHello (2.01s)
    --- FAIL: FuzzShimHello (0.00s)
        shim_fuzz_test.go:24: fuzz: subprocess.New accepted the hello "x"

    Failing input written to testdata/fuzz/FuzzShimHello/0123abcd
    To re-run:
    go test -run=FuzzShimHello/0123abcd
FAIL
exit status 1
`
	for _, tc := range []struct {
		name   string
		exitOK bool
		out    string
		added  []string
		want   verdict
	}{
		{"pass", true, "ok  \tgithub.com/sesslife/sesslife/fuzz\t16.0s\n", nil, passed},
		{"the race", false, raceOutput, nil, coordinatorRace},
		{"CRLF race", false, strings.ReplaceAll(raceOutput, "\n", "\r\n"), nil, coordinatorRace},
		{"race message but an input was written", false, raceOutput, []string{"0123abcd"}, failed},
		{"a finding", false, crasher, nil, failed},
		{"a finding whose message is the deadline", false,
			strings.Replace(crasher, `fuzz: subprocess.New accepted the hello "x"`, "context deadline exceeded", 1), nil, failed},
		{"another target's failure", false, strings.Replace(raceOutput, "FuzzShimHello (", "FuzzShimReply (", 1), nil, failed},
		{"a second message line", false,
			strings.Replace(raceOutput, "    context deadline exceeded\n", "    context deadline exceeded\n    more\n", 1), nil, failed},
		{"a panic", false, "panic: boom\n" + raceOutput, nil, failed},
		{"a hung worker", false,
			strings.Replace(raceOutput, "context deadline exceeded", "fuzzing process hung or terminated unexpectedly: exit status 2", 1), nil, failed},
		{"a build error", false, "# github.com/sesslife/sesslife/fuzz\nfuzz/x.go:1:1: syntax error\nFAIL\tgithub.com/sesslife/sesslife/fuzz [build failed]\n", nil, failed},
		{"empty output", false, "", nil, failed},
	} {
		if got := judge(tc.exitOK, []byte(tc.out), "FuzzShimHello", tc.added); got != tc.want {
			t.Errorf("%s: judge = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"fuzz"}, {"fuzz:Decode"}, {":FuzzX"}, {"fuzz:Fuzz^X"}, {"--fuzztime"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 || errs.Len() == 0 {
			t.Errorf("run(%q) = %d, stderr %q; want 2 and a message", args, code, errs.String())
		}
	}
}

// TestRunsGoTestFuzz runs real `go test -fuzz` on a scratch module: a
// target that passes, one whose seed fails, and one whose failing input
// the fuzzer must find; only the first may pass.
func TestRunsGoTestFuzz(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/scratch\n\ngo 1.26\n")
	write("p/p_test.go", `package p

import "testing"

func FuzzFine(f *testing.F) {
	f.Add([]byte("a"))
	f.Fuzz(func(t *testing.T, b []byte) {})
}

func FuzzBadSeed(f *testing.F) {
	f.Add([]byte("x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 0 && b[0] == 'x' {
			t.Fatal("found x")
		}
	})
}

func FuzzFindable(f *testing.F) {
	f.Add(uint8(0))
	f.Fuzz(func(t *testing.T, b uint8) {
		if b > 3 {
			t.Fatal("found a byte above 3")
		}
	})
}
`)
	t.Chdir(dir)
	for _, tc := range []struct {
		target string
		want   int
	}{{"p:FuzzFine", 0}, {"./p:FuzzBadSeed", 1}, {"p:FuzzFindable", 1}} {
		var out bytes.Buffer
		if got := run([]string{"--fuzztime", "2s", "--minimize-time", "1s", tc.target}, &out, &out); got != tc.want {
			t.Errorf("sesslife-fuzz %s = %d, want %d; output:\n%s", tc.target, got, tc.want, out.String())
		}
	}
	if found, _ := listFiles(filepath.Join("p", "testdata", "fuzz", "FuzzFindable")); len(found) == 0 {
		t.Errorf("FuzzFindable's failing input was not kept in p/testdata/fuzz/FuzzFindable")
	}
}
