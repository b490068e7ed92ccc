// Command sesslife-gremlins reads the report go-gremlins writes (its
// --output JSON) after `make mutants-auto` and prints the score in our
// terms, then checks that docs/mutants.md explains every mutant that was not
// killed:
//
//	sesslife-gremlins [--source impl] [--markdown] [--check docs/mutants.md] [--want-ran N] REPORT.json
//
// The score: how many mutants were killed, lived, timed out, did not
// compile (not viable) or sat on code the test never ran (not covered);
// the efficacy, killed / (killed + lived), and the mutator coverage,
// (killed + lived) / (killed + lived + not covered), as gremlins defines
// them (timed out and not viable count in neither); the same by mutator;
// and every mutant that was not killed, with its line of source (read from
// --source). --markdown prints the tables as markdown, for docs/mutants.md.
//
// --check: every mutant that was not killed must be named, as
// `impl/FILE:LINE:COL` followed by its mutator on the same line, in the
// file's "## Automatic mutants" section, with the reason it survived. A
// change to impl/ that moves or adds survivors fails the check until the
// section is brought up to date.
//
// --want-ran N: fail unless at least N mutants were run against the test
// and got a verdict (killed, lived or timed out). `make mutants-auto-smoke`
// uses it to tell that the wiring works (the tool, the wrapper standing in
// for go, the oracle) without a verdict that depends on the machine's speed.
//
// Exit status: 0, 1 when a check fails, 2 on a usage or input error.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sesslife-gremlins", flag.ContinueOnError)
	fs.SetOutput(stderr)
	source := fs.String("source", "impl", "the directory gremlins mutated (its report names files relative to it)")
	markdown := fs.Bool("markdown", false, "print the tables as markdown")
	check := fs.String("check", "", "fail unless this file's \"## Automatic mutants\" section names every mutant that was not killed")
	wantRan := fs.Int("want-ran", 0, "fail unless at least this many mutants were run against the test (killed, lived or timed out)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || *wantRan < 0 {
		fmt.Fprintln(stderr, "usage: sesslife-gremlins [--source DIR] [--markdown] [--check FILE] [--want-ran N] REPORT.json")
		return 2
	}
	rep, err := load(fs.Arg(0), *source)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife-gremlins: %v\n", err)
		return 2
	}
	rep.print(stdout, *markdown)
	if c := counts(rep.Mutants); c[killed]+c[lived]+c[timedOut] < *wantRan {
		fmt.Fprintf(stdout, "\nsesslife-gremlins: %d mutants were run against the test, want at least %d (is the test passing, and does the wrapper build them?)\n",
			c[killed]+c[lived]+c[timedOut], *wantRan)
		return 1
	}
	if *check == "" {
		return 0
	}
	doc, err := os.ReadFile(*check)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife-gremlins: --check: %v\n", err)
		return 2
	}
	missing, err := unexplained(string(doc), rep.Mutants)
	if err != nil {
		fmt.Fprintf(stderr, "sesslife-gremlins: %s: %v\n", *check, err)
		return 2
	}
	if len(missing) > 0 {
		fmt.Fprintf(stdout, "\nsesslife-gremlins: %s does not explain %d mutants that were not killed:\n", *check, len(missing))
		for _, m := range missing {
			fmt.Fprintf(stdout, "  %s %s %s\n", m.ID(), m.Type, m.Status)
		}
		return 1
	}
	fmt.Fprintf(stdout, "\nsesslife-gremlins: %s explains every mutant that was not killed\n", *check)
	return 0
}

// gremlinsReport is the part of go-gremlins' JSON report we read.
type gremlinsReport struct {
	Module  string  `json:"go_module"`
	Elapsed float64 `json:"elapsed_time"`
	Files   []struct {
		Name      string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// The statuses gremlins gives a mutant it ran or could not run.
const (
	killed     = "KILLED"
	lived      = "LIVED"
	timedOut   = "TIMED OUT"
	notViable  = "NOT VIABLE"
	notCovered = "NOT COVERED"
)

var statuses = []string{killed, lived, timedOut, notViable, notCovered}

// Mutant is one mutant of the report, with the line of source it changes.
type Mutant struct {
	// File is the path from the module's root (impl/cache.go).
	File         string
	Line, Column int
	Type, Status string
	Code         string
}

// ID names the mutant's place: impl/cache.go:40:33.
func (m Mutant) ID() string { return fmt.Sprintf("%s:%d:%d", m.File, m.Line, m.Column) }

// Report is a run's mutants in source order.
type Report struct {
	Elapsed time.Duration
	Mutants []Mutant
}

// load reads gremlins' report at path; file names in it are relative to dir.
func load(path, dir string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var g gremlinsReport
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	rep := &Report{Elapsed: time.Duration(g.Elapsed * float64(time.Second))}
	for _, f := range g.Files {
		lines := sourceLines(filepath.Join(dir, f.Name))
		for _, m := range f.Mutations {
			if !slices.Contains(statuses, m.Status) {
				return nil, fmt.Errorf("%s: %s:%d:%d: unknown status %q", path, f.Name, m.Line, m.Column, m.Status)
			}
			code := ""
			if m.Line >= 1 && m.Line <= len(lines) {
				code = strings.TrimSpace(lines[m.Line-1])
			}
			rep.Mutants = append(rep.Mutants, Mutant{File: filepath.ToSlash(filepath.Join(dir, f.Name)),
				Line: m.Line, Column: m.Column, Type: m.Type, Status: m.Status, Code: code})
		}
	}
	if len(rep.Mutants) == 0 {
		return nil, fmt.Errorf("%s: no mutants", path)
	}
	slices.SortFunc(rep.Mutants, func(a, b Mutant) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.Type, b.Type)
	})
	return rep, nil
}

// sourceLines returns the file's lines, none when it cannot be read (the
// listing then shows no code).
func sourceLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return strings.Split(string(b), "\n")
}

// counts tallies mutants by status.
func counts(ms []Mutant) map[string]int {
	c := map[string]int{}
	for _, m := range ms {
		c[m.Status]++
	}
	return c
}

// efficacy and coverage are gremlins' two measures, in percent.
func efficacy(c map[string]int) float64 {
	return percent(c[killed], c[killed]+c[lived])
}

func coverage(c map[string]int) float64 {
	return percent(c[killed]+c[lived], c[killed]+c[lived]+c[notCovered])
}

func percent(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}

// print writes the score, the table by mutator and the mutants that were
// not killed.
func (r *Report) print(w io.Writer, markdown bool) {
	c := counts(r.Mutants)
	fmt.Fprintf(w, "%d mutants in %s: %d killed, %d lived, %d timed out, %d not viable, %d not covered\n",
		len(r.Mutants), r.Elapsed.Round(time.Second), c[killed], c[lived], c[timedOut], c[notViable], c[notCovered])
	fmt.Fprintf(w, "efficacy %.2f %% (killed / (killed + lived)), mutator coverage %.2f %% ((killed + lived) / (killed + lived + not covered))\n\n",
		efficacy(c), coverage(c))
	var types []string
	byType := map[string][]Mutant{}
	for _, m := range r.Mutants {
		if byType[m.Type] == nil {
			types = append(types, m.Type)
		}
		byType[m.Type] = append(byType[m.Type], m)
	}
	slices.Sort(types)
	t := table{markdown: markdown}
	t.row("mutator", "mutants", "killed", "lived", "timed out", "not viable", "not covered", "efficacy", "coverage")
	for _, ty := range types {
		tc := counts(byType[ty])
		t.row(ty, fmt.Sprint(len(byType[ty])), fmt.Sprint(tc[killed]), fmt.Sprint(tc[lived]), fmt.Sprint(tc[timedOut]),
			fmt.Sprint(tc[notViable]), fmt.Sprint(tc[notCovered]), fmt.Sprintf("%.1f %%", efficacy(tc)), fmt.Sprintf("%.1f %%", coverage(tc)))
	}
	t.row("all", fmt.Sprint(len(r.Mutants)), fmt.Sprint(c[killed]), fmt.Sprint(c[lived]), fmt.Sprint(c[timedOut]),
		fmt.Sprint(c[notViable]), fmt.Sprint(c[notCovered]), fmt.Sprintf("%.1f %%", efficacy(c)), fmt.Sprintf("%.1f %%", coverage(c)))
	t.write(w)
	for _, st := range []string{lived, timedOut, notViable, notCovered} {
		if c[st] == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%d)\n\n", strings.ToLower(st), c[st])
		t := table{markdown: markdown}
		t.row("mutant", "mutator", "code")
		for _, m := range r.Mutants {
			if m.Status == st {
				t.row("`"+m.ID()+"`", m.Type, "`"+m.Code+"`")
			}
		}
		t.write(w)
	}
}

// unexplained returns the mutants that were not killed and that the
// "## Automatic mutants" section of doc does not name (their ID in
// backquotes and their mutator on one line).
func unexplained(doc string, ms []Mutant) ([]Mutant, error) {
	const heading = "## Automatic mutants\n"
	i := strings.Index(doc, heading)
	if i < 0 {
		return nil, fmt.Errorf("no %q section", strings.TrimSpace(heading))
	}
	section := doc[i+len(heading):]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	lines := strings.Split(section, "\n")
	var out []Mutant
	for _, m := range ms {
		if m.Status == killed {
			continue
		}
		id := "`" + m.ID() + "`"
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, id) && strings.Contains(l, m.Type) }) {
			out = append(out, m)
		}
	}
	return out, nil
}
