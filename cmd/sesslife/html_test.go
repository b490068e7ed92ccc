package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesslife/sesslife/impl"
	"github.com/sesslife/sesslife/impl/mutants"
	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/target"
)

// mutantReport builds the report check writes for a run against the
// reference simulator with the given mutants planted, through the same
// steps as runCheck (a mutant is not a target the command line offers).
func mutantReport(t *testing.T, seed uint64, ms ...mutants.Mutant) *checkReport {
	t.Helper()
	open := target.Factory(func() (target.Target, error) { return impl.NewTarget(mutants.Option(ms...)), nil })
	probe, _ := open()
	info := probe.Info()
	probe.Close()
	prof := model.OpenSSL30()
	c := checkConfig{target: "impl", profile: prof.Name, seed: seed, sequences: 200, steps: 60, saveDir: t.TempDir()}
	opts := properties.DefaultSearchOptions()
	opts.Profile, opts.Seed, opts.Sequences = prof, c.seed, c.sequences
	opts.MaxCalls, opts.MinCalls = c.steps, c.steps/2
	rep := newCheckReport(c, info, prof)
	saver := &reproducerSaver{dir: c.saveDir, seed: c.seed}
	opts.OnFinding = func(f properties.Finding) {
		n := len(rep.Findings) + 1
		path, err := saver.save(n, f, rep)
		if err != nil {
			t.Fatal(err)
		}
		rep.Findings = append(rep.Findings, newFinding(n, f, replayCommand(c, path)))
	}
	res, err := properties.Search(context.Background(), open, opts)
	if err != nil {
		t.Fatal(err)
	}
	rep.fill(res, info, prof, time.Second)
	rep.decide()
	return rep
}

// plantedMutants are one mutant that changes a return value and one that
// changes a counter observed after the call.
var plantedMutants = []mutants.Mutant{mutants.AddSameReturns1, mutants.CountClientHitMissing}

func renderString(t *testing.T, rep *checkReport) string {
	t.Helper()
	var b bytes.Buffer
	if err := renderHTML(&b, t.TempDir(), rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTMLStateTable checks each finding's table: one row per call, the
// model's result beside each, the target's beside the diverging one, and
// the state after every call as the scenario simulator computes it.
func TestHTMLStateTable(t *testing.T) {
	rep := mutantReport(t, 3, plantedMutants...)
	if len(rep.Findings) != 2 {
		t.Fatalf("%d findings, want 2 (one per mutant): %+v", len(rep.Findings), rep.Findings)
	}
	page := newHTMLPage(t.TempDir(), rep)
	for _, f := range page.Findings {
		if f.SimError != "" {
			t.Fatalf("finding %d: %s", f.N, f.SimError)
		}
		if len(f.Steps) != len(f.Calls) {
			t.Fatalf("finding %d: %d steps for %d calls", f.N, len(f.Steps), len(f.Calls))
		}
		for i, s := range f.Steps {
			if s.Want == "" || len(s.State) == 0 || s.State[0].Key != "clock" {
				t.Errorf("finding %d call %d: want %q, state %+v", f.N, i+1, s.Want, s.State)
			}
			if s.Diverging != (i == len(f.Steps)-1) {
				t.Errorf("finding %d call %d: diverging = %v", f.N, i+1, s.Diverging)
			}
		}
		last := f.Steps[len(f.Steps)-1]
		if f.Got == nil || last.Got == "" {
			t.Errorf("finding %d: no got at the diverging call", f.N)
		}
		switch f.Rule {
		case "CACHE-ADD-SAME":
			if last.Got == last.Want || !strings.Contains(last.Call, "SSL_CTX_add_session") {
				t.Errorf("return-value finding: call %q got %q want %q", last.Call, last.Got, last.Want)
			}
		case "CNT-HITS":
			marked := 0
			for _, row := range last.State {
				marked += len(row.Differs)
			}
			if !f.Observed || marked == 0 {
				t.Errorf("counter finding: observed %v, %d differences marked on the state rows", f.Observed, marked)
			}
		default:
			t.Errorf("unexpected rule %s", f.Rule)
		}
	}
	html := renderString(t, rep)
	for _, f := range rep.Findings {
		if !strings.Contains(html, `id="finding-`+strconv.Itoa(f.N)+`"`) || !strings.Contains(html, f.Rule) {
			t.Errorf("page lacks finding %d (%s)", f.N, f.Rule)
		}
	}
}

// TestHTMLEscapes gives the page hostile text where a target's name and
// error go: it must show as text.
func TestHTMLEscapes(t *testing.T) {
	rep := mutantReport(t, 3, mutants.AddSameReturns1)
	evil := `<script>alert("x")</script><img src=x onerror=alert(1)>`
	rep.Run.Target, rep.Run.Command, rep.Error = evil, evil, evil
	rep.Findings[0].Error = evil
	rep.Details = append(rep.Details, detail{Finding: 1, Text: evil})
	html := renderString(t, rep)
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(html, bad) {
			t.Errorf("page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("page does not show the hostile text escaped")
	}
}

// externalRef matches what would make a page fetch something.
var externalRef = regexp.MustCompile(`(?i)<script|<link|<img|<iframe|\ssrc=|url\(|@import|href="(https?:)?//`)

// TestHTMLSelfContained checks the page asks for nothing beyond itself.
func TestHTMLSelfContained(t *testing.T) {
	rep := mutantReport(t, 3, plantedMutants...)
	rep.Linearizability = &linReport{Checked: true, Clients: 2, Verdict: "violation", Summary: "not linearizable",
		Visualization: filepath.Join(os.TempDir(), "lin.html")}
	html := renderString(t, rep)
	if m := externalRef.FindString(html); m != "" {
		t.Errorf("page refers to an external resource: %q", m)
	}
	if !strings.Contains(html, `id="visualization"`) || strings.Contains(html, "ZgotmplZ") {
		t.Errorf("page lacks a usable link to the visualization")
	}
}

func TestRelativeLink(t *testing.T) {
	for _, c := range []struct{ dir, target, want string }{
		{"/r/html", "/r/html/lin-1.html", "lin-1.html"},
		{"/r/html", "/tmp/lin-1.html", "../../tmp/lin-1.html"},
	} {
		if got := relativeLink(c.dir, c.target); got != c.want {
			t.Errorf("relativeLink(%q, %q) = %q, want %q", c.dir, c.target, got, c.want)
		}
	}
}

// TestHTMLExplainsTheFinding: a finding the model can explain says so in
// the page too: the library the target acts like (a simulator whose
// servername callback leaves sess_accept where it was acts as OpenSSL
// 3.2), and the calls that may have miscounted a session's references (a
// simulator whose SSL_get0_session takes one).
func TestHTMLExplainsTheFinding(t *testing.T) {
	for _, c := range []struct {
		m    mutants.Mutant
		want *regexp.Regexp
	}{
		{mutants.SNICBAcceptStays, regexp.MustCompile(`<p class="like">With <code>SNIAcceptStays</code> as in openssl-3\.2, .*in place of <code class="breaks">SNICB-SWITCH</code>`)},
		{mutants.Get0TakesRef, regexp.MustCompile(`<p class="suspects">.*one more on sess\d+ \(<code>SEED-GET0-NOREF</code>\)`)},
	} {
		rep := mutantReport(t, 1, c.m)
		if len(rep.Findings) == 0 {
			t.Fatalf("%v: no finding", c.m)
		}
		if page := renderString(t, rep); !c.want.MatchString(page) {
			t.Errorf("%v: the page lacks %s", c.m, c.want)
		}
	}
}
