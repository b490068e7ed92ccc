package main

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sesslife/sesslife/model"
	"github.com/sesslife/sesslife/properties"
	"github.com/sesslife/sesslife/scenario"
)

// The HTML report (docs/report.md, "The HTML report") is the JSON report
// for people: one self-contained page (inline CSS, no scripts, nothing
// fetched) with the verdict, the run's facts and every finding as the
// step-by-step state table of `sesslife sim`. html/template escapes
// everything the report carries, target names and shim errors included.

//go:embed report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{"what": whatName}).Parse(reportTemplate))

// whatName names a difference's kind as the JSON report does.
func whatName(w model.What) string {
	b, err := w.MarshalText()
	if err != nil {
		return "?"
	}
	return string(b)
}

// writeHTML writes the report as dir/index.html, for every run, failing or
// not.
func writeHTML(dir string, rep *checkReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	if err := renderHTML(f, dir, rep); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// renderHTML writes the page of rep, to be stored in dir (links to other
// files are relative to it).
func renderHTML(w io.Writer, dir string, rep *checkReport) error {
	return reportPage.Execute(w, newHTMLPage(dir, rep))
}

// htmlPage is what the template shows: the report, and what it takes
// to compute from it.
type htmlPage struct {
	*checkReport
	// Headline is the verdict as the text report's last line starts it.
	Headline string
	// Visualization links porcupine's view of a violation, relative to
	// the page.
	Visualization string
	// Rules lists the rules the coverage counts, with their fires.
	Rules    []ruleFires
	Findings []htmlFinding
}

// ruleFires is one rule's line of the coverage table.
type ruleFires struct {
	Rule  string
	Fires int
	First int // the sequence, from 1, in which it first fired
}

// htmlFinding is a finding with its reproducer replayed on the model.
type htmlFinding struct {
	findingReport
	Statement []textPart
	Steps     []htmlStep
	// Where says where the target diverged, in words.
	Where string
	// SimError says why the state table could not be computed ("" when
	// it was).
	SimError string
	// Details is the target's full error (a crash's stderr), which the
	// JSON keeps apart.
	Details string
	// Applied holds the rules the model applied, with their statements.
	Applied []appliedRule
}

// appliedRule is a rule id with its statement, shown on hover.
type appliedRule struct{ Rule, Statement string }

// textPart is a piece of a rule statement: code (`...` in docs/spec.md)
// or prose.
type textPart struct {
	Text string
	Code bool
}

// htmlStep is one call of a reproducer: what the model returned and, for
// the diverging call, what the target did; then the state after it.
type htmlStep struct {
	N    int
	Call string
	Want string
	// Got is the target's result of the diverging call ("" elsewhere, and
	// when the target gave none: it failed instead).
	Got string
	// Diverging marks the call the finding is about; Failed adds that the
	// target failed there (Error says how), Differs that its result is not
	// the model's (a finding about the state after the call has the same).
	Diverging, Failed, Differs bool
	Messages                   []string
	State                      []htmlRow
}

// htmlRow is one object of the state table after a call.
type htmlRow struct {
	scenario.StateRow
	// Differs lists, for the diverging call, what the target reported
	// about this object that the model does not.
	Differs []model.Difference
}

// newHTMLPage computes what the page shows beyond the report itself.
func newHTMLPage(dir string, rep *checkReport) htmlPage {
	p := htmlPage{checkReport: rep, Headline: strings.ToUpper(rep.Verdict)}
	if l := rep.Linearizability; l != nil && l.Visualization != "" {
		p.Visualization = relativeLink(dir, l.Visualization)
	}
	for _, r := range sortedKeys(rep.Coverage.Fires) {
		p.Rules = append(p.Rules, ruleFires{Rule: r, Fires: rep.Coverage.Fires[r], First: rep.Coverage.FirstSequence[r]})
	}
	prof, known := model.Profiles()[rep.Run.Profile]
	for _, f := range rep.Findings {
		hf := htmlFinding{findingReport: f, Statement: statementParts(f.Statement), Where: divergenceWhere(f)}
		for _, d := range rep.Details {
			if d.Finding == f.N {
				hf.Details = d.Text
			}
		}
		for _, id := range f.Applied {
			st := ""
			if r, ok := model.ParseRule(id); ok {
				st = r.Info().Statement
			}
			hf.Applied = append(hf.Applied, appliedRule{Rule: id, Statement: st})
		}
		if !known {
			hf.SimError = fmt.Sprintf("the profile %q is not one this sesslife knows, so the model's state cannot be shown", rep.Run.Profile)
		} else {
			hf.Steps, hf.SimError = findingSteps(f, prof)
		}
		p.Findings = append(p.Findings, hf)
	}
	return p
}

// findingSteps replays a finding's calls on the model through the
// scenario simulator, which says what each call does to the state; the
// report's want and got are put beside each call. The calls run as the
// scenario check saves for the finding, so the state shown is the one
// `sesslife sim` shows for that file.
func findingSteps(f findingReport, prof model.Profile) ([]htmlStep, string) {
	var src strings.Builder
	steps := make([]htmlStep, len(f.Calls))
	for i, op := range f.Calls {
		want := resultAt(f.Want, i)
		line := properties.FormatCall(op, want)
		src.WriteString(line + "\n")
		steps[i] = htmlStep{N: i + 1, Call: line, Want: formatResult(op, want)}
	}
	if n := len(steps); n > 0 && !f.Teardown {
		last := &steps[n-1]
		last.Diverging = true
		last.Failed = f.Error != ""
		if f.Got != nil {
			last.Got = formatResult(f.Calls[n-1], *f.Got)
			last.Differs = !f.Got.Equal(resultAt(f.Want, n-1))
		}
	}
	script, err := scenario.Parse(fmt.Sprintf("finding %d", f.N), []byte(src.String()))
	if err != nil {
		return steps, fmt.Sprintf("the reproducer does not read as a scenario: %v", err)
	}
	rep, err := scenario.Run(context.Background(), script, scenario.Options{Profile: prof}, io.Discard)
	if err != nil {
		return steps, fmt.Sprintf("the model could not run the reproducer: %v", err)
	}
	for _, s := range rep.Steps {
		i := s.Pos.Line - 1 // one call per line, in order
		if i < 0 || i >= len(steps) {
			continue
		}
		steps[i].Messages = s.Messages
		for _, row := range s.State {
			if row.Dead && row.Change == "" {
				continue // gone before this call: the table shows what lives
			}
			hr := htmlRow{StateRow: row}
			if steps[i].Diverging {
				hr.Differs = diffsOf(f.Diffs, row.Key)
			}
			steps[i].State = append(steps[i].State, hr)
		}
	}
	return steps, ""
}

// diffsOf returns the differences that concern the object named key.
func diffsOf(diffs []model.Difference, key string) []model.Difference {
	var out []model.Difference
	for _, d := range diffs {
		if d.What == model.WhatField && d.Object.String() == key {
			out = append(out, d)
		}
	}
	return out
}

func resultAt(rs []model.Result, i int) model.Result {
	if i < len(rs) {
		return rs[i]
	}
	return model.Result{}
}

// formatResult renders a result as the text report does: "void" alone,
// or the events of a void call without the "void"; a creation call shows
// the handle it made, as the simulator does.
func formatResult(op model.Op, r model.Result) string {
	switch op.Kind {
	case model.CtxNew:
		return model.CtxName(op.Ctx)
	case model.SSLNew:
		return model.SSLName(op.SSL)
	}
	out := r.Format(op)
	if out == "void" {
		return out
	}
	return strings.TrimPrefix(out, "void ")
}

// divergenceWhere says in words where the target diverged.
func divergenceWhere(f findingReport) string {
	n := len(f.Calls)
	switch {
	case f.Teardown:
		return fmt.Sprintf("after its %d calls, while the universe was discarded", n)
	case n == 0:
		return "before the first call"
	case f.Error != "":
		return fmt.Sprintf("the target failed at call %d of %d", n, n)
	case f.Observed:
		return fmt.Sprintf("right after call %d of %d, in what the target reported of its objects", n, n)
	}
	return fmt.Sprintf("at call %d of %d, in its result", n, n)
}

// statementParts splits a rule statement of docs/spec.md at its
// backquotes, so that code shows as code.
func statementParts(s string) []textPart {
	var out []textPart
	for i, part := range strings.Split(s, "`") {
		if part != "" {
			out = append(out, textPart{Text: part, Code: i%2 == 1})
		}
	}
	return out
}

// relativeLink is target as a link from a page in dir: relative, so that
// the directory can be moved or served as a whole.
func relativeLink(dir, target string) string {
	absDir, err1 := filepath.Abs(dir)
	absTarget, err2 := filepath.Abs(target)
	if err1 != nil || err2 != nil {
		return filepath.ToSlash(target)
	}
	rel, err := filepath.Rel(absDir, absTarget)
	if err != nil {
		return filepath.ToSlash(absTarget)
	}
	return filepath.ToSlash(rel)
}
