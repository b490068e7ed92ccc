package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sesslife/sesslife/internal/shimtest"
)

// shimPath finds a shim make builds (internal/shimtest).
func shimPath(t *testing.T, name string) string { return shimtest.Path(t, name) }

func readReport(t *testing.T, path string) checkReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep checkReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rep
}

// TestCheckPlantedUseAfterFree: the AddressSanitizer shim whose get0
// frees a borrowed session is reported as one crash with a reproducer of
// at most 10 calls, and nothing else (a crashed target is not trusted
// further); replaying the report still fails.
func TestCheckPlantedUseAfterFree(t *testing.T) {
	shim := shimPath(t, "sesslife-shim-openssl-bug2")
	corruptingShim(t)
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	code, out, errOut := runCLI("check", "--target", "exec:"+shim, "--seed", "20261124", "--json", report, "--save", dir)
	if code != exitDivergence {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitDivergence, out, errOut)
	}
	rep := readReport(t, report)
	if len(rep.Findings) != 1 {
		t.Fatalf("%d findings, want exactly 1:\n%s", len(rep.Findings), out)
	}
	f := rep.Findings[0]
	if f.Rule != "CRASH" || len(f.Calls) > 10 || !f.Corrupting || !f.Minimal {
		t.Errorf("finding %s of %d calls (corrupting %v, minimal %v), want CRASH in at most 10:\n%s", f.Rule, len(f.Calls), f.Corrupting, f.Minimal, out)
	}
	if !strings.Contains(out, "AddressSanitizer") {
		t.Errorf("the crash details (ASan's report) are not shown:\n%s", out)
	}
	if code, rout, rerr := runCLI("replay", report); code != exitDivergence {
		t.Errorf("replay of the report: exit %d, want %d\n%s\n%s", code, exitDivergence, rout, rerr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "1-CRASH.sim"))
	if len(files) != 1 {
		t.Fatalf("the reproducer was not saved as 1-CRASH.sim in %s", dir)
	}
	if code, rout, rerr := runCLI("replay", "--target", "exec:"+shim, files[0]); code != exitDivergence {
		t.Errorf("replay of the saved reproducer: exit %d, want %d\n%s\n%s", code, exitDivergence, rout, rerr)
	}
}

// TestCheckSameFindingsUnderLoad: the same seed and target give the same
// findings (calls, rule, got and want, reduction) on a quiet machine and
// with busy goroutines beside the run.
func TestCheckSameFindingsUnderLoad(t *testing.T) {
	shim := shimPath(t, "sesslife-shim-openssl-bug1")
	run := func() []byte {
		report := filepath.Join(t.TempDir(), "report.json")
		code, out, errOut := runCLI("check", "--target", "exec:"+shim, "--seed", "5", "--sequences", "60", "--max-findings", "2",
			"--json", report, "--save", t.TempDir())
		if code != exitDivergence {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		rep := readReport(t, report)
		for i := range rep.Findings {
			rep.Findings[i].Replay = "" // names the temporary directory
		}
		data, _ := json.MarshalIndent(rep.Findings, "", " ")
		return data
	}
	quiet := run()
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
			}
		}()
	}
	loaded := run()
	stop.Store(true)
	wg.Wait()
	if !bytes.Equal(quiet, loaded) {
		t.Errorf("findings differ under load:\nquiet:\n%s\nloaded:\n%s", quiet, loaded)
	}
}

// TestReplayExitStatus: a file without calls is a usage error, not a pass.
func TestReplayExitStatus(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.sim")
	os.WriteFile(empty, nil, 0o644)
	comments := filepath.Join(dir, "comments.sim")
	os.WriteFile(comments, []byte("# nothing but a comment\n\n"), 0o644)
	pass := filepath.Join(dir, "pass.json")
	if code, _, errOut := runCLI("check", "--target", "impl", "--sequences", "5", "--seed", "1", "--json", pass); code != exitOK {
		t.Fatalf("check: exit %d %s", code, errOut)
	}
	for name, file := range map[string]string{"empty file": empty, "only comments": comments, "report without findings": pass} {
		if code, _, errOut := runCLI("replay", "--target", "impl", file); code != exitUsage || errOut == "" {
			t.Errorf("%s: exit %d (stderr %q), want %d with a message", name, code, errOut, exitUsage)
		}
	}
}

// TestReplaySaysWhatWasNotSent: a scenario whose own call is undefined
// behaviour (here UB-RESUME-HALF-WAY) passes when the target agrees on
// the rest, and the verdict says that a call was never sent to it.
func TestReplaySaysWhatWasNotSent(t *testing.T) {
	file := filepath.Join(t.TempDir(), "halfway.sim")
	os.WriteFile(file, []byte(`ctx1 = SSL_CTX_new(server, no_ticket)
ssl1 = SSL_new(ctx1)
ctx2 = SSL_CTX_new(client)
ssl2 = SSL_new(ctx2)
client_hello(ssl2, ssl1, TLS1_2)
sess1 = SSL_get1_session(ssl1)
SSL_clear(ssl1)
ssl3 = SSL_new(ctx2)
SSL_set_session(ssl3, sess1)
SSL_CTX_add_session(ctx1, sess1)
handshake(ssl3, ssl1, TLS1_2)
`), 0o644)
	code, out, errOut := runCLI("replay", "--target", "impl", file)
	if code != exitOK || !strings.Contains(out, "UB-RESUME-HALF-WAY") || !strings.Contains(out, "(1 call(s) not sent to it") {
		t.Errorf("exit %d, want %d and a verdict naming the call not sent:\n%s%s", code, exitOK, out, errOut)
	}
}

// TestCheckExpect: known divergences listed with --expect are reported as
// expected and do not fail the run; a listed one that no longer shows
// fails it; an unknown rule id is a usage error naming the line.
func TestCheckExpect(t *testing.T) {
	shim := shimPath(t, "sesslife-shim-wolfssl")
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	args := []string{"check", "--target", "exec:" + shim, "--profile", "openssl-3.0", "--sequences", "30", "--seed", "3", "--save", dir}
	if code, out, errOut := runCLI(append(args, "--json", first)...); code != exitDivergence {
		t.Fatalf("wolfSSL against openssl-3.0: exit %d, want %d\n%s\n%s", code, exitDivergence, out, errOut)
	}
	var rules []string
	for _, f := range readReport(t, first).Findings {
		rules = append(rules, f.Rule)
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	var all strings.Builder
	all.WriteString("# wolfSSL's compatibility layer, known differences\n")
	for _, r := range rules {
		all.WriteString(r + " known difference of wolfSSL 5.5\n")
	}
	known := write("known.txt", all.String())
	if code, out, errOut := runCLI(append(args, "--expect", known)...); code != exitOK || !strings.Contains(out, "expected divergence "+rules[0]+" seen in") {
		t.Errorf("every divergence expected: exit %d, want %d\n%s\n%s", code, exitOK, out, errOut)
	}
	stale := write("stale.txt", all.String()+"AUTO-EVERY-256 a divergence that does not show in 30 sequences\n")
	if code, out, _ := runCLI(append(args, "--expect", stale)...); code != exitDivergence || !strings.Contains(out, "AUTO-EVERY-256") || !strings.Contains(out, "no longer shows") {
		t.Errorf("a stale expectation: exit %d, want %d\n%s", code, exitDivergence, out)
	}
	partial := write("partial.txt", "# none of them\n")
	if code, _, _ := runCLI(append(args, "--expect", partial)...); code != exitDivergence {
		t.Errorf("no divergence expected: exit %d, want %d", code, exitDivergence)
	}
	bad := write("bad.txt", "\nNO-SUCH-RULE because\n")
	if code, _, errOut := runCLI(append(args, "--expect", bad)...); code != exitUsage || !strings.Contains(errOut, "bad.txt:2") {
		t.Errorf("an unknown rule: exit %d, stderr %q", code, errOut)
	}
}

// TestCheckInterrupt: SIGINT stops a run: the findings so far and a valid
// JSON report are written, the exit status is 130, and no shim is left.
func TestCheckInterrupt(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	shimSrc := shimPath(t, "sesslife-shim-openssl")
	dir := t.TempDir()
	bin := filepath.Join(dir, "sesslife")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	// A copy of the shim under a path no other process uses, to find its
	// processes by.
	shim := filepath.Join(dir, "interrupt-shim")
	data, err := os.ReadFile(shimSrc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(shim, data, 0o755); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.json")
	cmd := exec.Command(bin, "check", "--target", "exec:"+shim, "--sequences", "100000000", "--seed", "1", "--json", report)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := make([]byte, 0, 4096)
	buf := make([]byte, 512)
	for !bytes.Contains(started, []byte("sesslife: searching")) {
		n, err := stderr.Read(buf)
		if err != nil {
			t.Fatalf("sesslife stopped before it searched: %v\n%s", err, started)
		}
		started = append(started, buf[:n]...)
	}
	if running := processesOf(shim); len(running) == 0 {
		t.Fatal("no shim process while searching")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = bytes.NewBuffer(nil).ReadFrom(stderr) }()
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d (%v), want %d\n%s", code, err, exitInterrupted, stdout.String())
	}
	rep := readReport(t, report)
	if rep.Verdict != "interrupted" || !rep.Run.Interrupted {
		t.Errorf("report verdict %q, interrupted %v", rep.Verdict, rep.Run.Interrupted)
	}
	if !strings.Contains(stdout.String(), "sesslife: INTERRUPTED") {
		t.Errorf("no verdict line:\n%s", stdout.String())
	}
	if left := processesOf(shim); len(left) > 0 {
		t.Errorf("shim processes left after sesslife exited: %v", left)
	}
}

// processesOf lists the pids of live processes running the program at path.
func processesOf(path string) []string {
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.HasPrefix(cmdline, []byte(path+"\x00")) {
			continue
		}
		stat, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if f := strings.Fields(string(stat)); len(f) > 2 && f[2] == "Z" {
			continue // a zombie waits only for its parent to reap it
		}
		out = append(out, e.Name())
	}
	return out
}

// TestShardsMerge: three shards of one run merge into a report with the
// whole run's sequences, and the same findings as the unsharded run.
func TestShardsMerge(t *testing.T) {
	shim := shimPath(t, "sesslife-shim-openssl-bug3")
	corruptingShim(t)
	dir := t.TempDir()
	args := []string{"check", "--target", "exec:" + shim, "--seed", "11", "--sequences", "30", "--max-findings", "1", "--save", dir}
	var parts []string
	for k := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("part%d.json", k))
		if code, out, errOut := runCLI(append(args, "--shard", fmt.Sprintf("%d/3", k), "--json", p)...); code == exitUsage {
			t.Fatalf("shard %d: %s %s", k, out, errOut)
		}
		parts = append(parts, p)
	}
	merged := filepath.Join(dir, "merged.json")
	code, out, errOut := runCLI(append([]string{"merge", "--json", merged}, parts...)...)
	if code != exitDivergence {
		t.Fatalf("merge: exit %d\n%s\n%s", code, out, errOut)
	}
	rep := readReport(t, merged)
	sum, rules := 0, map[string]bool{}
	for _, p := range parts {
		part := readReport(t, p)
		sum += part.Run.Sequences
		for _, f := range part.Findings {
			rules[f.Rule] = true
		}
	}
	if rep.Run.Sequences != sum || len(rep.Findings) != len(rules) || rep.Verdict != "fail" {
		t.Errorf("merged report: %d sequences (shards: %d), %d findings (rules: %v), verdict %s", rep.Run.Sequences, sum, len(rep.Findings), rules, rep.Verdict)
	}
	if code, _, _ := runCLI("merge", parts[0], parts[0]); code != exitUsage {
		t.Errorf("a shard given twice: exit %d, want %d", code, exitUsage)
	}
}
