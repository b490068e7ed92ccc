//go:build linux

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/sesslife/sesslife/internal/testwait"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/target/targets"
)

// These tests render the HTML report in headless Chromium (Debian's
// chromium, which make installs) and read back the DOM it built: what a
// reader's browser shows, not only what the template wrote.

// findChromium returns Chromium's path. Under CI=true a missing Chromium
// fails the test; elsewhere the test is skipped with a message.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed, and CI=true requires it (make deps-chromium installs it)")
	}
	t.Skip("chromium is not installed (make deps-chromium installs it): the page is not checked in a browser")
	return ""
}

// renderedDOM loads page in headless Chromium and returns the DOM it
// built. Chromium runs in its own process group, which is killed at the
// end whatever happened, so that no renderer or helper outlives the test
// (its crash handler leaves the group, and ends when Chromium does). Its
// profile and crash database go to the test's temporary directory.
func renderedDOM(t *testing.T, page string) string {
	t.Helper()
	bin := findChromium(t)
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: Chromium's crash handler may still write there for a
	// moment after Chromium has ended, which must not fail the test.
	home, err := os.MkdirTemp("", "sesslife-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(home) })
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--disable-breakpad", "--user-data-dir="+filepath.Join(home, "profile"), "--dump-dom", "file://"+abs)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	group := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// A Chromium that never finishes is ended only near the test's own
	// deadline: a slow machine only waits longer.
	select {
	case err = <-done:
	case <-testwait.Guard(t):
		_ = syscall.Kill(-group, syscall.SIGKILL)
		<-done
		t.Fatalf("chromium did not finish loading %s before the test's deadline (a hang guard, not a verdict)\nstderr:\n%s", abs, tail(stderr.String()))
	}
	if kerr := syscall.Kill(-group, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
		t.Errorf("killing chromium's process group: %v", kerr)
	}
	if err != nil {
		t.Fatalf("chromium on %s: %v\nstderr:\n%s", abs, err, tail(stderr.String()))
	}
	dom := stdout.String()
	if !strings.Contains(dom, "</html>") {
		t.Fatalf("chromium printed no DOM for %s\nstdout:\n%s\nstderr:\n%s", abs, tail(dom), tail(stderr.String()))
	}
	return dom
}

// tail keeps the end of a long output.
func tail(s string) string {
	if len(s) > 4000 {
		return "..." + s[len(s)-4000:]
	}
	return s
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// textOf is the text a DOM fragment shows, spaces collapsed.
func textOf(fragment string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(fragment, " "))), " ")
}

// firstMatch returns the text of the first group of re in s, and whether
// it matched.
func firstMatch(s, re string) (string, bool) {
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return textOf(m[1]), true
}

// findingSection returns finding n's section of the DOM (sections do not
// nest).
func findingSection(t *testing.T, dom string, n int) string {
	t.Helper()
	start := strings.Index(dom, fmt.Sprintf(`<section class="finding" id="finding-%d"`, n))
	if start < 0 {
		t.Fatalf("the rendered page has no section for finding %d", n)
	}
	end := strings.Index(dom[start:], "</section>")
	if end < 0 {
		t.Fatalf("finding %d's section does not end", n)
	}
	return dom[start : start+end]
}

// shownReport is what the checks below read of a JSON report: model's
// differences have no JSON decoder, so they are read as text.
type shownReport struct {
	Verdict string `json:"verdict"`
	Run     struct {
		Target string `json:"target"`
	} `json:"run"`
	Coverage struct {
		RulesExercised int      `json:"rules_exercised"`
		RulesTotal     int      `json:"rules_total"`
		NeverExercised []string `json:"never_exercised"`
	} `json:"coverage"`
	Findings []struct {
		N         int            `json:"n"`
		Rule      string         `json:"rule"`
		Statement string         `json:"statement"`
		Teardown  bool           `json:"teardown"`
		Observed  bool           `json:"after_call"`
		Calls     []model.Op     `json:"calls"`
		Want      []model.Result `json:"want"`
		Got       *model.Result  `json:"got"`
		Diffs     []struct {
			Got  string `json:"got"`
			Want string `json:"want"`
		} `json:"differences"`
		Error  string `json:"error"`
		Replay string `json:"replay"`
	} `json:"findings"`
}

// decodeShown reads a JSON report as the checks see it.
func decodeShown(t *testing.T, data []byte) *shownReport {
	t.Helper()
	var rep shownReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("reading the JSON report: %v", err)
	}
	return &rep
}

// shown is rep as the checks see it, through its JSON form.
func shown(t *testing.T, rep *checkReport) *shownReport {
	t.Helper()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return decodeShown(t, data)
}

// checkFindingsShown checks the DOM shows the verdict and, for each
// finding, its rule, the diverging call and the target's and the model's
// results there.
func checkFindingsShown(t *testing.T, dom string, rep *shownReport) {
	t.Helper()
	verdict, ok := firstMatch(dom, `(?s)<h1 id="verdict"[^>]*>(.*?)</h1>`)
	if !ok || !strings.HasPrefix(verdict, strings.ToUpper(rep.Verdict)+":") || !strings.Contains(verdict, rep.Run.Target) {
		t.Errorf("rendered verdict %q, want %s for %s", verdict, strings.ToUpper(rep.Verdict), rep.Run.Target)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("the report has no findings to look for")
	}
	for _, f := range rep.Findings {
		sec := findingSection(t, dom, f.N)
		if title, _ := firstMatch(sec, `(?s)<h2>(.*?)</h2>`); title != fmt.Sprintf("Finding %d: rule %s", f.N, f.Rule) {
			t.Errorf("finding %d: title %q", f.N, title)
		}
		if f.Statement != "" && !strings.Contains(textOf(sec), textOf(strings.ReplaceAll(f.Statement, "`", ""))) {
			t.Errorf("finding %d: the statement of %s is not shown", f.N, f.Rule)
		}
		if !strings.Contains(textOf(sec), f.Replay) {
			t.Errorf("finding %d: the replay command %q is not shown", f.N, f.Replay)
		}
		at := strings.Index(sec, `<tr class="step diverging"`)
		if at < 0 || f.Teardown {
			t.Errorf("finding %d: no diverging call in the table", f.N)
			continue
		}
		// The diverging row's first cells, before its state table.
		row := sec[at:]
		n := len(f.Calls)
		last, want := f.Calls[n-1], f.Want[n-1]
		call, _ := firstMatch(row, `(?s)<td class="call[^"]*">(.*?)</td>`)
		gotCell, _ := firstMatch(row, `(?s)<td class="got[^"]*">(.*?)</td>`)
		wantCell, _ := firstMatch(row, `(?s)<td class="want[^"]*">(.*?)</td>`)
		if !strings.Contains(call, last.String()) {
			t.Errorf("finding %d: diverging call shown as %q, want %s", f.N, call, last)
		}
		if wantCell != formatResult(last, want) {
			t.Errorf("finding %d: want shown as %q, want %q", f.N, wantCell, formatResult(last, want))
		}
		switch {
		case f.Got != nil && gotCell != formatResult(last, *f.Got):
			t.Errorf("finding %d: got shown as %q, want %q", f.N, gotCell, formatResult(last, *f.Got))
		case f.Got == nil && f.Error != "" && !strings.Contains(textOf(sec), f.Error):
			t.Errorf("finding %d: the target's error %q is not shown", f.N, f.Error)
		}
		for _, d := range f.Diffs {
			if !strings.Contains(textOf(sec), d.Got) || !strings.Contains(textOf(sec), d.Want) {
				t.Errorf("finding %d: difference %+v not shown", f.N, d)
			}
		}
	}
}

func TestHTMLInChromiumFindings(t *testing.T) {
	findChromium(t)
	rep := mutantReport(t, 3, plantedMutants...)
	dir := t.TempDir()
	if err := writeHTML(dir, rep); err != nil {
		t.Fatal(err)
	}
	dom := renderedDOM(t, filepath.Join(dir, "index.html"))
	checkFindingsShown(t, dom, shown(t, rep))
	// A difference in the state after the call marks the object's row.
	for _, f := range rep.Findings {
		if f.Observed && !strings.Contains(findingSection(t, dom, f.N), `differs" data-object="`) {
			t.Errorf("finding %d (%s): no state row marked as differing", f.N, f.Rule)
		}
	}
}

func TestHTMLInChromiumPass(t *testing.T) {
	findChromium(t)
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	code, out, errOut := runCLI("check", "--target", "impl", "--sequences", "20", "--seed", "5", "--json", jsonPath, "--html", dir)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	rep := readReportFile(t, jsonPath)
	dom := renderedDOM(t, filepath.Join(dir, "index.html"))
	verdict, _ := firstMatch(dom, `(?s)<h1 id="verdict"[^>]*>(.*?)</h1>`)
	if verdict != "PASS: impl conforms to openssl-3.0" {
		t.Errorf("rendered verdict %q", verdict)
	}
	rules, _ := firstMatch(dom, `(?s)<strong id="rules-exercised">(.*?)</strong>`)
	if want := fmt.Sprintf("%d/%d", rep.Coverage.RulesExercised, rep.Coverage.RulesTotal); rules != want {
		t.Errorf("rules exercised shown as %q, want %q", rules, want)
	}
	never, _ := firstMatch(dom, `(?s)<p id="never-exercised">(.*?)</p>`)
	for _, r := range rep.Coverage.NeverExercised {
		if !strings.Contains(never, r) {
			t.Errorf("rule never exercised %s not listed: %q", r, never)
		}
	}
	if strings.Contains(dom, `class="finding"`) {
		t.Errorf("a passing run's page shows a finding")
	}
}

// TestHTMLInChromiumPlantedShim renders the report of check against the
// shim with planted bugs (make shim-variants builds it; CI=true requires
// it): findings from a real process, replay commands and all.
func TestHTMLInChromiumPlantedShim(t *testing.T) {
	findChromium(t)
	corruptingShim(t)
	shim, err := targets.FindShim("sesslife-shim-openssl-bug3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true requires the planted-bug shim (make shim-variants): %v", err)
		}
		t.Skipf("planted-bug shim not built (make shim-variants): %v", err)
	}
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "report.json")
	code, out, errOut := runCLI("check", "--target", "exec:"+shim, "--sequences", "100", "--seed", "4", "--max-findings", "2",
		"--save", t.TempDir(), "--json", jsonPath, "--html", dir)
	if code != exitDivergence {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitDivergence, out, errOut)
	}
	rep := readReportFile(t, jsonPath)
	checkFindingsShown(t, renderedDOM(t, filepath.Join(dir, "index.html")), rep)
}

func readReportFile(t *testing.T, path string) *shownReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodeShown(t, data)
}
